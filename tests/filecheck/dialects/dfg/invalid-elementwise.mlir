// RUN: ramiel-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Each chunk breaks one rule of an elementwise or activation op; the diagnostic
// names the rule and points at the op.

func.func @prelu_slope(%x: tensor<2x3xf32>, %slope: tensor<4xf32>) {
  %y = dfg.prelu %x, %slope : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  func.return
}
// CHECK: invalid-elementwise.mlir:7:3
// CHECK-NEXT: %y = dfg.prelu %x, %slope : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
// CHECK: 'dfg.prelu' op the slope of PRelu (shape 4) must broadcast to its input (shape 2x3)

// -----

// The slope broadcasts one way only: to the input, not the input to it.
func.func @prelu_wider_slope(%x: tensor<3xf32>, %slope: tensor<2x3xf32>) {
  %y = dfg.prelu %x, %slope : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<3xf32>
  func.return
}
// CHECK: 'dfg.prelu' op the slope of PRelu (shape 2x3) must broadcast to its input (shape 3)

// -----

func.func @bit_shift_direction(%a: tensor<4xui8>, %b: tensor<4xui8>) {
  %y = dfg.bit_shift %a, %b {direction = "UP"} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  func.return
}
// CHECK: 'dfg.bit_shift' op attribute 'direction' of BitShift must be one of 'LEFT', 'RIGHT', not 'UP'

// -----

func.func @is_inf_flag(%x: tensor<4xf32>) {
  %y = dfg.is_inf %x {detect_positive = 2 : i64} : (tensor<4xf32>) -> tensor<4xi1>
  func.return
}
// CHECK: 'dfg.is_inf' op attribute 'detect_positive' of IsInf must be 0 or 1, not 2

// -----

func.func @mod_flag(%a: tensor<4xi32>, %b: tensor<4xi32>) {
  %y = dfg.mod %a, %b {fmod = -1 : i64} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  func.return
}
// CHECK: 'dfg.mod' op attribute 'fmod' of Mod must be 0 or 1, not -1

// -----

// And takes booleans only.
func.func @and_of_floats(%a: tensor<4xf32>, %b: tensor<4xf32>) {
  %y = dfg.and %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  func.return
}
// CHECK: 'dfg.and' op element type f32 is not allowed for 'T' of And

// -----

// The bitwise ops take integers only.
func.func @bitwise_of_bf16(%a: tensor<4xbf16>) {
  %y = dfg.bitwise_not %a : (tensor<4xbf16>) -> tensor<4xbf16>
  func.return
}
// CHECK: 'dfg.bitwise_not' op element type bf16 is not allowed for 'T' of BitwiseNot

// -----

// CastLike's result has the element type of its second input.
func.func @cast_like_type(%x: tensor<4xf32>, %like: tensor<1xui16>) {
  %y = dfg.cast_like %x, %like : (tensor<4xf32>, tensor<1xui16>) -> tensor<4xui32>
  func.return
}
// CHECK: 'dfg.cast_like' op all values of type 'T2' must have one element type, got ui16 and ui32

// -----

// BitCast keeps the bits: the widths must agree.
func.func @bit_cast_width(%x: tensor<4xf32>) {
  %y = dfg.bit_cast %x {to = 7 : i64} : (tensor<4xf32>) -> tensor<4xi64>
  func.return
}
// CHECK: 'dfg.bit_cast' op invalid BitCast: {{.*}} BitCast requires input and output types to have the same bit-width, but input type has 32 bits and output type has 64 bits.

// -----

// BitCast's result has the element type `to` names.
func.func @bit_cast_to(%x: tensor<4xf32>) {
  %y = dfg.bit_cast %x {to = 6 : i64} : (tensor<4xf32>) -> tensor<4xui32>
  func.return
}
// CHECK: 'dfg.bit_cast' op result #0 has element type ui32, but BitCast gives int32

// -----

// SwiGLU does not broadcast (ONNX's shape inference checks it).
func.func @swiglu_shapes(%a: tensor<1x3xf32>, %b: tensor<2x3xf32>) {
  %y = dfg.swi_glu %a, %b : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return
}
// CHECK: 'dfg.swi_glu' op invalid SwiGLU: [ShapeInferenceError] Can't merge shape info. Both inferred and declared dimension have values but they differ. Inferred=2 Declared=1 Dimension=0

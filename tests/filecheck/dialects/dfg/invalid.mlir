// RUN: ramiel-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Each chunk breaks one rule of the dfg dialect; the diagnostic names the rule
// and points at the op.

// A size that the values decide (`?`) is allowed where the op's kernel needs none.
func.func @unknown_size(%x: tensor<1x3x?x8xf32>, %w: tensor<4x3x3x3xf32>) {
  %y = dfg.conv %x, %w : (tensor<1x3x?x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x?x6xf32>
  func.return
}
// CHECK: invalid.mlir:8:3
// CHECK-NEXT: %y = dfg.conv %x, %w
// CHECK: 'dfg.conv' op Conv: the kernel needs the sizes of input 0, which only the values decide

// -----

func.func @unknown_pieces(%x: tensor<?x4xf32>) {
  %a, %b = dfg.split %x {axis = 0 : i64, num_outputs = 2 : i64} : (tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>)
  func.return
}
// CHECK: 'dfg.split' op Split: the sizes of the pieces are known only when it runs

// -----

func.func @unranked(%x: tensor<*xf32>) {
  %y = dfg.relu %x : (tensor<*xf32>) -> tensor<*xf32>
  func.return
}
// CHECK: 'dfg.relu' op operand 'X' at position 0 does not verify:
// CHECK-NEXT: tensor<*xf32> should be of base attribute tensor

// -----

func.func @float8(%x: tensor<2xf8E4M3FN>) {
  %y = dfg.relu %x : (tensor<2xf8E4M3FN>) -> tensor<2xf8E4M3FN>
  func.return
}
// CHECK: 'dfg.relu' op operand #0 must be a ranked tensor, or a sequence of tensors, of a supported element type, got tensor<2xf8E4M3FN>

// -----

func.func @unsupported_result(%x: tensor<2xf32>) {
  %y = dfg.cast %x {to = 17 : i64} : (tensor<2xf32>) -> tensor<2xf8E4M3FN>
  func.return
}
// CHECK: 'dfg.cast' op result #0 must be a ranked tensor, or a sequence of tensors, of a supported element type, got tensor<2xf8E4M3FN>

// -----

// Relu takes no booleans.
func.func @type_constraint(%x: tensor<2xi1>) {
  %y = dfg.relu %x : (tensor<2xi1>) -> tensor<2xi1>
  func.return
}
// CHECK: 'dfg.relu' op element type i1 is not allowed for 'T' of Relu

// -----

func.func @mixed_element_types(%a: tensor<2xf32>, %b: tensor<2xf16>) {
  %y = dfg.add %a, %b : (tensor<2xf32>, tensor<2xf16>) -> tensor<2xf32>
  func.return
}
// CHECK: 'dfg.add' op all values of type 'T' must have one element type, got f32 and f16

// -----

func.func @result_element_type(%a: tensor<2xf32>) {
  %y = dfg.greater %a, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return
}
// CHECK: 'dfg.greater' op element type f32 is not allowed for 'T1' of Greater

// -----

func.func @cast_target(%a: tensor<2xf32>) {
  %y = dfg.cast %a {to = 7 : i64} : (tensor<2xf32>) -> tensor<2xi32>
  func.return
}
// CHECK: 'dfg.cast' op result #0 has element type i32, but Cast gives int64

// -----

func.func @conv_shape(%x: tensor<1x3x9x9xf32>, %w: tensor<4x3x3x3xf32>) {
  %y = dfg.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x7x7xf32>
  func.return
}
// CHECK: 'dfg.conv' op result #0 has shape 1x4x7x7, but Conv gives 1x4x9x9

// -----

func.func @conv_channels(%x: tensor<1x3x9x9xf32>, %w: tensor<4x2x3x3xf32>) {
  %y = dfg.conv %x, %w : (tensor<1x3x9x9xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x7x7xf32>
  func.return
}
// CHECK: 'dfg.conv' op input has 3 channels, but the weight expects 2 x 1 (group)

// -----

// The shape operand is a constant, so the result shape is checked against it.
func.func @reshape_shape(%x: tensor<2x3x4xf32>) {
  %shape = dfg.constant dense<[4, -1]> : tensor<2xi64>
  %y = dfg.reshape %x, %shape : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
  func.return
}
// CHECK: 'dfg.reshape' op result #0 has shape 2x12, but Reshape gives 4x6

// -----

func.func @conv_bias(%x: tensor<1x3x9x9xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<5xf32>) {
  %y = dfg.conv %x, %w, %b : (tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>, tensor<5xf32>) -> tensor<1x4x7x7xf32>
  func.return
}
// CHECK: 'dfg.conv' op bias has shape 5, not 4

// -----

func.func @conv_transpose_channels(%x: tensor<1x3x9x9xf32>, %w: tensor<2x2x3x3xf32>) {
  %y = dfg.conv_transpose %x, %w : (tensor<1x3x9x9xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x11x11xf32>
  func.return
}
// CHECK: 'dfg.conv_transpose' op input has 3 channels, but the weight expects 2

// -----

func.func @batch_norm_parameters(%x: tensor<1x3x4x4xf32>, %p: tensor<5xf32>) {
  %y = dfg.batch_normalization %x, %p, %p, %p, %p : (tensor<1x3x4x4xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) -> tensor<1x3x4x4xf32>
  func.return
}
// CHECK: 'dfg.batch_normalization' op invalid BatchNormalization:
// CHECK-SAME: Dimension mismatch in unification between 5 and 3

// -----

func.func @instance_norm_parameters(%x: tensor<1x3x4x4xf32>, %p: tensor<5xf32>) {
  %y = dfg.instance_normalization %x, %p, %p : (tensor<1x3x4x4xf32>, tensor<5xf32>, tensor<5xf32>) -> tensor<1x3x4x4xf32>
  func.return
}
// CHECK: 'dfg.instance_normalization' op scale has shape 5, not 3

// -----

func.func @layer_norm_scale(%x: tensor<2x3x4xf32>, %p: tensor<5xf32>) {
  %y = dfg.layer_normalization %x, %p : (tensor<2x3x4xf32>, tensor<5xf32>) -> tensor<2x3x4xf32>
  func.return
}
// CHECK: 'dfg.layer_normalization' op scale of shape 5 does not broadcast to the normalised shape 4

// -----

func.func @gemm_bias(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<5xf32>) {
  %y = dfg.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<5xf32>) -> tensor<2x4xf32>
  func.return
}
// CHECK: 'dfg.gemm' op C of shape 5 does not broadcast to 2x4

// -----

func.func @reshape_elements(%x: tensor<2x3x4xf32>) {
  %shape = dfg.constant dense<[5, 5]> : tensor<2xi64>
  %y = dfg.reshape %x, %shape : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<5x5xf32>
  func.return
}
// CHECK: 'dfg.reshape' op Reshape of 24 elements cannot give 25

// -----

func.func @broadcast(%x: tensor<2x3xf32>, %p: tensor<7xf32>) {
  %y = dfg.add %x, %p : (tensor<2x3xf32>, tensor<7xf32>) -> tensor<2x3xf32>
  func.return
}
// CHECK: 'dfg.add' op invalid Add: [ShapeInferenceError] Incompatible dimensions

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) {
  %y = dfg.transpose %x {perm = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  func.return
}
// CHECK: 'dfg.transpose' op invalid Transpose: [TypeInferenceError] Attribute perm for Transpose has repeated value: 0

// -----

func.func @concat_shape(%a: tensor<2x3xf32>, %b: tensor<2x1xf32>) {
  %y = dfg.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  func.return
}
// CHECK: 'dfg.concat' op result #0 has shape 2x3, but Concat gives 2x4

// -----

func.func @concat_inputs(%a: tensor<2x3xf32>, %b: tensor<3x1xf32>) {
  %y = dfg.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3x1xf32>) -> tensor<2x4xf32>
  func.return
}
// CHECK: 'dfg.concat' op invalid Concat:

// -----

func.func @matmul_shape(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  %y = dfg.mat_mul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  func.return
}
// CHECK: 'dfg.mat_mul' op invalid MatMul:
// CHECK-SAME: Incompatible dimensions for matrix multiplication

// -----

func.func @wrong_rank(%x: tensor<2x3xf32>) {
  %y = dfg.relu %x : (tensor<2x3xf32>) -> tensor<2x3x1xf32>
  func.return
}
// CHECK: 'dfg.relu' op result #0 has shape 2x3x1, but Relu gives 2x3

// -----

func.func @scalar_result(%x: tensor<2x3xf32>) {
  %axes = dfg.constant dense<[0, 1]> : tensor<2xi64>
  %y = dfg.reduce_sum %x, %axes {keepdims = 0 : i64} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<1xf32>
  func.return
}
// CHECK: 'dfg.reduce_sum' op result #0 has shape 1, but ReduceSum gives scalar

// -----

func.func @split_results(%x: tensor<2x4xf32>) {
  %split = dfg.constant dense<[1, 3]> : tensor<2xi64>
  %a, %b = dfg.split %x, %split {axis = 1 : i64} : (tensor<2x4xf32>, tensor<2xi64>) -> (tensor<2x2xf32>, tensor<2x2xf32>)
  func.return
}
// CHECK: 'dfg.split' op result #0 has shape 2x2, but Split gives 2x1

// -----

func.func @missing_property(%x: tensor<1x3x4x4xf32>) {
  %y = dfg.max_pool %x : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  func.return
}
// CHECK: 'dfg.max_pool' op invalid MaxPool:
// CHECK-SAME: kernel_shape

// -----

func.func @missing_cast_target(%x: tensor<2xf32>) {
  %y = dfg.cast %x : (tensor<2xf32>) -> tensor<2xf32>
  func.return
}
// CHECK: 'dfg.cast' op invalid Cast:
// CHECK-SAME: to

// -----

func.func @property_kind(%x: tensor<2x3xf32>) {
  %y = dfg.softmax %x {axis = "last"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return
}
// CHECK: 'dfg.softmax' op "last" should be of base attribute integer

// -----

func.func @missing_operand(%a: tensor<2xf32>) {
  %y = dfg.add %a : (tensor<2xf32>) -> tensor<2xf32>
  func.return
}
// The operand list starts at column 16.
// CHECK: invalid.mlir:[[# @LINE - 4]]:16
// CHECK: missing required operand 'B'

// -----

// `_` stands only for an absent optional operand.
func.func @gap_for_required(%w: tensor<4x3x3x3xf32>) {
  %y = dfg.conv _, %w : (tensor<4x3x3x3xf32>) -> tensor<1x4x7x7xf32>
  func.return
}
// CHECK: missing required operand 'X'

// -----

func.func @gap_in_variadic(%a: tensor<2xf32>) {
  %y = dfg.max %a, _, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return
}
// CHECK: malformed variadic 'data_0'

// -----

func.func @too_many_operands(%a: tensor<2xf32>) {
  %y = dfg.relu %a, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return
}
// CHECK: expected at most 1 values, got 2

// -----

func.func @operand_count(%a: tensor<2xf32>) {
  %y = dfg.clip %a, _, _ : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  func.return
}
// CHECK: expected 2 operand types but had 1

// -----

func.func @gap_without_comma(%a: tensor<2xf32>) {
  %y = dfg.clip %a _ : (tensor<2xf32>) -> tensor<2xf32>
  func.return
}
// CHECK: invalid.mlir:[[# @LINE - 3]]:20
// CHECK: Expected ':'

// -----

func.func @constant_type() {
  %c = "dfg.constant"() <{value = dense<1> : tensor<2xi64>}> : () -> tensor<3xi64>
  func.return
}
// CHECK: 'dfg.constant' op value type tensor<2xi64> does not match result type tensor<3xi64>

// -----

func.func @constant_value() {
  %c = dfg.constant 3 : i64
  func.return
}
// CHECK: invalid.mlir:[[# @LINE - 3]]:21
// CHECK: expected a dense<...> or #dfg.resource<...> value

// -----

func.func @resource_without_data() {
  %w = dfg.constant #dfg.resource<nodata_0123456789abcdef : tensor<4xf32>>
  func.return
}
// CHECK: 'dfg.constant' op resource 'nodata_0123456789abcdef' has no data

// -----

// The blob holds 4 floats, the type needs 5.
func.func @resource_size() {
  %w = dfg.constant #dfg.resource<w_d17d716f1d7b2f34 : tensor<5xf32>>
  func.return
}
// CHECK: 'dfg.constant' op resource 'w_d17d716f1d7b2f34' holds 16 bytes, but tensor<5xf32> needs 20

{-#
  dialect_resources: {
    dfg: {
      w_d17d716f1d7b2f34: "0x100000000000803f000000400000404000008040"
    }
  }
#-}

// -----

// Resource keys end in the digest of their bytes; this one does not.
func.func @resource_key() {
  %w = dfg.constant #dfg.resource<w_0000000000000000 : tensor<4xf32>>
  func.return
}
// CHECK: got an error when parsing a resource: resource key 'w_0000000000000000' does not name its content: keys end in '_d17d716f1d7b2f34'

{-#
  dialect_resources: {
    dfg: {
      w_0000000000000000: "0x100000000000803f000000400000404000008040"
    }
  }
#-}

// -----

// xDSL itself does not check that a value is defined before its use.
func.func @use_before_def(%x: tensor<2xf32>) {
  %y = dfg.relu %a : (tensor<2xf32>) -> tensor<2xf32>
  %a = dfg.abs %x : (tensor<2xf32>) -> tensor<2xf32>
  func.return
}
// CHECK: invalid.mlir:[[# @LINE - 4]]:3
// CHECK-NEXT: %y = dfg.relu %a : (tensor<2xf32>) -> tensor<2xf32>
// CHECK: 'dfg.relu' op operand #0 is used before its definition

// -----

func.func @resource_not_hex() {
  %w = dfg.constant #dfg.resource<w_d17d716f1d7b2f34 : tensor<4xf32>>
  func.return
}
// CHECK: resource 'w_d17d716f1d7b2f34' must be a hex blob with an alignment header

{-#
  dialect_resources: {
    dfg: {
      w_d17d716f1d7b2f34: "1.0, 2.0"
    }
  }
#-}

// -----

// A switch is 0 or 1 in every op that has one.
func.func @flag(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) {
  %y = dfg.gemm %a, %b {transB = 4611686018427387904 : i64} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  func.return
}
// CHECK: 'dfg.gemm' op attribute 'transB' of Gemm must be 0 or 1, not 4611686018427387904

// -----

// An axis lies within the rank of input 0.
func.func @axis(%a: tensor<2x3xf32>) {
  %y = dfg.concat %a, %a {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  func.return
}
// CHECK: 'dfg.concat' op attribute 'axis' of Concat must lie in [-2, 1] for an input of rank 2, not 2

// -----

// OneHot's axis reaches one further: its output has one axis more.
func.func @one_hot_axis(%i: tensor<3xi64>, %d: tensor<i64>, %v: tensor<2xf32>) {
  %y = dfg.one_hot %i, %d, %v {axis = -3 : i64} : (tensor<3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<3x5xf32>
  func.return
}
// CHECK: 'dfg.one_hot' op attribute 'axis' of OneHot must lie in [-2, 1] for an input of rank 1, not -3

// -----

// Flatten's axis is a place between axes, -r to r; ONNX's inference checks it.
func.func @flatten_axis(%x: tensor<2x3xf32>) {
  %y = dfg.flatten %x {axis = 3 : i64} : (tensor<2x3xf32>) -> tensor<6x1xf32>
  func.return
}
// CHECK: 'dfg.flatten' op invalid Flatten: [ShapeInferenceError] Invalid value(3) for attribute 'axis'

// -----

func.func @flatten_at_the_end(%x: tensor<2x3xf32>) {
  %y = dfg.flatten %x {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<6x1xf32>
  // CHECK-NOT: 'dfg.flatten' op
  func.return
}

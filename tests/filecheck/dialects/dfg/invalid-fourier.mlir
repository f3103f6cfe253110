// RUN: ramiel-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Each chunk breaks one rule of the Fourier transforms; the diagnostic names the
// rule and points at the op.

// The axis is one value.
func.func @dft_axis(%x: tensor<1x8x2xf32>, %a: tensor<2xi64>) {
  %y = dfg.dft %x, _, %a : (tensor<1x8x2xf32>, tensor<2xi64>) -> tensor<1x8x2xf32>
  func.return
}
// CHECK: invalid-fourier.mlir:8:3
// CHECK: 'dfg.dft' op axis of DFT must hold one value, not shape 2

// -----

func.func @dft_inverse(%x: tensor<1x8x2xf32>) {
  %y = dfg.dft %x {inverse = 2 : i64} : (tensor<1x8x2xf32>) -> tensor<1x8x2xf32>
  func.return
}
// CHECK: 'dfg.dft' op attribute 'inverse' of DFT must be 0 or 1, not 2

// -----

// A signal is batch x samples x 1 (real) or 2 (complex).
func.func @stft_signal(%s: tensor<1x32x3xf32>, %step: tensor<i64>, %w: tensor<8xf32>) {
  %y = dfg.stft %s, %step, %w : (tensor<1x32x3xf32>, tensor<i64>, tensor<8xf32>) -> tensor<1x7x5x2xf32>
  func.return
}
// CHECK: 'dfg.stft' op signal of STFT must be batch x length x 1 or 2, not 1x32x3

// -----

func.func @stft_step(%s: tensor<1x32x1xf32>, %step: tensor<2xi64>, %w: tensor<8xf32>) {
  %y = dfg.stft %s, %step, %w : (tensor<1x32x1xf32>, tensor<2xi64>, tensor<8xf32>) -> tensor<1x7x5x2xf32>
  func.return
}
// CHECK: 'dfg.stft' op frame_step of STFT must hold one value, not shape 2

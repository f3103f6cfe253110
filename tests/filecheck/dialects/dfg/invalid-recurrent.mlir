// RUN: ramiel-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s

// Each chunk breaks one rule of the recurrent dfg ops; the diagnostic names the
// rule and points at the op.

// An LSTM's W holds four gates of hidden_size rows.
func.func @lstm_weight_gates(%x: tensor<5x2x3xf32>, %w: tensor<1x12x3xf32>, %r: tensor<1x16x4xf32>) {
  %y = dfg.lstm %x, %w, %r {hidden_size = 4 : i64} : (tensor<5x2x3xf32>, tensor<1x12x3xf32>, tensor<1x16x4xf32>) -> tensor<5x1x2x4xf32>
  func.return
}
// CHECK: invalid-recurrent.mlir:8:3
// CHECK-NEXT: %y = dfg.lstm %x, %w, %r {hidden_size = 4 : i64}
// CHECK: 'dfg.lstm' op W has shape 1x12x3, not 1x16x3

// -----

// hidden_size must be R's.
func.func @gru_hidden_size(%x: tensor<5x2x3xf32>, %w: tensor<1x12x3xf32>, %r: tensor<1x12x4xf32>) {
  %y = dfg.gru %x, %w, %r {hidden_size = 3 : i64} : (tensor<5x2x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32>) -> tensor<5x1x2x3xf32>
  func.return
}
// CHECK: 'dfg.gru' op W has shape 1x12x3, not 1x9x3

// -----

// Batch-first states put the batch before the directions.
func.func @rnn_batch_first_state(%x: tensor<2x5x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>, %h: tensor<1x2x4xf32>) {
  %y, %y_h = dfg.rnn %x, %w, %r, _, _, %h {layout = 1 : i64} : (tensor<2x5x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>, tensor<1x2x4xf32>) -> (tensor<2x5x1x4xf32>, tensor<2x1x4xf32>)
  func.return
}
// CHECK: 'dfg.rnn' op initial_h has shape 1x2x4, not 2x1x4

// -----

// A bidirectional op has weights for two directions.
func.func @rnn_directions(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  %y = dfg.rnn %x, %w, %r {direction = "bidirectional"} : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> tensor<5x2x2x4xf32>
  func.return
}
// CHECK: 'dfg.rnn' op W has shape 1x4x3, not 2x4x3

// -----

func.func @direction(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  %y = dfg.rnn %x, %w, %r {direction = "backward"} : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> tensor<5x1x2x4xf32>
  func.return
}
// CHECK: 'dfg.rnn' op attribute 'direction' of RNN must be one of 'forward', 'reverse', 'bidirectional', not 'backward'

// -----

// A bidirectional LSTM takes three activations per direction.
func.func @activation_count(%x: tensor<5x2x3xf32>, %w: tensor<2x16x3xf32>, %r: tensor<2x16x4xf32>) {
  %y = dfg.lstm %x, %w, %r {activations = ["Sigmoid", "Tanh", "Tanh"], direction = "bidirectional"} : (tensor<5x2x3xf32>, tensor<2x16x3xf32>, tensor<2x16x4xf32>) -> tensor<5x2x2x4xf32>
  func.return
}
// CHECK: 'dfg.lstm' op LSTM with 2 direction(s) takes 6 activations, not 3

// -----

func.func @activation_name(%x: tensor<5x2x3xf32>, %w: tensor<1x12x3xf32>, %r: tensor<1x12x4xf32>) {
  %y = dfg.gru %x, %w, %r {activations = ["Sigmoid", "Gelu"]} : (tensor<5x2x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32>) -> tensor<5x1x2x4xf32>
  func.return
}
// CHECK: 'dfg.gru' op attribute 'activations' of GRU names unknown activations 'Gelu'

// -----

// ScaledTanh's alpha and beta have no defaults.
func.func @activation_parameters(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  %y = dfg.rnn %x, %w, %r {activations = ["ScaledTanh"], activation_alpha = array<f32: 2.0>} : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> tensor<5x1x2x4xf32>
  func.return
}
// CHECK: 'dfg.rnn' op ScaledTanh needs its activation_beta: ONNX gives it no default

// -----

func.func @sequence_lens(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>, %lens: tensor<5xi32>) {
  %y = dfg.rnn %x, %w, %r, _, %lens : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>, tensor<5xi32>) -> tensor<5x1x2x4xf32>
  func.return
}
// CHECK: 'dfg.rnn' op sequence_lens has shape 5, not 2

// A module no clustering pass has seen: its ops have no `stream`.
func.func @unscheduled(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
  %y = dfg.relu %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
  func.return %y : tensor<1x8xf32>
}

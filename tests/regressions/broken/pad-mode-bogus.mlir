// ramiel-opt -p cleanup,convert-dfg-to-pyemit -t python
builtin.module attributes {ramiel.model = "pad"} {
  func.func @main(%x: tensor<1x1x2x2xf32> {dfg.name = "x"}) -> (tensor<1x1x4x4xf32> {dfg.name = "y"}) {
    %p = dfg.constant dense<[0, 0, 1, 1, 0, 0, 1, 1]> : tensor<8xi64>
    %y = dfg.pad %x, %p {mode = "bogus"} : (tensor<1x1x2x2xf32>, tensor<8xi64>) -> tensor<1x1x4x4xf32>
    func.return %y : tensor<1x1x4x4xf32>
  }
}


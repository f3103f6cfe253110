// ramiel-opt -p cleanup
builtin.module {
  func.func @main() -> (tensor<4611686018427387904x4611686018427387904xf32>) {
    %s = dfg.constant dense<[4611686018427387904, 4611686018427387904]> : tensor<2xi64>
    %c = dfg.constant_of_shape %s : (tensor<2xi64>) -> tensor<4611686018427387904x4611686018427387904xf32>
    func.return %c : tensor<4611686018427387904x4611686018427387904xf32>
  }
}

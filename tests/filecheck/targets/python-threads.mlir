// RUN: ramiel-opt %s -t python | filecheck %s
// RUN: ramiel-opt %s | ramiel-opt | filecheck %s --check-prefix=ROUND

// One-stream code whose pipeline chose one intra-op thread (select-streams'
// `ramiel.threads`) runs on one by default, and says so in its header;
// Model(num_threads=N) still overrides it.

// CHECK:      # Streams: 1, on 1 intra-op thread
// CHECK:          def __init__(self, num_threads: int | None = None, *, keep_freed_memory: bool = True) -> None:
// CHECK:              # The intra-op threads every call runs on: by default 1, as the pipeline chose.
// CHECK-NEXT:         self._num_threads = num_threads or 1

// ROUND: pyemit.module "tiny" inputs("x" : tensor<1x4xf32>) outputs("y") attributes {pipeline = "cleanup", threads = 1 : i64, torch_version = "2.13.0"} {
pyemit.module "tiny" inputs("x" : tensor<1x4xf32>) outputs("y") attributes {pipeline = "cleanup", threads = 1 : i64, torch_version = "2.13.0"} {
  streams.stream 0 {
    %x = streams.input {index = 0} : tensor<1x4xf32>
    %y = pyemit.call "torch.relu({0})"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
    streams.output %y {index = 0}
  }
}

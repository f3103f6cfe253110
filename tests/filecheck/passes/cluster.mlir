// RUN: ramiel-opt %s -p 'cluster{heuristic=cp workers=2 cost=static}' | grep -v ramiel.pipeline > %t.cluster
// RUN: ramiel-opt %s -p 'cluster-cp{cost=static},merge-clusters{workers=2 cost=static}' | grep -v ramiel.pipeline > %t.cp
// RUN: diff %t.cluster %t.cp
// RUN: ramiel-opt %s -p 'cluster{heuristic=serial workers=4 cost=static}' | filecheck %s --check-prefix=SERIAL
// RUN: ramiel-opt %s -p 'cluster{heuristic=heft workers=2 cost=static}' | filecheck %s --check-prefix=TWO
// RUN: ramiel-opt %s -p 'cluster{heuristic=dsc workers=2 cost=static}' | filecheck %s --check-prefix=TWO
// RUN: ramiel-opt %s --load-heuristics %S/Inputs/heuristics.py -p 'cluster{heuristic=round-robin workers=2 cost=static}' | filecheck %s --check-prefix=ROBIN
// RUN: not ramiel-opt %s --load-heuristics %S/Inputs/heuristics.py -p 'cluster{heuristic=backwards workers=2 cost=static}' 2>&1 | filecheck %s --check-prefix=BROKEN
// RUN: not ramiel-opt %s -p 'cluster{heuristic=nonesuch workers=2}' 2>&1 | filecheck %s --check-prefix=UNKNOWN
// RUN: not ramiel-opt %s -p 'cluster{workers=0}' 2>&1 | filecheck %s --check-prefix=NOWORKERS
// RUN: not ramiel-opt %s -p 'cluster{heuristic=intra workers=2 cost=static}' 2>&1 | filecheck %s --check-prefix=THREADED
// RUN: ramiel-opt %s -p 'cluster{heuristic=intra workers=1 cost=static}' | filecheck %s --check-prefix=SERIAL

// `cluster{heuristic=cp}` is `cluster-cp,merge-clusters` (the diff above). The
// other built-ins and a researcher's heuristic set both attributes on every op.

// SERIAL-COUNT-4: stream = 0 : i64
// SERIAL-NOT:     stream = 1

// TWO-DAG: %b = dfg.conv {{.*}}stream = [[S:[01]]] : i64
// TWO-DAG: %c = dfg.conv {{.*}}stream = [[T:[01]]] : i64
// TWO:     func.return

// Round robin deals relu, conv b, conv c, add onto streams 0, 1, 0, 1.
// ROBIN:      %a = dfg.relu %x {stream = 0 : i64}
// ROBIN-NEXT: %b = dfg.conv {{.*}}stream = 1 : i64}
// ROBIN-NEXT: %c = dfg.conv {{.*}}stream = 0 : i64}
// ROBIN-NEXT: %d = dfg.add {{.*}}{stream = 1 : i64}

// BROKEN: heuristic 'backwards'
// NOWORKERS: ramiel: error: workers must be at least 1, got 0 (pass pipeline)
// NOWORKERS-NOT: Traceback
// The heuristic sees threaded costs, but generated code cannot run an op on the
// threads of several streams: `intra` on two workers is refused, on one it is serial.
// THREADED: ramiel: error: heuristic 'intra' runs node 0 (a) on 2 intra-op threads, which generated code cannot do{{.*}}ramiel compare --suite
// THREADED-NOT: Traceback
// UNKNOWN: unknown heuristic 'nonesuch': choose one of {{.*}}cp{{.*}}dsc{{.*}}heft{{.*}}serial
func.func @diamond(%x: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  %w1 = dfg.constant dense<0.01> : tensor<64x64x3x3xf32>
  %w2 = dfg.constant dense<0.02> : tensor<64x64x3x3xf32>
  %a = dfg.relu %x : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %b = dfg.conv %a, %w1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %c = dfg.conv %a, %w2 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %d = dfg.add %b, %c : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  func.return %d : tensor<1x64x56x56xf32>
}

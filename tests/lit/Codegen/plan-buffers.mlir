// RUN: openopt-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(openopt-plan-buffers))" | FileCheck %s

// Three buffers in a chain: %a dies at the second call, so %c reuses its
// bytes; %b is live with both and gets its own. Deallocs at the end of the
// block (where the deallocation pipeline puts them) are not uses.
func.func private @k(memref<256xf32>, memref<256xf32>)
func.func private @k2(memref<256xf32>, memref<64x4xf32>)

// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[IN:.*]]: memref<256xf32>, %[[OUT:.*]]: memref<256xf32>)
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2048xi8>
// CHECK-NOT: memref.alloc
// CHECK: %[[A:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<2048xi8> to memref<256xf32>
// CHECK: call @k(%[[IN]], %[[A]])
// CHECK: %[[B:.*]] = memref.view %[[ARENA]][%c1024{{.*}}][] : memref<2048xi8> to memref<256xf32>
// CHECK: call @k(%[[A]], %[[B]])
// CHECK: %[[C:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<2048xi8> to memref<256xf32>
// CHECK: %[[CV:.*]] = memref.expand_shape %[[C]]
// CHECK: call @k2(%[[B]], %[[CV]])
// CHECK: call @k(%[[C]], %[[OUT]])
// CHECK-NOT: memref.dealloc %[[A]]
// CHECK: memref.dealloc %[[ARENA]]
// CHECK-NEXT: return
func.func @chain(%in: memref<256xf32>, %out: memref<256xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<256xf32>
  call @k(%in, %a) : (memref<256xf32>, memref<256xf32>) -> ()
  %b = memref.alloc() {alignment = 64 : i64} : memref<256xf32>
  call @k(%a, %b) : (memref<256xf32>, memref<256xf32>) -> ()
  %c = memref.alloc() {alignment = 64 : i64} : memref<256xf32>
  %cv = memref.expand_shape %c [[0, 1]] output_shape [64, 4] : memref<256xf32> into memref<64x4xf32>
  call @k2(%b, %cv) : (memref<256xf32>, memref<64x4xf32>) -> ()
  call @k(%c, %out) : (memref<256xf32>, memref<256xf32>) -> ()
  memref.dealloc %a : memref<256xf32>
  memref.dealloc %b : memref<256xf32>
  memref.dealloc %c : memref<256xf32>
  return
}

// -----

// A use inside a loop keeps the buffer live for the whole loop; a returned
// buffer, a dynamic one and one freed inside a branch are left alone.
func.func private @k(memref<256xf32>, memref<256xf32>)

// CHECK-LABEL: func.func @left_alone
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2048xi8>
// CHECK: %[[A:.*]] = memref.view %[[ARENA]][%c0{{.*}}][]
// CHECK: %[[B:.*]] = memref.view %[[ARENA]][%c1024{{.*}}][]
// CHECK: scf.for
// CHECK: %[[R:.*]] = memref.alloc() : memref<256xf32>
// CHECK: %[[D:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: %[[F:.*]] = memref.alloc() : memref<256xf32>
// CHECK: scf.if
// CHECK-NEXT: memref.dealloc %[[F]]
// CHECK: memref.dealloc %[[D]]
// CHECK: memref.dealloc %[[ARENA]]
// CHECK: return %[[R]]
func.func @left_alone(%in: memref<256xf32>, %n: index, %flag: i1) -> memref<256xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %a = memref.alloc() : memref<256xf32>
  call @k(%in, %a) : (memref<256xf32>, memref<256xf32>) -> ()
  %b = memref.alloc() : memref<256xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    func.call @k(%a, %b) : (memref<256xf32>, memref<256xf32>) -> ()
  }
  %r = memref.alloc() : memref<256xf32>
  call @k(%b, %r) : (memref<256xf32>, memref<256xf32>) -> ()
  %d = memref.alloc(%n) : memref<?xf32>
  %f = memref.alloc() : memref<256xf32>
  call @k(%b, %f) : (memref<256xf32>, memref<256xf32>) -> ()
  scf.if %flag {
    memref.dealloc %f : memref<256xf32>
  }
  memref.dealloc %a : memref<256xf32>
  memref.dealloc %b : memref<256xf32>
  memref.dealloc %d : memref<?xf32>
  return %r : memref<256xf32>
}

// -----

// A buffer whose address leaves through an op the pass does not know, and
// one of 3-byte elements (laid out 4 bytes apart by LLVM), keep their own
// allocations; the two plain ones still share the arena.
func.func private @k(memref<256xf32>, memref<256xf32>)
func.func private @use(index)
func.func private @k24(memref<256xi24>)

// CHECK-LABEL: func.func @unknown_uses
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2048xi8>
// CHECK: %[[P:.*]] = memref.alloc() : memref<256xf32>
// CHECK: memref.extract_aligned_pointer_as_index %[[P]]
// CHECK: memref.alloc() : memref<256xi24>
// CHECK: memref.view %[[ARENA]]
// CHECK: memref.view %[[ARENA]]
func.func @unknown_uses(%in: memref<256xf32>, %out: memref<256xf32>) {
  %p = memref.alloc() : memref<256xf32>
  call @k(%in, %p) : (memref<256xf32>, memref<256xf32>) -> ()
  %address = memref.extract_aligned_pointer_as_index %p : memref<256xf32> -> index
  call @use(%address) : (index) -> ()
  %odd = memref.alloc() : memref<256xi24>
  call @k24(%odd) : (memref<256xi24>) -> ()
  %a = memref.alloc() : memref<256xf32>
  call @k(%in, %a) : (memref<256xf32>, memref<256xf32>) -> ()
  %b = memref.alloc() : memref<256xf32>
  call @k(%a, %b) : (memref<256xf32>, memref<256xf32>) -> ()
  call @k(%b, %out) : (memref<256xf32>, memref<256xf32>) -> ()
  memref.dealloc %p : memref<256xf32>
  memref.dealloc %odd : memref<256xi24>
  memref.dealloc %a : memref<256xf32>
  memref.dealloc %b : memref<256xf32>
  return
}

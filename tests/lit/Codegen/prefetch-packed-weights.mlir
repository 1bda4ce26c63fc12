// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-prefetch-packed-weights,canonicalize))' | FileCheck %s
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-prefetch-packed-weights{tiles-ahead=2},canonicalize))' | FileCheck %s --check-prefix=AHEAD2

// A packed matmul's register loop (K tile of 128 over panels [4, 256, 48])
// inside its row-tile loop (step 8): one prefetch an iteration, into L2, of
// the line (row tile mod 3) of the row 128 rows further on. The address is
// the weight's plus 4 bytes a float of (panel * 256 + row + 128) * 48 + line:
// panel 1, so row * 48 + 12288 + 6144.
// CHECK-LABEL: func.func @packed_panel
// CHECK: scf.for %[[ROW:.*]] = %{{.*}} to %{{.*}} step %c8
// CHECK: %[[BASE:.*]] = memref.extract_aligned_pointer_as_index %[[W:.*]] : memref<4x256x48xf32> -> index
// CHECK: %[[TILE:.*]] = arith.divui %[[ROW]], %c8
// CHECK: %[[LINE:.*]] = arith.remui %[[TILE]], %c3
// CHECK: %[[LINEOFF:.*]] = arith.muli %[[LINE]], %c16
// CHECK: scf.for %[[K:.*]] = %c0 to %c128 step %c1 iter_args
// CHECK: %[[KK:.*]] = arith.addi %{{.*}}, %[[K]]
// CHECK: %[[ROWEL:.*]] = arith.muli %[[KK]], %c48
// CHECK: %[[NEXT:.*]] = arith.addi %[[ROWEL]], %c18432
// CHECK: %[[EL:.*]] = arith.addi %[[NEXT]], %[[LINEOFF]]
// CHECK: %[[BYTES:.*]] = arith.muli %[[EL]], %c4
// CHECK: %[[ADDR:.*]] = arith.addi %[[BASE]], %[[BYTES]]
// CHECK: %[[I64:.*]] = arith.index_castui %[[ADDR]] : index to i64
// CHECK: %[[PTR:.*]] = llvm.inttoptr %[[I64]] : i64 to !llvm.ptr
// CHECK: "llvm.intr.prefetch"(%[[PTR]]) <{cache = 1 : i32, hint = 2 : i32, rw = 0 : i32}>
// CHECK-NOT: llvm.intr.prefetch
// CHECK: vector.load %[[W]][%c1, %[[KK]], %c0]
// AHEAD2-LABEL: func.func @packed_panel
// AHEAD2: arith.addi %{{.*}}, %c24576 : index
memref.global "private" constant @weight : memref<4x256x48xf32> = dense<1.0>
func.func @packed_panel(%a: memref<64x256xf32>, %c: memref<64x4x48xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %c128 = arith.constant 128 : index
  %c256 = arith.constant 256 : index
  %zero = arith.constant dense<0.0> : vector<16xf32>
  %w = memref.get_global @weight : memref<4x256x48xf32>
  scf.for %kc = %c0 to %c256 step %c128 {
    scf.for %row = %c0 to %c64 step %c8 {
      %acc:3 = scf.for %k = %c0 to %c128 step %c1 iter_args(%s0 = %zero, %s1 = %zero, %s2 = %zero) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>) {
        %kk = arith.addi %kc, %k : index
        %x = memref.load %a[%row, %kk] : memref<64x256xf32>
        %xb = vector.broadcast %x : f32 to vector<16xf32>
        %b = vector.load %w[%c1, %kk, %c0] : memref<4x256x48xf32>, vector<16xf32>
        %f0 = vector.fma %xb, %b, %s0 : vector<16xf32>
        %f1 = vector.fma %xb, %b, %s1 : vector<16xf32>
        %f2 = vector.fma %xb, %b, %s2 : vector<16xf32>
        scf.yield %f0, %f1, %f2 : vector<16xf32>, vector<16xf32>, vector<16xf32>
      }
      vector.store %acc#0, %c[%row, %c1, %c0] : memref<64x4x48xf32>, vector<16xf32>
      vector.store %acc#1, %c[%row, %c1, %c0] : memref<64x4x48xf32>, vector<16xf32>
      vector.store %acc#2, %c[%row, %c1, %c0] : memref<64x4x48xf32>, vector<16xf32>
    }
  }
  return
}

// -----

// An outlined convolution step: one block of a filter chunk as a strided
// view argument, the output rows outside the function. Every line of the
// row 64 rows on (three for 48 filters) an iteration.
// The view's offset is dynamic: it comes from the metadata. Element
// offset + k * 48 + 64 * 48, plus 0, 16 and 32 for the three lines.
// CHECK-LABEL: func.func @conv_step
// CHECK: %[[BASE:.*]] = memref.extract_aligned_pointer_as_index %arg1
// CHECK: %{{.*}}, %[[OFFSET:.*]], %{{.*}}:2, %{{.*}}:2 = memref.extract_strided_metadata %arg1
// CHECK: scf.for %[[K:.*]] = %c0 to %c64
// CHECK: %[[ROW:.*]] = arith.muli %[[K]], %c48
// CHECK: %[[EL:.*]] = arith.addi %[[OFFSET]], %[[ROW]]
// CHECK: %[[L0:.*]] = arith.addi %[[EL]], %c3072
// CHECK: %[[B0:.*]] = arith.muli %[[L0]], %c4
// CHECK: arith.addi %[[BASE]], %[[B0]]
// CHECK: "llvm.intr.prefetch"
// CHECK: arith.addi %[[EL]], %c3088
// CHECK: "llvm.intr.prefetch"
// CHECK: arith.addi %[[EL]], %c3104
// CHECK: "llvm.intr.prefetch"
// CHECK-NOT: "llvm.intr.prefetch"
// CHECK: return
func.func @conv_step(%a: memref<7x64xf32, strided<[384, 1], offset: ?>>,
                     %w: memref<64x48xf32, strided<[48, 1], offset: ?>>,
                     %out: memref<7x48xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant dense<0.0> : vector<16xf32>
  %acc:3 = scf.for %k = %c0 to %c64 step %c1 iter_args(%s0 = %zero, %s1 = %zero, %s2 = %zero) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>) {
    %x = vector.load %a[%c0, %k] : memref<7x64xf32, strided<[384, 1], offset: ?>>, vector<1xf32>
    %xs = vector.extract %x[0] : f32 from vector<1xf32>
    %xb = vector.broadcast %xs : f32 to vector<16xf32>
    %b = vector.load %w[%k, %c0] : memref<64x48xf32, strided<[48, 1], offset: ?>>, vector<16xf32>
    %f0 = vector.fma %xb, %b, %s0 : vector<16xf32>
    %f1 = vector.fma %xb, %b, %s1 : vector<16xf32>
    %f2 = vector.fma %xb, %b, %s2 : vector<16xf32>
    scf.yield %f0, %f1, %f2 : vector<16xf32>, vector<16xf32>, vector<16xf32>
  }
  vector.store %acc#0, %out[%c0, %c0] : memref<7x48xf32>, vector<16xf32>
  vector.store %acc#1, %out[%c1, %c0] : memref<7x48xf32>, vector<16xf32>
  vector.store %acc#2, %out[%c1, %c0] : memref<7x48xf32>, vector<16xf32>
  return
}

// -----

// AVX2's 16-wide panels (two vectors, three rows of A each here): one line
// a row, one prefetch, whatever the row tile.
// CHECK-LABEL: func.func @one_line_rows
// CHECK-NOT: arith.remui
// CHECK-COUNT-1: "llvm.intr.prefetch"
// CHECK-NOT: "llvm.intr.prefetch"
// CHECK: return
func.func @one_line_rows(%a: memref<6x32xf32>, %w: memref<2x32x16xf32>, %out: memref<6x16xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c1 = arith.constant 1 : index
  %c6 = arith.constant 6 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant dense<0.0> : vector<8xf32>
  scf.for %row = %c0 to %c6 step %c1 {
    %acc:2 = scf.for %k = %c0 to %c32 step %c1 iter_args(%s0 = %zero, %s1 = %zero) -> (vector<8xf32>, vector<8xf32>) {
      %x = memref.load %a[%row, %k] : memref<6x32xf32>
      %xb = vector.broadcast %x : f32 to vector<8xf32>
      %b0 = vector.load %w[%c0, %k, %c0] : memref<2x32x16xf32>, vector<8xf32>
      %b1 = vector.load %w[%c0, %k, %c8] : memref<2x32x16xf32>, vector<8xf32>
      %f0 = vector.fma %xb, %b0, %s0 : vector<8xf32>
      %f1 = vector.fma %xb, %b1, %s1 : vector<8xf32>
      %g0 = vector.fma %xb, %b0, %f0 : vector<8xf32>
      %g1 = vector.fma %xb, %b1, %f1 : vector<8xf32>
      %h0 = vector.fma %xb, %b0, %g0 : vector<8xf32>
      %h1 = vector.fma %xb, %b1, %g1 : vector<8xf32>
      scf.yield %h0, %h1 : vector<8xf32>, vector<8xf32>
    }
    vector.store %acc#0, %out[%row, %c0] : memref<6x16xf32>, vector<8xf32>
    vector.store %acc#1, %out[%row, %c8] : memref<6x16xf32>, vector<8xf32>
  }
  return
}

// -----

// Left alone: a single row (a GEMV's loop, one multiply-add per vector of
// the panel): it reads each weight once, a stream the hardware follows.
// CHECK-LABEL: func.func @gemv
// CHECK-NOT: llvm.intr.prefetch
// CHECK: return
func.func @gemv(%a: memref<1x256xf32>, %w: memref<4x256x32xf32>, %out: memref<1x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c256 = arith.constant 256 : index
  %zero = arith.constant dense<0.0> : vector<16xf32>
  %acc:2 = scf.for %k = %c0 to %c256 step %c1 iter_args(%s0 = %zero, %s1 = %zero) -> (vector<16xf32>, vector<16xf32>) {
    %x = memref.load %a[%c0, %k] : memref<1x256xf32>
    %xb = vector.broadcast %x : f32 to vector<16xf32>
    %b0 = vector.load %w[%c1, %k, %c0] : memref<4x256x32xf32>, vector<16xf32>
    %b1 = vector.load %w[%c1, %k, %c16] : memref<4x256x32xf32>, vector<16xf32>
    %f0 = vector.fma %xb, %b0, %s0 : vector<16xf32>
    %f1 = vector.fma %xb, %b1, %s1 : vector<16xf32>
    scf.yield %f0, %f1 : vector<16xf32>, vector<16xf32>
  }
  vector.store %acc#0, %out[%c0, %c0] : memref<1x32xf32>, vector<16xf32>
  vector.store %acc#1, %out[%c0, %c16] : memref<1x32xf32>, vector<16xf32>
  return
}

// -----

// Left alone (three multiply-adds a load, as in a register tile): a load at
// a column other than 0, rows that are not whole cache lines (40 floats), a
// buffer the function allocates (an activation), and a loop that carries no
// vectors (no accumulators: not a register tile).
// CHECK-LABEL: func.func @not_panels
// CHECK-NOT: llvm.intr.prefetch
// CHECK: return
func.func @not_panels(%w: memref<64x48xf32>, %v: memref<64x40xf32>, %out: memref<4xvector<16xf32>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant dense<0.0> : vector<16xf32>
  %r0 = scf.for %k = %c0 to %c64 step %c1 iter_args(%sum = %zero) -> (vector<16xf32>) {
    %b = vector.load %w[%k, %c16] : memref<64x48xf32>, vector<16xf32>
    %f1 = vector.fma %b, %b, %sum : vector<16xf32>
    %f2 = vector.fma %b, %b, %f1 : vector<16xf32>
    %f3 = vector.fma %b, %b, %f2 : vector<16xf32>
    scf.yield %f3 : vector<16xf32>
  }
  %r1 = scf.for %k = %c0 to %c64 step %c1 iter_args(%sum = %zero) -> (vector<16xf32>) {
    %b = vector.load %v[%k, %c0] : memref<64x40xf32>, vector<16xf32>
    %f1 = vector.fma %b, %b, %sum : vector<16xf32>
    %f2 = vector.fma %b, %b, %f1 : vector<16xf32>
    %f3 = vector.fma %b, %b, %f2 : vector<16xf32>
    scf.yield %f3 : vector<16xf32>
  }
  %alloc = memref.alloc() : memref<64x48xf32>
  %r2 = scf.for %k = %c0 to %c64 step %c1 iter_args(%sum = %zero) -> (vector<16xf32>) {
    %b = vector.load %alloc[%k, %c0] : memref<64x48xf32>, vector<16xf32>
    %f1 = vector.fma %b, %b, %sum : vector<16xf32>
    %f2 = vector.fma %b, %b, %f1 : vector<16xf32>
    %f3 = vector.fma %b, %b, %f2 : vector<16xf32>
    scf.yield %f3 : vector<16xf32>
  }
  scf.for %k = %c0 to %c64 step %c1 {
    %b = vector.load %w[%k, %c0] : memref<64x48xf32>, vector<16xf32>
    %f1 = vector.fma %b, %b, %b : vector<16xf32>
    %f2 = vector.fma %b, %b, %f1 : vector<16xf32>
    %f3 = vector.fma %b, %b, %f2 : vector<16xf32>
    memref.store %f3, %out[%c3] : memref<4xvector<16xf32>>
  }
  memref.store %r0, %out[%c0] : memref<4xvector<16xf32>>
  memref.store %r1, %out[%c1] : memref<4xvector<16xf32>>
  memref.store %r2, %out[%c2] : memref<4xvector<16xf32>>
  memref.dealloc %alloc : memref<64x48xf32>
  return
}

// -----

// Left alone: rows that are not contiguous (a view whose rows are 64 floats
// apart, 48 used), a row index that does not move with the loop, and a
// two-row tile (two multiply-adds a vector of the panel).
// CHECK-LABEL: func.func @not_panel_rows
// CHECK-NOT: llvm.intr.prefetch
// CHECK: return
func.func @not_panel_rows(%wide: memref<64x48xf32, strided<[64, 1]>>, %w: memref<64x48xf32>,
                          %out: memref<3xvector<16xf32>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant dense<0.0> : vector<16xf32>
  %r0 = scf.for %k = %c0 to %c64 step %c1 iter_args(%sum = %zero) -> (vector<16xf32>) {
    %b = vector.load %wide[%k, %c0] : memref<64x48xf32, strided<[64, 1]>>, vector<16xf32>
    %f1 = vector.fma %b, %b, %sum : vector<16xf32>
    %f2 = vector.fma %b, %b, %f1 : vector<16xf32>
    %f3 = vector.fma %b, %b, %f2 : vector<16xf32>
    scf.yield %f3 : vector<16xf32>
  }
  %r1 = scf.for %k = %c0 to %c64 step %c1 iter_args(%sum = %zero) -> (vector<16xf32>) {
    %b = vector.load %w[%c1, %c0] : memref<64x48xf32>, vector<16xf32>
    %f1 = vector.fma %b, %b, %sum : vector<16xf32>
    %f2 = vector.fma %b, %b, %f1 : vector<16xf32>
    %f3 = vector.fma %b, %b, %f2 : vector<16xf32>
    scf.yield %f3 : vector<16xf32>
  }
  %r2 = scf.for %k = %c0 to %c64 step %c1 iter_args(%sum = %zero) -> (vector<16xf32>) {
    %b = vector.load %w[%k, %c0] : memref<64x48xf32>, vector<16xf32>
    %f1 = vector.fma %b, %b, %sum : vector<16xf32>
    %f2 = vector.fma %b, %b, %f1 : vector<16xf32>
    scf.yield %f2 : vector<16xf32>
  }
  memref.store %r0, %out[%c0] : memref<3xvector<16xf32>>
  memref.store %r1, %out[%c1] : memref<3xvector<16xf32>>
  memref.store %r2, %out[%c2] : memref<3xvector<16xf32>>
  return
}

// -----

// tiles-ahead must be at least 1.
// RUN: not openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-prefetch-packed-weights{tiles-ahead=0}))' 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: tiles-ahead must be at least 1, got 0

// RUN: openopt-opt %s --openopt-gpu-mma-matmuls | FileCheck %s
// RUN: openopt-opt %s --openopt-gpu-mma-matmuls="precision=tf32x3" | FileCheck %s --check-prefix=X3
// RUN: not openopt-opt %s --openopt-gpu-mma-matmuls="precision=bf16" 2>&1 | FileCheck %s --check-prefix=BAD

// A 20x12 * 12x10 matmul (no multiple of the 16x8x4 tile): a launch of
// ceil(10/8) = 2 column tiles (one block of 4 warps), ceil(20/16) = 2 row
// tiles; the accumulator is loaded once, carried through the K loop in
// registers, and stored once, every access guarded at the edges.
// Costs: 2 M N K = 4800 FLOPs; A, B and twice C = 3040 bytes; unknown (-1)
// for the dynamic batch.
// CHECK: module attributes {openopt.kernel_costs = {k_big_MatMul = [4915200, 337408], k_fc_Gemm = [4800, 3040], k_op = [-1, -1]}}
// CHECK-LABEL: func.func @matmul
// CHECK: gpu.launch
// CHECK-SAME: threads({{.*}}) in (%{{.*}} = %c128
// CHECK-SAME: function(@k_fc_Gemm)
// CHECK: %[[LANE:.*]] = arith.remui %{{.*}}, %c32
// CHECK: scf.if
// CHECK: %[[ACC:.*]] = vector.from_elements {{.*}} : vector<2x2xf32>
// CHECK: %[[SUM:.*]] = scf.for {{.*}} iter_args(%[[C:.*]] = %[[ACC]]) -> (vector<2x2xf32>)
// CHECK: %[[A:.*]] = vector.from_elements {{.*}} : vector<2x1xf32>
// CHECK: %[[B:.*]] = vector.from_elements {{.*}} : vector<1x1xf32>
// The operands rounded to TF32 to nearest (else the hardware truncates):
// + 0x1000, then the upper 19 bits, where the value is finite.
// CHECK: %[[ABITS:.*]] = arith.bitcast %[[A]] : vector<2x1xf32> to vector<2x1xi32>
// CHECK: %[[UP:.*]] = arith.addi %[[ABITS]], %{{.*}} : vector<2x1xi32>
// CHECK: arith.andi %[[UP]], %{{.*}} : vector<2x1xi32>
// CHECK: %[[AR:.*]] = arith.bitcast %{{.*}} : vector<2x1xi32> to vector<2x1xf32>
// CHECK: %[[BR:.*]] = arith.bitcast %{{.*}} : vector<1x1xi32> to vector<1x1xf32>
// CHECK: %[[D:.*]] = nvgpu.mma.sync(%[[AR]], %[[BR]], %[[C]]) {mmaShape = [16, 8, 4], tf32Enabled}
// CHECK: scf.yield %[[D]]
// CHECK-COUNT-4: memref.store
// CHECK-NOT: linalg.matmul
// The batch dimension is the grid's z.
// CHECK-LABEL: func.func @batched
// CHECK: %[[BATCH:.*]] = memref.dim %arg0, %c0
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}}, %{{.*}} = %[[BATCH]])
// CHECK: nvgpu.mma.sync
// CHECK-NOT: linalg.batch_matmul
// Not f32: left to the CUDA cores.
// CHECK-LABEL: func.func @f16
// CHECK: linalg.matmul
// CHECK-NOT: nvgpu.mma.sync

// tf32x3: each operand split into its TF32 part (the upper 19 bits) and the
// rest; three products.
// X3-LABEL: func.func @matmul
// X3: arith.andi %{{.*}}, %cst{{.*}} : vector<2x1xi32>
// X3: arith.subf
// The rest is 0 where the TF32 part is not finite (no Inf - Inf).
// X3: math.absf
// X3-COUNT-3: nvgpu.mma.sync
// X3: scf.yield

// BAD: openopt-gpu-mma-matmuls: precision is tf32 or tf32x3, not bf16

// A matmul of at least a 64 x 32 tile: 4 warps a block, the K slices staged
// in shared memory (rows padded against bank conflicts), two barriers a
// step, 4 mma tiles a warp times 4 K steps of 4 = 16 mma.sync a slice of 16.
// CHECK-LABEL: func.func @tiled
// CHECK: gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %c128, {{.*}} function(@k_big_MatMul) workgroup(%[[AS:.*]] : memref<64x20xf32, #gpu.address_space<workgroup>>, %[[BS:.*]] : memref<16x40xf32, #gpu.address_space<workgroup>>)
// CHECK: scf.for {{.*}} step %c16{{.*}} iter_args({{.*}}) -> (vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// CHECK-COUNT-8: memref.store {{.*}}, %[[AS]]
// CHECK-COUNT-4: memref.store {{.*}}, %[[BS]]
// CHECK: gpu.barrier
// CHECK-COUNT-16: nvgpu.mma.sync
// CHECK: gpu.barrier
// CHECK: scf.yield
// CHECK-COUNT-16: memref.store {{.*}}, %arg2

func.func @matmul(%a: memref<20x12xf32>, %b: memref<12x10xf32>, %c: memref<20x10xf32>) {
  linalg.matmul ins(%a, %b : memref<20x12xf32>, memref<12x10xf32>) outs(%c : memref<20x10xf32>) loc("/fc/Gemm")
  return
}

func.func @batched(%a: memref<?x32x64xf32>, %b: memref<?x64x32xf32>, %c: memref<?x32x32xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<?x32x64xf32>, memref<?x64x32xf32>) outs(%c : memref<?x32x32xf32>)
  return
}

func.func @f16(%a: memref<16x16xf16>, %b: memref<16x16xf16>, %c: memref<16x16xf16>) {
  linalg.matmul ins(%a, %b : memref<16x16xf16>, memref<16x16xf16>) outs(%c : memref<16x16xf16>)
  return
}

func.func @tiled(%a: memref<256x100xf32>, %b: memref<100x96xf32>, %c: memref<256x96xf32>) {
  linalg.matmul ins(%a, %b : memref<256x100xf32>, memref<100x96xf32>) outs(%c : memref<256x96xf32>) loc("/big/MatMul")
  return
}

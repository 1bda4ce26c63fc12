//===- Passes.td - CUDA code generation passes ------------*- tablegen -*-===//
#ifndef OPENOPT_CODEGEN_CUDA_PASSES
#define OPENOPT_CODEGEN_CUDA_PASSES

include "mlir/Pass/PassBase.td"

def GpuDeviceMemoryPass : Pass<"openopt-gpu-device-memory", "mlir::ModuleOp"> {
  let summary = "Put a bufferized model's buffers and weights in GPU memory";
  let description = [{
    Runs on linalg on memrefs (the end of the front pipeline) for the `cuda`
    target, where the entry function's arguments are device buffers (the
    runtime copies inputs in and outputs out). Every host allocation
    (`memref.alloc`, `memref.alloca`) becomes `gpu.alloc` and its
    `memref.dealloc` a `gpu.dealloc`; a contiguous `memref.copy` becomes
    `gpu.memcpy`. A weight (`memref.get_global` of a constant) is read
    through `openopt_cuda_constant_<type>`, which the runtime answers with
    the weight's device copy, uploaded once per session.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::func::FuncDialect",
                           "mlir::memref::MemRefDialect"];
}

def GpuMapLoopsPass : Pass<"openopt-gpu-map-loops", "mlir::ModuleOp"> {
  let summary = "Run each outermost scf.parallel as a GPU kernel, one thread per iteration";
  let description = [{
    Every outermost `scf.parallel` of a host function (what
    `convert-linalg-to-parallel-loops` makes of a linalg op: its parallel
    dimensions, with its reductions as `scf.for` inside) becomes a
    `gpu.launch` over its iterations flattened into one dimension, in
    blocks of `block-size` threads; the last dimension varies fastest across
    a warp, so neighbouring threads touch neighbouring elements. What is
    left on the host that reads or writes a buffer (a loop nest with no
    parallel dimension) runs as a one-thread kernel; host code that would
    need a buffer's value (control flow on data) is refused with an error
    naming the op. Multiplications and additions in kernels may contract
    into FMA.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::arith::ArithDialect",
                           "mlir::scf::SCFDialect"];
}

def GpuMmaMatmulsPass : Pass<"openopt-gpu-mma-matmuls", "mlir::ModuleOp"> {
  let summary = "Run f32 matmuls on tensor cores (mma.sync m16n8k4, TF32 operands)";
  let description = [{
    Every f32 `linalg.matmul` and `linalg.batch_matmul` on memrefs (plain:
    no transposed maps) becomes a `gpu.launch` in which each warp computes a
    16x8 tile of the result with `nvgpu.mma.sync` (m16n8k4, TF32 operands,
    f32 accumulation in registers), reading its fragments straight from
    global memory; any shape (loads past the edges read zeros, stores are
    guarded). `precision=tf32` rounds the operands to TF32 to nearest (10-bit
    mantissa; about 1e-3 relative error); `tf32x3` splits each operand into
    a TF32 part and the rest and sums three products (the rest times the
    rest left out), close to f32 accuracy at three times the tensor-core
    work. Run it before `convert-linalg-to-parallel-loops`; the kernel is
    named after the ONNX node.
  }];
  let options = [
    Option<"precision", "precision", "std::string", /*default=*/"\"tf32\"",
           "tf32 or tf32x3">,
    Option<"warpsPerBlock", "warps-per-block", "int64_t", /*default=*/"4",
           "Warps (16x8 tiles along the columns) per block">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::nvgpu::NVGPUDialect",
                           "mlir::vector::VectorDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect",
                           "mlir::math::MathDialect"];
}

def GpuRowReductionsPass : Pass<"openopt-gpu-row-reductions", "mlir::ModuleOp"> {
  let summary = "Fold each row of a last-axis reduction in a block of threads";
  let description = [{
    A `linalg.generic` on memrefs whose only reduction is its innermost
    dimension, with one f32 output indexed by the other dimensions and a fold
    `gpu.all_reduce` has (add, mul, maximumf, minimumf, maxnumf, minnumf):
    Softmax's max and sum, LayerNorm's mean and variance, ReduceSum, Mean
    or Max over the last axis. It becomes a kernel with a block of
    `block-size` threads per row: each thread folds a strided share of the
    row (neighbouring threads read neighbouring elements), `gpu.all_reduce`
    combines the threads, and thread 0 folds the result into the output.
    Rows shorter than 64 stay one thread each (openopt-gpu-map-loops). Run
    it before `convert-linalg-to-parallel-loops`. The fold is reassociated,
    as the CPU's vectorized reductions are.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256", "Threads per row">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect",
                           "mlir::affine::AffineDialect"];
}

def GpuMergeModulesPass : Pass<"openopt-gpu-merge-modules", "mlir::ModuleOp"> {
  let summary = "Put every outlined kernel into one gpu.module";
  let description = [{
    `gpu-kernel-outlining` gives each kernel a `gpu.module` of its own, and
    each module becomes its own binary: one ptxas and fatbinary run per
    kernel at compile time, one module load per kernel at run time. This
    pass moves every kernel into the first module (each renamed after the
    module it came from, so that names stay distinct) and points each
    `gpu.launch_func` at it.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

#endif

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

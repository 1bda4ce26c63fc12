//===- KernelNames.h - GPU kernels: launches, names, costs -----*- C++ -*-===//
#ifndef OPENOPT_CODEGEN_CUDA_KERNELNAMES_H
#define OPENOPT_CODEGEN_CUDA_KERNELNAMES_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace openopt {

/// A gpu.launch of `gridX` x `gridY` x `gridZ` blocks (null: 1) of
/// `threads` threads along x, its body empty but for its terminator; the
/// builder is left before the terminator.
mlir::gpu::LaunchOp openLaunch(mlir::OpBuilder &b, mlir::Location loc, mlir::Value gridX,
                               mlir::Value gridY, mlir::Value gridZ, mlir::Value threads);

/// What a kernel costs, for GFLOP/s and GB/s in profiles; -1: unknown (a
/// dynamic size).
struct KernelCost {
  int64_t flops = -1; // floating-point operations (an FMA is 2)
  int64_t bytes = -1; // bytes of the buffers it reads and writes, each once
};

/// The module attribute that maps each kernel's name to [flops, bytes]; the
/// library carries it to the runtime (openopt_kernel_time).
inline constexpr llvm::StringLiteral kKernelCostsAttr = "openopt.kernel_costs";

/// Names the kernel `launch` becomes (gpu-kernel-outlining takes the name):
/// "k_" and the first ONNX node name in `loc` made an identifier (each run of
/// other characters one '_'; "k_op" without one), so that profiles and PTX
/// say which node a kernel computes; a node's second kernel gets "_0", its
/// third "_1", ... (the web UI maps them back: kernelNode). Records `cost`
/// under that name in the module's kKernelCostsAttr.
void nameKernel(mlir::gpu::LaunchOp launch, mlir::Location loc, KernelCost cost);

/// The cost of the code in `body` run `iterations` times (-1: unknown):
/// float arithmetic (nested loops of static trip count multiply it), and
/// every buffer it loads from or stores to, once each way.
KernelCost costOf(mlir::Region &body, int64_t iterations);

} // namespace openopt

#endif

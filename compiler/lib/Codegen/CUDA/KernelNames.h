//===- KernelNames.h - GPU kernels named after their ONNX nodes -*- C++ -*-===//
#ifndef OPENOPT_CODEGEN_CUDA_KERNELNAMES_H
#define OPENOPT_CODEGEN_CUDA_KERNELNAMES_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace openopt {

/// Names the kernel `launch` becomes (gpu-kernel-outlining takes the name):
/// "k_" and the first ONNX node name in `loc` made an identifier (each run of
/// other characters one '_'; "k_op" without one), so that profiles and PTX
/// say which node a kernel computes. Kernels of one node are told apart when
/// merged ("_0", "_1", ...); the web UI maps them back (kernelNode).
void nameKernel(mlir::gpu::LaunchOp launch, mlir::Location loc);

} // namespace openopt

#endif

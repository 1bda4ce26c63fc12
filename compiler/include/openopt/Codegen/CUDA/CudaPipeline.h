//===- CudaPipeline.h - linalg on memrefs to host code and cubins -*- C++ -*-===//
#ifndef OPENOPT_CODEGEN_CUDA_CUDAPIPELINE_H
#define OPENOPT_CODEGEN_CUDA_CUDAPIPELINE_H

#include "llvm/Support/Error.h"

#include <string>

namespace openopt {

struct CudaPipelineOptions {
  /// The GPU architecture the kernels are compiled for ("sm_80", "sm_90").
  std::string arch = "sm_90";
  /// Where ptxas and fatbinary are (the CUDA toolkit's root).
  std::string toolkit;
  /// Threads per block of the element-wise kernels.
  int blockSize = 256;
  /// What gpu-module-to-binary makes: "fatbin" (cubin and PTX) or "isa"
  /// (PTX text alone).
  std::string format = "fatbin";
  /// f32 matmuls: "f32" (exact: FMA on the CUDA cores), "tf32" or "tf32x3"
  /// (tensor cores; openopt-gpu-mma-matmuls).
  std::string precision = "f32";
};

/// The CUDA toolkit this compile uses: $CUDA_HOME, else /usr/local/cuda.
std::string cudaToolkitRoot();
/// cudaToolkitRoot(), or an error naming where it looked when there is no
/// ptxas there.
llvm::Expected<std::string> findCudaToolkit();

/// The architectures the cuda target compiles for, and whether `arch` is one.
bool isSupportedCudaArch(llvm::StringRef arch);
llvm::StringRef supportedCudaArchs();

/// The textual pipeline (anchored on builtin.module) from the front
/// pipeline's output (linalg on memrefs, outputs as out-parameters) to the
/// LLVM dialect of the host code, with each kernel module as a gpu.binary
/// holding a fatbin (cubin and PTX for `arch`). The host code calls the
/// mgpu* functions of MLIR's GPU lowering and openopt_cuda_constant_*,
/// which the runtime provides (runtime/src/cuda_model.c).
std::string cudaBackPipeline(const CudaPipelineOptions &options);

} // namespace openopt

#endif

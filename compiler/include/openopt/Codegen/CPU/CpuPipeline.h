//===- CpuPipeline.h - nn to LLVM dialect for the host CPU -----*- C++ -*-===//
#ifndef OPENOPT_CODEGEN_CPU_CPUPIPELINE_H
#define OPENOPT_CODEGEN_CPU_CPUPIPELINE_H

#include <string>

namespace openopt {

struct CpuPipelineOptions {
  /// Worker threads for parallel loops (1: no threading runtime at all).
  int threads = 1;
  /// Tile and vectorize matmuls (and the convolutions lowered to them).
  bool vectorizeMatmul = true;
  /// Graph passes run on each function of the nn IR first, as a pass list
  /// ("canonicalize,openopt-fold-batchnorm"); a recipe supplies them.
  std::string graphPasses;
  /// SIMD width for the matmul register tiles; 0 detects the host.
  int vectorBits = 0;
  /// The machine to compile for: "" for this one, or a triple another
  /// target of NativeCode.h's targetKind ("aarch64-linux-gnu"): then
  /// vectorBits must be given (nothing of the host is asked).
  std::string targetTriple;
  /// Compile each kernel on its own and cache it (KernelCompiler.h); false
  /// compiles the model as one module (for comparison: LLVM then sees across
  /// kernels, and nothing is reused).
  bool splitKernels = true;
  /// Cache tile limits for matmuls (M, N, K).
  int tileM = 128, tileN = 256, tileK = 256;
  /// Bracket each top-level op (or nn.fused group) of the entry function with
  /// calls to the profiling hooks (openopt-instrument-profile), after the
  /// graph passes. Element-wise fusion then stops at the brackets, so each
  /// op's loops stay its own; the code is otherwise the same.
  bool profile = false;
  /// The compiled module is the only user of its context's resource blobs
  /// (its weights), and is not used after the compile: each blob is freed
  /// once dead (after the graph passes fold it, or once the weights are
  /// copied for the JIT), so that the compile never holds them twice.
  bool releaseWeightBlobs = false;
  /// Return the entry function's outputs as memrefs it allocates, instead of
  /// writing them into out-parameters: needed when an output's shape is known
  /// only at run time.
  bool returnOutputs = false;
  /// Non-empty: compile for an NVIDIA GPU of this architecture ("sm_90";
  /// "auto": the first GPU's here) instead: the front pipeline as for the
  /// CPU, then cudaBackPipeline (Codegen/CUDA/CudaPipeline.h); the host code
  /// is for this CPU (or targetTriple).
  std::string cudaArch;
  /// With cudaArch: leave the kernels as PTX assembly in the gpu.binary ops
  /// (to be read, not run) instead of a fatbin.
  bool cudaAssembly = false;
  /// With cudaArch: f32 matmuls exact ("f32") or on tensor cores ("tf32",
  /// "tf32x3"; CudaPipelineOptions::precision).
  std::string cudaPrecision = "f32";
};

/// The textual pass pipeline (anchored on builtin.module) that takes nn IR to
/// the LLVM dialect. Memrefs cross function boundaries as MLIR descriptors
/// (allocated and aligned pointers, offset, sizes, strides); results become
/// out-parameters unless `returnOutputs`.
std::string cpuPipeline(const CpuPipelineOptions &options);

/// The two halves of cpuPipeline. The front half runs the graph passes, lowers
/// nn to linalg and bufferizes: the result is linalg on memrefs, which is where
/// the model is cut into kernels (openopt-outline-kernels). The back half
/// schedules, vectorizes and lowers each piece to the LLVM dialect.
std::string cpuFrontPipeline(const CpuPipelineOptions &options);
std::string cpuBackPipeline(const CpuPipelineOptions &options);

} // namespace openopt

#endif

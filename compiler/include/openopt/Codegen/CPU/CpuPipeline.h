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
  /// Cache tile limits for matmuls (M, N, K).
  int tileM = 64, tileN = 256, tileK = 256;
  /// Bracket each top-level op (or nn.fused group) of the entry function with
  /// calls to the profiling hooks (openopt-instrument-profile), after the
  /// graph passes. Element-wise fusion then stops at the brackets, so each
  /// op's loops stay its own; the code is otherwise the same.
  bool profile = false;
};

/// The textual pass pipeline (anchored on builtin.module) that takes nn IR
/// with static shapes to the LLVM dialect, with function results turned into
/// out-parameters and memrefs passed as bare pointers.
std::string cpuPipeline(const CpuPipelineOptions &options);

} // namespace openopt

#endif

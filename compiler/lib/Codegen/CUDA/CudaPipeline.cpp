//===- CudaPipeline.cpp - linalg on memrefs to host code and cubins -------===//
#include "openopt/Codegen/CUDA/CudaPipeline.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

#include <vector>

namespace openopt {

std::string cudaToolkitRoot() {
  if (auto home = llvm::sys::Process::GetEnv("CUDA_HOME"); home && !home->empty())
    return *home;
  return "/usr/local/cuda";
}

llvm::Expected<std::string> findCudaToolkit() {
  std::string root = cudaToolkitRoot();
  llvm::SmallString<256> ptxas(root);
  llvm::sys::path::append(ptxas, "bin", "ptxas");
  if (!llvm::sys::fs::can_execute(ptxas))
    return llvm::createStringError(
        "the cuda target needs the CUDA toolkit's ptxas, and '%s' is not there (install the "
        "CUDA toolkit, or set CUDA_HOME to its root)",
        ptxas.c_str());
  return root;
}

bool isSupportedCudaArch(llvm::StringRef arch) {
  return arch == "sm_80" || arch == "sm_86" || arch == "sm_89" || arch == "sm_90";
}

llvm::StringRef supportedCudaArchs() { return "sm_80, sm_86, sm_89, sm_90"; }

std::string cudaBackPipeline(const CudaPipelineOptions &options) {
  std::vector<std::string> passes = {
      // The intermediates packed by liveness into one arena (planned here,
      // at compile time), which becomes one device allocation per run.
      "func.func(openopt-plan-buffers)",
      // Buffers and weights in device memory; each linalg op a kernel.
      "openopt-gpu-device-memory",
  };
  if (options.precision != "f32")
    passes.push_back(
        llvm::formatv("openopt-gpu-mma-matmuls{{precision={0}}", options.precision).str());
  passes.insert(passes.end(), {
      // Softmax and LayerNorm rows: a block each.
      llvm::formatv("openopt-gpu-row-reductions{{block-size={0}}", options.blockSize).str(),
      "func.func(convert-linalg-to-parallel-loops)",
      llvm::formatv("openopt-gpu-map-loops{{block-size={0}}", options.blockSize).str(),
      "gpu-kernel-outlining",
      "openopt-gpu-merge-modules",
      // One stream: the launches, allocations and copies of a run are
      // ordered on it and the host waits once, at the end.
      "func.func(gpu-async-region)",
      "convert-vector-to-scf",
      "convert-scf-to-cf",
      "convert-nvvm-to-llvm",
      "convert-func-to-llvm",
      "expand-strided-metadata",
      llvm::formatv("nvvm-attach-target{{chip={0} features=+ptx80 O=3}", options.arch).str(),
      "lower-affine",
      "convert-arith-to-llvm",
      "convert-index-to-llvm",
      "canonicalize",
      "cse",
      // Vector code in kernels (the lowering's transposes, pads and pools
      // read whole rows) becomes LLVM vectors, which NVPTX splits.
      "gpu.module(strip-debuginfo,convert-nvgpu-to-nvvm,convert-gpu-to-nvvm,convert-vector-to-llvm,"
      "convert-arith-to-llvm,convert-index-to-llvm,llvm-optimize-for-nvvm-target,"
      "canonicalize,cse,reconcile-unrealized-casts)",
      "gpu-to-llvm",
      "openopt-lower-runtime-checks",
      "convert-cf-to-llvm",
      // The host's conversions leave casts in the kernels' modules, dead once
      // folded.
      "gpu.module(canonicalize,reconcile-unrealized-casts)",
      llvm::formatv("gpu-module-to-binary{{format={0} toolkit={1}}", options.format,
                    options.toolkit)
          .str(),
      "convert-math-to-llvm",
      "convert-ub-to-llvm",
      "canonicalize",
      "cse",
      "reconcile-unrealized-casts",
  });
  return "builtin.module(" + llvm::join(passes, ",") + ")";
}

} // namespace openopt

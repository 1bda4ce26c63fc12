//===- CpuPipeline.cpp - nn to LLVM dialect for the host CPU ---------------===//
#include "openopt/Codegen/CPU/CpuPipeline.h"
#include "openopt/Codegen/CUDA/CudaPipeline.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

namespace openopt {

namespace {

std::vector<std::string> frontPasses(const CpuPipelineOptions &options) {
  std::vector<std::string> passes;
  if (!options.graphPasses.empty())
    passes.push_back("func.func(" + options.graphPasses + ")");
  // Profiling brackets the ops as they are lowered: after canonicalization
  // has had its last say on the nn IR.
  std::string lowering =
      llvm::formatv("openopt-convert-nn-to-linalg{{vector-bits={0}},canonicalize,"
                    "openopt-fold-constant-layout,openopt-fuse-elementwise,canonicalize,cse",
                    options.vectorBits)
          .str();
  if (options.profile)
    passes.insert(passes.end(), {"func.func(canonicalize)", "openopt-instrument-profile",
                                 "func.func(" + lowering + ")"});
  else
    passes.push_back("func.func(canonicalize," + lowering + ")");
  // Constant B operands in the register tiles' panels (PackedMatmul.h), for
  // the schedule of openopt-vectorize-matmul.
  if (options.vectorizeMatmul)
    passes.push_back(
        llvm::formatv("func.func(openopt-pack-matmul-weights{{vector-bits={0} threads={1}})",
                      options.vectorBits, options.threads)
            .str());
  passes.insert(passes.end(), {
      // A padded operand's producer writes into the padded buffer itself.
      "func.func(openopt-decompose-pads)",
      "eliminate-empty-tensors",
      // Function results become out-parameters the caller allocates, so the
      // compiled code writes outputs in place.
      // Loops whose carried tensors change size (Loop, growing scan
      // outputs) yield new buffers rather than updating in place.
      "one-shot-bufferize{allow-return-allocs-from-loops bufferize-function-boundaries "
      "function-boundary-type-conversion=identity-layout-map}",
      "canonicalize",
  });
  // Outputs of static shape are written into buffers the caller provides;
  // outputs whose size is known only at run time are returned, allocated by
  // the compiled code (one mode per model: all returned if any is dynamic).
  if (!options.returnOutputs)
    passes.push_back("buffer-results-to-out-params{hoist-static-allocs modify-public-functions}");
  passes.insert(passes.end(), {
      "buffer-deallocation-pipeline",
      // Returned views of buffers the function does not own were cloned.
      "convert-bufferization-to-memref",
      "func.func(openopt-strided-copy-to-linalg)",
  });
  // Zero-init matmuls need no fill before them when their schedule starts
  // from zero (openopt-vectorize-matmul).
  if (options.vectorizeMatmul)
    passes.push_back("func.func(openopt-elide-matmul-init)");
  return passes;
}

std::vector<std::string> backPasses(const CpuPipelineOptions &options) {
  std::vector<std::string> passes;
  // The cuda target shares the front half; its back half makes kernels.
  if (!options.cudaArch.empty()) {
    CudaPipelineOptions cuda;
    cuda.arch = options.cudaArch;
    cuda.toolkit = cudaToolkitRoot();
    cuda.format = options.cudaAssembly ? "isa" : "fatbin";
    cuda.precision = options.cudaPrecision;
    passes.push_back(cudaBackPipeline(cuda));
    return passes;
  }
  if (options.vectorizeMatmul) {
    passes.push_back(llvm::formatv("func.func(openopt-vectorize-matmul{{vector-bits={0} "
                                   "max-tile-m={1} max-tile-n={2} max-tile-k={3} threads={4}})",
                                   options.vectorBits, options.tileM, options.tileN,
                                   options.tileK, options.threads)
                         .str());
    // Weights that come from memory arrive a tile ahead of the FMAs.
    passes.push_back("func.func(openopt-prefetch-packed-weights)");
  }
  passes.insert(passes.end(), {
      "func.func(openopt-reassociate-reductions,convert-linalg-to-loops,"
      "openopt-expand-dynamic-reshapes)",
      "func.func(openopt-approximate-math)",
      "canonicalize",
      "convert-vector-to-scf",
  });
  // Threads: the scf.forall slices of the matmuls (and the lowering's own
  // parallel loops) become OpenMP parallel loops; memrefs must reach LLVM
  // before the OpenMP regions are outlined. On one thread they are loops.
  // Each thread's share of a parallel loop is a sequential loop: its
  // per-iteration buffers are allocated once, before it.
  if (options.threads <= 1)
    passes.push_back("func.func(scf-forall-to-for,openopt-hoist-loop-buffers)");
  else
    passes.insert(passes.end(), {
        "scf-forall-to-parallel",
        llvm::formatv("openopt-balanced-openmp{{num-threads={0}}", options.threads).str(),
        "func.func(openopt-hoist-loop-buffers)",
        llvm::formatv("convert-scf-to-openmp{{num-threads={0}}", options.threads).str(),
        // A session may run fewer threads than compiled for.
        "openopt-openmp-thread-budget",
        "expand-strided-metadata",
        "lower-affine",
        "finalize-memref-to-llvm",
    });
  passes.insert(passes.end(), {
      "convert-scf-to-cf",
      "expand-strided-metadata",
      "lower-affine",
      "finalize-memref-to-llvm",
      "convert-vector-to-llvm",
      "convert-math-to-llvm",
      "convert-math-to-libm",
      "convert-arith-to-llvm",
      "convert-func-to-llvm",
      "openopt-lower-runtime-checks",
      "convert-cf-to-llvm",
      "convert-index-to-llvm",
      "convert-openmp-to-llvm",
      "convert-ub-to-llvm",
      "reconcile-unrealized-casts",
  });
  return passes;
}

std::string anchored(const std::vector<std::string> &passes) {
  std::string joined;
  for (const std::string &pass : passes) {
    // A pass list that is already anchored (the cuda back half) is spliced in.
    llvm::StringRef text(pass);
    if (text.consume_front("builtin.module(") && text.consume_back(")"))
      joined += (joined.empty() ? "" : ",") + text.str();
    else
      joined += (joined.empty() ? "" : ",") + pass;
  }
  return "builtin.module(" + joined + ")";
}

} // namespace

std::string cpuFrontPipeline(const CpuPipelineOptions &options) {
  return anchored(frontPasses(options));
}

std::string cpuBackPipeline(const CpuPipelineOptions &options) {
  return anchored(backPasses(options));
}

std::string cpuPipeline(const CpuPipelineOptions &options) {
  std::vector<std::string> passes = frontPasses(options);
  llvm::append_range(passes, backPasses(options));
  return anchored(passes);
}

} // namespace openopt

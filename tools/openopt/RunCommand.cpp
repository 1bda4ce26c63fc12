//===- RunCommand.cpp - openopt run: compile for this CPU and execute ----===//
#include "Commands.h"

#include "openopt/Driver/RunModel.h"
#include "openopt/Recipe/Recipe.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/Format.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace cl = llvm::cl;
using llvm::createStringError;

namespace openopt::cli {

cl::SubCommand runCommand("run", "Compile a model for this CPU, run it, write its outputs");

static cl::opt<std::string> recipePath("recipe", cl::desc(kRecipeFlagHelp),
                                       cl::value_desc("FILE"), cl::init(""),
                                       cl::sub(runCommand));

static cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.onnx|model.mlir>"),
                                      cl::Required, cl::sub(runCommand));
static cl::list<std::string> inputArgs(
    "input", cl::desc("An input as NAME=FILE (.npy or ONNX TensorProto .pb); FILE alone when "
                      "the model has one input. A sequence: a SequenceProto .pb or a directory "
                      "of 0.npy, 1.npy, ...; an optional: an OptionalProto .pb, its value, or "
                      "'none'"),
    cl::value_desc("NAME=FILE"), cl::sub(runCommand));
static cl::opt<bool> randomInputs(
    "random-inputs",
    cl::desc("Generate the inputs not given: floats uniform in [-1, 1), integers 0, bools false"),
    cl::sub(runCommand));
static cl::opt<unsigned> seed("seed", cl::desc("Seed for --random-inputs (default 1)"),
                              cl::init(1), cl::sub(runCommand));
static cl::opt<std::string> outputDir(
    "output-dir",
    cl::desc("Write each output to DIR/<name>.npy (characters outside [A-Za-z0-9_.-] "
             "in the name become '_'); a sequence to DIR/<name>/0.npy, 1.npy, ..."),
    cl::value_desc("DIR"), cl::sub(runCommand));
static cl::opt<unsigned> iterations(
    "iterations",
    cl::desc("Time this many runs after warm-up and print "
             "'latency_ms median=.. min=.. p95=.. iterations=N' (compile time excluded)"),
    cl::init(0), cl::sub(runCommand));
static cl::opt<bool> latencySamples(
    "latency-samples",
    cl::desc("With --iterations, also print every timed run: 'latency_samples_ms T1,T2,...'"),
    cl::sub(runCommand));
static cl::opt<unsigned> threads(
    "threads",
    cl::desc("Threads for matmuls and convolutions, split with OpenMP (default: the "
             "recipe's, 1 in the built-in one; the other ops run on one thread)"),
    cl::init(1), cl::sub(runCommand));
static cl::opt<bool> noVectorize(
    "no-vectorize-matmul",
    cl::desc("Skip the tiled FMA schedule of matmuls and convolutions (plain loops, "
             "for comparison)"),
    cl::sub(runCommand));

static cl::opt<bool> noGraphPasses(
    "no-graph-passes",
    cl::desc("Skip the recipe's graph passes (BatchNormalization folding, "
             "LayerNorm/GELU recognition, constant folding, DCE, CSE), for comparison"),
    cl::sub(runCommand));
static cl::opt<int> vectorBits("vector-bits",
                              cl::desc("SIMD width for matmul register tiles: 256 (AVX2) or "
                                       "512 (AVX-512); default: this CPU's"),
                              cl::init(0), cl::sub(runCommand));
static cl::list<int> matmulTiles("matmul-tiles",
                                 cl::desc("Largest matmul cache tiles M,N,K (default 128,256,256)"),
                                 cl::CommaSeparated, cl::sub(runCommand));

namespace {

// A one-shot process: what the compile frees goes back to the system
// rather than staying in malloc's heap. By default glibc raises its mmap and
// trim thresholds after large frees (up to 32 and 64 MiB), so the compile's
// freed weight copies and LLVM modules stayed resident through the runs:
// fixed thresholds cut `openopt run`'s peak by 10-15 MiB on the bench models.
// (The runs' own buffers come from the compiled code's pool, BufferPool.h.)
void returnFreedMemoryEarly() {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 128 << 10);
  mallopt(M_TRIM_THRESHOLD, 256 << 10);
#endif
}

int runModel(mlir::MLIRContext &context) {
  auto recipe = selectedRecipe(recipePath);
  if (!recipe)
    return reportError(recipe.takeError());
  if (threads < 1 || threads > 256)
    return reportError(createStringError("--threads must be between 1 and 256"));
  if (vectorBits != 0 && vectorBits != 256 && vectorBits != 512)
    return reportError(createStringError("--vector-bits must be 256 or 512"));
  driver::RunRequest request;
  request.modelPath = modelPath;
  request.specialize = recipe->shapes == "specialize";
  request.inputs = {{inputArgs.begin(), inputArgs.end()}, randomInputs, seed};
  request.iterations = iterations;
  request.releaseIRAfterCompile = true; // nothing reads the IR after the compile
  returnFreedMemoryEarly();
  // The recipe decides; flags given on the command line override it.
  request.options = recipe->cpuOptions();
  CpuPipelineOptions &options = request.options;
  if (threads.getNumOccurrences())
    options.threads = threads;
  if (noVectorize)
    options.vectorizeMatmul = false;
  if (noGraphPasses)
    options.graphPasses.clear();
  if (vectorBits.getNumOccurrences())
    options.vectorBits = vectorBits;
  if (!matmulTiles.empty()) {
    if (matmulTiles.size() != 3 || llvm::any_of(matmulTiles, [](int t) { return t < 1; }))
      return reportError(createStringError("--matmul-tiles needs three positive sizes M,N,K"));
    options.tileM = matmulTiles[0];
    options.tileN = matmulTiles[1];
    options.tileK = matmulTiles[2];
  }

  auto result = driver::runModel(context, request);
  if (!result)
    return reportError(result.takeError());
  printNotes(result->notes);
  if (iterations > 0) {
    if (latencySamples) {
      llvm::outs() << "latency_samples_ms ";
      for (size_t i = 0; i < result->samplesMs.size(); ++i)
        llvm::outs() << (i ? "," : "") << llvm::format("%.4f", result->samplesMs[i]);
      llvm::outs() << "\n";
    }
    const driver::Latency &latency = result->latency;
    llvm::outs() << llvm::format("latency_ms median=%.4f min=%.4f p95=%.4f iterations=%u\n",
                                 latency.medianMs, latency.minMs, latency.p95Ms,
                                 iterations.getValue());
    llvm::errs() << llvm::format("compile_ms %.1f\n", result->compileMs);
    printKernelStats(result->kernels);
  }

  if (!outputDir.empty())
    if (auto err = driver::writeOutputs(outputDir, result->outputSpecs, result->outputs,
                                        printLine))
      return reportError(std::move(err));
  return 0;
}

} // namespace

int runRun(mlir::MLIRContext &context) { return runModel(context); }

} // namespace openopt::cli

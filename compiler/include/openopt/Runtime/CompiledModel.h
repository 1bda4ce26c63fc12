//===- CompiledModel.h - a model JIT-compiled for this CPU -----*- C++ -*-===//
#ifndef OPENOPT_RUNTIME_COMPILEDMODEL_H
#define OPENOPT_RUNTIME_COMPILEDMODEL_H

#include "openopt/Codegen/CPU/CpuPipeline.h"
#include "openopt/Runtime/HostTensor.h"
#include "openopt/Runtime/KernelCompiler.h"
#include "openopt/Runtime/Profile.h"
#include "openopt/Support/EntryFunction.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace llvm::orc {
class LLJIT;
} // namespace llvm::orc

struct openopt_model;
struct openopt_session;

namespace openopt {

/// Name, element type and shape of a model input or output; a dynamic
/// dimension is ShapedType::kDynamic, with its symbolic name (ONNX dim_param)
/// in `dimNames` when the model gives one.
struct TensorSpec {
  std::string name;
  DType dtype;
  llvm::SmallVector<int64_t> shape;
  llvm::SmallVector<std::string> dimNames;
  /// Empty for a tensor; for one tensor of a sequence or optional value,
  /// which part it is ("sequence.values", "sequence.shapes", "optional.has",
  /// "optional.tensor", "optional.sequence.values", ...; see the importer).
  std::string kind;
  std::string describe() const;
  bool hasStaticShape() const;
};

/// The DType of an MLIR element type, or an error naming it.
llvm::Expected<DType> dtypeOf(mlir::Type elementType);

/// Gives the entry function's dynamic input dimensions the sizes in
/// `shapes` (one per input) and re-infers every result type after them.
llvm::Error specializeInputShapes(mlir::ModuleOp module,
                                  llvm::ArrayRef<llvm::SmallVector<int64_t>> shapes);

/// Names, dtypes and (possibly dynamic) shapes of the entry function's inputs.
llvm::Expected<std::vector<TensorSpec>> entryInputSpecs(mlir::ModuleOp module);
/// The same of its results.
llvm::Expected<std::vector<TensorSpec>> entryOutputSpecs(mlir::ModuleOp module);

/// A compiled model as a library in memory (CompiledModel.cpp).
struct JitModelLibrary;

class CompiledModel {
public:
  ~CompiledModel();

  /// Lowers `module` (nn IR; modified in place) and JIT compiles it for the
  /// host CPU, kernel by kernel (see KernelCompiler.h): kernels found in
  /// `cache` (null: KernelCache::shared()) are not compiled again. Dynamic
  /// dimensions stay dynamic: one compiled model runs at every size its
  /// inputs allow. With options.cudaArch (resolved: "sm_90", not "auto"),
  /// the model is compiled for the GPU instead, as a model library that the
  /// runtime opens; its runs need a GPU (else they fail naming why).
  static llvm::Expected<std::unique_ptr<CompiledModel>>
  compile(mlir::ModuleOp module, const CpuPipelineOptions &options,
          KernelCache *cache = nullptr);

  /// The kernels of this model: how many were compiled and how many reused.
  const KernelStats &kernelStats() const { return kernels; }

  const std::vector<TensorSpec> &inputs() const { return inputSpecs; }
  const std::vector<TensorSpec> &outputs() const { return outputSpecs; }

  /// Output tensors of the right types and shapes, for run() (empty
  /// placeholders for outputs whose shape is known only at run time).
  std::vector<HostTensor> allocateOutputs() const;

  /// Runs once, through the C runtime (runtime/include/openopt/runtime.h) as
  /// a model library runs: its checks, its calling convention. Inputs must
  /// match inputs() in order, dtype, rank and static dimensions. Outputs of static shape are written into `outputs` (as from
  /// allocateOutputs(), allocated when missing); outputs of dynamic shape
  /// replace theirs. A failed run-time check (a shape constraint broken by
  /// the inputs) is an error naming the node. Runs of one model take turns.
  llvm::Error run(llvm::ArrayRef<const HostTensor *> inputs,
                  std::vector<HostTensor> &outputs);

  /// A GPU kernel of the last run (compiled for the cuda target with
  /// CpuPipelineOptions::profile): named after its ONNX node.
  struct KernelTime {
    std::string name;
    double startMs, milliseconds;
    int64_t flops, bytes; // -1: unknown
  };
  /// Whether runs time their GPU kernels (the cuda target, profiled).
  bool timesKernels() const { return kernelTiming; }
  /// The kernels of the last run, in launch order.
  llvm::Expected<std::vector<KernelTime>> kernelTimes();

  /// Whether the outputs come back allocated by the compiled code.
  bool returnsOutputs() const { return returnOutputs; }

  /// Whether it was compiled with CpuPipelineOptions::profile.
  bool isProfiled() const { return collector != nullptr; }
  /// The timed ops, by hook id (empty unless profiled).
  llvm::ArrayRef<ProfiledOp> profiledOps() const { return opTable; }
  /// Timings of every run() since compile or the last resetProfile(); null
  /// unless profiled.
  const ProfileData *profile() const { return collector ? &collector->data() : nullptr; }
  /// Forgets the timings (e.g. of warm-up runs) and keeps at most
  /// `maxEvents` per-call events from now on.
  void resetProfile(size_t maxEvents = ProfileCollector::kDefaultMaxEvents) {
    if (collector)
      collector->reset(maxEvents);
  }

private:
  CompiledModel() = default;
  static llvm::Expected<std::unique_ptr<CompiledModel>>
  compileForGpu(std::unique_ptr<CompiledModel> model, mlir::ModuleOp module,
                CpuPipelineOptions options, KernelCache *cache);
  std::vector<TensorSpec> inputSpecs, outputSpecs;
  std::vector<ProfiledOp> opTable;
  std::unique_ptr<ProfileCollector> collector;
  std::unique_ptr<llvm::orc::LLJIT> jit;
  /// The model as the runtime sees it: a library made in memory (metadata,
  /// entry point, the JIT's call and allocator), opened, and one session.
  std::unique_ptr<JitModelLibrary> library;
  openopt_model *runtimeModel = nullptr;
  openopt_session *session = nullptr;
  /// Runs take turns: returned outputs are copied out of the session's
  /// buffers, which the next run reuses.
  std::mutex runLock;
  /// The weights the compiled code reads (bound by address, not compiled).
  std::vector<WeightBuffer> weights;
  void (*entry)(void **) = nullptr;
  bool returnOutputs = false;
  bool kernelTiming = false;
  KernelStats kernels;
};

} // namespace openopt

#endif

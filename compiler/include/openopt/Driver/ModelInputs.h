//===- ModelInputs.h - a model's inputs, outputs and latency -----*- C++ -*-===//
//
// What running and profiling a model share (the CLI's `run` and `profile`,
// the daemon's workers): a model's inputs from files or random values, the
// entry function specialised to their shapes, outputs written as .npy, and
// the latency summary of timed runs.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_DRIVER_MODELINPUTS_H
#define OPENOPT_DRIVER_MODELINPUTS_H

#include "openopt/Runtime/CompiledModel.h"

#include "mlir/IR/OwningOpRef.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace openopt::driver {

struct InputSources {
  /// --input values: NAME=FILE, or FILE alone for a one-input model.
  std::vector<std::string> files;
  /// Generate the inputs not given (floats uniform in [-1, 1), the rest 0).
  bool random = false;
  unsigned seed = 1;
  /// Tensors given in memory by name (the daemon's workers receive them
  /// over their pipe); they take precedence over files.
  std::vector<std::pair<std::string, std::shared_ptr<const HostTensor>>> tensors;
};

/// One tensor per input of `specs`, in order.
llvm::Expected<std::vector<HostTensor>>
gatherInputs(mlir::MLIRContext &context, llvm::ArrayRef<TensorSpec> specs,
             const InputSources &sources);

/// Gives the entry function's dynamic dimensions the sizes of `inputs`.
llvm::Error specializeToInputs(mlir::ModuleOp module, llvm::ArrayRef<TensorSpec> specs,
                               llvm::ArrayRef<HostTensor> inputs);

/// A model loaded with its inputs; with `specialize`, its entry function's
/// dynamic dimensions take the inputs' sizes (the recipe's codegen.shapes).
struct ModelWithInputs {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::vector<TensorSpec> specs;
  std::vector<HostTensor> inputs;
  /// What the caller should tell the user (the model was imported for the
  /// given input sizes only, and why).
  std::vector<std::string> notes;
};
llvm::Expected<ModelWithInputs> loadModelWithInputs(mlir::MLIRContext &context,
                                                    llvm::StringRef path,
                                                    const InputSources &sources,
                                                    bool specialize);

/// Writes each output to DIR/<name>.npy (characters outside [A-Za-z0-9_.-]
/// become '_'), a sequence to DIR/<name>/0.npy, 1.npy, ..., and nothing for
/// an empty optional; `report` gets one line per file written or skipped
/// ("wrote DIR/y.npy (f32[2, 3])").
llvm::Error writeOutputs(llvm::StringRef dir, llvm::ArrayRef<TensorSpec> specs,
                         llvm::ArrayRef<HostTensor> outputs,
                         llvm::function_ref<void(const std::string &)> report);

/// Median, min and 95th percentile of run times.
struct Latency {
  double medianMs = 0, minMs = 0, p95Ms = 0;
};
Latency summarize(std::vector<double> timesMs);

} // namespace openopt::driver

#endif // OPENOPT_DRIVER_MODELINPUTS_H

//===- GraphView.h - a model's dataflow graph as JSON ------------*- C++ -*-===//
//
// `openopt graph` and the daemon's graph views as one library call: the
// model as imported, or after some of the recipe's graph passes, as
// schemas/graph.schema.json describes it.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_DRIVER_GRAPHVIEW_H
#define OPENOPT_DRIVER_GRAPHVIEW_H

#include "openopt/Recipe/Recipe.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace openopt::driver {

struct GraphRequest {
  std::string modelPath;
  /// Empty: as imported. "NAME" or "NAME#N": after the recipe's graph
  /// pipeline up to that pass (its first or Nth occurrence); "all": after
  /// the whole pipeline.
  std::string after;
  /// The recipe whose graph passes `after` counts in.
  Recipe recipe;
};

llvm::Expected<llvm::json::Value> graphView(mlir::MLIRContext &context,
                                            const GraphRequest &request);

} // namespace openopt::driver

#endif // OPENOPT_DRIVER_GRAPHVIEW_H

//===- GraphJson.h - the dataflow graph of a function as JSON ---*- C++ -*-===//
//
// What graph views draw (schema: schemas/graph.schema.json): one node per op
// (constants become `constants` entries of the ops that read them), graph
// inputs and outputs as nodes, edges producer -> consumer with the tensor's
// shape, and nn.fused groups as nodes with their ops nested in `children`.
// Node ids are the pass record's stable op ids, so a diff can point at nodes.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_RECORD_GRAPHJSON_H
#define OPENOPT_RECORD_GRAPHJSON_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace openopt {

struct GraphJsonOptions {
  std::string model; // where the graph came from, shown as-is
  std::string after; // the pass it was taken after, "" for the imported graph
};

llvm::json::Value graphToJson(mlir::func::FuncOp func, const GraphJsonOptions &options);

/// The node id graphToJson gives each op of `func` that becomes a node (every
/// op but constants, yields and the return, group members included), so other
/// documents (profiles) can point at graph nodes.
llvm::DenseMap<mlir::Operation *, std::string> graphNodeIds(mlir::func::FuncOp func);

} // namespace openopt

#endif // OPENOPT_RECORD_GRAPHJSON_H

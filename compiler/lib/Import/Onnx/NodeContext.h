//===- NodeContext.h - what an op converter sees of one ONNX node -*- C++ -*-===//
//
// Converters read attributes and inputs through this class and create nn ops
// with it. Op creation runs shape inference first, so a node whose shapes do
// not fit becomes a reported error rather than a crash.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_LIB_IMPORT_ONNX_NODECONTEXT_H
#define OPENOPT_LIB_IMPORT_ONNX_NODECONTEXT_H

#include "Bound.h"
#include "openopt/Dialect/NN/NNDialect.h"

#include "mlir/IR/Builders.h"
#include "onnx/onnx_pb.h"

#include <functional>
#include <optional>
#include <string>

namespace openopt::onnx_import {

class NodeContext {
public:
  NodeContext(const onnx::NodeProto &node, mlir::OpBuilder &builder,
              mlir::Location loc, int64_t opset,
              llvm::ArrayRef<mlir::Value> inputs, std::string &error,
              llvm::ArrayRef<Bound> bound = {})
      : node(node), builder(builder), loc(loc), opset(opset), inputs(inputs),
        error(error), boundInputs(bound) {}

  const onnx::NodeProto &node;
  mlir::OpBuilder &builder;
  mlir::Location loc;
  int64_t opset;

  /// Input `i` as a tensor, sequence or optional (null when absent).
  const Bound *bound(size_t i) const {
    return i < boundInputs.size() && boundInputs[i] ? &boundInputs[i] : nullptr;
  }
  /// Declares output `i` a sequence or optional (its first part is what the
  /// converter returns for it).
  void setOutput(size_t i, Bound value) {
    if (boundOutputs.size() <= i)
      boundOutputs.resize(i + 1);
    boundOutputs[i] = std::move(value);
  }
  llvm::ArrayRef<std::optional<Bound>> outputs() const { return boundOutputs; }

  /// Input `i`, or a null Value when absent (optional inputs).
  mlir::Value input(size_t i) const {
    return i < inputs.size() ? inputs[i] : mlir::Value();
  }
  size_t numInputs() const { return inputs.size(); }
  /// Whether output `i` is consumed (non-empty name).
  bool outputUsed(size_t i) const {
    return (int)i < node.output_size() && !node.output(i).empty();
  }

  // Attributes, with ONNX defaults.
  bool has(llvm::StringRef name) const { return find(name) != nullptr; }
  int64_t getInt(llvm::StringRef name, int64_t dflt) const;
  double getFloat(llvm::StringRef name, double dflt) const;
  std::string getString(llvm::StringRef name, llvm::StringRef dflt) const;
  llvm::SmallVector<int64_t> getInts(llvm::StringRef name,
                                     llvm::ArrayRef<int64_t> dflt = {}) const;
  llvm::SmallVector<double> getFloats(llvm::StringRef name) const;
  const onnx::TensorProto *getTensor(llvm::StringRef name) const;

  /// Contents of input `i` when it is a compile-time constant.
  std::optional<llvm::SmallVector<int64_t>> constInts(size_t i) const;
  std::optional<llvm::SmallVector<double>> constFloats(size_t i) const;

  /// Records an error for this node; converters return failure() after it.
  mlir::LogicalResult fail(const llvm::Twine &message);
  /// Where this node's error goes, for a converter that hands the node to
  /// another one with other inputs.
  std::string &errorString() { return error; }

  /// Creates op `name` with inferred result types; folds it when its inputs
  /// are constants. Fails (with the inference error recorded) when the
  /// operands and attributes do not fit together.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  create(llvm::StringRef name, mlir::ValueRange operands,
         llvm::ArrayRef<mlir::NamedAttribute> attrs, unsigned numResults = 1);

  template <typename OpTy>
  mlir::FailureOr<mlir::Value>
  create(mlir::ValueRange operands,
         llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    auto results = create(OpTy::getOperationName(), operands, attrs, 1);
    if (mlir::failed(results))
      return mlir::failure();
    return (*results)[0];
  }

  // Attribute builders for create().
  mlir::NamedAttribute attr(llvm::StringRef name, mlir::Attribute value) {
    return builder.getNamedAttr(name, value);
  }
  mlir::NamedAttribute intAttr(llvm::StringRef name, int64_t v) {
    return attr(name, builder.getI64IntegerAttr(v));
  }
  mlir::NamedAttribute floatAttr(llvm::StringRef name, double v) {
    return attr(name, builder.getF32FloatAttr(v));
  }
  mlir::NamedAttribute f64Attr(llvm::StringRef name, double v) {
    return attr(name, builder.getF64FloatAttr(v));
  }
  mlir::NamedAttribute intsAttr(llvm::StringRef name, llvm::ArrayRef<int64_t> v) {
    return attr(name, builder.getDenseI64ArrayAttr(v));
  }
  mlir::NamedAttribute stringAttr(llvm::StringRef name, llvm::StringRef v) {
    return attr(name, builder.getStringAttr(v));
  }

  /// An nn.loop with `body` as its region (the block takes the iteration
  /// number, the condition and the carried values). `maxTrips` and
  /// `condition` may be null (absent); `results` are the carried values' and
  /// then the scan outputs' types.
  mlir::Operation *createLoop(mlir::Value maxTrips, mlir::Value condition,
                              mlir::ValueRange initial, mlir::TypeRange results,
                              mlir::Block *body);
  /// A small i64 vector constant (shapes for reshapes the importer inserts).
  mlir::Value i64Constant(llvm::ArrayRef<int64_t> values);
  /// A scalar (rank-0) constant of `element` type.
  mlir::Value scalarConstant(mlir::Type element, double value);

  /// operandSegmentSizes for ops with several optional operands.
  mlir::NamedAttribute segments(llvm::ArrayRef<int32_t> sizes) {
    return attr("operandSegmentSizes", builder.getDenseI32ArrayAttr(sizes));
  }

  /// A graph attribute (If's branches, Loop's and Scan's body), or null.
  const onnx::GraphProto *getGraph(llvm::StringRef name) const;

  /// Imports a subgraph at the builder's insertion point, its inputs bound to
  /// `inputs`; outer values stay visible. Returns what the subgraph outputs.
  /// Set by the importer.
  std::function<mlir::FailureOr<llvm::SmallVector<Bound>>(const onnx::GraphProto &,
                                                           llvm::ArrayRef<Bound>)>
      importSubgraph;
  /// The same, but a subgraph that does not import leaves no errors: they
  /// are returned in `why` (for a branch that may be replaced).
  std::function<mlir::FailureOr<llvm::SmallVector<Bound>>(const onnx::GraphProto &,
                                                           llvm::ArrayRef<Bound>, std::string &)>
      trySubgraph;

  /// The tensor a value name stands for at this point of the graph (null
  /// when unknown or not a tensor). Set by the importer.
  std::function<mlir::Value(llvm::StringRef)> lookupValue;

private:
  const onnx::AttributeProto *find(llvm::StringRef name) const;

  llvm::ArrayRef<mlir::Value> inputs;
  std::string &error;
  llvm::ArrayRef<Bound> boundInputs;
  llvm::SmallVector<std::optional<Bound>> boundOutputs;
};

/// Converts one node; returns its output values in order.
using NodeConverter =
    mlir::FailureOr<llvm::SmallVector<mlir::Value>> (*)(NodeContext &);

struct OpSupport {
  NodeConverter convert;
  int64_t minOpset;
  /// Attribute names the converter understands; any other is reported.
  llvm::ArrayRef<llvm::StringLiteral> attributes;
  /// Whether it takes sequence or optional inputs (others get tensors only).
  bool acceptsSequences = false;
};

/// The converter for (domain, op type), or nullptr when unsupported.
const OpSupport *lookupOp(llvm::StringRef domain, llvm::StringRef opType);

} // namespace openopt::onnx_import

#endif // OPENOPT_LIB_IMPORT_ONNX_NODECONTEXT_H

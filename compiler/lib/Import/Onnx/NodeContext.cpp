//===- NodeContext.cpp - attribute access and op creation for converters --===//
#include "NodeContext.h"

#include "openopt/Dialect/NN/ShapeUtils.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

using namespace mlir;

namespace openopt::onnx_import {

const onnx::AttributeProto *NodeContext::find(llvm::StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t NodeContext::getInt(llvm::StringRef name, int64_t dflt) const {
  const auto *a = find(name);
  return a ? a->i() : dflt;
}

double NodeContext::getFloat(llvm::StringRef name, double dflt) const {
  const auto *a = find(name);
  return a ? a->f() : dflt;
}

std::string NodeContext::getString(llvm::StringRef name, llvm::StringRef dflt) const {
  const auto *a = find(name);
  return a ? a->s() : dflt.str();
}

SmallVector<int64_t> NodeContext::getInts(llvm::StringRef name,
                                          ArrayRef<int64_t> dflt) const {
  const auto *a = find(name);
  if (!a)
    return SmallVector<int64_t>(dflt);
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

SmallVector<double> NodeContext::getFloats(llvm::StringRef name) const {
  const auto *a = find(name);
  if (!a)
    return {};
  return SmallVector<double>(a->floats().begin(), a->floats().end());
}

const onnx::GraphProto *NodeContext::getGraph(llvm::StringRef name) const {
  const auto *a = find(name);
  return a && a->has_g() ? &a->g() : nullptr;
}

Value NodeContext::scalarConstant(Type element, double value) {
  auto type = RankedTensorType::get({}, element);
  Attribute scalar;
  if (auto f = dyn_cast<FloatType>(element))
    scalar = builder.getFloatAttr(f, value);
  else if (element.isInteger(1))
    scalar = builder.getBoolAttr(value != 0);
  else
    scalar = builder.getIntegerAttr(element, APInt(element.getIntOrFloatBitWidth(),
                                                    (uint64_t)(int64_t)value, true));
  return nn::ConstantOp::create(builder, loc, DenseElementsAttr::get(type, scalar));
}

const onnx::TensorProto *NodeContext::getTensor(llvm::StringRef name) const {
  const auto *a = find(name);
  return a && a->has_t() ? &a->t() : nullptr;
}

std::optional<SmallVector<int64_t>> NodeContext::constInts(size_t i) const {
  return nn::getConstantInts(input(i));
}

std::optional<SmallVector<double>> NodeContext::constFloats(size_t i) const {
  Value v = input(i);
  DenseElementsAttr dense;
  if (!v || !matchPattern(v, m_Constant(&dense)))
    return std::nullopt;
  SmallVector<double> values;
  if (auto floats = dyn_cast<DenseFPElementsAttr>(dense)) {
    for (const APFloat &f : floats.getValues<APFloat>())
      values.push_back(f.convertToDouble());
  } else if (auto ints = dyn_cast<DenseIntElementsAttr>(dense)) {
    for (const APInt &x : ints.getValues<APInt>())
      values.push_back((double)x.getSExtValue());
  } else {
    return std::nullopt;
  }
  return values;
}

LogicalResult NodeContext::fail(const llvm::Twine &message) {
  if (error.empty())
    error = message.str();
  return failure();
}

Operation *NodeContext::createLoop(Value maxTrips, Value condition, ValueRange initial,
                                   TypeRange results, Block *body) {
  OperationState state(loc, nn::LoopOp::getOperationName());
  if (maxTrips)
    state.addOperands(maxTrips);
  if (condition)
    state.addOperands(condition);
  state.addOperands(initial);
  state.addAttribute("operandSegmentSizes",
                     builder.getDenseI32ArrayAttr(
                         {maxTrips ? 1 : 0, condition ? 1 : 0, (int32_t)initial.size()}));
  state.addTypes(results);
  state.addRegion()->push_back(body);
  return builder.create(state);
}

Value NodeContext::i64Constant(ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({(int64_t)values.size()}, builder.getI64Type());
  return nn::ConstantOp::create(builder, loc, DenseElementsAttr::get(type, values));
}

FailureOr<SmallVector<Value>>
NodeContext::create(llvm::StringRef name, ValueRange operands,
                    ArrayRef<NamedAttribute> attrs, unsigned numResults) {
  MLIRContext *ctx = builder.getContext();
  OperationState state(loc, name);
  state.addOperands(operands);
  state.addAttributes(attrs);
  // Placeholder result types, replaced by the inferred ones below; the op is
  // erased if inference fails, so the placeholders are never seen.
  state.addTypes(SmallVector<Type>(numResults, NoneType::get(ctx)));
  Operation *op = builder.create(state);

  auto inferable = dyn_cast<InferTypeOpInterface>(op);
  if (!inferable) {
    op->erase();
    return fail("internal: op " + name + " has no shape inference");
  }
  SmallVector<Type> types;
  std::string diagnostic;
  {
    // Capture the inference error so it can be reported with the node.
    ScopedDiagnosticHandler capture(ctx, [&](Diagnostic &diag) {
      if (diagnostic.empty())
        diagnostic = diag.str();
      return success();
    });
    if (failed(inferable.inferReturnTypes(ctx, loc, op->getOperands(),
                                          op->getRawDictionaryAttrs(),
                                          op->getPropertiesStorage(),
                                          op->getRegions(), types))) {
      op->erase();
      return fail(diagnostic.empty() ? "shapes do not fit" : diagnostic);
    }
  }
  if (types.size() != numResults) {
    op->erase();
    return fail("expected " + llvm::Twine(types.size()) + " outputs, the node has " +
                llvm::Twine(numResults));
  }
  for (auto [result, type] : llvm::zip(op->getResults(), types))
    result.setType(type);

  // Fold shape computations on constants as they are imported.
  SmallVector<OpFoldResult> folded;
  if (!isa<nn::ConstantOp>(op) && succeeded(op->fold(folded)) && !folded.empty()) {
    SmallVector<Value> values;
    for (auto [result, f] : llvm::zip(op->getResults(), folded)) {
      if (auto v = dyn_cast<Value>(f)) {
        values.push_back(v);
        continue;
      }
      Operation *c = op->getDialect()->materializeConstant(
          builder, cast<Attribute>(f), result.getType(), loc);
      if (!c)
        return SmallVector<Value>(op->getResults());
      values.push_back(c->getResult(0));
    }
    op->erase();
    return values;
  }
  return SmallVector<Value>(op->getResults());
}

} // namespace openopt::onnx_import

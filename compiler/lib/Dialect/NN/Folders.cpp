//===- Folders.cpp - folding of nn ops -------------------------------------===//
//
// Folds what is free to fold: no-op data movement, and the small integer
// shape computations that exporters emit (Shape -> Gather -> Concat ->
// Reshape). Large weights are never folded here.
//
//===----------------------------------------------------------------------===//
#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Dialect/NN/ShapeUtils.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace openopt::nn;

namespace {
// Shape computations are tiny; anything bigger is left to the constant
// folding pass, which has a size limit.
constexpr int64_t kMaxFoldElements = 256;

DenseElementsAttr smallDense(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || dense.getNumElements() > kMaxFoldElements)
    return nullptr;
  return dense;
}

Attribute i64Tensor(MLIRContext *ctx, ArrayRef<int64_t> values,
                    ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(shape, IntegerType::get(ctx, 64));
  return DenseElementsAttr::get(type, values);
}

SmallVector<int64_t> intsOf(DenseElementsAttr dense) {
  SmallVector<int64_t> values;
  for (const APInt &v : dense.getValues<APInt>())
    values.push_back(v.getSExtValue());
  return values;
}

// Reshape-like ops keep the elements in order.
OpFoldResult foldReshapeLike(Value input, Attribute inputAttr, Type result) {
  auto type = cast<RankedTensorType>(result);
  if (input.getType() == type)
    return input;
  if (auto dense = smallDense(inputAttr))
    if (type.hasStaticShape())
      return dense.reshape(type);
  return {};
}
} // namespace

OpFoldResult IdentityOp::fold(FoldAdaptor) { return getInput(); }
OpFoldResult DropoutOp::fold(FoldAdaptor) { return getInput(); }
OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult CastOp::fold(FoldAdaptor) {
  return getInput().getType() == getType() ? getInput() : Value();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(getData(), adaptor.getData(), getType());
}
OpFoldResult SqueezeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(getInput(), adaptor.getInput(), getType());
}
OpFoldResult UnsqueezeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(getInput(), adaptor.getInput(), getType());
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  if (llvm::equal(getPerm(), llvm::seq<int64_t>(0, getPerm().size())))
    return getInput();
  // A transpose of a splat is the same splat.
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    if (dense.isSplat())
      return dense.resizeSplat(getType());
  return {};
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto type = getInput().getType();
  auto outLen = getType().getDimSize(0);
  int64_t rank = type.getRank();
  int64_t start = getStart(); // I64Attr getters return uint64_t
  if (start < 0)
    start += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  ArrayRef<int64_t> dims = type.getShape().slice(start, outLen);
  if (llvm::any_of(dims, ShapedType::isDynamic))
    return {};
  return i64Tensor(getContext(), dims, {outLen});
}

OpFoldResult SizeOp::fold(FoldAdaptor) {
  auto count = staticElementCount(getInput().getType().getShape());
  if (!count)
    return {};
  return i64Tensor(getContext(), {*count}, {});
}

OpFoldResult ConstantOfShapeOp::fold(FoldAdaptor adaptor) {
  auto type = getType();
  if (!type.hasStaticShape())
    return {};
  auto value = dyn_cast<DenseElementsAttr>(adaptor.getValue());
  if (!value)
    return {};
  return DenseElementsAttr::get(type, value.getSplatValue<Attribute>());
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1 && getInputs()[0].getType() == getType())
    return getInputs()[0];
  // Only 1-D integer concatenations (shape vectors) are folded.
  if (getType().getRank() != 1 || !getType().getElementType().isInteger(64))
    return {};
  SmallVector<int64_t> values;
  for (Attribute operand : adaptor.getInputs()) {
    auto dense = smallDense(operand);
    if (!dense)
      return {};
    llvm::append_range(values, intsOf(dense));
  }
  return i64Tensor(getContext(), values, {(int64_t)values.size()});
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto data = smallDense(adaptor.getData());
  auto indices = smallDense(adaptor.getIndices());
  if (!data || !indices || getData().getType().getRank() != 1 ||
      !data.getElementType().isInteger(64))
    return {};
  SmallVector<int64_t> values = intsOf(data), picked;
  int64_t size = values.size();
  for (int64_t index : intsOf(indices)) {
    if (index < -size || index >= size)
      return {};
    picked.push_back(values[index < 0 ? index + size : index]);
  }
  return i64Tensor(getContext(), picked, getType().getShape());
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() &&
      llvm::all_of(getSteps(), [](int64_t s) { return s == 1; }) &&
      llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }))
    return getInput();
  auto data = smallDense(adaptor.getInput());
  if (!data || getType().getRank() != 1 || !getType().hasStaticShape() ||
      !data.getElementType().isInteger(64) || getStarts().size() != 1)
    return {};
  SmallVector<int64_t> values = intsOf(data), picked;
  int64_t size = values.size(), step = getSteps()[0];
  int64_t start = getStarts()[0] < 0 ? getStarts()[0] + size : getStarts()[0];
  start = step > 0 ? std::clamp<int64_t>(start, 0, size)
                   : std::clamp<int64_t>(start, 0, size - 1);
  for (int64_t i = 0, e = getType().getDimSize(0); i < e; ++i)
    picked.push_back(values[start + i * step]);
  return i64Tensor(getContext(), picked, getType().getShape());
}

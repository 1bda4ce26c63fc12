//===- SignalConverters.cpp - DFT, STFT, windows, mel filters, TF-IDF ----===//
#include "Converters.h"

#include "openopt/Dialect/NN/ShapeUtils.h"
#include "openopt/Import/Onnx/TensorProto.h"

using namespace mlir;

namespace openopt::onnx_import {
namespace {
FailureOr<Type> outputType(NodeContext &ctx, StringRef attr, int64_t dflt) {
  auto e = onnxElementType(*ctx.builder.getContext(), ctx.getInt(attr, dflt));
  if (!e)
    return ctx.fail(attr + ": " + llvm::toString(e.takeError()));
  return *e;
}
std::optional<int64_t> constantScalar(NodeContext &ctx, size_t i) {
  auto v = ctx.constInts(i);
  if (!v || v->size() != 1)
    return std::nullopt;
  return (*v)[0];
}
} // namespace

Converted convertDft(NodeContext &ctx) {
  SmallVector<Value> operands = {ctx.input(0)};
  if (ctx.input(1))
    operands.push_back(ctx.input(1));
  return ctx.create(nn::DftOp::getOperationName(), operands,
                    {ctx.intAttr("axis", ctx.getInt("axis", 1)),
                     ctx.intAttr("inverse", ctx.getInt("inverse", 0)),
                     ctx.intAttr("onesided", ctx.getInt("onesided", 0))});
}

Converted convertStft(NodeContext &ctx) {
  SmallVector<Value> operands = {ctx.input(0), ctx.input(1)};
  int32_t window = ctx.input(2) ? 1 : 0, length = ctx.input(3) ? 1 : 0;
  if (window)
    operands.push_back(ctx.input(2));
  if (length)
    operands.push_back(ctx.input(3));
  if (!window && !length)
    return ctx.fail("needs a window or a frame_length");
  return ctx.create(nn::StftOp::getOperationName(), operands,
                    {ctx.intAttr("onesided", ctx.getInt("onesided", 1)),
                     ctx.segments({1, 1, window, length})});
}

// HannWindow, HammingWindow, BlackmanWindow.
Converted convertWindow(NodeContext &ctx) {
  auto element = outputType(ctx, "output_datatype", onnx::TensorProto::FLOAT);
  if (failed(element))
    return failure();
  StringRef kind = ctx.node.op_type() == "HannWindow"      ? "hann"
                   : ctx.node.op_type() == "HammingWindow" ? "hamming"
                                                           : "blackman";
  int64_t length = constantScalar(ctx, 0).value_or(ShapedType::kDynamic);
  auto type = RankedTensorType::get({length}, *element);
  return Values{nn::WindowOp::create(ctx.builder, ctx.loc, type, ctx.input(0),
                                     ctx.builder.getStringAttr(kind),
                                     ctx.builder.getI64IntegerAttr(ctx.getInt("periodic", 1)))
                    .getResult()};
}

Converted convertMelWeightMatrix(NodeContext &ctx) {
  auto element = outputType(ctx, "output_datatype", onnx::TensorProto::FLOAT);
  if (failed(element))
    return failure();
  int64_t bins = constantScalar(ctx, 0).value_or(ShapedType::kDynamic);
  auto dft = constantScalar(ctx, 1);
  int64_t rows = dft ? *dft / 2 + 1 : ShapedType::kDynamic;
  auto type = RankedTensorType::get({rows, bins}, *element);
  return Values{nn::MelWeightMatrixOp::create(ctx.builder, ctx.loc, type, ctx.input(0),
                                              ctx.input(1), ctx.input(2), ctx.input(3),
                                              ctx.input(4))
                    .getResult()};
}

Converted convertTfIdfVectorizer(NodeContext &ctx) {
  auto input = cast<RankedTensorType>(ctx.input(0).getType());
  if (!input.getElementType().isInteger(32) && !input.getElementType().isInteger(64))
    return ctx.fail("only integer tokens are supported (string tokens are not)");
  if (input.getRank() != 1 && input.getRank() != 2)
    return ctx.fail("input must be 1-D or 2-D");
  SmallVector<int64_t> indexes = ctx.getInts("ngram_indexes");
  int64_t width = 0;
  for (int64_t i : indexes)
    width = std::max(width, i + 1);
  SmallVector<int64_t> shape;
  if (input.getRank() == 2)
    shape.push_back(input.getDimSize(0));
  shape.push_back(width);
  SmallVector<float> weights;
  for (double w : ctx.getFloats("weights"))
    weights.push_back((float)w);
  std::string mode = ctx.getString("mode", "TF");
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
    return ctx.fail("mode '" + mode + "' is not TF, IDF or TFIDF");
  auto type = RankedTensorType::get(shape, ctx.builder.getF32Type());
  return Values{nn::TfIdfVectorizerOp::create(
                    ctx.builder, ctx.loc, type, ctx.input(0),
                    ctx.builder.getDenseI64ArrayAttr(ctx.getInts("pool_int64s")),
                    ctx.builder.getDenseI64ArrayAttr(ctx.getInts("ngram_counts")),
                    ctx.builder.getDenseI64ArrayAttr(indexes),
                    ctx.builder.getF32ArrayAttr(weights), ctx.builder.getStringAttr(mode),
                    ctx.builder.getI64IntegerAttr(ctx.getInt("min_gram_length", 1)),
                    ctx.builder.getI64IntegerAttr(ctx.getInt("max_gram_length", 1)),
                    ctx.builder.getI64IntegerAttr(ctx.getInt("max_skip_count", 0)))
                    .getResult()};
}

} // namespace openopt::onnx_import

//===- RecurrentConverters.cpp - RNN, GRU and LSTM ------------------------===//
#include "Converters.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace openopt::onnx_import {

Converted convertRecurrent(NodeContext &ctx) {
  StringRef type = ctx.node.op_type();
  bool lstm = type == "LSTM", gru = type == "GRU";
  std::string direction = ctx.getString("direction", "forward");
  int64_t dirs = direction == "bidirectional" ? 2 : 1;
  for (size_t i = 0; i < 3; ++i)
    if (cast<RankedTensorType>(ctx.input(i).getType()).getRank() != 3)
      return ctx.fail("X, W and R must be 3-D");
  auto wType = cast<RankedTensorType>(ctx.input(1).getType());
  int64_t gates = lstm ? 4 : gru ? 3 : 1;
  int64_t hidden = ctx.getInt("hidden_size", wType.isDynamicDim(1) ? 0 : wType.getDimSize(1) / gates);
  if (hidden < 1)
    return ctx.fail("hidden_size is missing and cannot be read off W");
  // Activation names as ONNX spells them; defaults per op and direction.
  SmallVector<std::string> perDirection =
      lstm ? SmallVector<std::string>{"Sigmoid", "Tanh", "Tanh"}
      : gru ? SmallVector<std::string>{"Sigmoid", "Tanh"}
            : SmallVector<std::string>{"Tanh"};
  SmallVector<std::string> activations;
  for (const auto &a : ctx.node.attribute())
    if (a.name() == "activations")
      for (const std::string &name : a.strings())
        activations.push_back(name);
  if (activations.empty())
    for (int64_t d = 0; d < dirs; ++d)
      llvm::append_range(activations, perDirection);
  if ((int64_t)activations.size() != dirs * (int64_t)perDirection.size())
    return ctx.fail("activations needs " + Twine(dirs * perDirection.size()) + " names, got " +
                    Twine(activations.size()));
  static const char *known[] = {"Relu", "Tanh", "Sigmoid", "Affine", "LeakyRelu",
                                "ThresholdedRelu", "ScaledTanh", "HardSigmoid", "Elu",
                                "Softsign", "Softplus"};
  for (const std::string &a : activations)
    if (!llvm::is_contained(known, StringRef(a)))
      return ctx.fail("activation '" + a + "' is not supported");
  SmallVector<Attribute> names;
  for (const std::string &a : activations)
    names.push_back(ctx.builder.getStringAttr(a));
  auto floats = [&](StringRef name) {
    SmallVector<float> values;
    for (double f : ctx.getFloats(name))
      values.push_back((float)f);
    return ctx.builder.getF32ArrayAttr(values);
  };
  SmallVector<NamedAttribute> attrs = {
      ctx.attr("activations", ctx.builder.getArrayAttr(names)),
      ctx.attr("activation_alpha", floats("activation_alpha")),
      ctx.attr("activation_beta", floats("activation_beta")),
      ctx.stringAttr("direction", direction),
      ctx.intAttr("hidden_size", hidden),
      ctx.intAttr("layout", ctx.getInt("layout", 0))};
  if (ctx.has("clip"))
    attrs.push_back(ctx.floatAttr("clip", ctx.getFloat("clip", 0)));
  if (gru)
    attrs.push_back(ctx.intAttr("linear_before_reset", ctx.getInt("linear_before_reset", 0)));
  if (lstm)
    attrs.push_back(ctx.intAttr("input_forget", ctx.getInt("input_forget", 0)));
  SmallVector<Value> operands = {ctx.input(0), ctx.input(1), ctx.input(2)};
  SmallVector<int32_t> segments = {1, 1, 1};
  size_t optional = lstm ? 8 : 6;
  for (size_t i = 3; i < optional; ++i) {
    segments.push_back(ctx.input(i) ? 1 : 0);
    if (ctx.input(i))
      operands.push_back(ctx.input(i));
  }
  attrs.push_back(ctx.segments(segments));
  StringRef name = lstm ? nn::LstmOp::getOperationName()
                   : gru ? nn::GruOp::getOperationName()
                         : nn::RnnOp::getOperationName();
  return ctx.create(name, operands, attrs, lstm ? 3 : 2);
}

} // namespace openopt::onnx_import

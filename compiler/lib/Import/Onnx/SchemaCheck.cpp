//===- SchemaCheck.cpp - node arity against ONNX's operator schemas -------===//
#include "SchemaCheck.h"

#include "onnx/defs/schema.h"

namespace openopt::onnx_import {

std::optional<std::string> checkArity(const onnx::NodeProto &node, int64_t version) {
  const std::string &domain = node.domain() == "ai.onnx" ? std::string() : node.domain();
  const auto &ranges = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto range = ranges.find(domain);
  if (range == ranges.end() || version < 1)
    return std::nullopt;
  // Opsets newer than the installed schemas may add inputs (optional ones,
  // so far): for them the newest schema known gives the required inputs
  // but no upper bound.
  bool newer = version > range->second.second;
  const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
      node.op_type(), (int)std::min<int64_t>(version, range->second.second), domain);
  if (!schema)
    return std::nullopt;
  int given = node.input_size();
  while (given > 0 && node.input(given - 1).empty())
    --given;
  if (given < schema->min_input() || (!newer && given > schema->max_input())) {
    std::string range = schema->min_input() == schema->max_input()
                            ? std::to_string(schema->min_input())
                            : std::to_string(schema->min_input()) + " to " +
                                  (schema->max_input() == std::numeric_limits<int>::max()
                                       ? std::string("any number of")
                                       : std::to_string(schema->max_input()));
    return "takes " + range + " inputs at opset " + std::to_string(version) + ", the node has " +
           std::to_string(given);
  }
  const auto &formal = schema->inputs();
  if (formal.empty())
    return std::nullopt;
  // Required inputs, and every input of a variadic list, must be given.
  for (int i = 0; i < given; ++i) {
    const auto &param = formal[std::min<size_t>(i, formal.size() - 1)];
    bool variadic = param.GetOption() == onnx::OpSchema::Variadic;
    if (i >= (int)formal.size() && !variadic)
      break;
    if ((param.GetOption() == onnx::OpSchema::Single || variadic) && node.input(i).empty())
      return "input " + std::to_string(i) + " ('" + param.GetName() + "') is required";
  }
  if (!newer && node.output_size() > schema->max_output())
    return "has " + std::to_string(node.output_size()) + " outputs, the op at most " +
           std::to_string(schema->max_output());
  return std::nullopt;
}

} // namespace openopt::onnx_import

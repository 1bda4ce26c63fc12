//===- SchemaCheck.h - node arity against ONNX's operator schemas -*- C++ -*-===//
#ifndef OPENOPT_LIB_IMPORT_ONNX_SCHEMACHECK_H
#define OPENOPT_LIB_IMPORT_ONNX_SCHEMACHECK_H

#include "onnx/onnx_pb.h"

#include <cstdint>
#include <optional>
#include <string>

namespace openopt::onnx_import {

/// What is wrong with the number of inputs and outputs of `node` at opset
/// `version` of its domain, by ONNX's operator schema (required inputs
/// present, counts in range); nullopt when it fits or when the schemas
/// installed do not know that op or opset, so converters can rely on the
/// inputs the schema requires.
std::optional<std::string> checkArity(const onnx::NodeProto &node, int64_t version);

} // namespace openopt::onnx_import

#endif // OPENOPT_LIB_IMPORT_ONNX_SCHEMACHECK_H

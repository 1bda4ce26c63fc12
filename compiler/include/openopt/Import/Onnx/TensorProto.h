//===- TensorProto.h - decoding ONNX TensorProto values ---------*- C++ -*-===//
#ifndef OPENOPT_IMPORT_ONNX_TENSORPROTO_H
#define OPENOPT_IMPORT_ONNX_TENSORPROTO_H

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace onnx {
class TensorProto;
} // namespace onnx

namespace openopt {

/// A tensor's contents as little-endian bytes in C order; booleans are one
/// byte each.
struct DecodedTensor {
  mlir::Type elementType;
  llvm::SmallVector<int64_t> shape;
  std::vector<char> bytes;
};

/// The MLIR element type of an ONNX TensorProto.DataType, or an error naming
/// the unsupported type.
llvm::Expected<mlir::Type> onnxElementType(mlir::MLIRContext &context,
                                           int dataType);

/// Bytes per element in DecodedTensor::bytes.
int64_t storageBytes(mlir::Type elementType);

/// Decodes raw_data, the typed repeated fields or external data (resolved
/// under `baseDir`; empty forbids external data).
llvm::Expected<DecodedTensor> decodeTensorProto(mlir::MLIRContext &context,
                                                const onnx::TensorProto &tensor,
                                                llvm::StringRef baseDir);

/// Reads a serialized TensorProto file (the model zoo's input_0.pb layout).
llvm::Expected<DecodedTensor> readTensorProtoFile(mlir::MLIRContext &context,
                                                  llvm::StringRef path);

/// A sequence or optional value file (the backend suite's input_i.pb for
/// sequence- and optional-typed values): its tensors, in order. An optional
/// holds one tensor, a sequence's tensors, or nothing when it is empty.
struct DecodedComposite {
  bool present = true;
  bool isSequence = false;
  std::vector<DecodedTensor> elements;
};

/// Reads a serialized SequenceProto (of tensors).
llvm::Expected<DecodedComposite> readSequenceProtoFile(mlir::MLIRContext &context,
                                                       llvm::StringRef path);
/// Reads a serialized OptionalProto (of a tensor or a sequence of tensors).
llvm::Expected<DecodedComposite> readOptionalProtoFile(mlir::MLIRContext &context,
                                                       llvm::StringRef path);

} // namespace openopt

#endif // OPENOPT_IMPORT_ONNX_TENSORPROTO_H

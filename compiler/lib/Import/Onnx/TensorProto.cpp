//===- TensorProto.cpp - decoding ONNX TensorProto values -----------------===//
#include "openopt/Import/Onnx/TensorProto.h"

#include "onnx/onnx_pb.h"
#include "onnx/onnx-data_pb.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>

using namespace mlir;
using llvm::createStringError;
using llvm::Expected;

namespace openopt {

Expected<Type> onnxElementType(MLIRContext &ctx, int dataType) {
  using TP = onnx::TensorProto;
  switch (dataType) {
  case TP::FLOAT: return Float32Type::get(&ctx);
  case TP::DOUBLE: return Float64Type::get(&ctx);
  case TP::FLOAT16: return Float16Type::get(&ctx);
  case TP::BFLOAT16: return BFloat16Type::get(&ctx);
  case TP::BOOL: return IntegerType::get(&ctx, 1);
  case TP::INT8: return IntegerType::get(&ctx, 8);
  case TP::INT16: return IntegerType::get(&ctx, 16);
  case TP::INT32: return IntegerType::get(&ctx, 32);
  case TP::INT64: return IntegerType::get(&ctx, 64);
  case TP::UINT8: return IntegerType::get(&ctx, 8, IntegerType::Unsigned);
  case TP::UINT16: return IntegerType::get(&ctx, 16, IntegerType::Unsigned);
  case TP::UINT32: return IntegerType::get(&ctx, 32, IntegerType::Unsigned);
  case TP::UINT64: return IntegerType::get(&ctx, 64, IntegerType::Unsigned);
  default:
    break;
  }
  std::string name = TP::DataType_IsValid(dataType)
                         ? TP::DataType_Name(TP::DataType(dataType))
                         : "unknown (" + std::to_string(dataType) + ")";
  return createStringError("element type %s is not supported", name.c_str());
}

int64_t storageBytes(Type type) {
  if (type.isInteger(1))
    return 1;
  return (type.getIntOrFloatBitWidth() + 7) / 8;
}

namespace {

// Copies a typed repeated field into little-endian storage of `bytesPer`.
template <typename Field>
void copyNarrowed(const Field &field, int64_t bytesPer, std::vector<char> &out) {
  out.resize(field.size() * bytesPer);
  for (int i = 0; i < field.size(); ++i) {
    auto v = field.Get(i);
    std::memcpy(out.data() + i * bytesPer, &v, bytesPer); // little-endian host
  }
}

Expected<std::vector<char>> readExternal(const onnx::TensorProto &tensor,
                                         llvm::StringRef baseDir,
                                         int64_t expectedBytes) {
  if (baseDir.empty())
    return createStringError("tensor '%s' uses external data, which is not "
                             "allowed for in-memory models",
                             tensor.name().c_str());
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &entry : tensor.external_data()) {
    try {
      if (entry.key() == "location")
        location = entry.value();
      else if (entry.key() == "offset")
        offset = std::stoll(entry.value());
      else if (entry.key() == "length")
        length = std::stoll(entry.value());
    } catch (const std::exception &) {
      return createStringError("tensor '%s': external_data %s is not a number",
                               tensor.name().c_str(), entry.key().c_str());
    }
  }
  if (location.empty() || llvm::sys::path::is_absolute(location) ||
      llvm::StringRef(location).contains(".."))
    return createStringError("tensor '%s': external data location '%s' must be "
                             "a relative path inside the model's folder",
                             tensor.name().c_str(), location.c_str());
  llvm::SmallString<256> path(baseDir);
  llvm::sys::path::append(path, location);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return createStringError("tensor '%s': cannot read external data file "
                             "'%s': %s",
                             tensor.name().c_str(), path.c_str(),
                             buffer.getError().message().c_str());
  int64_t size = (*buffer)->getBufferSize();
  if (length < 0)
    length = expectedBytes;
  if (offset < 0 || length != expectedBytes || offset + length > size)
    return createStringError("tensor '%s': external data range [%lld, +%lld) "
                             "does not hold the %lld bytes the tensor needs in "
                             "'%s' (%lld bytes)",
                             tensor.name().c_str(), (long long)offset,
                             (long long)length, (long long)expectedBytes,
                             path.c_str(), (long long)size);
  const char *start = (*buffer)->getBufferStart() + offset;
  return std::vector<char>(start, start + length);
}

} // namespace

Expected<DecodedTensor> decodeTensorProto(MLIRContext &ctx,
                                          const onnx::TensorProto &tensor,
                                          llvm::StringRef baseDir) {
  using TP = onnx::TensorProto;
  auto element = onnxElementType(ctx, tensor.data_type());
  if (!element)
    return createStringError("tensor '%s': %s", tensor.name().c_str(),
                             llvm::toString(element.takeError()).c_str());
  DecodedTensor result;
  result.elementType = *element;
  int64_t count = 1;
  for (int64_t d : tensor.dims()) {
    if (d < 0 || (d > 0 && count > (int64_t(1) << 40) / d))
      return createStringError("tensor '%s' has an invalid dimension %lld",
                               tensor.name().c_str(), (long long)d);
    count *= d;
    result.shape.push_back(d);
  }
  int64_t bytesPer = storageBytes(*element);
  int64_t expected = count * bytesPer;

  if (tensor.data_location() == TP::EXTERNAL) {
    auto data = readExternal(tensor, baseDir, expected);
    if (!data)
      return data.takeError();
    result.bytes = std::move(*data);
    return result;
  }
  if (tensor.has_raw_data()) {
    result.bytes.assign(tensor.raw_data().begin(), tensor.raw_data().end());
  } else {
    switch (tensor.data_type()) {
    case TP::FLOAT: copyNarrowed(tensor.float_data(), 4, result.bytes); break;
    case TP::DOUBLE: copyNarrowed(tensor.double_data(), 8, result.bytes); break;
    case TP::INT64: copyNarrowed(tensor.int64_data(), 8, result.bytes); break;
    case TP::UINT32:
    case TP::UINT64: copyNarrowed(tensor.uint64_data(), bytesPer, result.bytes); break;
    // int32_data carries every narrower type, bit patterns included for f16.
    default: copyNarrowed(tensor.int32_data(), bytesPer, result.bytes); break;
    }
  }
  if ((int64_t)result.bytes.size() != expected)
    return createStringError("tensor '%s' holds %zu bytes of data but its shape "
                             "needs %lld",
                             tensor.name().c_str(), result.bytes.size(),
                             (long long)expected);
  return result;
}

namespace {

// Parses `path` as message `proto`; `what` names its type in errors.
template <typename Proto>
llvm::Error parseProtoFile(llvm::StringRef path, Proto &proto, const char *what) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return createStringError("cannot read '%s': %s", path.str().c_str(),
                             buffer.getError().message().c_str());
  if ((*buffer)->getBufferSize() > INT32_MAX ||
      !proto.ParseFromArray((*buffer)->getBufferStart(), (int)(*buffer)->getBufferSize()))
    return createStringError("'%s' is not a serialized ONNX %s", path.str().c_str(), what);
  return llvm::Error::success();
}

std::string directoryOf(llvm::StringRef path) {
  llvm::SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  return dir.empty() ? "." : dir.str().str();
}

llvm::Error decodeSequence(MLIRContext &ctx, const onnx::SequenceProto &seq, llvm::StringRef path,
                           DecodedComposite &out) {
  if (seq.elem_type() != onnx::SequenceProto::TENSOR)
    return createStringError("'%s': only sequences of tensors are supported", path.str().c_str());
  out.isSequence = true;
  for (const auto &t : seq.tensor_values()) {
    auto decoded = decodeTensorProto(ctx, t, directoryOf(path));
    if (!decoded)
      return decoded.takeError();
    out.elements.push_back(std::move(*decoded));
  }
  return llvm::Error::success();
}

} // namespace

Expected<DecodedTensor> readTensorProtoFile(MLIRContext &ctx, llvm::StringRef path) {
  onnx::TensorProto tensor;
  if (auto err = parseProtoFile(path, tensor, "TensorProto"))
    return std::move(err);
  return decodeTensorProto(ctx, tensor, directoryOf(path));
}

Expected<DecodedComposite> readSequenceProtoFile(MLIRContext &ctx, llvm::StringRef path) {
  onnx::SequenceProto seq;
  if (auto err = parseProtoFile(path, seq, "SequenceProto"))
    return std::move(err);
  DecodedComposite out;
  if (auto err = decodeSequence(ctx, seq, path, out))
    return std::move(err);
  return out;
}

Expected<DecodedComposite> readOptionalProtoFile(MLIRContext &ctx, llvm::StringRef path) {
  onnx::OptionalProto opt;
  if (auto err = parseProtoFile(path, opt, "OptionalProto"))
    return std::move(err);
  DecodedComposite out;
  switch (opt.elem_type()) {
  case onnx::OptionalProto::UNDEFINED:
    out.present = false;
    return out;
  case onnx::OptionalProto::TENSOR: {
    if (!opt.has_tensor_value()) {
      out.present = false;
      return out;
    }
    auto decoded = decodeTensorProto(ctx, opt.tensor_value(), directoryOf(path));
    if (!decoded)
      return decoded.takeError();
    out.elements.push_back(std::move(*decoded));
    return out;
  }
  case onnx::OptionalProto::SEQUENCE:
    out.isSequence = true;
    if (!opt.has_sequence_value()) {
      out.present = false;
      return out;
    }
    if (auto err = decodeSequence(ctx, opt.sequence_value(), path, out))
      return std::move(err);
    return out;
  default:
    return createStringError("'%s': only optionals of tensors or sequences are supported",
                             path.str().c_str());
  }
}

} // namespace openopt

//===- Npy.cpp - NumPy .npy files ------------------------------------------===//
#include "openopt/Runtime/Npy.h"

#include <cctype>

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using llvm::createStringError;
using llvm::StringRef;

namespace openopt {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
// A header this long is not a tensor; refuse it before scanning it.
constexpr size_t kMaxHeader = 1 << 16;
// Refuse absurd shapes before allocating (the file must hold the data anyway).
constexpr int64_t kMaxElements = int64_t(1) << 34;

std::optional<DType> dtypeFromDescr(StringRef descr) {
  // '<' little-endian, '|' not applicable (1-byte), '=' native (little here).
  if (descr.size() < 3 || (descr[0] != '<' && descr[0] != '|' && descr[0] != '='))
    return std::nullopt;
  StringRef code = descr.drop_front();
  if (code == "f4") return DType::F32;
  if (code == "f8") return DType::F64;
  if (code == "f2") return DType::F16;
  if (code == "i8") return DType::I64;
  if (code == "i4") return DType::I32;
  if (code == "i2") return DType::I16;
  if (code == "i1") return DType::I8;
  if (code == "u1") return DType::U8;
  if (code == "u2") return DType::U16;
  if (code == "u4") return DType::U32;
  if (code == "u8") return DType::U64;
  if (code == "b1") return DType::Bool;
  return std::nullopt;
}

StringRef descrOf(DType type) {
  switch (type) {
  case DType::F32: return "<f4";
  case DType::F64: return "<f8";
  case DType::F16: return "<f2";
  case DType::I64: return "<i8";
  case DType::I32: return "<i4";
  case DType::I16: return "<i2";
  case DType::I8: return "|i1";
  case DType::U8: return "|u1";
  case DType::U16: return "<u2";
  case DType::U32: return "<u4";
  case DType::U64: return "<u8";
  case DType::Bool: return "|b1";
  case DType::BF16: return "<V2"; // numpy has no bfloat16
  }
  return "";
}

// Value of 'key': in the header's Python dict literal.
std::optional<StringRef> dictValue(StringRef header, StringRef key) {
  std::string quoted = "'" + key.str() + "'";
  size_t at = header.find(quoted);
  if (at == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(at + quoted.size()).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  return rest.ltrim();
}

} // namespace

llvm::Expected<HostTensor> parseNpy(StringRef bytes, StringRef name) {
  auto bad = [&](const llvm::Twine &why) {
    return createStringError("%s: not a valid .npy file: %s", name.str().c_str(),
                             why.str().c_str());
  };
  if (bytes.size() < 10 || !bytes.starts_with(StringRef(kMagic, 6)))
    return bad("missing the \\x93NUMPY magic");
  uint8_t major = bytes[6];
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = uint8_t(bytes[8]) | (uint8_t(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return bad("truncated header");
    headerLen = uint32_t(uint8_t(bytes[8])) | (uint32_t(uint8_t(bytes[9])) << 8) |
                (uint32_t(uint8_t(bytes[10])) << 16) | (uint32_t(uint8_t(bytes[11])) << 24);
    offset = 12;
  } else {
    return bad("unsupported format version " + llvm::Twine(int(major)));
  }
  if (headerLen > kMaxHeader || offset + headerLen > bytes.size())
    return bad("truncated or oversized header");
  StringRef header = bytes.substr(offset, headerLen);

  auto descr = dictValue(header, "descr");
  if (!descr || !descr->starts_with("'"))
    return bad("no 'descr' in the header");
  StringRef descrText = descr->drop_front().take_until([](char c) { return c == '\''; });
  auto dtype = dtypeFromDescr(descrText);
  if (!dtype)
    return bad("dtype '" + descrText + "' is not supported (f2/f4/f8, i1/i2/i4/i8, u1, b1, little-endian)");

  auto fortran = dictValue(header, "fortran_order");
  if (!fortran)
    return bad("no 'fortran_order' in the header");
  if (fortran->starts_with("True"))
    return bad("Fortran-order arrays are not supported (save with C order)");

  auto shapeText = dictValue(header, "shape");
  if (!shapeText || !shapeText->starts_with("("))
    return bad("no 'shape' tuple in the header");
  StringRef tuple = shapeText->drop_front().take_until([](char c) { return c == ')'; });
  llvm::SmallVector<int64_t> shape;
  int64_t elements = 1;
  llvm::SmallVector<StringRef> parts;
  tuple.split(parts, ',');
  for (StringRef part : parts) {
    part = part.trim();
    if (part.empty())
      continue;
    int64_t d;
    if (part.getAsInteger(10, d) || d < 0 || (d > 0 && elements > kMaxElements / d))
      return bad("invalid dimension '" + part + "'");
    elements *= d;
    shape.push_back(d);
  }
  HostTensor tensor(*dtype, shape);
  size_t dataStart = offset + headerLen;
  if (bytes.size() - dataStart < (size_t)tensor.numBytes())
    return bad("holds " + llvm::Twine(bytes.size() - dataStart) + " data bytes, the shape needs " +
               llvm::Twine(tensor.numBytes()));
  std::memcpy(tensor.data(), bytes.data() + dataStart, tensor.numBytes());
  return tensor;
}

llvm::Expected<HostTensor> readNpy(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return createStringError("cannot read '%s': %s", path.str().c_str(),
                             buffer.getError().message().c_str());
  return parseNpy((*buffer)->getBuffer(), path);
}

llvm::Error writeNpy(StringRef path, const HostTensor &tensor) {
  std::string shape = "(";
  for (int64_t d : tensor.shape())
    shape += std::to_string(d) + ", ";
  if (tensor.shape().size() > 1)
    shape.resize(shape.size() - 2);
  else if (tensor.shape().size() == 1)
    shape.resize(shape.size() - 1); // numpy writes "(3,)"
  shape += ")";
  std::string header = "{'descr': '" + descrOf(tensor.dtype()).str() +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so that the data starts 64-byte aligned; the header ends with '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return createStringError("cannot write '%s': %s", path.str().c_str(), ec.message().c_str());
  os.write("\x93NUMPY\x01\x00", 8);
  uint16_t len = header.size();
  os.write(char(len & 0xff));
  os.write(char(len >> 8));
  os << header;
  os.write(tensor.data(), tensor.numBytes());
  os.close();
  if (os.has_error())
    return createStringError("cannot write '%s': %s", path.str().c_str(),
                             os.error().message().c_str());
  return llvm::Error::success();
}

std::string tensorFileName(llvm::StringRef name) {
  std::string out;
  for (char c : name)
    out += (std::isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-') ? c : '_';
  return out.empty() ? "output" : out;
}

} // namespace openopt

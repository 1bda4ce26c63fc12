//===- HostTensor.cpp - a tensor in host memory ---------------------------===//
#include "openopt/Runtime/HostTensor.h"

#include "llvm/ADT/STLExtras.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace openopt {

int64_t dtypeSize(DType type) {
  switch (type) {
  case DType::F16: case DType::BF16: case DType::I16: case DType::U16: return 2;
  case DType::F32: case DType::I32: case DType::U32: return 4;
  case DType::F64: case DType::I64: case DType::U64: return 8;
  case DType::I8: case DType::U8: case DType::Bool: return 1;
  }
  return 1;
}

llvm::StringRef dtypeName(DType type) {
  switch (type) {
  case DType::F16: return "f16";
  case DType::BF16: return "bf16";
  case DType::F32: return "f32";
  case DType::F64: return "f64";
  case DType::I8: return "i8";
  case DType::I16: return "i16";
  case DType::I32: return "i32";
  case DType::I64: return "i64";
  case DType::U8: return "u8";
  case DType::U16: return "u16";
  case DType::U32: return "u32";
  case DType::U64: return "u64";
  case DType::Bool: return "bool";
  }
  return "?";
}

std::optional<DType> dtypeNamed(llvm::StringRef name) {
  for (DType t : {DType::F16, DType::BF16, DType::F32, DType::F64, DType::I8, DType::I16,
                  DType::I32, DType::I64, DType::U8, DType::U16, DType::U32, DType::U64,
                  DType::Bool})
    if (dtypeName(t) == name)
      return t;
  return std::nullopt;
}

void HostTensor::Free::operator()(char *p) const { std::free(p); }

HostTensor::HostTensor(DType type, llvm::ArrayRef<int64_t> shape)
    : type(type), dims(shape.begin(), shape.end()) {
  // aligned_alloc wants a size that is a multiple of the alignment.
  size_t bytes = std::max<int64_t>(numBytes(), 1);
  bytes = (bytes + 63) / 64 * 64;
  char *p = static_cast<char *>(std::aligned_alloc(64, bytes));
  if (!p)
    throw std::bad_alloc();
  std::memset(p, 0, bytes);
  storage.reset(p);
}

int64_t HostTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

std::string HostTensor::describe() const {
  std::string text = dtypeName(type).str() + "[";
  llvm::interleave(dims, [&](int64_t d) { text += std::to_string(d); },
                   [&] { text += ", "; });
  return text + "]";
}

} // namespace openopt

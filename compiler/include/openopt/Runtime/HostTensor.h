//===- HostTensor.h - a tensor in host memory -------------------*- C++ -*-===//
#ifndef OPENOPT_RUNTIME_HOSTTENSOR_H
#define OPENOPT_RUNTIME_HOSTTENSOR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace openopt {

enum class DType { F16, BF16, F32, F64, I8, I16, I32, I64, U8, U16, U32, U64, Bool };

/// Bytes per element (Bool: one byte).
int64_t dtypeSize(DType type);
/// "f32", "i64", "bool", ...
llvm::StringRef dtypeName(DType type);
/// The type dtypeName gives `name` ("f32"), if any.
std::optional<DType> dtypeNamed(llvm::StringRef name);

/// A dense C-order tensor whose storage is 64-byte aligned (what the
/// compiled code's vector loads like).
class HostTensor {
public:
  HostTensor() = default;
  HostTensor(DType type, llvm::ArrayRef<int64_t> shape);

  DType dtype() const { return type; }
  llvm::ArrayRef<int64_t> shape() const { return dims; }
  int64_t numElements() const;
  int64_t numBytes() const { return numElements() * dtypeSize(type); }
  char *data() { return storage.get(); }
  const char *data() const { return storage.get(); }
  template <typename T> T *as() { return reinterpret_cast<T *>(data()); }
  template <typename T> const T *as() const { return reinterpret_cast<const T *>(data()); }
  /// "f32[1, 3, 224, 224]".
  std::string describe() const;

private:
  struct Free {
    void operator()(char *p) const;
  };
  DType type = DType::F32;
  llvm::SmallVector<int64_t> dims;
  std::unique_ptr<char, Free> storage;
};

} // namespace openopt

#endif

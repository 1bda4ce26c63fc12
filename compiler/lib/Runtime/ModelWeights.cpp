//===- ModelWeights.cpp - a model's constant globals, for the JIT and keys -===//
#include "ModelWeights.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <algorithm>
#include <cstring>

namespace openopt {

std::string weightsFingerprint(llvm::ArrayRef<mlir::memref::GlobalOp> globals) {
  std::string text;
  llvm::raw_string_ostream os(text);
  for (mlir::memref::GlobalOp global : globals) {
    os << global.getSymName() << " " << global.getType() << " "
       << (global.getConstant() ? "constant " : "") << global.getAlignment().value_or(0) << " ";
    mlir::Attribute value = *global.getInitialValue();
    llvm::ArrayRef<char> bytes;
    if (auto resource = llvm::dyn_cast<mlir::DenseResourceElementsAttr>(value)) {
      if (mlir::AsmResourceBlob *blob = resource.getRawHandle().getBlob())
        bytes = blob->getData();
      else
        os << "missing blob " << resource.getRawHandle().getKey();
    } else if (auto dense = llvm::dyn_cast<mlir::DenseElementsAttr>(value)) {
      os << (dense.isSplat() ? "splat " : "");
      bytes = dense.getRawData();
    } else {
      os << value;
    }
    llvm::XXH128_hash_t hash = llvm::xxh3_128bits(
        llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()));
    os << bytes.size() << " " << hash.high64 << hash.low64 << "\n";
  }
  return text;
}

std::optional<WeightBuffer> weightBuffer(mlir::memref::GlobalOp global) {
  mlir::MemRefType type = global.getType();
  mlir::Type element = type.getElementType();
  if (!type.hasStaticShape() || !element.isIntOrFloat())
    return std::nullopt;
  unsigned bits = element.getIntOrFloatBitWidth();
  if (bits != 1 && bits % 8 != 0)
    return std::nullopt;
  size_t elementBytes = bits == 1 ? 1 : bits / 8;
  size_t count = size_t(type.getNumElements());
  WeightBuffer buffer;
  buffer.symbol = global.getSymName().str();
  buffer.bytes = count * elementBytes;
  size_t alignment = std::max<size_t>(global.getAlignment().value_or(64), 64);
  buffer.storage.reset(new char[buffer.bytes + alignment]);
  uintptr_t at = reinterpret_cast<uintptr_t>(buffer.storage.get());
  buffer.data = buffer.storage.get() + (alignment - at % alignment) % alignment;

  mlir::Attribute value = *global.getInitialValue();
  if (auto resource = llvm::dyn_cast<mlir::DenseResourceElementsAttr>(value)) {
    mlir::AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != buffer.bytes)
      return std::nullopt;
    std::memcpy(buffer.data, blob->getData().data(), buffer.bytes);
    return buffer;
  }
  auto dense = llvm::dyn_cast<mlir::DenseIntOrFPElementsAttr>(value);
  if (!dense)
    return std::nullopt;
  if (bits == 1) {
    size_t i = 0;
    for (bool b : dense.getValues<bool>())
      buffer.data[i++] = b ? 1 : 0;
    return buffer;
  }
  llvm::ArrayRef<char> raw = dense.getRawData();
  if (dense.isSplat()) {
    if (raw.size() != elementBytes)
      return std::nullopt;
    for (size_t i = 0; i < count; ++i)
      std::memcpy(buffer.data + i * elementBytes, raw.data(), elementBytes);
    return buffer;
  }
  if (raw.size() != buffer.bytes)
    return std::nullopt;
  std::memcpy(buffer.data, raw.data(), buffer.bytes);
  return buffer;
}

} // namespace openopt

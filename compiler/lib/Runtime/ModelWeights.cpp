//===- ModelWeights.cpp - a model's constant globals, for the JIT and keys -===//
#include "ModelWeights.h"

#include "openopt/Support/PageMemory.h"
#include "openopt/Support/ResourceBlobs.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringMap.h"
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

namespace {

/// The global's size as the compiled code reads it (one byte per i1);
/// nothing when its bytes cannot simply be copied out.
std::optional<size_t> copyableBytes(mlir::memref::GlobalOp global) {
  mlir::MemRefType type = global.getType();
  mlir::Type element = type.getElementType();
  if (!type.hasStaticShape() || !element.isIntOrFloat())
    return std::nullopt;
  unsigned bits = element.getIntOrFloatBitWidth();
  if (bits != 1 && bits % 8 != 0)
    return std::nullopt;
  size_t elementBytes = bits == 1 ? 1 : bits / 8;
  size_t bytes = size_t(type.getNumElements()) * elementBytes;
  mlir::Attribute value = *global.getInitialValue();
  if (auto resource = llvm::dyn_cast<mlir::DenseResourceElementsAttr>(value)) {
    mlir::AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != bytes)
      return std::nullopt;
    return bytes;
  }
  auto dense = llvm::dyn_cast<mlir::DenseIntOrFPElementsAttr>(value);
  if (!dense)
    return std::nullopt;
  llvm::ArrayRef<char> raw = dense.getRawData();
  if (bits != 1 && raw.size() != (dense.isSplat() ? elementBytes : bytes))
    return std::nullopt;
  return bytes;
}

/// Writes the global's bytes (copyableBytes of them) to `data`.
void copyWeight(mlir::memref::GlobalOp global, char *data, size_t bytes) {
  mlir::Attribute value = *global.getInitialValue();
  if (auto resource = llvm::dyn_cast<mlir::DenseResourceElementsAttr>(value)) {
    std::memcpy(data, resource.getRawHandle().getBlob()->getData().data(), bytes);
    return;
  }
  auto dense = llvm::cast<mlir::DenseIntOrFPElementsAttr>(value);
  if (dense.getElementType().isInteger(1)) {
    size_t i = 0;
    for (bool b : dense.getValues<bool>())
      data[i++] = b ? 1 : 0;
    return;
  }
  llvm::ArrayRef<char> raw = dense.getRawData();
  if (!dense.isSplat()) {
    std::memcpy(data, raw.data(), bytes);
    return;
  }
  for (size_t at = 0; at + raw.size() <= bytes; at += raw.size())
    std::memcpy(data + at, raw.data(), raw.size());
}

/// The name of the resource blob holding the global's bytes, if any.
std::optional<std::string> blobKey(mlir::memref::GlobalOp global) {
  if (auto resource = llvm::dyn_cast<mlir::DenseResourceElementsAttr>(*global.getInitialValue()))
    return resource.getRawHandle().getKey().str();
  return std::nullopt;
}

} // namespace

std::vector<WeightBuffer> weightBuffers(llvm::ArrayRef<mlir::memref::GlobalOp> globals,
                                        llvm::SmallVectorImpl<mlir::memref::GlobalOp> &others,
                                        bool releaseBlobs) {
  // One allocation for all (PageMemory.h): each weight at an offset aligned
  // as its global asks (at least 64).
  llvm::SmallVector<std::pair<mlir::memref::GlobalOp, size_t>> copied;
  llvm::SmallVector<size_t> offsets;
  size_t total = 0;
  for (mlir::memref::GlobalOp global : globals) {
    auto bytes = copyableBytes(global);
    if (!bytes) {
      others.push_back(global);
      continue;
    }
    size_t alignment = std::max<size_t>(global.getAlignment().value_or(64), 64);
    total = (total + alignment - 1) / alignment * alignment;
    offsets.push_back(total);
    copied.push_back({global, *bytes});
    total += *bytes;
  }
  std::vector<WeightBuffer> buffers;
  if (copied.empty())
    return buffers;
  // Two globals may view one blob (a constant and its reshape): a blob is
  // freed after the last of them is copied, and never here when a global
  // left to `others` (lowered later) views it too.
  llvm::StringMap<unsigned> blobUsers;
  if (releaseBlobs)
    for (mlir::memref::GlobalOp global : globals)
      if (auto key = blobKey(global))
        ++blobUsers[*key];
  // Mappings are 2 MiB aligned; heap blocks 64, enough unless a global asks for more.
  size_t largest = 64;
  for (auto [global, bytes] : copied)
    largest = std::max<size_t>(largest, global.getAlignment().value_or(64));
  std::shared_ptr<char> memory = allocatePages(total + largest);
  if (!memory)
    llvm::report_bad_alloc_error("out of memory for the model's weights");
  uintptr_t base = reinterpret_cast<uintptr_t>(memory.get());
  size_t shift = (largest - base % largest) % largest;
  for (auto [i, entry] : llvm::enumerate(copied)) {
    auto [global, bytes] = entry;
    WeightBuffer buffer;
    buffer.symbol = global.getSymName().str();
    buffer.bytes = bytes;
    buffer.alignment = std::max<size_t>(global.getAlignment().value_or(64), 64);
    buffer.data = memory.get() + shift + offsets[i];
    buffer.storage = memory;
    copyWeight(global, buffer.data, bytes);
    if (releaseBlobs)
      if (auto key = blobKey(global); key && --blobUsers[*key] == 0)
        releaseBlobOf(*global.getInitialValue());
    buffers.push_back(std::move(buffer));
  }
  return buffers;
}

} // namespace openopt

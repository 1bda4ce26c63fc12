//===- ConstantData.cpp - reading and making constant tensor data ---------===//
#include "openopt/Dialect/NN/ConstantData.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <atomic>
#include <cstring>

using namespace mlir;

namespace openopt::nn {

std::optional<ArrayRef<char>> rawBytes(ElementsAttr attr) {
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.isSplat() || dense.getElementType().isInteger(1))
      return std::nullopt;
    return dense.getRawData();
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    return blob->getData();
  }
  return std::nullopt;
}

std::optional<std::vector<float>> readFloats(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  if (!type.getElementType().isF32() || !type.hasStaticShape())
    return std::nullopt;
  int64_t count = type.getNumElements();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr); dense && dense.isSplat())
    return std::vector<float>(count, dense.getSplatValue<float>());
  auto bytes = rawBytes(attr);
  if (!bytes || (int64_t)bytes->size() != count * 4)
    return std::nullopt;
  std::vector<float> values(count);
  std::memcpy(values.data(), bytes->data(), count * 4);
  return values;
}

ElementsAttr makeConstant(RankedTensorType type, ArrayRef<char> bytes, StringRef nameHint) {
  if (type.getNumElements() <= 64)
    return DenseElementsAttr::getFromRawBuffer(type, bytes);
  static std::atomic<int> counter{0};
  std::string name = (nameHint + "_folded_" + llvm::Twine(counter++)).str();
  auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(std::max_align_t));
  return DenseResourceElementsAttr::get(type, name, std::move(blob));
}

ElementsAttr makeFloatConstant(RankedTensorType type, ArrayRef<float> values,
                               StringRef nameHint) {
  ArrayRef<char> bytes(reinterpret_cast<const char *>(values.data()), values.size() * 4);
  return makeConstant(type, bytes, nameHint);
}

StringRef constantNameHint(ElementsAttr attr) {
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    return resource.getRawHandle().getKey();
  return "constant";
}

} // namespace openopt::nn

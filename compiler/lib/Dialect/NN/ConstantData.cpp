//===- ConstantData.cpp - reading and making constant tensor data ---------===//
#include "openopt/Dialect/NN/ConstantData.h"

#include "openopt/Support/PageMemory.h"

#include "mlir/IR/Matchers.h"

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

ElementsAttr makeConstantWith(RankedTensorType type, size_t bytes, StringRef nameHint,
                              llvm::function_ref<void(MutableArrayRef<char>)> fill) {
  if (type.getNumElements() <= 64) {
    std::vector<char> data(bytes);
    fill(data);
    return DenseElementsAttr::getFromRawBuffer(type, data);
  }
  static std::atomic<int> counter{0};
  std::string name = (nameHint + "_folded_" + llvm::Twine(counter++)).str();
  std::shared_ptr<char> memory = allocatePages(bytes);
  if (!memory)
    llvm::report_bad_alloc_error("out of memory for a folded constant");
  fill(MutableArrayRef<char>(memory.get(), bytes));
  AsmResourceBlob blob(ArrayRef<char>(memory.get(), bytes), 64,
                       [memory](void *, size_t, size_t) mutable { memory.reset(); },
                       /*dataIsMutable=*/true);
  return DenseResourceElementsAttr::get(type, name, std::move(blob));
}

ElementsAttr makeConstant(RankedTensorType type, ArrayRef<char> bytes, StringRef nameHint) {
  return makeConstantWith(type, bytes.size(), nameHint, [&](MutableArrayRef<char> out) {
    if (!bytes.empty())
      std::memcpy(out.data(), bytes.data(), bytes.size());
  });
}

ElementsAttr makeFloatConstant(RankedTensorType type, ArrayRef<float> values,
                               StringRef nameHint) {
  ArrayRef<char> bytes(reinterpret_cast<const char *>(values.data()), values.size() * 4);
  return makeConstant(type, bytes, nameHint);
}

std::optional<ElementsAttr> transposeConstant(ElementsAttr attr, ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(attr.getType());
  if (!type.hasStaticShape() || (int64_t)perm.size() != type.getRank())
    return std::nullopt;
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  auto outType = RankedTensorType::get(shape, type.getElementType());
  if (auto dense = dyn_cast<DenseElementsAttr>(attr); dense && dense.isSplat())
    return ElementsAttr(dense.resizeSplat(outType));
  auto bytes = rawBytes(attr);
  if (!bytes || type.getElementType().isInteger(1))
    return std::nullopt;
  int64_t count = type.getNumElements(), rank = type.getRank();
  int64_t size = (type.getElementTypeBitWidth() + 7) / 8;
  if ((int64_t)bytes->size() != count * size)
    return std::nullopt;
  // Walk the result in row-major order; `from` follows in the input.
  SmallVector<int64_t> inStrides(rank, 1), index(rank, 0);
  for (int64_t i = rank - 2; i >= 0; --i)
    inStrides[i] = inStrides[i + 1] * type.getDimSize(i + 1);
  return makeConstantWith(outType, bytes->size(), constantNameHint(attr),
                          [&](MutableArrayRef<char> out) {
    int64_t from = 0;
    for (int64_t flat = 0; flat < count; ++flat) {
      std::memcpy(out.data() + flat * size, bytes->data() + from * size, size);
      for (int64_t d = rank - 1; d >= 0; --d) {
        from += inStrides[perm[d]];
        if (++index[d] < shape[d])
          break;
        from -= inStrides[perm[d]] * shape[d];
        index[d] = 0;
      }
    }
  });
}

StringRef constantNameHint(ElementsAttr attr) {
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    return resource.getRawHandle().getKey();
  return "constant";
}

std::optional<std::vector<float>> constantFloats(mlir::Value value) {
  mlir::ElementsAttr attr;
  if (!value || !mlir::matchPattern(value, mlir::m_Constant(&attr)))
    return std::nullopt;
  return readFloats(attr);
}

llvm::StringRef constantNameHint(mlir::Value value, llvm::StringRef fallback) {
  mlir::ElementsAttr attr;
  if (value && mlir::matchPattern(value, mlir::m_Constant(&attr)))
    return constantNameHint(attr);
  return fallback;
}

} // namespace openopt::nn

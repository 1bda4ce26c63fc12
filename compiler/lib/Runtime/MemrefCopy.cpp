//===- MemrefCopy.cpp - strided memref copies for compiled code -----------===//
#include "openopt/Runtime/MemrefCopy.h"

#include "llvm/ADT/SmallVector.h"

#include <cstring>

namespace openopt {
namespace {

struct View {
  char *data; // the element at index 0 (aligned pointer + offset)
  const int64_t *sizes;
  const int64_t *strides;
};

View viewOf(const UnrankedDescriptor &memref, int64_t elementBytes) {
  auto *words = static_cast<int64_t *>(memref.descriptor);
  char *aligned = reinterpret_cast<char *>(words[1]);
  return {aligned + words[2] * elementBytes, words + 3, words + 3 + memref.rank};
}

} // namespace

extern "C" void openoptMemrefCopy(int64_t elementBytes, UnrankedDescriptor *source,
                                  UnrankedDescriptor *destination) {
  int64_t rank = source->rank;
  View from = viewOf(*source, elementBytes);
  View to = viewOf(*destination, elementBytes);
  for (int64_t d = 0; d < rank; ++d)
    if (from.sizes[d] == 0)
      return;
  if (rank == 0) {
    std::memcpy(to.data, from.data, elementBytes);
    return;
  }
  // The innermost dimension is one memcpy when both sides are unit-stride
  // there; the outer indices advance like an odometer.
  int64_t inner = rank - 1;
  int64_t innerSize = from.sizes[inner];
  bool innerContiguous = from.strides[inner] == 1 && to.strides[inner] == 1;
  llvm::SmallVector<int64_t, 8> index(rank, 0);
  char *src = from.data, *dst = to.data;
  while (true) {
    if (innerContiguous) {
      std::memmove(dst, src, innerSize * elementBytes);
    } else {
      for (int64_t i = 0; i < innerSize; ++i)
        std::memmove(dst + i * to.strides[inner] * elementBytes,
                     src + i * from.strides[inner] * elementBytes, elementBytes);
    }
    int64_t d = inner - 1;
    for (; d >= 0; --d) {
      src += from.strides[d] * elementBytes;
      dst += to.strides[d] * elementBytes;
      if (++index[d] < from.sizes[d])
        break;
      src -= from.strides[d] * from.sizes[d] * elementBytes;
      dst -= to.strides[d] * to.sizes[d] * elementBytes;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

} // namespace openopt

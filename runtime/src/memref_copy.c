/*===- memref_copy.c - strided copies the compiled code calls -------------===*/
#include "code_support.h"

#include <string.h>

typedef struct view {
  char *data; /* the element at index 0 */
  const int64_t *sizes, *strides;
} view;

static view view_of(const openopt_unranked_memref *memref, int64_t element) {
  const int64_t *words = memref->descriptor;
  char *aligned = (char *)(intptr_t)words[1];
  view v = {aligned + words[2] * element, words + 3, words + 3 + memref->rank};
  return v;
}

void openopt_memref_copy(int64_t element, openopt_unranked_memref *source,
                         openopt_unranked_memref *destination) {
  int64_t rank = source->rank;
  view from = view_of(source, element), to = view_of(destination, element);
  for (int64_t d = 0; d < rank; ++d)
    if (from.sizes[d] == 0)
      return;
  if (rank == 0) {
    memcpy(to.data, from.data, (size_t)element);
    return;
  }
  /* The innermost dimension is one copy when both sides are unit-stride
   * there; the outer indices advance like an odometer. */
  int64_t inner = rank - 1, inner_size = from.sizes[inner];
  int contiguous = from.strides[inner] == 1 && to.strides[inner] == 1;
  int64_t index[OPENOPT_MAX_RANK + 48] = {0};
  if (rank > (int64_t)(sizeof(index) / sizeof(index[0])))
    openopt_runtime_fail("memrefCopy: a memref of more dimensions than the runtime handles");
  char *src = from.data, *dst = to.data;
  for (;;) {
    if (contiguous)
      memmove(dst, src, (size_t)(inner_size * element));
    else
      for (int64_t i = 0; i < inner_size; ++i)
        memmove(dst + i * to.strides[inner] * element, src + i * from.strides[inner] * element,
                (size_t)element);
    int64_t d = inner - 1;
    for (; d >= 0; --d) {
      src += from.strides[d] * element;
      dst += to.strides[d] * element;
      if (++index[d] < from.sizes[d])
        break;
      src -= from.strides[d] * from.sizes[d] * element;
      dst -= to.strides[d] * to.sizes[d] * element;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

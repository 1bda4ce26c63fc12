//===- MemrefCopy.h - strided memref copies for compiled code ---*- C++ -*-===//
//
// `memref.copy` between buffers that are not both contiguous lowers to a
// call of `memrefCopy(elementBytes, source, destination)`, with unranked
// descriptors. MLIR ships it in libmlir_c_runner_utils, which also carries
// the sparse-tensor runtime and so loads all of libMLIR and libLLVM; the JIT
// is given this one instead.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_RUNTIME_MEMREFCOPY_H
#define OPENOPT_RUNTIME_MEMREFCOPY_H

#include <cstdint>

namespace openopt {

/// An unranked memref as the lowered code passes it: the rank and a pointer
/// to the ranked descriptor {allocated, aligned, offset, sizes[rank],
/// strides[rank]} (strides in elements).
struct UnrankedDescriptor {
  int64_t rank;
  void *descriptor;
};

/// Copies every element of `source` to the same index of `destination`
/// (same rank and sizes, any strides), `elementBytes` bytes each.
extern "C" void openoptMemrefCopy(int64_t elementBytes, UnrankedDescriptor *source,
                                  UnrankedDescriptor *destination);

} // namespace openopt

#endif

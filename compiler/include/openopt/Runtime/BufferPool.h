//===- BufferPool.h - malloc and free for compiled code ---------*- C++ -*-===//
//
// A compiled model allocates the same intermediate buffers on every run.
// Given to the JIT as the code's `malloc`, `free` and `realloc`, this pool
// keeps large freed buffers and hands them out again, so that a run does not
// map fresh pages and fault them in. (glibc serves large blocks with mmap
// and unmaps them on free, unless earlier frees happened to raise its
// threshold: without the pool, a model's speed depended on what the process
// had freed before, up to 8x.)
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_RUNTIME_BUFFERPOOL_H
#define OPENOPT_RUNTIME_BUFFERPOOL_H

#include <cstddef>

namespace openopt::bufferpool {

/// Like malloc (16-byte aligned); never null for a size that fits in memory.
void *allocate(size_t bytes);
/// Like free, for pointers from allocate (or null).
void release(void *pointer);
/// Like realloc, for pointers from allocate (or null).
void *reallocate(void *pointer, size_t bytes);

/// Bytes held for reuse, and the cap (beyond it, freed buffers go back to
/// the system).
size_t cachedBytes();
void setCacheLimit(size_t bytes);

} // namespace openopt::bufferpool

#endif

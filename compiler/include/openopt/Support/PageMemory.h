//===- PageMemory.h - large buffers on whole pages -------------*- C++ -*-===//
//
// Memory for large data the compiler makes or copies (folded weights, the
// weights the JIT binds): a mapping of its own, on transparent huge pages
// where the kernel allows them, with all its pages faulted in by one call.
// Touching fresh memory page by page costs a fault per 4 KiB, and faults are
// slow in virtual machines: on this project's 2-core VMs, 26 MB of weights
// cost more to fault in than to copy.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SUPPORT_PAGEMEMORY_H
#define OPENOPT_SUPPORT_PAGEMEMORY_H

#include <cstddef>
#include <memory>

namespace openopt {

/// `bytes` of uninitialised, writable memory aligned to at least 64 bytes;
/// freed when the last copy of the pointer goes. Under 256 KiB it comes
/// from the heap; up to 2 MiB it is cut from shared 32 MiB mappings; larger
/// sizes get a mapping of their own, 2 MiB aligned. Null only if memory is
/// exhausted.
std::shared_ptr<char> allocatePages(size_t bytes);

} // namespace openopt

#endif

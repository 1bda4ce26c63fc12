//===- PerfMap.h - name JIT-compiled kernels for Linux perf -----*- C++ -*-===//
//
// Private to the runtime library. `perf report` names code it cannot map to a
// file through /tmp/perf-PID.map ("START SIZE NAME" per line, hex); writing it
// for the kernels makes a JIT-compiled model's profile readable per kernel.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_LIB_RUNTIME_PERFMAP_H
#define OPENOPT_LIB_RUNTIME_PERFMAP_H

#include "openopt/Runtime/KernelCache.h"

#include "llvm/Support/Error.h"

namespace llvm::orc {
class LLJIT;
} // namespace llvm::orc

namespace openopt {

/// Whether OPENOPT_PERF_MAP is set to a non-empty value other than 0.
bool perfMapRequested();

/// Appends the defined functions of `objects`, at the addresses `jit` gave
/// them, to /tmp/perf-<this pid>.map. Functions the JIT does not export
/// (local helpers) are left out.
llvm::Error appendPerfMap(llvm::orc::LLJIT &jit, llvm::ArrayRef<KernelCache::Object> objects);

} // namespace openopt

#endif

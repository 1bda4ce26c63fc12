//===- ModelWeights.h - a model's constant globals, for the JIT and keys -===//
//
// Private to the runtime library: what KernelCompiler does with the
// memref.globals that hold a model's weights.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_LIB_RUNTIME_MODELWEIGHTS_H
#define OPENOPT_LIB_RUNTIME_MODELWEIGHTS_H

#include "openopt/Runtime/KernelCompiler.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <optional>
#include <string>
#include <vector>

namespace openopt {

/// The globals' bytes as the compiled code reads them (row-major, one byte
/// per i1), each aligned as its global asks, all in one allocation. Globals
/// whose bytes cannot simply be copied (other attribute kinds, sub-byte
/// types) are appended to `others` instead. With `releaseBlobs`, each
/// copied global's resource blob is freed as soon as it is copied.
std::vector<WeightBuffer> weightBuffers(llvm::ArrayRef<mlir::memref::GlobalOp> globals,
                                        llvm::SmallVectorImpl<mlir::memref::GlobalOp> &others,
                                        bool releaseBlobs = false);

/// Text that identifies the globals' names, types and bytes, to be hashed
/// into a cache key. The bytes go in as xxh3 digests: SHA-256 over a large
/// model's weights would cost more than the compile the key saves.
std::string weightsFingerprint(llvm::ArrayRef<mlir::memref::GlobalOp> globals);

} // namespace openopt

#endif

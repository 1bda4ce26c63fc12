//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
#ifndef OPENOPT_RUNTIME_NPY_H
#define OPENOPT_RUNTIME_NPY_H

#include "openopt/Runtime/HostTensor.h"

#include "llvm/Support/Error.h"

namespace openopt {

/// Reads a .npy file (format 1.0-3.0, little-endian, C order). Malformed
/// headers, unsupported dtypes and short data are errors naming the file.
llvm::Expected<HostTensor> readNpy(llvm::StringRef path);
/// Parses .npy bytes held in memory; `name` is used in errors.
llvm::Expected<HostTensor> parseNpy(llvm::StringRef bytes, llvm::StringRef name);
/// A file name made from `name` (a tensor's or a model's): characters outside [A-Za-z0-9_.-]
/// become '_' ("output" when empty). `openopt run` writes DIR/<this>.npy.
std::string tensorFileName(llvm::StringRef name);
/// Writes a .npy file (format 1.0).
llvm::Error writeNpy(llvm::StringRef path, const HostTensor &tensor);

} // namespace openopt

#endif

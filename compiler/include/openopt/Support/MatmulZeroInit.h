//===- MatmulZeroInit.h - matmuls whose output starts at zero ---*- C++ -*-===//
//
// A linalg.matmul or batch_matmul marked `openopt.zero_init` has an output
// that holds zeros when it starts (the lowering gives it a zero fill), and
// its code does not read it: the register tiles start from zero. Whatever writes that
// buffer just before the matmul is then dead (openopt-elide-matmul-init), so
// a convolution's output is written once, by the matmul, instead of being
// filled, read back and written again. A bias is added after, fused with the
// activation that follows.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SUPPORT_MATMULZEROINIT_H
#define OPENOPT_SUPPORT_MATMULZEROINIT_H

#include "llvm/ADT/StringRef.h"

namespace openopt {

inline constexpr llvm::StringLiteral kZeroInitAttr = "openopt.zero_init";

} // namespace openopt

#endif

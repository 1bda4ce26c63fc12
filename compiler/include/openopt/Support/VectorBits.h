//===- VectorBits.h - the SIMD width code generation plans for -*- C++ -*-===//
#ifndef OPENOPT_SUPPORT_VECTORBITS_H
#define OPENOPT_SUPPORT_VECTORBITS_H

#include <cstdint>

namespace openopt {

/// SIMD width of the generated code: `requested` if set (256 or 512), else
/// 512 on an AVX-512 host and 256 otherwise.
int64_t resolveVectorBits(int64_t requested);

} // namespace openopt

#endif

//===- Bfloat16.h - float to bfloat16 for compiled code ---------*- C++ -*-===//
//
// Without AVX512-BF16, LLVM lowers a truncation to bf16 to a call of
// `__truncsfbf2` (from f32) or `__truncdfbf2` (from f64). Debian's libgcc 12
// has neither (MLIR's runner utilities do, at the price of loading libMLIR),
// so the JIT is given these. Both round to nearest even and keep NaNs NaN.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_RUNTIME_BFLOAT16_H
#define OPENOPT_RUNTIME_BFLOAT16_H

namespace openopt {

extern "C" __bf16 openoptTruncF32ToBF16(float value);
extern "C" __bf16 openoptTruncF64ToBF16(double value);

} // namespace openopt

#endif

//===- VectorBits.cpp - the SIMD width code generation plans for ----------===//
#include "openopt/Support/VectorBits.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"

namespace openopt {

int64_t resolveVectorBits(int64_t requested) {
  if (requested > 0)
    return requested;
  auto features = llvm::sys::getHostCPUFeatures();
  auto it = features.find("avx512f");
  return it != features.end() && it->second ? 512 : 256;
}

} // namespace openopt

//===- KernelNames.cpp - GPU kernels named after their ONNX nodes ---------===//
#include "KernelNames.h"

#include "llvm/ADT/StringExtras.h"

namespace openopt {
namespace {

std::string nameIn(mlir::Location loc) {
  if (auto named = llvm::dyn_cast<mlir::NameLoc>(loc))
    return named.getName().str();
  if (auto fused = llvm::dyn_cast<mlir::FusedLoc>(loc))
    for (mlir::Location part : fused.getLocations())
      if (std::string name = nameIn(part); !name.empty())
        return name;
  if (auto call = llvm::dyn_cast<mlir::CallSiteLoc>(loc))
    return nameIn(call.getCallee());
  return "";
}

} // namespace

void nameKernel(mlir::gpu::LaunchOp launch, mlir::Location loc) {
  std::string name = nameIn(loc);
  std::string identifier = "k_";
  for (char c : name)
    if (llvm::isAlnum(c) || identifier.back() != '_')
      identifier += llvm::isAlnum(c) ? c : '_';
  if (name.empty())
    identifier += "op";
  identifier.resize(std::min<size_t>(identifier.size(), 96));
  launch.setFunctionAttr(mlir::FlatSymbolRefAttr::get(launch.getContext(), identifier));
}

} // namespace openopt

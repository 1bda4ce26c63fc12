//===- KernelNames.cpp - GPU kernels named after their ONNX nodes ---------===//
#include "KernelNames.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/DenseSet.h"
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

mlir::gpu::LaunchOp openLaunch(mlir::OpBuilder &b, mlir::Location loc, mlir::Value gridX,
                               mlir::Value gridY, mlir::Value gridZ, mlir::Value threads) {
  mlir::Value one = mlir::arith::ConstantIndexOp::create(b, loc, 1);
  auto launch = mlir::gpu::LaunchOp::create(b, loc, gridX ? gridX : one, gridY ? gridY : one,
                                            gridZ ? gridZ : one, threads ? threads : one, one, one);
  b.setInsertionPointToEnd(&launch.getBody().front());
  b.setInsertionPoint(mlir::gpu::TerminatorOp::create(b, loc));
  return launch;
}

void nameKernel(mlir::gpu::LaunchOp launch, mlir::Location loc, KernelCost cost) {
  std::string name = nameIn(loc);
  std::string identifier = "k_";
  for (char c : name)
    if (llvm::isAlnum(c) || identifier.back() != '_')
      identifier += llvm::isAlnum(c) ? c : '_';
  if (name.empty())
    identifier += "op";
  identifier.resize(std::min<size_t>(identifier.size(), 96));
  auto module = launch->getParentOfType<mlir::ModuleOp>();
  mlir::MLIRContext *context = launch.getContext();
  llvm::SmallVector<mlir::NamedAttribute> costs;
  if (auto table = module->getAttrOfType<mlir::DictionaryAttr>(kKernelCostsAttr))
    costs.assign(table.begin(), table.end());
  auto taken = [&](llvm::StringRef candidate) {
    return llvm::any_of(costs, [&](mlir::NamedAttribute a) { return a.getName() == candidate; });
  };
  std::string unique = identifier;
  for (int n = 0; taken(unique); ++n)
    unique = identifier + "_" + std::to_string(n);
  launch.setFunctionAttr(mlir::FlatSymbolRefAttr::get(context, unique));
  mlir::Builder b(context);
  costs.push_back(b.getNamedAttr(unique, b.getI64ArrayAttr({cost.flops, cost.bytes})));
  module->setAttr(kKernelCostsAttr, b.getDictionaryAttr(costs));
}

namespace {

int64_t bytesOf(mlir::Value memref) {
  auto type = llvm::dyn_cast<mlir::MemRefType>(memref.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return -1;
  // Shared and private memory is not the device memory's traffic.
  if (auto space = llvm::dyn_cast_or_null<mlir::gpu::AddressSpaceAttr>(type.getMemorySpace());
      space && space.getValue() != mlir::gpu::AddressSpace::Global)
    return 0;
  return type.getNumElements() * int64_t((type.getElementTypeBitWidth() + 7) / 8);
}

// Float operations of one op: an FMA or mma counts its multiplies and adds.
int64_t flopsOf(mlir::Operation *op) {
  if (auto mma = llvm::dyn_cast<mlir::nvgpu::MmaSyncOp>(op)) {
    auto shape = mma.getMmaShapeAsArray();
    return 2 * shape[0] * shape[1] * shape[2] / 32; // per lane: the warp does the whole tile
  }
  // A vector op does its work for every element.
  int64_t lanes = 1;
  if (op->getNumResults() == 1)
    if (auto vector = llvm::dyn_cast<mlir::VectorType>(op->getResult(0).getType()))
      lanes = vector.getNumElements();
  if (llvm::isa<mlir::math::FmaOp>(op))
    return 2 * lanes;
  bool floating = op->getNumResults() == 1 && llvm::isa<mlir::FloatType>(
                                                  mlir::getElementTypeOrSelf(op->getResult(0)));
  if (!floating)
    return 0;
  if (llvm::isa<mlir::arith::AddFOp, mlir::arith::SubFOp, mlir::arith::MulFOp,
                mlir::arith::DivFOp, mlir::arith::MaximumFOp, mlir::arith::MinimumFOp,
                mlir::arith::MaxNumFOp, mlir::arith::MinNumFOp, mlir::arith::RemFOp,
                mlir::arith::NegFOp>(op) ||
      op->getDialect()->getNamespace() == "math")
    return lanes;
  return 0;
}

// How many times `op` runs per run of `outer` (the loops between them, each
// of static trip count; -1 when one is dynamic).
int64_t tripsBetween(mlir::Operation *op, mlir::Region &outer) {
  int64_t trips = 1;
  for (mlir::Operation *p = op->getParentOp(); p && outer.isAncestor(p->getParentRegion());
       p = p->getParentOp()) {
    if (llvm::isa<mlir::scf::WhileOp>(p))
      return -1;
    if (auto parallel = llvm::dyn_cast<mlir::scf::ParallelOp>(p)) {
      for (auto [lbv, ubv, stepv] : llvm::zip(parallel.getLowerBound(), parallel.getUpperBound(),
                                              parallel.getStep())) {
        auto lb = mlir::getConstantIntValue(lbv), ub = mlir::getConstantIntValue(ubv);
        auto step = mlir::getConstantIntValue(stepv);
        if (!lb || !ub || !step || *step <= 0)
          return -1;
        trips *= std::max<int64_t>(0, (*ub - *lb + *step - 1) / *step);
      }
      continue;
    }
    auto loop = llvm::dyn_cast<mlir::scf::ForOp>(p);
    if (!loop)
      continue;
    auto lb = mlir::getConstantIntValue(loop.getLowerBound());
    auto ub = mlir::getConstantIntValue(loop.getUpperBound());
    auto step = mlir::getConstantIntValue(loop.getStep());
    if (!lb || !ub || !step || *step <= 0)
      return -1;
    trips *= std::max<int64_t>(0, (*ub - *lb + *step - 1) / *step);
  }
  return trips;
}

} // namespace

KernelCost costOf(mlir::Region &body, int64_t iterations) {
  KernelCost cost;
  int64_t flops = 0;
  bool known = iterations >= 0;
  llvm::DenseSet<std::pair<mlir::Value, unsigned>> touched; // (buffer, 1 if written)
  body.walk([&](mlir::Operation *op) {
    if (auto load = llvm::dyn_cast<mlir::memref::LoadOp>(op))
      touched.insert({load.getMemRef(), 0u});
    else if (auto store = llvm::dyn_cast<mlir::memref::StoreOp>(op))
      touched.insert({store.getMemRef(), 1u});
    int64_t f = flopsOf(op);
    if (f == 0)
      return;
    int64_t trips = tripsBetween(op, body);
    if (trips < 0)
      known = false;
    else
      flops += f * trips;
  });
  if (known)
    cost.flops = flops * iterations;
  int64_t bytes = 0;
  for (auto [buffer, written] : touched) {
    int64_t b = bytesOf(buffer);
    if (b < 0)
      return cost;
    bytes += b;
  }
  cost.bytes = bytes;
  return cost;
}

} // namespace openopt

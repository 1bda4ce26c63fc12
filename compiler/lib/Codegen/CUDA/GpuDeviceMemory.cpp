//===- GpuDeviceMemory.cpp - the openopt-gpu-device-memory pass -----------===//
#include "openopt/Codegen/CUDA/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"

namespace openopt {
#define GEN_PASS_DEF_GPUDEVICEMEMORYPASS
#include "openopt/Codegen/CUDA/Passes.h.inc"

namespace {
using namespace mlir;

bool insideKernel(Operation *op) { return op->getParentOfType<gpu::LaunchOp>() != nullptr; }

bool isContiguous(Type type) { return cast<MemRefType>(type).getLayout().isIdentity(); }

/// "f32", "i64", ...: the suffix of the runtime function for `type`, or ""
/// where the runtime has none.
std::string elementSuffix(Type type) {
  if (type.isF16() || type.isBF16() || type.isF32() || type.isF64())
    return type.isBF16() ? "bf16" : "f" + std::to_string(type.getIntOrFloatBitWidth());
  if (auto integer = dyn_cast<IntegerType>(type)) {
    unsigned width = integer.getWidth();
    if (width == 1 || width == 8 || width == 16 || width == 32 || width == 64)
      return "i" + std::to_string(width);
  }
  return "";
}

struct GpuDeviceMemoryPass : impl::GpuDeviceMemoryPassBase<GpuDeviceMemoryPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> work;
    module.walk([&](Operation *op) {
      if (!insideKernel(op) &&
          isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp, memref::CopyOp,
              memref::GetGlobalOp>(op))
        work.push_back(op);
    });
    for (Operation *op : work)
      if (failed(rewrite(op)))
        return signalPassFailure();
  }

  LogicalResult rewrite(Operation *op) {
    OpBuilder b(op);
    Location loc = op->getLoc();
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      auto device = gpu::AllocOp::create(b, loc, alloc.getType(), /*asyncToken=*/Type(),
                                         ValueRange{}, alloc.getDynamicSizes(),
                                         alloc.getSymbolOperands());
      alloc.replaceAllUsesWith(device.getMemref());
      alloc.erase();
      return success();
    }
    if (auto alloca = dyn_cast<memref::AllocaOp>(op)) {
      // A stack buffer lives until its scope ends: freed before the
      // terminator of its block.
      auto device = gpu::AllocOp::create(b, loc, alloca.getType(), Type(), ValueRange{},
                                         alloca.getDynamicSizes(), alloca.getSymbolOperands());
      alloca.replaceAllUsesWith(device.getMemref());
      b.setInsertionPoint(alloca->getBlock()->getTerminator());
      gpu::DeallocOp::create(b, loc, Type(), ValueRange{}, device.getMemref());
      alloca.erase();
      return success();
    }
    if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
      gpu::DeallocOp::create(b, loc, Type(), ValueRange{}, dealloc.getMemref());
      dealloc.erase();
      return success();
    }
    if (auto copy = dyn_cast<memref::CopyOp>(op)) {
      if (!isContiguous(copy.getSource().getType()) || !isContiguous(copy.getTarget().getType()))
        return copy.emitError("the cuda target copies between contiguous buffers only here; a "
                              "strided copy should have become a linalg.copy "
                              "(openopt-strided-copy-to-linalg)");
      gpu::MemcpyOp::create(b, loc, Type(), ValueRange{}, copy.getTarget(), copy.getSource());
      copy.erase();
      return success();
    }
    return rewriteWeight(cast<memref::GetGlobalOp>(op));
  }

  /// %w = memref.get_global @w : memref<4x3xf32> becomes its device copy:
  ///   %flat = memref.reinterpret_cast %w to [12] : memref<?xf32>
  ///   %dev = call @openopt_cuda_constant_f32(%flat)   (C interface)
  ///   %w' = memref.reinterpret_cast %dev to [4, 3] strides [3, 1]
  LogicalResult rewriteWeight(memref::GetGlobalOp get) {
    ModuleOp module = getOperation();
    auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(get, get.getNameAttr());
    if (!global)
      return get.emitError("no memref.global named ") << get.getName();
    MemRefType type = get.getType();
    std::string suffix = elementSuffix(type.getElementType());
    if (suffix.empty())
      return get.emitError("the cuda target cannot place weights of type ")
             << type.getElementType() << " on the GPU";
    if (!type.hasStaticShape() || !type.getLayout().isIdentity())
      return get.emitError("the cuda target needs weights of static shape and identity layout, "
                           "not ")
             << type;
    std::string name = (kCudaConstantPrefix + suffix).str();
    OpBuilder b(get);
    Location loc = get.getLoc();
    auto flatType = MemRefType::get({ShapedType::kDynamic}, type.getElementType());
    auto callee = module.lookupSymbol<func::FuncOp>(name);
    if (!callee) {
      OpBuilder top = OpBuilder::atBlockBegin(module.getBody());
      callee = func::FuncOp::create(top, loc, name,
                                    top.getFunctionType({flatType}, {flatType}));
      callee.setPrivate();
      callee->setAttr("llvm.emit_c_interface", top.getUnitAttr());
    }
    b.setInsertionPointAfter(get);
    int64_t count = type.getNumElements();
    auto flatStatic = memref::ReinterpretCastOp::create(
        b, loc, MemRefType::get({count}, type.getElementType()), get.getResult(), 0,
        ArrayRef<int64_t>{count}, ArrayRef<int64_t>{1});
    Value flat = memref::CastOp::create(b, loc, flatType, flatStatic);
    Value device = func::CallOp::create(b, loc, callee, ValueRange{flat}).getResult(0);
    SmallVector<int64_t> strides(type.getRank(), 1);
    for (int64_t i = type.getRank() - 2; i >= 0; --i)
      strides[i] = strides[i + 1] * type.getDimSize(i + 1);
    Value shaped = memref::ReinterpretCastOp::create(b, loc, type, device, 0, type.getShape(),
                                                     strides);
    get.getResult().replaceAllUsesExcept(shaped, flatStatic);
    return success();
  }
};
} // namespace
} // namespace openopt

//===- OnnxImportFuzzer.cpp - libFuzzer target: the ONNX importer ---------===//
//
// Bytes are imported as an ONNX model (protobuf parsing, graph checks, every
// op converter and shape inference), exactly as `openopt import` would. A
// clean error is fine; a crash, sanitizer report or hang is a bug. The MLIR
// context is rebuilt every few thousand inputs so what it interns (types,
// attributes, resource blobs) cannot grow without bound over 10^6 runs.
//
//===----------------------------------------------------------------------===//
#include "openopt/Import/Onnx/OnnxImporter.h"
#include "openopt/InitOpenOpt.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include <cstddef>
#include <cstdint>
#include <memory>

namespace {
constexpr int kRunsPerContext = 4000;

mlir::MLIRContext &context() {
  static std::unique_ptr<mlir::MLIRContext> ctx;
  static int runs = 0;
  if (!ctx || ++runs % kRunsPerContext == 0) {
    ctx.reset();
    mlir::DialectRegistry registry;
    openopt::registerAllDialectsAndPasses(registry);
    ctx = std::make_unique<mlir::MLIRContext>(registry, mlir::MLIRContext::Threading::DISABLED);
    ctx->loadAllAvailableDialects();
    // Diagnostics become the import's error; nothing is printed.
    ctx->printOpOnDiagnostic(false);
  }
  return *ctx;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  openopt::OnnxImportOptions options;
  // Small limits keep one input fast; the importer must refuse, not crash.
  options.maxModelBytes = 1 << 20;
  auto module = openopt::importOnnxBytes(
      context(), llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.onnx", "",
      options);
  if (!module)
    llvm::consumeError(module.takeError());
  return 0;
}

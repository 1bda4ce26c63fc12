//===- ResourceBlobsTest.cpp - freeing dead weight blobs ------------------===//
#include "openopt/Support/ResourceBlobs.h"
#include "openopt/InitOpenOpt.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace openopt;

namespace {

// Two f32[2] blobs; only `used` is named by the IR.
constexpr const char *kModule = R"mlir(
func.func @f() -> tensor<2xf32> {
  %0 = arith.constant dense_resource<used> : tensor<2xf32>
  return %0 : tensor<2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      used: "0x040000000000803F00000040",
      dead: "0x040000000000404000008040"
    }
  }
#-}
)mlir";

size_t bytesOf(mlir::MLIRContext &context, llvm::StringRef name) {
  size_t bytes = 0;
  mlir::DenseResourceElementsHandle::getManagerInterface(&context).getBlobManager().getBlobMap(
      [&](const llvm::StringMap<mlir::DialectResourceBlobManager::BlobEntry> &map) {
        auto it = map.find(name);
        if (it != map.end() && it->getValue().getBlob())
          bytes = it->getValue().getBlob()->getData().size();
      });
  return bytes;
}

struct ResourceBlobs : ::testing::Test {
  ResourceBlobs() {
    mlir::DialectRegistry registry;
    registerAllDialectsAndPasses(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    module = mlir::parseSourceString<mlir::ModuleOp>(kModule, &context);
  }
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

TEST_F(ResourceBlobs, UnusedBlobsAreFreedAndUsedOnesKept) {
  ASSERT_TRUE(module);
  ASSERT_EQ(bytesOf(context, "dead"), 8u);
  releaseBlobsUnusedBy(*module);
  EXPECT_EQ(bytesOf(context, "dead"), 0u);
  EXPECT_EQ(bytesOf(context, "used"), 8u);
}

TEST_F(ResourceBlobs, ReleasingOneAttributeOrAllOfThem) {
  ASSERT_TRUE(module);
  mlir::Attribute used;
  module->walk([&](mlir::Operation *op) {
    if (auto value = op->getAttrOfType<mlir::DenseResourceElementsAttr>("value"))
      used = value;
  });
  ASSERT_TRUE(used);
  releaseBlobOf(used);
  EXPECT_EQ(bytesOf(context, "used"), 0u);
  EXPECT_EQ(bytesOf(context, "dead"), 8u);
  releaseBlobOf(mlir::Attribute()); // not a resource: nothing to do
  releaseResourceBlobs(context);
  EXPECT_EQ(bytesOf(context, "dead"), 0u);
}

} // namespace

//===- ResourceBlobs.cpp - free the bytes of dense resource constants -----===//
#include "openopt/Support/ResourceBlobs.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringSet.h"

#include <string>
#include <vector>

namespace openopt {

namespace {

mlir::DialectResourceBlobManager &blobManager(mlir::MLIRContext &context) {
  return mlir::DenseResourceElementsHandle::getManagerInterface(&context).getBlobManager();
}

std::vector<std::string> blobNames(mlir::DialectResourceBlobManager &manager) {
  std::vector<std::string> names;
  manager.getBlobMap([&](const llvm::StringMap<mlir::DialectResourceBlobManager::BlobEntry> &map) {
    for (const auto &entry : map)
      names.push_back(entry.getKey().str());
  });
  return names;
}

} // namespace

void releaseResourceBlobs(mlir::MLIRContext &context) {
  mlir::DialectResourceBlobManager &manager = blobManager(context);
  for (const std::string &name : blobNames(manager))
    manager.update(name, mlir::AsmResourceBlob());
}

void releaseBlobsUnusedBy(mlir::ModuleOp module) {
  llvm::StringSet<> used;
  module->walk([&](mlir::Operation *op) {
    op->getAttrDictionary().walk([&](mlir::DenseResourceElementsAttr resource) {
      used.insert(resource.getRawHandle().getKey());
    });
  });
  mlir::DialectResourceBlobManager &manager = blobManager(*module.getContext());
  for (const std::string &name : blobNames(manager))
    if (!used.contains(name))
      manager.update(name, mlir::AsmResourceBlob());
}

void releaseBlobOf(mlir::Attribute value) {
  if (auto resource = llvm::dyn_cast_or_null<mlir::DenseResourceElementsAttr>(value))
    if (mlir::AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      *blob = mlir::AsmResourceBlob();
}

} // namespace openopt

//===- ResourceBlobs.h - free the bytes of dense resource constants -*- C++ -*-===//
//
// A model's weights live in the builtin dialect's resource blobs, owned by
// the MLIR context, not by the IR that names them: a blob stays allocated
// after the constant that used it is folded away or the module is dropped.
// When a compile is the context's only user of its weights (`openopt run`),
// these let it free them as soon as they are dead.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SUPPORT_RESOURCEBLOBS_H
#define OPENOPT_SUPPORT_RESOURCEBLOBS_H

#include "mlir/IR/BuiltinOps.h"

namespace openopt {

/// Frees every builtin resource blob of `context`; their names stay, empty.
void releaseResourceBlobs(mlir::MLIRContext &context);

/// Frees the blobs that no attribute of `module` refers to. Only for a
/// context whose other modules (if any) need none of them.
void releaseBlobsUnusedBy(mlir::ModuleOp module);

/// Frees the blob of `value` if it is a dense resource constant.
void releaseBlobOf(mlir::Attribute value);

} // namespace openopt

#endif

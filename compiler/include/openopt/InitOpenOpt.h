//===- InitOpenOpt.h - registration of everything the tools use -*- C++ -*-===//
#ifndef OPENOPT_INITOPENOPT_H
#define OPENOPT_INITOPENOPT_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace openopt {
/// Registers the nn dialect, every upstream dialect and extension the
/// pipelines need, and all passes (ours and upstream) for textual pipelines.
void registerAllDialectsAndPasses(mlir::DialectRegistry &registry);
} // namespace openopt

#endif // OPENOPT_INITOPENOPT_H

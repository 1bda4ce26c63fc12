//===- MatmulZeroInit.h - matmuls that start from zero, in the schedule ---===//
//
// openopt-vectorize-matmul's side of openopt/Support/MatmulZeroInit.h: a
// scheduled matmul marked `openopt.zero_init` gets register tiles that start
// from zero instead of loading its output; one the schedule leaves alone
// gets back a zero fill, so its loops read zeros.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_CODEGEN_CPU_MATMULZEROINIT_H
#define OPENOPT_CODEGEN_CPU_MATMULZEROINIT_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace openopt {

/// Whether `op` is marked to start from zero.
bool hasZeroInit(mlir::Operation *op);

/// Before scheduling: a zero fill of the matmul's output, just before it and
/// marked so that the split over threads leaves it alone; the matmul loses
/// its mark. The fill keeps the semantics until finishZeroInit removes it.
mlir::linalg::FillOp guardZeroInit(mlir::linalg::LinalgOp matmul);

/// Whether `op` is a fill guardZeroInit made.
bool isZeroInitGuard(mlir::Operation *op);

/// After scheduling: the matmul of operands `a` and `b` became loops after
/// `guard`. Its register tiles' reduction loops are the ones that read `a`
/// and `b`; the loads of the output that start their accumulators become
/// zeros, or zeros on the first iteration of the loop over K tiles (the
/// enclosing loop that does not index the output) when K is split into
/// cache tiles, and the guard goes. If an accumulator starts from anything
/// else, or the output is read inside a reduction loop, the guard stays and
/// the loads read its zeros.
void finishZeroInit(mlir::linalg::FillOp guard, mlir::Value a, mlir::Value b);

/// A matmul marked to start from zero that is not scheduled: its loops read
/// the output, so it gets a zero fill before it.
void materializeZeroInit(mlir::linalg::LinalgOp matmul);

} // namespace openopt

#endif

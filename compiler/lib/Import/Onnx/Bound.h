//===- Bound.h - what an ONNX value name stands for in the nn IR -*- C++ -*-===//
//
// ONNX values are tensors, sequences of tensors or optionals. nn has only
// tensors, so the importer lowers the other two as it goes:
//   tensor              {t}
//   sequence            {values, shapes}: the elements flattened and
//                       concatenated (1-D), and their shapes ([n, rank] i64)
//   optional            {has (i1 scalar), payload parts...} with the payload
//                       a tensor or a sequence (empty placeholders when absent)
// Sequence ops become nn ops on these tensors (slices, concats, gathers with
// offsets computed at run time), so lowering and runtime need nothing new.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_LIB_IMPORT_ONNX_BOUND_H
#define OPENOPT_LIB_IMPORT_ONNX_BOUND_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

namespace openopt::onnx_import {

struct Bound {
  enum class Kind { Tensor, Sequence, Optional };
  Kind kind = Kind::Tensor;
  llvm::SmallVector<mlir::Value, 3> parts;
  /// Sequences (and optional sequences): the elements' element type and
  /// rank (-1 while unknown: an empty sequence nothing was inserted into, or
  /// an input whose type gives no element shape; then the shapes part is
  /// [?, ?], or the placeholder [0, 0] of an empty one).
  mlir::Type element;
  int64_t rank = -1;
  /// Optionals: whether the payload is a sequence.
  bool payloadIsSequence = false;

  static Bound tensor(mlir::Value v) {
    Bound b;
    b.parts = {v};
    return b;
  }
  static Bound sequence(mlir::Value values, mlir::Value shapes, mlir::Type element, int64_t rank) {
    Bound b;
    b.kind = Kind::Sequence;
    b.parts = {values, shapes};
    b.element = element;
    b.rank = rank;
    return b;
  }
  bool isTensor() const { return kind == Kind::Tensor; }
  bool isSequence() const { return kind == Kind::Sequence; }
  bool isOptional() const { return kind == Kind::Optional; }
  mlir::Value main() const { return parts.empty() ? mlir::Value() : parts.front(); }
  explicit operator bool() const { return !parts.empty() && parts.front(); }
  /// Whether `shapes` is the placeholder of an empty sequence of unknown
  /// rank (a constant [0, 0]), to be rebuilt once the rank is known.
  static bool isEmptyPlaceholder(mlir::Value shapes) {
    auto t = llvm::cast<mlir::RankedTensorType>(shapes.getType());
    return t.hasStaticShape() && t.getDimSize(0) == 0;
  }
  /// The payload of an optional, as a tensor or sequence Bound.
  Bound payload() const {
    Bound p;
    p.kind = payloadIsSequence ? Kind::Sequence : Kind::Tensor;
    p.parts.assign(parts.begin() + 1, parts.end());
    p.element = element;
    p.rank = rank;
    return p;
  }
};

} // namespace openopt::onnx_import

#endif // OPENOPT_LIB_IMPORT_ONNX_BOUND_H

//===- CompositeValues.h - sequences and optionals at the model boundary -*- C++ -*-===//
//
// The compiled code sees only tensors: a sequence input or output is two of
// them (its elements flattened and concatenated, and their shapes), an
// optional one more (whether it holds a value) before its payload's. This is
// where `run` and `profile` turn ONNX values into those tensors and back.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_DRIVER_COMPOSITEVALUES_H
#define OPENOPT_DRIVER_COMPOSITEVALUES_H

#include "openopt/Runtime/CompiledModel.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace openopt::driver {

/// One ONNX input or output: specs[first, first + count).
struct ValueGroup {
  enum class Kind { Tensor, Sequence, Optional };
  std::string name;
  Kind kind = Kind::Tensor;
  bool payloadIsSequence = false;
  size_t first = 0, count = 1;
};

/// Groups the specs of a model's inputs or outputs by the value they belong to.
std::vector<ValueGroup> groupValues(llvm::ArrayRef<TensorSpec> specs);

/// An ONNX value on the host: one tensor, a sequence's tensors, or an
/// optional's (nothing when it is empty).
struct HostValue {
  bool present = true;
  bool isSequence = false;
  std::vector<HostTensor> elements;
};

/// The tensors the compiled code takes for `value` as input `group`.
llvm::Expected<std::vector<HostTensor>> packValue(const ValueGroup &group,
                                                  llvm::ArrayRef<TensorSpec> specs,
                                                  HostValue value);

/// The value the compiled code returned as output `group` (`parts` are its
/// tensors).
llvm::Expected<HostValue> unpackValue(const ValueGroup &group, llvm::ArrayRef<HostTensor> parts);

} // namespace openopt::driver

#endif // OPENOPT_DRIVER_COMPOSITEVALUES_H

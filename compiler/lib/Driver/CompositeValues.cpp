//===- CompositeValues.cpp - sequences and optionals at the model boundary ===//
#include "openopt/Driver/CompositeValues.h"

#include <cstring>

using llvm::createStringError;

namespace openopt::driver {
namespace {

bool isSequencePart(llvm::StringRef kind) { return kind.contains("sequence."); }

int64_t product(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

// A sequence's values and shapes tensors: `rank` comes from the shapes spec.
llvm::Expected<std::vector<HostTensor>> packSequence(const std::string &name,
                                                     const TensorSpec &valuesSpec,
                                                     const TensorSpec &shapesSpec,
                                                     llvm::ArrayRef<HostTensor> elements) {
  int64_t rank = shapesSpec.shape.size() == 2 ? shapesSpec.shape[1] : -1;
  // A model that gives no element rank takes the first element's.
  if (rank < 0)
    rank = elements.empty() ? 0 : (int64_t)elements.front().shape().size();
  int64_t total = 0;
  for (auto [i, e] : llvm::enumerate(elements)) {
    if (e.dtype() != valuesSpec.dtype)
      return createStringError("input '%s': element %zu is %s, the model takes %s elements",
                               name.c_str(), i, e.describe().c_str(),
                               dtypeName(valuesSpec.dtype).str().c_str());
    if ((int64_t)e.shape().size() != rank)
      return createStringError("input '%s': element %zu is %s, the sequence's elements have rank %lld",
                               name.c_str(), i, e.describe().c_str(), (long long)rank);
    total += e.numElements();
  }
  HostTensor values(valuesSpec.dtype, {total});
  HostTensor shapes(DType::I64, {(int64_t)elements.size(), rank});
  char *at = values.data();
  for (auto [i, e] : llvm::enumerate(elements)) {
    std::memcpy(at, e.data(), e.numBytes());
    at += e.numBytes();
    for (size_t d = 0; d < e.shape().size(); ++d)
      shapes.as<int64_t>()[i * rank + d] = e.shape()[d];
  }
  std::vector<HostTensor> parts;
  parts.push_back(std::move(values));
  parts.push_back(std::move(shapes));
  return parts;
}

llvm::Expected<std::vector<HostTensor>> unpackSequence(const std::string &name,
                                                       const HostTensor &values,
                                                       const HostTensor &shapes) {
  if (shapes.dtype() != DType::I64 || shapes.shape().size() != 2 || values.shape().size() != 1)
    return createStringError("output '%s': malformed sequence (values %s, shapes %s)",
                             name.c_str(), values.describe().c_str(), shapes.describe().c_str());
  int64_t n = shapes.shape()[0], rank = shapes.shape()[1];
  std::vector<HostTensor> elements;
  int64_t offset = 0;
  int64_t elementBytes = dtypeSize(values.dtype());
  for (int64_t i = 0; i < n; ++i) {
    llvm::SmallVector<int64_t> shape(shapes.as<int64_t>() + i * rank,
                                     shapes.as<int64_t>() + (i + 1) * rank);
    int64_t count = product(shape);
    if (llvm::any_of(shape, [](int64_t d) { return d < 0; }) || offset + count > values.numElements())
      return createStringError("output '%s': element %lld's shape does not fit the values",
                               name.c_str(), (long long)i);
    HostTensor e(values.dtype(), shape);
    std::memcpy(e.data(), values.data() + offset * elementBytes, count * elementBytes);
    offset += count;
    elements.push_back(std::move(e));
  }
  return elements;
}

// An empty tensor for an absent optional: the spec's shape, its dynamic
// dims 0.
HostTensor placeholderFor(const TensorSpec &spec) {
  llvm::SmallVector<int64_t> shape;
  for (int64_t d : spec.shape)
    shape.push_back(d < 0 ? 0 : d);
  return HostTensor(spec.dtype, shape);
}

} // namespace

std::vector<ValueGroup> groupValues(llvm::ArrayRef<TensorSpec> specs) {
  std::vector<ValueGroup> groups;
  for (size_t i = 0; i < specs.size();) {
    ValueGroup g;
    g.name = specs[i].name;
    g.first = i;
    llvm::StringRef kind = specs[i].kind;
    if (kind == "optional.has") {
      g.kind = ValueGroup::Kind::Optional;
      g.payloadIsSequence = i + 1 < specs.size() && isSequencePart(specs[i + 1].kind);
      g.count = g.payloadIsSequence ? 3 : 2;
    } else if (kind == "sequence.values") {
      g.kind = ValueGroup::Kind::Sequence;
      g.count = 2;
    }
    g.count = std::min(g.count, specs.size() - i);
    i += g.count;
    groups.push_back(std::move(g));
  }
  return groups;
}

llvm::Expected<std::vector<HostTensor>> packValue(const ValueGroup &group,
                                                  llvm::ArrayRef<TensorSpec> specs,
                                                  HostValue value) {
  auto parts = specs.slice(group.first, group.count);
  switch (group.kind) {
  case ValueGroup::Kind::Tensor:
    if (value.isSequence || !value.present || value.elements.size() != 1)
      return createStringError("input '%s' is a tensor; a sequence or optional was given",
                               group.name.c_str());
    return std::move(value.elements);
  case ValueGroup::Kind::Sequence:
    if (!value.isSequence || !value.present)
      return createStringError("input '%s' is a sequence; give a SequenceProto .pb or a "
                               "directory of 0.npy, 1.npy, ...",
                               group.name.c_str());
    if (parts.size() != 2)
      return createStringError("input '%s': malformed sequence signature", group.name.c_str());
    return packSequence(group.name, parts[0], parts[1], value.elements);
  case ValueGroup::Kind::Optional: {
    if (parts.size() != group.count)
      return createStringError("input '%s': malformed optional signature", group.name.c_str());
    if (value.present && value.isSequence != group.payloadIsSequence)
      return createStringError("input '%s' is an optional %s; a %s was given", group.name.c_str(),
                               group.payloadIsSequence ? "sequence" : "tensor",
                               value.isSequence ? "sequence" : "tensor");
    HostTensor has(DType::Bool, {});
    has.data()[0] = value.present ? 1 : 0;
    std::vector<HostTensor> out;
    out.push_back(std::move(has));
    if (group.payloadIsSequence) {
      auto seq = packSequence(group.name, parts[1], parts[2],
                              value.present ? llvm::ArrayRef<HostTensor>(value.elements)
                                            : llvm::ArrayRef<HostTensor>());
      if (!seq)
        return seq.takeError();
      for (auto &t : *seq)
        out.push_back(std::move(t));
    } else if (value.present) {
      if (value.elements.size() != 1)
        return createStringError("input '%s': an optional tensor holds one tensor",
                                 group.name.c_str());
      out.push_back(std::move(value.elements[0]));
    } else {
      out.push_back(placeholderFor(parts[1]));
    }
    return out;
  }
  }
  llvm_unreachable("value kinds are covered");
}

llvm::Expected<HostValue> unpackValue(const ValueGroup &group, llvm::ArrayRef<HostTensor> parts) {
  HostValue value;
  if (parts.size() != group.count)
    return createStringError("output '%s': expected %zu tensors, got %zu", group.name.c_str(),
                             group.count, parts.size());
  switch (group.kind) {
  case ValueGroup::Kind::Tensor: {
    HostTensor copy(parts[0].dtype(), parts[0].shape());
    std::memcpy(copy.data(), parts[0].data(), parts[0].numBytes());
    value.elements.push_back(std::move(copy));
    return value;
  }
  case ValueGroup::Kind::Sequence: {
    value.isSequence = true;
    auto elements = unpackSequence(group.name, parts[0], parts[1]);
    if (!elements)
      return elements.takeError();
    value.elements = std::move(*elements);
    return value;
  }
  case ValueGroup::Kind::Optional: {
    value.isSequence = group.payloadIsSequence;
    value.present = parts[0].numElements() == 1 && parts[0].data()[0] != 0;
    if (!value.present)
      return value;
    ValueGroup payload = group;
    payload.kind = group.payloadIsSequence ? ValueGroup::Kind::Sequence : ValueGroup::Kind::Tensor;
    payload.count = group.count - 1;
    auto inner = unpackValue(payload, parts.drop_front());
    if (!inner)
      return inner.takeError();
    value.elements = std::move(inner->elements);
    return value;
  }
  }
  llvm_unreachable("value kinds are covered");
}

} // namespace openopt::driver

//===- ModelInputs.cpp - a model's inputs, outputs and latency -----------===//
#include "openopt/Driver/ModelInputs.h"

#include "openopt/Driver/CompositeValues.h"

#include "openopt/Import/Onnx/OnnxImporter.h"
#include "openopt/Import/Onnx/TensorProto.h"
#include "openopt/Runtime/Npy.h"
#include "openopt/Tools/ModelLoader.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cstring>
#include <random>

using llvm::createStringError;

namespace openopt::driver {
namespace {

llvm::Expected<HostTensor> hostTensorOf(const DecodedTensor &decoded) {
  auto dtype = dtypeOf(decoded.elementType);
  if (!dtype)
    return dtype.takeError();
  HostTensor tensor(*dtype, decoded.shape);
  std::memcpy(tensor.data(), decoded.bytes.data(), tensor.numBytes());
  return tensor;
}

llvm::Expected<HostTensor> loadTensorFile(mlir::MLIRContext &context, llvm::StringRef path) {
  if (path.ends_with(".pb")) {
    auto decoded = readTensorProtoFile(context, path);
    if (!decoded)
      return decoded.takeError();
    return hostTensorOf(*decoded);
  }
  return readNpy(path);
}

// A sequence's elements from DIR/0.npy, DIR/1.npy, ... (until one is missing).
llvm::Expected<HostValue> loadSequenceDirectory(llvm::StringRef dir) {
  HostValue value;
  value.isSequence = true;
  for (size_t i = 0;; ++i) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, std::to_string(i) + ".npy");
    if (!llvm::sys::fs::exists(path))
      return value;
    auto t = readNpy(path);
    if (!t)
      return t.takeError();
    value.elements.push_back(std::move(*t));
  }
}

llvm::Expected<HostValue> fromComposite(llvm::Expected<DecodedComposite> decoded) {
  if (!decoded)
    return decoded.takeError();
  HostValue value;
  value.present = decoded->present;
  value.isSequence = decoded->isSequence;
  for (const auto &e : decoded->elements) {
    auto t = hostTensorOf(e);
    if (!t)
      return t.takeError();
    value.elements.push_back(std::move(*t));
  }
  return value;
}

// The value in `path` for input `group`: a tensor file; for a sequence a
// SequenceProto .pb or a directory of .npy files; for an optional an
// OptionalProto .pb, `none`, or what its payload takes.
llvm::Expected<HostValue> loadValue(mlir::MLIRContext &context, const ValueGroup &group,
                                    llvm::StringRef path) {
  using Kind = ValueGroup::Kind;
  bool sequence = group.kind == Kind::Sequence ||
                  (group.kind == Kind::Optional && group.payloadIsSequence);
  if (group.kind == Kind::Optional && path == "none") {
    HostValue empty;
    empty.present = false;
    empty.isSequence = group.payloadIsSequence;
    return empty;
  }
  if (path.ends_with(".pb") && group.kind == Kind::Optional)
    return fromComposite(readOptionalProtoFile(context, path));
  if (sequence) {
    if (path.ends_with(".pb"))
      return fromComposite(readSequenceProtoFile(context, path));
    if (!llvm::sys::fs::is_directory(path))
      return createStringError("input '%s' is a sequence: give a SequenceProto .pb or a "
                               "directory of 0.npy, 1.npy, ... ('%s' is neither)",
                               group.name.c_str(), path.str().c_str());
    return loadSequenceDirectory(path);
  }
  auto tensor = loadTensorFile(context, path);
  if (!tensor)
    return tensor.takeError();
  HostValue value;
  value.elements.push_back(std::move(*tensor));
  return value;
}

HostTensor randomTensor(const TensorSpec &spec, std::mt19937 &rng) {
  HostTensor tensor(spec.dtype, spec.shape);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  if (spec.dtype == DType::F32)
    for (int64_t i = 0; i < tensor.numElements(); ++i)
      tensor.as<float>()[i] = uniform(rng);
  else if (spec.dtype == DType::F64)
    for (int64_t i = 0; i < tensor.numElements(); ++i)
      tensor.as<double>()[i] = uniform(rng);
  return tensor; // integers and bools stay zero, a valid index everywhere
}

} // namespace

llvm::Expected<std::vector<HostTensor>>
gatherInputs(mlir::MLIRContext &context, llvm::ArrayRef<TensorSpec> specs,
             const InputSources &sources) {
  std::vector<ValueGroup> groups = groupValues(specs);
  llvm::StringMap<std::string> files;
  for (const std::string &arg : sources.files) {
    auto [name, path] = llvm::StringRef(arg).split('=');
    if (path.empty()) {
      if (groups.size() != 1)
        return createStringError("--input %s: give NAME=FILE, the model has %zu inputs",
                                 arg.c_str(), groups.size());
      path = name;
      name = groups[0].name;
    }
    if (llvm::none_of(groups, [&](const ValueGroup &g) { return g.name == name; })) {
      std::string names;
      for (const auto &g : groups)
        names += (names.empty() ? "" : ", ") + g.name;
      return createStringError("--input %s: the model has no input '%s' (inputs: %s)",
                               arg.c_str(), name.str().c_str(), names.c_str());
    }
    files[name] = path.str();
  }
  for (const auto &[name, tensor] : sources.tensors)
    if (llvm::none_of(groups, [&](const ValueGroup &g) {
          return g.name == name && g.kind == ValueGroup::Kind::Tensor;
        }))
      return createStringError("the model has no tensor input '%s'", name.c_str());
  std::mt19937 rng(sources.seed);
  std::vector<HostTensor> tensors;
  for (const ValueGroup &group : groups) {
    const TensorSpec &spec = specs[group.first];
    auto given = llvm::find_if(sources.tensors, [&](const auto &t) { return t.first == group.name; });
    if (given != sources.tensors.end() && group.kind == ValueGroup::Kind::Tensor) {
      const HostTensor &from = *given->second;
      if (from.dtype() != spec.dtype)
        return createStringError("input %s: got %s", spec.describe().c_str(),
                                 from.describe().c_str());
      HostTensor copy(from.dtype(), from.shape());
      std::memcpy(copy.data(), from.data(), from.numBytes());
      tensors.push_back(std::move(copy));
      continue;
    }
    auto it = files.find(group.name);
    if (it == files.end()) {
      if (!sources.random)
        return createStringError("input %s is not given (use --input %s=FILE or "
                                 "--random-inputs)",
                                 spec.describe().c_str(), group.name.c_str());
      if (group.kind != ValueGroup::Kind::Tensor)
        return createStringError("input '%s' is a sequence or optional; --random-inputs needs "
                                 "a file for it",
                                 group.name.c_str());
      if (llvm::any_of(spec.shape, [](int64_t d) { return d < 0; }))
        return createStringError("input %s has dynamic dimensions; --random-inputs "
                                 "needs a file for it",
                                 spec.describe().c_str());
      tensors.push_back(randomTensor(spec, rng));
      continue;
    }
    auto value = loadValue(context, group, it->second);
    if (!value)
      return value.takeError();
    // numpy has no bfloat16: files carry its bit patterns as uint16.
    for (HostTensor &tensor : value->elements) {
      if (spec.dtype == DType::BF16 && tensor.dtype() == DType::U16) {
        HostTensor bits(DType::BF16, tensor.shape());
        std::memcpy(bits.data(), tensor.data(), tensor.numBytes());
        tensor = std::move(bits);
      }
    }
    auto parts = packValue(group, specs, std::move(*value));
    if (!parts)
      return parts.takeError();
    for (HostTensor &t : *parts)
      tensors.push_back(std::move(t));
  }
  return tensors;
}

llvm::Error specializeToInputs(mlir::ModuleOp module, llvm::ArrayRef<TensorSpec> specs,
                               llvm::ArrayRef<HostTensor> inputs) {
  std::vector<llvm::SmallVector<int64_t>> shapes;
  for (auto [spec, tensor] : llvm::zip(specs, inputs)) {
    if (spec.shape.size() != tensor.shape().size())
      return createStringError("input %s: expected rank %zu, got %s", spec.describe().c_str(),
                               spec.shape.size(), tensor.describe().c_str());
    shapes.emplace_back(tensor.shape());
  }
  return specializeInputShapes(module, shapes);
}

llvm::Error writeOutputs(llvm::StringRef dir, llvm::ArrayRef<TensorSpec> specs,
                         llvm::ArrayRef<HostTensor> outputs,
                         llvm::function_ref<void(const std::string &)> report) {
  if (auto ec = llvm::sys::fs::create_directories(dir))
    return createStringError("cannot create '%s': %s", dir.str().c_str(),
                             ec.message().c_str());
  auto write = [&](llvm::StringRef path, const HostTensor &tensor) -> llvm::Error {
    if (auto err = writeNpy(path, tensor))
      return err;
    report(("wrote " + path + " (" + tensor.describe() + ")").str());
    return llvm::Error::success();
  };
  for (const ValueGroup &group : groupValues(specs)) {
    if (group.first + group.count > outputs.size())
      return createStringError("output '%s' is missing", group.name.c_str());
    auto value = unpackValue(group, outputs.slice(group.first, group.count));
    if (!value)
      return value.takeError();
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, tensorFileName(group.name));
    if (!value->present) {
      report("output '" + group.name + "' is an empty optional (nothing written)");
      continue;
    }
    if (!value->isSequence) {
      if (auto err = write((path + ".npy").str(), value->elements[0]))
        return err;
      continue;
    }
    // A sequence: DIR/<name>/0.npy, 1.npy, ...
    if (auto ec = llvm::sys::fs::create_directories(path))
      return createStringError("cannot create '%s': %s", path.c_str(), ec.message().c_str());
    report("output '" + group.name + "' is a sequence of " +
           std::to_string(value->elements.size()) + " tensors in " + path.str().str() + "/");
    for (auto [i, tensor] : llvm::enumerate(value->elements)) {
      llvm::SmallString<256> file(path);
      llvm::sys::path::append(file, std::to_string(i) + ".npy");
      if (auto err = write(file, tensor))
        return err;
    }
  }
  return llvm::Error::success();
}

Latency summarize(std::vector<double> timesMs) {
  if (timesMs.empty())
    return {};
  std::sort(timesMs.begin(), timesMs.end());
  auto at = [&](double q) {
    return timesMs[std::min(timesMs.size() - 1, size_t(q * timesMs.size()))];
  };
  return {at(0.5), timesMs.front(), at(0.95)};
}

namespace {

// The sizes of the tensors given as --input NAME=FILE (others are skipped)
// or in memory.
llvm::StringMap<llvm::SmallVector<int64_t>> givenInputShapes(mlir::MLIRContext &context,
                                                             const InputSources &sources) {
  llvm::StringMap<llvm::SmallVector<int64_t>> shapes;
  for (const std::string &arg : sources.files) {
    auto [name, path] = llvm::StringRef(arg).split('=');
    if (path.empty() || llvm::sys::fs::is_directory(path))
      continue;
    auto tensor = loadTensorFile(context, path);
    if (!tensor) {
      llvm::consumeError(tensor.takeError());
      continue;
    }
    shapes[name] = llvm::SmallVector<int64_t>(tensor->shape());
  }
  for (const auto &[name, tensor] : sources.tensors)
    shapes[name] = llvm::SmallVector<int64_t>(tensor->shape());
  return shapes;
}

} // namespace

llvm::Expected<ModelWithInputs> loadModelWithInputs(mlir::MLIRContext &context,
                                                    llvm::StringRef path,
                                                    const InputSources &sources,
                                                    bool specialize) {
  bool onnx = path.ends_with(".onnx");
  OnnxImportOptions sized;
  if (onnx)
    sized.inputShapes = givenInputShapes(context, sources);
  // Specialising an ONNX model starts at the import, where shape tests in
  // the graph (If on a dimension) then fold.
  auto module = specialize && onnx && !sized.inputShapes.empty()
                    ? importOnnxFile(context, path, sized)
                    : loadModel(context, path);
  std::vector<std::string> notes;
  if (!module && onnx && !specialize && !sized.inputShapes.empty()) {
    // Some models import only for known sizes (If branches of different
    // ranks chosen by a dimension); then compile for the given ones.
    std::string why = llvm::toString(module.takeError());
    auto retry = importOnnxFile(context, path, sized);
    if (!retry) {
      llvm::consumeError(retry.takeError());
      return createStringError("%s", why.c_str());
    }
    notes.push_back("compiled for the given input sizes only: " +
                    llvm::StringRef(why).split('\n').first.str());
    module = std::move(retry);
  }
  if (!module)
    return module.takeError();
  auto specs = entryInputSpecs(**module);
  if (!specs)
    return specs.takeError();
  auto inputs = gatherInputs(context, *specs, sources);
  if (!inputs)
    return inputs.takeError();
  // Dynamic dimensions take the sizes of the given inputs when the recipe
  // asks for it; otherwise they stay dynamic in the compiled code.
  if (specialize)
    if (auto err = specializeToInputs(**module, *specs, *inputs))
      return std::move(err);
  return ModelWithInputs{std::move(*module), std::move(*specs), std::move(*inputs),
                         std::move(notes)};
}

} // namespace openopt::driver

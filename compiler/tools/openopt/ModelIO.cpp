//===- ModelIO.cpp - inputs, outputs and latency for run and profile ------===//
#include "ModelIO.h"

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

namespace openopt::cli {
namespace {

llvm::Expected<HostTensor> loadTensorFile(mlir::MLIRContext &context, llvm::StringRef path) {
  if (path.ends_with(".pb")) {
    auto decoded = readTensorProtoFile(context, path);
    if (!decoded)
      return decoded.takeError();
    auto dtype = dtypeOf(decoded->elementType);
    if (!dtype)
      return dtype.takeError();
    HostTensor tensor(*dtype, decoded->shape);
    std::memcpy(tensor.data(), decoded->bytes.data(), tensor.numBytes());
    return tensor;
  }
  return readNpy(path);
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
  llvm::StringMap<std::string> files;
  for (const std::string &arg : sources.files) {
    auto [name, path] = llvm::StringRef(arg).split('=');
    if (path.empty()) {
      if (specs.size() != 1)
        return createStringError("--input %s: give NAME=FILE, the model has %zu inputs",
                                 arg.c_str(), specs.size());
      path = name;
      name = specs[0].name;
    }
    if (llvm::none_of(specs, [&](const TensorSpec &s) { return s.name == name; })) {
      std::string names;
      for (const auto &s : specs)
        names += (names.empty() ? "" : ", ") + s.name;
      return createStringError("--input %s: the model has no input '%s' (inputs: %s)",
                               arg.c_str(), name.str().c_str(), names.c_str());
    }
    files[name] = path.str();
  }
  std::mt19937 rng(sources.seed);
  std::vector<HostTensor> tensors;
  for (const auto &spec : specs) {
    auto it = files.find(spec.name);
    if (it == files.end()) {
      if (!sources.random)
        return createStringError("input %s is not given (use --input %s=FILE or "
                                 "--random-inputs)",
                                 spec.describe().c_str(), spec.name.c_str());
      if (llvm::any_of(spec.shape, [](int64_t d) { return d < 0; }))
        return createStringError("input %s has dynamic dimensions; --random-inputs "
                                 "needs a file for it",
                                 spec.describe().c_str());
      tensors.push_back(randomTensor(spec, rng));
      continue;
    }
    auto tensor = loadTensorFile(context, it->second);
    if (!tensor)
      return tensor.takeError();
    // numpy has no bfloat16: files carry its bit patterns as uint16.
    if (spec.dtype == DType::BF16 && tensor->dtype() == DType::U16) {
      HostTensor bits(DType::BF16, tensor->shape());
      std::memcpy(bits.data(), tensor->data(), tensor->numBytes());
      *tensor = std::move(bits);
    }
    tensors.push_back(std::move(*tensor));
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
                         llvm::ArrayRef<HostTensor> outputs) {
  if (auto ec = llvm::sys::fs::create_directories(dir))
    return createStringError("cannot create '%s': %s", dir.str().c_str(),
                             ec.message().c_str());
  for (auto [spec, tensor] : llvm::zip(specs, outputs)) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, tensorFileName(spec.name) + ".npy");
    if (auto err = writeNpy(path, tensor))
      return err;
    llvm::outs() << "wrote " << path << " (" << tensor.describe() << ")\n";
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

llvm::Expected<ModelWithInputs> loadModelWithInputs(mlir::MLIRContext &context,
                                                    llvm::StringRef path,
                                                    const InputSources &sources,
                                                    bool specialize) {
  auto module = loadModel(context, path);
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
  return ModelWithInputs{std::move(*module), std::move(*specs), std::move(*inputs)};
}

} // namespace openopt::cli

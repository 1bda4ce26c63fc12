//===- ModelLibrary.h - a compiled model as a shared library ----*- C++ -*-===//
//
// `openopt compile --emit shared-lib`: the model's objects, its metadata (what
// the runtime reads: names, dtypes and shapes of its inputs and outputs) and
// the runtime itself (runtime/, built without LLVM or MLIR) linked into
// libNAME.so, beside NAME.h for C and C++ programs. The library needs only
// libc, libm and, for more than one thread, the OpenMP runtime.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_RUNTIME_MODELLIBRARY_H
#define OPENOPT_RUNTIME_MODELLIBRARY_H

#include "openopt/Codegen/CPU/CpuPipeline.h"
#include "openopt/Runtime/CompiledModel.h"
#include "openopt/Runtime/KernelCompiler.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace openopt {

struct ModelLibraryInfo {
  /// A C identifier: libNAME.so, NAME.h, NAME_open().
  std::string name;
  /// The model's own name (the file it came from).
  std::string modelName;
  std::vector<TensorSpec> inputs, outputs;
  /// Outputs come back allocated by the code (CpuPipelineOptions::returnOutputs).
  bool returnsOutputs = false;
  int threads = 1;
  /// "x86_64 avx512", "aarch64 neon", "cuda sm_90" ...
  std::string target;
  /// The kernels are for an NVIDIA GPU (the host code for `triple`).
  bool cuda = false;
  /// The triple compiled for ("" for this machine).
  std::string triple;
  /// The weights go to a file beside the library (NAME.weights), mapped
  /// when the model is opened, instead of inside it.
  bool weightsFile = false;
};

/// What a library compiled with `options` runs on, as its metadata says:
/// "x86_64 avx2", "x86_64 avx512", "aarch64 neon", or for the cuda target
/// "cuda sm_90 x86_64 avx2" (the kernels', then the host code's).
std::string libraryTarget(const CpuPipelineOptions &options);

/// The runtime's dtype (openopt_dtype of openopt/runtime.h) of `type`.
int runtimeDType(DType type);

/// `name` made a C identifier ("resnet-18" -> "resnet_18", "3d" -> "m_3d").
std::string libraryIdentifier(llvm::StringRef name);

/// The metadata bytes the runtime reads (openopt/model_format.h), or an error
/// naming a tensor the runtime cannot describe (rank above its maximum).
llvm::Expected<std::string> modelMetadata(const ModelLibraryInfo &info);

/// NAME.h: the runtime's API and the model's names, dtypes and shapes.
std::string modelLibraryHeader(const ModelLibraryInfo &info);

/// The compiler's version as the library records it ("openopt 0.1.0 (LLVM 22.1.8)").
std::string compilerVersion();

/// Links `code` (compiled with ObjectCodeOptions::packedEntry = `entry`) with
/// the metadata and the runtime into `libraryPath`. The weights the code has
/// as WeightBuffers (ObjectCodeOptions::weightsInMemory, for
/// info.weightsFile) are written to `weightsPath` and mapped from there;
/// weights in its objects are linked in.
llvm::Error linkModelLibrary(const ObjectCode &code, llvm::StringRef entry,
                             const ModelLibraryInfo &info, llvm::StringRef libraryPath,
                             llvm::StringRef weightsPath = "");

} // namespace openopt

#endif // OPENOPT_RUNTIME_MODELLIBRARY_H

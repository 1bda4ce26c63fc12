//===- ModelLibrary.cpp - a compiled model as a shared library ------------===//
#include "openopt/Runtime/ModelLibrary.h"

#include "openopt/Runtime/NativeCode.h"
#include "openopt/Support/VectorBits.h"
#include "openopt/model_format.h"
#include "openopt/runtime.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <cstdio>
#include <cstring>

using llvm::createStringError;

namespace openopt {
namespace {

// runtime/include/openopt/runtime.h as text (generated at configure time),
// so that NAME.h stands alone.
constexpr const char *kRuntimeHeader =
#include "RuntimeHeaderText.inc"
    ;

} // namespace

int runtimeDType(DType type) {
  switch (type) {
  case DType::F16: return OPENOPT_F16;
  case DType::BF16: return OPENOPT_BF16;
  case DType::F32: return OPENOPT_F32;
  case DType::F64: return OPENOPT_F64;
  case DType::I8: return OPENOPT_I8;
  case DType::I16: return OPENOPT_I16;
  case DType::I32: return OPENOPT_I32;
  case DType::I64: return OPENOPT_I64;
  case DType::U8: return OPENOPT_U8;
  case DType::U16: return OPENOPT_U16;
  case DType::U32: return OPENOPT_U32;
  case DType::U64: return OPENOPT_U64;
  case DType::Bool: return OPENOPT_BOOL;
  }
  return OPENOPT_F32;
}

namespace {

const char *runtimeDTypeName(DType type) {
  switch (type) {
  case DType::F16: return "OPENOPT_F16";
  case DType::BF16: return "OPENOPT_BF16";
  case DType::F32: return "OPENOPT_F32";
  case DType::F64: return "OPENOPT_F64";
  case DType::I8: return "OPENOPT_I8";
  case DType::I16: return "OPENOPT_I16";
  case DType::I32: return "OPENOPT_I32";
  case DType::I64: return "OPENOPT_I64";
  case DType::U8: return "OPENOPT_U8";
  case DType::U16: return "OPENOPT_U16";
  case DType::U32: return "OPENOPT_U32";
  case DType::U64: return "OPENOPT_U64";
  case DType::Bool: return "OPENOPT_BOOL";
  }
  return "OPENOPT_F32";
}

class MetadataWriter {
public:
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i)
      bytes.push_back(char((v >> (8 * i)) & 0xff));
  }
  void i64(int64_t v) {
    u32(uint32_t(uint64_t(v) & 0xffffffffu));
    u32(uint32_t(uint64_t(v) >> 32));
  }
  void str(llvm::StringRef s) {
    u32(uint32_t(s.size()));
    bytes += s.str();
  }
  std::string bytes;
};

llvm::Error writeTensors(MetadataWriter &w, const std::vector<TensorSpec> &specs,
                         const char *what) {
  w.u32(uint32_t(specs.size()));
  for (const TensorSpec &spec : specs) {
    if (spec.shape.size() > OPENOPT_MAX_RANK)
      return createStringError("%s %s has rank %zu; the runtime takes at most %d dimensions",
                               what, spec.describe().c_str(), spec.shape.size(),
                               OPENOPT_MAX_RANK);
    w.str(spec.name);
    w.u32(uint32_t(runtimeDType(spec.dtype)));
    w.u32(uint32_t(spec.shape.size()));
    for (int64_t d : spec.shape)
      w.i64(mlir::ShapedType::isDynamic(d) ? -1 : d);
    for (size_t d = 0; d < spec.shape.size(); ++d) {
      std::string name = d < spec.dimNames.size() ? spec.dimNames[d] : "";
      w.str(mlir::ShapedType::isDynamic(spec.shape[d]) && name != "?" ? name : "");
    }
    w.str(spec.kind);
  }
  return llvm::Error::success();
}

// A C string literal of `text`.
std::string quoted(llvm::StringRef text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (llvm::isPrint(c))
      out += c;
    else {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\%03o", unsigned((unsigned char)c));
      out += escaped;
    }
  }
  return out + "\"";
}

// A comment-safe description.
std::string commentSafe(std::string text) {
  for (size_t at; (at = text.find("*/")) != std::string::npos;)
    text.replace(at, 2, "* /");
  return text;
}

void writeTensorMacros(llvm::raw_ostream &os, llvm::StringRef prefix,
                       const std::vector<TensorSpec> &specs, const char *what) {
  for (auto [i, spec] : llvm::enumerate(specs)) {
    std::string macro = llvm::formatv("{0}_{1}_{2}", prefix, what, i).str();
    os << "\n/* " << llvm::StringRef(what).lower() << " " << i << ": "
       << commentSafe(spec.describe()) << " */\n";
    os << "#define " << macro << "_NAME " << quoted(spec.name) << "\n";
    os << "#define " << macro << "_DTYPE " << runtimeDTypeName(spec.dtype) << "\n";
    os << "#define " << macro << "_RANK " << spec.shape.size() << "\n";
    os << "#define " << macro << "_SHAPE {";
    for (auto [d, dim] : llvm::enumerate(spec.shape))
      os << (d ? ", " : "") << (mlir::ShapedType::isDynamic(dim) ? -1 : dim);
    os << "}\n";
  }
}

} // namespace

std::string libraryTarget(const CpuPipelineOptions &options) {
  std::string host = !options.targetTriple.empty()                   ? "aarch64 neon"
                     : resolveVectorBits(options.vectorBits) >= 512 ? "x86_64 avx512"
                                                                    : "x86_64 avx2";
  return options.cudaArch.empty() ? host : "cuda " + options.cudaArch + " " + host;
}

std::string libraryIdentifier(llvm::StringRef name) {
  std::string id;
  for (char c : name)
    id += llvm::isAlnum(c) || c == '_' ? c : '_';
  if (id.empty() || llvm::isDigit(id[0]))
    id = "m_" + id;
  return id;
}

std::string compilerVersion() {
  return "openopt " OPENOPT_VERSION_STRING " (LLVM " LLVM_VERSION_STRING ")";
}

llvm::Expected<std::string> modelMetadata(const ModelLibraryInfo &info) {
  MetadataWriter w;
  w.bytes = OPENOPT_METADATA_MAGIC;
  w.u32(OPENOPT_RUNTIME_ABI_VERSION);
  w.str(info.modelName);
  w.str(compilerVersion());
  w.str(info.target);
  w.u32(uint32_t(info.threads));
  w.u32(info.returnsOutputs ? OPENOPT_META_RETURNS_OUTPUTS : 0);
  if (auto err = writeTensors(w, info.inputs, "input"))
    return std::move(err);
  if (auto err = writeTensors(w, info.outputs, "output"))
    return std::move(err);
  return w.bytes;
}

std::string modelLibraryHeader(const ModelLibraryInfo &info) {
  std::string text;
  llvm::raw_string_ostream os(text);
  const std::string &n = info.name;
  std::string upper = llvm::StringRef(n).upper();
  os << "/* " << n << ".h: the model '" << commentSafe(info.modelName) << "' compiled by "
     << compilerVersion() << " for " << info.target << ".\n"
     << " * Generated; link with lib" << n << ".so (cc app.c -L. -l" << n
     << " -Wl,-rpath,'$ORIGIN').\n"
     << " * The runtime API below is openopt/runtime.h, included whole. */\n";
  os << kRuntimeHeader << "\n";
  os << "#ifndef OPENOPT_MODEL_" << upper << "_H\n#define OPENOPT_MODEL_" << upper << "_H\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "/* This model's library, for openopt_model_open_linked. */\n"
     << "const openopt_model_library *" << n << "_openopt_library(void);\n\n"
     << "/* Opens this model (from the library the program is linked with). */\n"
     << "static inline openopt_status " << n
     << "_open(openopt_model **model, openopt_error **error) {\n"
     << "  return openopt_model_open_linked(" << n << "_openopt_library(), model, error);\n}\n\n"
     << "#define " << upper << "_THREADS " << info.threads << "\n"
     << "#define " << upper << "_NUM_INPUTS " << info.inputs.size() << "\n"
     << "#define " << upper << "_NUM_OUTPUTS " << info.outputs.size() << "\n";
  writeTensorMacros(os, upper, info.inputs, "INPUT");
  writeTensorMacros(os, upper, info.outputs, "OUTPUT");
  os << "\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* OPENOPT_MODEL_" << upper << "_H */\n";
  return text;
}

namespace {

/// Where each weight lies in the weights file's region: offsets aligned as
/// each asks, in the order the code has them.
struct WeightsLayout {
  std::vector<uint64_t> offsets;
  uint64_t size = 0;
  uint64_t id = 0;
};

WeightsLayout layoutWeights(const std::vector<WeightBuffer> &weights) {
  WeightsLayout layout;
  for (const WeightBuffer &w : weights) {
    layout.size = (layout.size + w.alignment - 1) / w.alignment * w.alignment;
    layout.offsets.push_back(layout.size);
    layout.size += w.bytes;
  }
  // The id ties a library to its weights file: a digest of every weight.
  uint64_t id = 0x9e3779b97f4a7c15ull ^ layout.size;
  for (const WeightBuffer &w : weights)
    id = id * 0x100000001b3ull ^
         llvm::xxh3_64bits(llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(w.data), w.bytes));
  layout.id = id ? id : 1;
  return layout;
}

llvm::Error writeWeightsFile(const std::vector<WeightBuffer> &weights, const WeightsLayout &layout,
                             llvm::StringRef path) {
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return createStringError("cannot write '%s': %s", path.str().c_str(), ec.message().c_str());
  std::string header(OPENOPT_WEIGHTS_HEADER_BYTES, '\0');
  std::memcpy(header.data(), OPENOPT_WEIGHTS_MAGIC, 8);
  std::memcpy(header.data() + 8, &layout.id, 8);
  std::memcpy(header.data() + 16, &layout.size, 8);
  out << header;
  uint64_t at = 0;
  for (auto [w, offset] : llvm::zip(weights, layout.offsets)) {
    out << std::string(offset - at, '\0');
    out.write(w.data, w.bytes);
    at = offset + w.bytes;
  }
  out.close();
  if (out.has_error())
    return createStringError("cannot write '%s': %s", path.str().c_str(),
                             out.error().message().c_str());
  return llvm::Error::success();
}

} // namespace

llvm::Error linkModelLibrary(const ObjectCode &code, llvm::StringRef entry,
                             const ModelLibraryInfo &info, llvm::StringRef libraryPath,
                             llvm::StringRef weightsPath) {
  if (!code.weights.empty() && weightsPath.empty())
    return createStringError("the weights are in memory but no weights file is named");
  WeightsLayout weights = layoutWeights(code.weights);
  if (!code.weights.empty())
    if (auto err = writeWeightsFile(code.weights, weights, weightsPath))
      return err;
  auto metadata = modelMetadata(info);
  if (!metadata)
    return metadata.takeError();
  auto kind = targetKind(info.triple);
  if (!kind)
    return kind.takeError();
  auto builder = targetBuilder(info.triple);
  if (!builder)
    return builder.takeError();
  // What is linked in for the target: the runtime built for it, its libc and
  // libm (the linker scripts naming them).
  bool cross = *kind == TargetKind::AArch64Linux;
  std::string runtimeArchive = cross ? OPENOPT_MODEL_RUNTIME_ARCHIVE_AARCH64
                                     : OPENOPT_MODEL_RUNTIME_ARCHIVE;
  if (runtimeArchive.empty() || !llvm::sys::fs::exists(runtimeArchive))
    return createStringError(
        "cannot link for %s: the runtime was not built for it%s%s (install Debian's "
        "libc6-dev-arm64-cross and rebuild)",
        cross ? "aarch64-linux-gnu" : "this machine", runtimeArchive.empty() ? "" : ", no ",
        runtimeArchive.c_str());
  if (cross && info.threads > 1)
    return createStringError("cannot link for aarch64-linux-gnu with %d threads: there is no "
                             "OpenMP runtime for aarch64 here; compile it for 1 thread",
                             info.threads);

  // The metadata as an object of its own.
  llvm::LLVMContext context;
  llvm::Module module("openopt-metadata", context);
  auto hidden = [](llvm::GlobalVariable *g) {
    g->setVisibility(llvm::GlobalValue::HiddenVisibility);
  };
  auto *bytes = llvm::ConstantDataArray::getString(context, *metadata, /*AddNull=*/false);
  hidden(new llvm::GlobalVariable(module, bytes->getType(), true,
                                  llvm::GlobalValue::ExternalLinkage, bytes,
                                  OPENOPT_METADATA_SYMBOL));
  auto *i64 = llvm::Type::getInt64Ty(context);
  hidden(new llvm::GlobalVariable(module, i64, true, llvm::GlobalValue::ExternalLinkage,
                                  llvm::ConstantInt::get(i64, metadata->size()),
                                  OPENOPT_METADATA_SIZE_SYMBOL));
  auto *costs = llvm::ConstantDataArray::getString(context, code.kernelCosts, /*AddNull=*/true);
  hidden(new llvm::GlobalVariable(module, costs->getType(), true,
                                  llvm::GlobalValue::ExternalLinkage, costs,
                                  OPENOPT_KERNEL_COSTS_SYMBOL));
  auto *i32 = llvm::Type::getInt32Ty(context);
  hidden(new llvm::GlobalVariable(
      module, i32, true, llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantInt::get(i32, info.cuda ? OPENOPT_DEVICE_CUDA : OPENOPT_DEVICE_CPU),
      OPENOPT_DEVICE_SYMBOL));
  // The weights file's region (zero-filled: .bss, so the file holds none of
  // it), its size, id and name; an empty region when the weights are inside.
  uint64_t page = OPENOPT_WEIGHTS_PAGE;
  auto *region = llvm::ArrayType::get(llvm::Type::getInt8Ty(context),
                                      (std::max<uint64_t>(weights.size, 1) + page - 1) / page * page);
  auto *regionGlobal = new llvm::GlobalVariable(module, region, false,
                                                llvm::GlobalValue::ExternalLinkage,
                                                llvm::ConstantAggregateZero::get(region),
                                                OPENOPT_WEIGHTS_SYMBOL);
  hidden(regionGlobal);
  // Page aligned, so that the file maps onto it.
  regionGlobal->setAlignment(llvm::Align(OPENOPT_WEIGHTS_PAGE));
  hidden(new llvm::GlobalVariable(module, i64, true, llvm::GlobalValue::ExternalLinkage,
                                  llvm::ConstantInt::get(i64, weights.size),
                                  OPENOPT_WEIGHTS_SIZE_SYMBOL));
  hidden(new llvm::GlobalVariable(module, i64, true, llvm::GlobalValue::ExternalLinkage,
                                  llvm::ConstantInt::get(i64, weights.id),
                                  OPENOPT_WEIGHTS_ID_SYMBOL));
  auto *fileName = llvm::ConstantDataArray::getString(
      context, code.weights.empty() ? "" : llvm::sys::path::filename(weightsPath));
  hidden(new llvm::GlobalVariable(module, fileName->getType(), true,
                                  llvm::GlobalValue::ExternalLinkage, fileName,
                                  OPENOPT_WEIGHTS_FILE_SYMBOL));
  auto object = emitHostObject(module, *builder, 0);
  if (!object)
    return object.takeError();

  llvm::SmallString<128> versionScript;
  if (auto ec = llvm::sys::fs::createTemporaryFile("openopt-exports", "map", versionScript))
    return createStringError("cannot create a temporary file: %s", ec.message().c_str());
  llvm::FileRemover removeScript(versionScript);
  {
    std::error_code ec;
    llvm::raw_fd_ostream out(versionScript, ec);
    if (ec)
      return createStringError("cannot write '%s': %s", versionScript.c_str(),
                               ec.message().c_str());
    // The runtime's API and this model's library function; nothing else
    // (kernels, the runtime's internals) is seen from outside.
    out << "{\n  global:\n    openopt_runtime_*; openopt_dtype_*; openopt_status_name;\n"
        << "    openopt_error_*; openopt_model_*; openopt_session_*;\n    " << info.name
        << "_openopt_library;\n  local: *;\n};\n";
  }

  std::string soname = "lib" + info.name + ".so";
  std::vector<std::string> leading = {
      "-shared", "-o", libraryPath.str(), "-soname", soname, "--version-script",
      std::string(versionScript),
      // The library's own definitions win inside it: two models in one
      // process each call their own kernels and runtime.
      "-Bsymbolic", "-z", "defs", "-z", "now", "-z", "relro", "-z", "noexecstack",
      "--hash-style=gnu", "--eh-frame-hdr", "--build-id",
      // Every allocation in the library goes through the runtime's arenas.
      "--wrap=malloc", "--wrap=free", "--wrap=calloc", "--wrap=realloc"};
  std::vector<std::shared_ptr<const std::string>> objects(code.objects.begin(),
                                                          code.objects.end());
  objects.push_back(std::make_shared<const std::string>(std::move(*object)));
  std::vector<std::string> trailing;
  for (const auto &[alias, target] : code.slots)
    trailing.push_back("--defsym=" + alias + "=" + target);
  trailing.push_back(std::string("--defsym=") + OPENOPT_ENTRY_SYMBOL + "=_mlir_" + entry.str());
  // The names the code calls, bound to the runtime's implementation
  // (openopt/code_support.h), as the JIT binds them.
  for (const char *binding : {"memrefCopy=openopt_memref_copy", "__truncsfbf2=openopt_trunc_f32_bf16",
                              "__truncdfbf2=openopt_trunc_f64_bf16"})
    trailing.push_back(std::string("--defsym=") + binding);
  trailing.push_back("--defsym=" + info.name + "_openopt_library=" OPENOPT_LIBRARY_SYMBOL);
  // Each weight is a place in the mapped region.
  for (auto [w, offset] : llvm::zip(code.weights, weights.offsets))
    trailing.push_back("--defsym=" + w.symbol + "=" OPENOPT_WEIGHTS_SYMBOL "+" +
                       std::to_string(offset));
  trailing.insert(trailing.end(),
                  {"--whole-archive", runtimeArchive, "--no-whole-archive",
                   cross ? OPENOPT_AARCH64_LIBM_LINK : OPENOPT_LIBM_LINK,
                   cross ? OPENOPT_AARCH64_LIBC_LINK : OPENOPT_LIBC_LINK});
  if (info.threads > 1)
    trailing.push_back(OPENOPT_OPENMP_RUNTIME);
  return linkWithLLD(objects, leading, trailing, libraryPath);
}

} // namespace openopt

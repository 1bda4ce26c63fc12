//===- KernelCompiler.h - a bufferized model to object code -----*- C++ -*-===//
//
// Code generation per kernel. The model, lowered by cpuFrontPipeline to
// linalg on memrefs, is cut into kernels (openopt-outline-kernels: one
// function per top-level linalg op, weights as arguments). Each distinct
// kernel is lowered by cpuBackPipeline and compiled to an object on its own,
// or found in a KernelCache; the rest of the model (its glue: allocations,
// views, the calls, control flow, and the weights) becomes one more object.
// Kernels not in the cache compile in parallel. The glue calls kernels through
// slots bound at link time, so it is cached too: an edit of one op recompiles
// that op's kernel and nothing else.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_RUNTIME_KERNELCOMPILER_H
#define OPENOPT_RUNTIME_KERNELCOMPILER_H

#include "openopt/Codegen/CPU/CpuPipeline.h"
#include "openopt/Runtime/KernelCache.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace openopt {

/// What one compile did with its kernels.
struct KernelStats {
  unsigned calls = 0;    ///< kernel calls in the model
  unsigned distinct = 0; ///< distinct kernels among them
  unsigned compiled = 0; ///< compiled by this compile
  unsigned reused = 0;   ///< taken from the cache
  /// The model's own code (its glue) came from the cache: the same glue as a
  /// model compiled before, where only what kernels compute changed.
  bool glueReused = false;
};

/// A weight kept in memory for the JIT to bind by address, instead of
/// being compiled into an object (which costs more than the kernels when a
/// model's weights are large).
struct WeightBuffer {
  std::string symbol;
  std::shared_ptr<char> storage; ///< shared by the model's weights
  char *data = nullptr;          ///< aligned as the global asks
  size_t bytes = 0;
  size_t alignment = 64; ///< what the global asks, at least 64
};

struct ObjectCodeOptions {
  /// Also emit `_mlir_<packedEntry>`, the function with its arguments packed
  /// as `void **` (the calling convention CompiledModel::run uses).
  std::string packedEntry;
  /// Where kernels are looked up and stored; null: KernelCache::shared().
  KernelCache *cache = nullptr;
  /// Compile the model as one module, with no kernels cut out (see
  /// CpuPipelineOptions::splitKernels).
  bool wholeModule = false;
  /// Hand the weights back as WeightBuffers (for the JIT) where their
  /// bytes can be copied as they are; otherwise they are one more object
  /// (cached by content), as needed for an object file.
  bool weightsInMemory = false;
  /// Instruments the back pipeline of the model's own code (not of the
  /// kernels), e.g. for the pass record.
  std::function<std::unique_ptr<mlir::PassInstrumentation>()> instrumentation;
};

struct ObjectCode {
  /// Relocatable ELF objects for this host (position independent): the
  /// model's own code first, then one per distinct kernel.
  std::vector<KernelCache::Object> objects;
  /// With weightsInMemory: the weights the objects refer to by symbol.
  std::vector<WeightBuffer> weights;
  /// The glue calls kernel i as `openopt_slot_<i>`: each slot (first) is an
  /// alias of a kernel's symbol (second), to define when linking.
  std::vector<std::pair<std::string, std::string>> slots;
  KernelStats kernels;
  /// The cuda target: each GPU kernel's cost, a line "NAME FLOPS BYTES" each
  /// (-1: unknown), for the library (the runtime's kernel times carry it).
  std::string kernelCosts;
};

/// Compiles `module` (the output of cpuFrontPipeline; modified in place: the
/// kernels are outlined and their bodies dropped) to object code.
llvm::Expected<ObjectCode> compileObjectCode(mlir::ModuleOp module,
                                             const CpuPipelineOptions &options,
                                             const ObjectCodeOptions &objectOptions);

} // namespace openopt

#endif

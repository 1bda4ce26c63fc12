//===- ConstantData.h - reading and making constant tensor data -*- C++ -*-===//
//
// Weights arrive as dense or dense_resource attributes. Graph passes that
// compute new weights (folding BatchNormalization, transposing for a matmul)
// read them as raw bytes or floats and make new attributes: inline dense ones
// when small, resource blobs otherwise, so the IR stays readable.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_DIALECT_NN_CONSTANTDATA_H
#define OPENOPT_DIALECT_NN_CONSTANTDATA_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>
#include <vector>

namespace openopt::nn {

/// Raw little-endian bytes of a non-splat constant, one element after
/// another; nullopt for splats, i1 (bit-packed) and unloaded blobs.
std::optional<llvm::ArrayRef<char>> rawBytes(mlir::ElementsAttr attr);

/// Every element of an f32 constant (splats expanded).
std::optional<std::vector<float>> readFloats(mlir::ElementsAttr attr);

/// A constant of `type` holding `bytes`: inline dense when it has at most
/// 64 elements, else a resource blob named after `nameHint`.
mlir::ElementsAttr makeConstant(mlir::RankedTensorType type, llvm::ArrayRef<char> bytes,
                                llvm::StringRef nameHint);

/// A constant of `type` whose `bytes` bytes `fill` writes, in place: a large
/// constant is made without a second copy (PageMemory.h).
mlir::ElementsAttr makeConstantWith(mlir::RankedTensorType type, size_t bytes,
                                    llvm::StringRef nameHint,
                                    llvm::function_ref<void(llvm::MutableArrayRef<char>)> fill);

/// An f32 constant from values.
mlir::ElementsAttr makeFloatConstant(mlir::RankedTensorType type, llvm::ArrayRef<float> values,
                                     llvm::StringRef nameHint);

/// The constant transposed by `perm` (result axis i is input axis perm[i]),
/// computed at compile time; nullopt when its bytes cannot be read.
std::optional<mlir::ElementsAttr> transposeConstant(mlir::ElementsAttr attr,
                                                    llvm::ArrayRef<int64_t> perm);

/// The blob name of a resource constant, else "constant" (for naming new ones).
llvm::StringRef constantNameHint(mlir::ElementsAttr attr);

/// Every element of `value` when a constant f32 op defines it.
std::optional<std::vector<float>> constantFloats(mlir::Value value);

/// constantNameHint of the constant defining `value`, else `fallback`.
llvm::StringRef constantNameHint(mlir::Value value, llvm::StringRef fallback);

} // namespace openopt::nn

#endif

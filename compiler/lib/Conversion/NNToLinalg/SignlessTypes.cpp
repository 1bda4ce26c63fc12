//===- SignlessTypes.cpp - unsigned element types become signless ---------===//
//
// nn keeps ONNX's unsigned integer types (ui8 ... ui64) because they decide
// what Div, Less, Max, Cast or BitShift mean. The lowering reads that meaning
// off the nn types while it builds arith ops (divui, cmpi ult, uitofp, ...)
// and then, once every op of a function is built, rewrites every type and
// constant to the signless form arith and LLVM expect. The bits never change.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

namespace openopt::lowering {
namespace {

Type signless(Type type) {
  if (auto i = dyn_cast<IntegerType>(type); i && !i.isSignless())
    return IntegerType::get(type.getContext(), i.getWidth());
  if (auto shaped = dyn_cast<ShapedType>(type)) {
    Type element = signless(shaped.getElementType());
    return element == shaped.getElementType() ? type : shaped.clone(element);
  }
  if (auto fn = dyn_cast<FunctionType>(type)) {
    auto map = [](TypeRange types) {
      return llvm::map_to_vector(types, [](Type t) { return signless(t); });
    };
    return FunctionType::get(type.getContext(), map(fn.getInputs()), map(fn.getResults()));
  }
  return type;
}

Attribute signless(Attribute attr) {
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    Type element = signless(dense.getElementType());
    return element == dense.getElementType() ? attr : dense.bitcast(element);
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    auto type = cast<ShapedType>(signless(resource.getType()));
    return type == resource.getType() ? attr
                                      : DenseResourceElementsAttr::get(type, resource.getRawHandle());
  }
  if (auto integer = dyn_cast<IntegerAttr>(attr)) {
    Type type = signless(integer.getType());
    return type == integer.getType() ? attr : IntegerAttr::get(type, integer.getValue());
  }
  if (auto type = dyn_cast<TypeAttr>(attr)) {
    Type converted = signless(type.getValue());
    return converted == type.getValue() ? attr : TypeAttr::get(converted);
  }
  return attr;
}

} // namespace

void convertToSignless(func::FuncOp func) {
  func.walk([](Operation *op) {
    for (Value result : op->getResults())
      result.setType(signless(result.getType()));
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          arg.setType(signless(arg.getType()));
    bool changed = false;
    SmallVector<NamedAttribute> attrs;
    for (NamedAttribute named : op->getAttrs()) {
      Attribute converted = signless(named.getValue());
      changed |= converted != named.getValue();
      attrs.emplace_back(named.getName(), converted);
    }
    if (changed)
      op->setAttrs(attrs);
  });
  func.setType(cast<FunctionType>(signless(func.getFunctionType())));
}

} // namespace openopt::lowering

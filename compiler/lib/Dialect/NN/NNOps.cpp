//===- NNOps.cpp - nn op definitions and verifiers -------------------------===//
#include "openopt/Dialect/NN/NNDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace openopt::nn;

#define GET_OP_CLASSES
#include "openopt/Dialect/NN/NNOps.cpp.inc"

LogicalResult ClipOp::verify() {
  if (getMin() && getMax() && getMin()->convertToDouble() > getMax()->convertToDouble())
    return emitOpError("Clip: min (")
           << getMin()->convertToDouble() << ") is greater than max ("
           << getMax()->convertToDouble() << ")";
  return success();
}

LogicalResult GeluOp::verify() {
  if (getApproximate() != "none" && getApproximate() != "tanh")
    return emitOpError("Gelu: approximate must be \"none\" or \"tanh\", got \"")
           << getApproximate() << "\"";
  return success();
}

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getInput().getType().getRank();
  int64_t axis = getAxis(); // I64Attr getters return uint64_t
  if (axis < -rank || axis >= rank)
    return emitOpError("Softmax: axis ") << axis << " is out of range for rank " << rank;
  return success();
}

namespace openopt::nn {

LogicalResult FusedOp::verify() {
  if (getKind().empty())
    return emitOpError("needs a kind (\"epilogue\" or \"elementwise\")");
  Block &body = getBody().front();
  auto yield = body.empty() ? YieldOp() : dyn_cast<YieldOp>(body.back());
  if (!yield)
    return emitOpError("body must end with nn.yield");
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError("yields ") << yield.getValues().getTypes() << " but the group returns "
                                  << getResultTypes();
  return success();
}

} // namespace openopt::nn

//===- NNDialect.h - the nn dialect and its ops -----------------*- C++ -*-===//
#ifndef OPENOPT_DIALECT_NN_NNDIALECT_H
#define OPENOPT_DIALECT_NN_NNDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"

#include "openopt/Dialect/NN/NNOpsDialect.h.inc"

#define GET_OP_CLASSES
#include "openopt/Dialect/NN/NNOps.h.inc"

#endif // OPENOPT_DIALECT_NN_NNDIALECT_H

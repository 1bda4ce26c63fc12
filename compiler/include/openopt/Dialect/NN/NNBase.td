//===- NNBase.td - the nn dialect and its shared constraints -*- tablegen -*-===//
#ifndef OPENOPT_DIALECT_NN_BASE
#define OPENOPT_DIALECT_NN_BASE

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::openopt::nn";
  let summary = "Graph-level neural-network operations with ONNX semantics";
  let description = [{
    The `nn` dialect is the graph IR of OpenOptimizer. Each op mirrors an ONNX
    operator (numpy-style broadcasting, ONNX attribute names and defaults) on
    ranked tensors. Attribute forms that changed across opsets 9-17 (for
    example Clip's min/max, Squeeze's axes) are normalised by the importer, so
    one op covers every opset. Dimensions may be dynamic (`?`); shape
    inference keeps them symbolic until inputs are specialised.
  }];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 0;
}

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, traits>;

def NN_Float : AnyTypeOf<[F16, BF16, F32, F64]>;
def NN_Int : AnyTypeOf<[I8, I16, I32, I64, UI8, UI16, UI32, UI64]>;
def NN_ElementType : AnyTypeOf<[F16, BF16, F32, F64, I1, I8, I16, I32, I64, UI8, UI16, UI32, UI64]>;

def NN_Tensor : RankedTensorOf<[NN_ElementType]>;
def NN_FloatTensor : RankedTensorOf<[NN_Float]>;
def NN_BoolTensor : RankedTensorOf<[I1]>;
def NN_NumericTensor : RankedTensorOf<[NN_Float, NN_Int]>;
def NN_IndexTensor : RankedTensorOf<[I32, I64]>;
def NN_ShapeTensor : 1DTensorOf<[I64]>;

#endif // OPENOPT_DIALECT_NN_BASE

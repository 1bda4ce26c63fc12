//===- NNOps.td - operations of the nn dialect ------------*- tablegen -*-===//
//
// One op per ONNX operator. Descriptions are what the language server shows on
// hover, so they say what the op computes and how attributes behave.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_DIALECT_NN_OPS
#define OPENOPT_DIALECT_NN_OPS

include "openopt/Dialect/NN/NNBase.td"
include "mlir/Interfaces/LoopLikeInterface.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

//===----------------------------------------------------------------------===//
// Element-wise unary ops: result type equals the operand type.
//===----------------------------------------------------------------------===//

class NN_UnaryOp<string mnemonic, string onnxName, string formula,
                 Type operandType = NN_FloatTensor, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultType,
                                   InferTypeOpInterface], traits)> {
  let summary = "ONNX " # onnxName # ": element-wise " # formula;
  let description = "Computes `" # formula # "` for every element of the input. "
                    "The result has the input's shape and element type.";
  let arguments = (ins operandType:$input);
  let results = (outs operandType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_SqrtOp : NN_UnaryOp<"sqrt", "Sqrt", "y = sqrt(x)">;
def NN_ExpOp : NN_UnaryOp<"exp", "Exp", "y = exp(x)">;
def NN_LogOp : NN_UnaryOp<"log", "Log", "y = ln(x)">;
def NN_NegOp : NN_UnaryOp<"neg", "Neg", "y = -x", NN_NumericTensor> {
  let hasFolder = 1;
}
def NN_AbsOp : NN_UnaryOp<"abs", "Abs", "y = |x|", NN_NumericTensor>;
def NN_ReciprocalOp : NN_UnaryOp<"reciprocal", "Reciprocal", "y = 1 / x">;
def NN_TanhOp : NN_UnaryOp<"tanh", "Tanh", "y = tanh(x)">;
def NN_SigmoidOp : NN_UnaryOp<"sigmoid", "Sigmoid", "y = 1 / (1 + exp(-x))">;
def NN_HardSwishOp : NN_UnaryOp<"hard_swish", "HardSwish",
                                "y = x * max(0, min(1, x / 6 + 1 / 2))">;
def NN_ReluOp : NN_UnaryOp<"relu", "Relu", "y = max(0, x)", NN_NumericTensor, [Idempotent]>;
def NN_ErfOp : NN_UnaryOp<"erf", "Erf", "y = erf(x)">;
def NN_NotOp : NN_UnaryOp<"not", "Not", "y = !x (logical)", NN_BoolTensor> {
  let hasFolder = 1;
}
def NN_IdentityOp : NN_UnaryOp<"identity", "Identity", "y = x", NN_Tensor> {
  let hasFolder = 1;
}
def NN_SinOp : NN_UnaryOp<"sin", "Sin", "y = sin(x)">;
def NN_CosOp : NN_UnaryOp<"cos", "Cos", "y = cos(x)">;
def NN_TanOp : NN_UnaryOp<"tan", "Tan", "y = tan(x)">;
def NN_AsinOp : NN_UnaryOp<"asin", "Asin", "y = asin(x)">;
def NN_AcosOp : NN_UnaryOp<"acos", "Acos", "y = acos(x)">;
def NN_AtanOp : NN_UnaryOp<"atan", "Atan", "y = atan(x)">;
def NN_SinhOp : NN_UnaryOp<"sinh", "Sinh", "y = sinh(x)">;
def NN_CoshOp : NN_UnaryOp<"cosh", "Cosh", "y = cosh(x)">;
def NN_AsinhOp : NN_UnaryOp<"asinh", "Asinh", "y = asinh(x)">;
def NN_AcoshOp : NN_UnaryOp<"acosh", "Acosh", "y = acosh(x)">;
def NN_AtanhOp : NN_UnaryOp<"atanh", "Atanh", "y = atanh(x)">;
def NN_FloorOp : NN_UnaryOp<"floor", "Floor", "y = floor(x)">;
def NN_CeilOp : NN_UnaryOp<"ceil", "Ceil", "y = ceil(x)">;
def NN_RoundOp : NN_UnaryOp<"round", "Round", "y = round(x), halves to even">;
def NN_SignOp : NN_UnaryOp<"sign", "Sign", "y = -1, 0 or 1 by the sign of x", NN_NumericTensor>;
def NN_SoftplusOp : NN_UnaryOp<"softplus", "Softplus", "y = ln(exp(x) + 1)">;
def NN_SoftsignOp : NN_UnaryOp<"softsign", "Softsign", "y = x / (1 + |x|)">;

// Unary ops with one or two float attributes; defaults follow ONNX.
class NN_ParamUnaryOp<string mnemonic, string onnxName, string formula, dag params,
                      Type operandType = NN_FloatTensor>
    : NN_Op<mnemonic, [Pure, SameOperandsAndResultType, InferTypeOpInterface]> {
  let summary = "ONNX " # onnxName # ": element-wise " # formula;
  let description = "Computes `" # formula # "` for every element of the input; the "
                    "parameters keep ONNX's names and defaults.";
  let arguments = !con((ins operandType:$input), params);
  let results = (outs operandType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_EluOp : NN_ParamUnaryOp<"elu", "Elu", "y = x >= 0 ? x : alpha * (exp(x) - 1)",
    (ins DefaultValuedAttr<F32Attr, "1.0">:$alpha)>;
def NN_SeluOp : NN_ParamUnaryOp<"selu", "Selu",
    "y = gamma * (x > 0 ? x : alpha * (exp(x) - 1))",
    (ins DefaultValuedAttr<F32Attr, "1.67326319">:$alpha,
         DefaultValuedAttr<F32Attr, "1.05070102">:$gamma)>;
def NN_CeluOp : NN_ParamUnaryOp<"celu", "Celu",
    "y = max(0, x) + min(0, alpha * (exp(x / alpha) - 1))",
    (ins DefaultValuedAttr<F32Attr, "1.0">:$alpha)>;
def NN_ThresholdedReluOp : NN_ParamUnaryOp<"thresholded_relu", "ThresholdedRelu",
    "y = x > alpha ? x : 0", (ins DefaultValuedAttr<F32Attr, "1.0">:$alpha)>;
def NN_ShrinkOp : NN_ParamUnaryOp<"shrink", "Shrink",
    "y = x < -lambd ? x + bias : (x > lambd ? x - bias : 0)",
    (ins DefaultValuedAttr<F32Attr, "0.0">:$bias, DefaultValuedAttr<F32Attr, "0.5">:$lambd),
    NN_NumericTensor>;

def NN_IsNaNOp : NN_Op<"is_nan", [Pure, SameOperandsAndResultShape,
                                  InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX IsNaN: true where an element is NaN";
  let description = "Element-wise test for NaN; the result is a bool tensor of the input's shape.";
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_BoolTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_IsInfOp : NN_Op<"is_inf", [Pure, SameOperandsAndResultShape,
                                  InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX IsInf: true where an element is infinite";
  let description = [{
    Element-wise test for infinity. `detect_negative` / `detect_positive`
    (both 1 by default) choose which infinities count.
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DefaultValuedAttr<I64Attr, "1">:$detect_negative,
                       DefaultValuedAttr<I64Attr, "1">:$detect_positive);
  let results = (outs NN_BoolTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_HardSigmoidOp : NN_Op<"hard_sigmoid",
    [Pure, SameOperandsAndResultType, InferTypeOpInterface]> {
  let summary = "ONNX HardSigmoid: y = max(0, min(1, alpha * x + beta))";
  let description = [{
    Piecewise-linear approximation of the sigmoid, applied element-wise.
    Defaults follow ONNX: `alpha = 0.2`, `beta = 0.5`.
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DefaultValuedAttr<F32Attr, "0.2">:$alpha,
                       DefaultValuedAttr<F32Attr, "0.5">:$beta);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_LeakyReluOp : NN_Op<"leaky_relu",
    [Pure, SameOperandsAndResultType, InferTypeOpInterface]> {
  let summary = "ONNX LeakyRelu: y = x >= 0 ? x : alpha * x";
  let description = [{
    Rectifier that keeps a small slope `alpha` (default 0.01) for negative
    inputs, applied element-wise.
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DefaultValuedAttr<F32Attr, "0.01">:$alpha);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_ClipOp : NN_Op<"clip",
    [Pure, SameOperandsAndResultType, InferTypeOpInterface]> {
  let summary = "ONNX Clip: y = min(max(x, min), max)";
  let description = [{
    Limits every element to `[min, max]`. A bound that is absent does not
    limit. Opsets 6-10 carry the bounds as attributes and 11+ as constant
    inputs; the importer turns both into the `min` / `max` attributes here.
  }];
  let arguments = (ins NN_NumericTensor:$input,
                       OptionalAttr<F64Attr>:$min,
                       OptionalAttr<F64Attr>:$max);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def NN_GeluOp : NN_Op<"gelu",
    [Pure, SameOperandsAndResultType, InferTypeOpInterface]> {
  let summary = "ONNX Gelu: y = 0.5 * x * (1 + erf(x / sqrt(2)))";
  let description = [{
    Gaussian error linear unit. `approximate = "tanh"` selects
    `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))`;
    the default `"none"` is the exact erf form.
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DefaultValuedAttr<StrAttr, "\"none\"">:$approximate);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def NN_DropoutOp : NN_Op<"dropout",
    [Pure, SameOperandsAndResultType, InferTypeOpInterface]> {
  let summary = "ONNX Dropout in inference mode: y = x";
  let description = [{
    At inference time Dropout passes its input through unchanged; `ratio`
    is kept for reference only. Training mode is not supported.
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DefaultValuedAttr<F32Attr, "0.5">:$ratio);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = 1;
}

def NN_CastOp : NN_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "ONNX Cast: converts every element to another element type";
  let description = [{
    Converts element-wise to the result's element type (the ONNX `to`
    attribute). Float to integer truncates toward zero; to bool maps nonzero
    to true.
  }];
  let arguments = (ins NN_Tensor:$input);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($output)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Element-wise ops with numpy-style (multidirectional) broadcasting.
//===----------------------------------------------------------------------===//

class NN_BinaryOp<string mnemonic, string onnxName, string formula,
                  Type operandType = NN_NumericTensor,
                  Type resultType = NN_NumericTensor, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat([Pure, InferTypeOpAdaptorWithIsCompatible], traits)> {
  let summary = "ONNX " # onnxName # ": element-wise " # formula # " with broadcasting";
  let description = "Computes `" # formula # "` element-wise. The operands "
    "broadcast like numpy: shapes are aligned on the right and each dimension "
    "must be equal or 1.";
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs resultType:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  // Small constant operands (shape arithmetic) fold at import.
  let hasFolder = 1;
}

def NN_AddOp : NN_BinaryOp<"add", "Add", "c = a + b", NN_NumericTensor, NN_NumericTensor, [Commutative]>;
def NN_SubOp : NN_BinaryOp<"sub", "Sub", "c = a - b">;
def NN_MulOp : NN_BinaryOp<"mul", "Mul", "c = a * b", NN_NumericTensor, NN_NumericTensor, [Commutative]>;
def NN_DivOp : NN_BinaryOp<"div", "Div", "c = a / b">;
def NN_PowOp : NN_BinaryOp<"pow", "Pow", "c = a ^ b">;
def NN_MinOp : NN_BinaryOp<"min", "Min", "c = min(a, b)", NN_NumericTensor, NN_NumericTensor, [Commutative]>;
def NN_MaxOp : NN_BinaryOp<"max", "Max", "c = max(a, b)", NN_NumericTensor, NN_NumericTensor, [Commutative]>;
def NN_EqualOp : NN_BinaryOp<"equal", "Equal", "c = (a == b)", NN_Tensor, NN_BoolTensor, [Commutative]>;
def NN_LessOp : NN_BinaryOp<"less", "Less", "c = (a < b)", NN_NumericTensor, NN_BoolTensor>;
def NN_GreaterOp : NN_BinaryOp<"greater", "Greater", "c = (a > b)", NN_NumericTensor, NN_BoolTensor>;
def NN_GreaterOrEqualOp : NN_BinaryOp<"greater_or_equal", "GreaterOrEqual", "c = (a >= b)",
                                      NN_NumericTensor, NN_BoolTensor>;
def NN_LessOrEqualOp : NN_BinaryOp<"less_or_equal", "LessOrEqual", "c = (a <= b)",
                                   NN_NumericTensor, NN_BoolTensor>;
def NN_AndOp : NN_BinaryOp<"and", "And", "c = a && b", NN_BoolTensor, NN_BoolTensor, [Commutative]>;
def NN_OrOp : NN_BinaryOp<"or", "Or", "c = a || b", NN_BoolTensor, NN_BoolTensor, [Commutative]>;
def NN_XorOp : NN_BinaryOp<"xor", "Xor", "c = a != b (logical)", NN_BoolTensor, NN_BoolTensor,
                           [Commutative]>;
def NN_PReluOp : NN_BinaryOp<"prelu", "PRelu", "y = x >= 0 ? x : slope * x">;

def NN_ModOp : NN_Op<"mod", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Mod: element-wise remainder with broadcasting";
  let description = [{
    `fmod = 0` (integers only): the remainder takes the sign of the divisor,
    like Python's `%`. `fmod = 1`: the sign of the dividend, like C's `fmod`.
    The operands broadcast like numpy.
  }];
  let arguments = (ins NN_NumericTensor:$lhs, NN_NumericTensor:$rhs,
                       DefaultValuedAttr<I64Attr, "0">:$fmod);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def NN_BitShiftOp : NN_Op<"bit_shift", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX BitShift: shifts unsigned integers left or right";
  let description = [{
    `direction = "LEFT"` computes `x << y`, `"RIGHT"` computes `x >> y`
    (logical). The operands broadcast like numpy.
  }];
  let arguments = (ins NN_NumericTensor:$lhs, NN_NumericTensor:$rhs, StrAttr:$direction);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def NN_WhereOp : NN_Op<"where", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let hasFolder = 1;
  let summary = "ONNX Where: c = cond ? x : y with broadcasting";
  let description = [{
    Selects from `x` where `condition` is true and from `y` elsewhere. All
    three operands broadcast together like numpy.
  }];
  let arguments = (ins NN_BoolTensor:$condition, NN_Tensor:$x, NN_Tensor:$y);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$condition `,` $x `,` $y attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Linear algebra and convolution.
//===----------------------------------------------------------------------===//

def NN_MatMulOp : NN_Op<"matmul", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX MatMul: matrix product with numpy semantics";
  let description = [{
    Multiplies the last two dimensions of `a` ([..., M, K]) and `b`
    ([..., K, N]); leading (batch) dimensions broadcast. A 1-D operand is
    promoted to a matrix and the added dimension removed from the result, as
    in `numpy.matmul`.
  }];
  let arguments = (ins NN_NumericTensor:$a, NN_NumericTensor:$b);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "$a `,` $b attr-dict `:` functional-type(operands, results)";
}

def NN_GemmOp : NN_Op<"gemm", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Gemm: Y = alpha * op(A) * op(B) + beta * C";
  let description = [{
    General matrix multiply on 2-D operands. `op(X)` is `X` transposed when
    `transA` / `transB` is 1. `C` is optional and broadcasts to [M, N].
  }];
  let arguments = (ins NN_FloatTensor:$a, NN_FloatTensor:$b,
                       Optional<NN_FloatTensor>:$c,
                       DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0">:$beta,
                       DefaultValuedAttr<I64Attr, "0">:$transA,
                       DefaultValuedAttr<I64Attr, "0">:$transB);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)";
}

def NN_ConvOp : NN_Op<"conv", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Conv: N-D convolution (grouped, padded, strided, dilated)";
  let description = [{
    Convolves `input` [N, C, D1, ...] with `weight` [F, C / group, K1, ...]
    and adds the optional `bias` [F]. `pads` holds the begin pads of every
    spatial axis followed by the end pads; `group == C == F` is a depthwise
    convolution. The importer resolves `auto_pad` into explicit pads.

    `channels_last = true` (set by `openopt-convert-layout`, never by the
    importer) puts channels last: `input` [N, D1, ..., C], `weight`
    [K1, ..., C / group, F], result [N, O1, ..., F]; the attributes keep
    their meaning.
  }];
  let arguments = (ins NN_NumericTensor:$input, NN_NumericTensor:$weight,
                       Optional<NN_NumericTensor>:$bias,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$group,
                       DefaultValuedAttr<BoolAttr, "false">:$channels_last);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
}

def NN_ConvTransposeOp : NN_Op<"conv_transpose",
    [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX ConvTranspose: the gradient of Conv (a 'deconvolution')";
  let description = [{
    Transposed convolution of `input` [N, C, D1, ...] with `weight`
    [C, F / group, K1, ...]. Output size per axis is
    `stride * (in - 1) + output_padding + (k - 1) * dilation + 1 - pad_begin - pad_end`.
    The importer resolves `output_shape` and `auto_pad` into `pads`.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$output_padding,
                       DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Normalization and softmax.
//===----------------------------------------------------------------------===//

def NN_BatchNormOp : NN_Op<"batch_norm", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX BatchNormalization (inference): per-channel affine normalisation";
  let description = [{
    `y = scale * (x - mean) / sqrt(var + epsilon) + bias`, with the four
    per-channel tensors of shape [C] applied along axis 1.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$scale,
                       NN_FloatTensor:$bias, NN_FloatTensor:$mean,
                       NN_FloatTensor:$variance,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:` functional-type(operands, results)";
}

def NN_LayerNormOp : NN_Op<"layer_norm", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX LayerNormalization: normalise over the trailing axes";
  let description = [{
    Normalises over the axes `[axis, rank)`:
    `y = (x - mean) / sqrt(var + epsilon) * scale + bias`, where `scale` and
    the optional `bias` broadcast to those trailing axes.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$scale,
                       Optional<NN_FloatTensor>:$bias,
                       DefaultValuedAttr<I64Attr, "-1">:$axis,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
}

def NN_SoftmaxOp : NN_Op<"softmax", [Pure, SameOperandsAndResultType, InferTypeOpInterface]> {
  let summary = "ONNX Softmax (opset 13 semantics): exp(x) / sum(exp(x)) along one axis";
  let description = [{
    Normalised exponential along `axis` (default -1). For models of opset < 13,
    whose Softmax flattens the axes from `axis` on, the importer wraps this op
    in reshapes.
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def NN_LogSoftmaxOp : NN_Op<"log_softmax", [Pure, SameOperandsAndResultType, InferTypeOpInterface]> {
  let summary = "ONNX LogSoftmax (opset 13 semantics): ln(softmax(x)) along one axis";
  let description = [{
    `x - max - ln(sum(exp(x - max)))` along `axis` (default -1), computed
    without forming the softmax. Models of opset < 13 flatten the axes from
    `axis` on; the importer wraps this op in reshapes for them.
  }];
  let arguments = (ins NN_FloatTensor:$input, DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_HardmaxOp : NN_Op<"hardmax", [Pure, SameOperandsAndResultType, InferTypeOpInterface]> {
  let summary = "ONNX Hardmax: 1 at the first maximum along an axis, 0 elsewhere";
  let description = [{
    One-hot of the (first) largest element along `axis` (default -1), in the
    input's element type. Opset < 13 flattening is handled by the importer.
  }];
  let arguments = (ins NN_FloatTensor:$input, DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_NllLossOp : NN_Op<"nll_loss", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX NegativeLogLikelihoodLoss: -input[n, target[n, d...], d...] * weight";
  let description = [{
    `input` holds log-probabilities [N, C, d1, ...], `target` class indices
    [N, d1, ...]. Each element's loss is `-input[n, t, d...] * weight[t]`
    (weight 1 without the optional `weight` [C]); targets equal to
    `ignore_index` count 0 with weight 0. `reduction` is "none" (the losses
    [N, d1, ...]), "sum", or "mean" (divided by the sum of the weights used).
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_IndexTensor:$target,
                       Optional<NN_FloatTensor>:$weight,
                       DefaultValuedAttr<StrAttr, "\"mean\"">:$reduction,
                       OptionalAttr<I64Attr>:$ignore_index);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input `,` $target (`,` $weight^)? attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Pooling.
//===----------------------------------------------------------------------===//

def NN_MaxPoolOp : NN_Op<"max_pool", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX MaxPool: maximum over sliding windows";
  let description = [{
    Slides a `kernel_shape` window over the spatial axes of [N, C, D1, ...]
    with `strides`, `dilations` and `pads` (begins then ends; padding never
    wins the max). `ceil_mode = 1` rounds the output size up.
    `channels_last = true` takes and returns [N, D1, ..., C] instead.
  }];
  let arguments = (ins NN_NumericTensor:$input,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<I64Attr, "0">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$channels_last);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_AveragePoolOp : NN_Op<"average_pool", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX AveragePool: mean over sliding windows";
  let description = [{
    Slides a `kernel_shape` window over the spatial axes with `strides` and
    `pads`. Padded elements count in the divisor only when
    `count_include_pad = 1`. `ceil_mode = 1` rounds the output size up.
    `channels_last = true` takes and returns [N, D1, ..., C] instead.
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<I64Attr, "0">:$ceil_mode,
                       DefaultValuedAttr<I64Attr, "0">:$count_include_pad,
                       DefaultValuedAttr<BoolAttr, "false">:$channels_last);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_GlobalAveragePoolOp : NN_Op<"global_average_pool", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX GlobalAveragePool: mean over all spatial axes";
  let description = [{
    Averages [N, C, D1, ...] over every spatial axis; the result is
    [N, C, 1, ...]. With `channels_last = true`, [N, D1, ..., C] becomes
    [N, 1, ..., C].
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DefaultValuedAttr<BoolAttr, "false">:$channels_last);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Data movement and shapes.
//===----------------------------------------------------------------------===//

def NN_FlattenOp : NN_Op<"flatten", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Flatten: reshape to 2-D around an axis";
  let description = [{
    Reshapes the input to [d0 * ... * d(axis-1), d(axis) * ... * d(n-1)].
    `axis` defaults to 1 and may be negative.
  }];
  let arguments = (ins NN_Tensor:$input, DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
}

def NN_ReshapeOp : NN_Op<"reshape", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Reshape: same elements, new shape";
  let description = [{
    Gives `data` the shape held by the 1-D i64 tensor `shape`. One entry may
    be -1 (inferred from the element count); 0 copies the input dimension
    unless `allowzero = 1`.
  }];
  let arguments = (ins NN_Tensor:$data, NN_ShapeTensor:$shape,
                       DefaultValuedAttr<I64Attr, "0">:$allowzero);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$data `,` $shape attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let hasFolder = 1;
}

def NN_TransposeOp : NN_Op<"transpose", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Transpose: permutes the axes";
  let description = [{
    Result axis `i` is input axis `perm[i]`. Without `perm` the axes are
    reversed (the importer makes that explicit).
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let hasFolder = 1;
}

def NN_SqueezeOp : NN_Op<"squeeze", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Squeeze: removes axes of size 1";
  let description = [{
    Removes the listed `axes` (each must have size 1); with no axes, removes
    every axis of size 1. Opset 13 passes axes as an input: a constant one is
    stored in `axes`, a computed one stays the operand `dynamic_axes`.
  }];
  let arguments = (ins NN_Tensor:$input, Optional<NN_IndexTensor>:$dynamic_axes,
                       DenseI64ArrayAttr:$axes);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input (`axes` $dynamic_axes^)? attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let hasFolder = 1;
}

def NN_UnsqueezeOp : NN_Op<"unsqueeze", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Unsqueeze: inserts axes of size 1";
  let description = [{
    Inserts a size-1 axis at each position in `axes` (positions in the
    result; negative counts from the end). Axes computed by the model come as
    the operand `dynamic_axes` instead.
  }];
  let arguments = (ins NN_Tensor:$input, Optional<NN_IndexTensor>:$dynamic_axes,
                       DenseI64ArrayAttr:$axes);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input (`axes` $dynamic_axes^)? attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let hasFolder = 1;
}

def NN_ConcatOp : NN_Op<"concat", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Concat: joins tensors along an axis";
  let description = [{
    Concatenates the inputs along `axis`; every other dimension must match.
  }];
  let arguments = (ins Variadic<NN_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_SplitOp : NN_Op<"split", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Split: cuts a tensor into parts along an axis";
  let description = [{
    Splits `input` along `axis` into parts of the sizes in `split`; the
    number of results equals the number of sizes. Sizes computed by the
    model come as the operand `dynamic_split` (then `split` is empty).
  }];
  let arguments = (ins NN_Tensor:$input, Optional<NN_IndexTensor>:$dynamic_split,
                       I64Attr:$axis, DenseI64ArrayAttr:$split);
  let results = (outs Variadic<NN_Tensor>:$outputs);
  let assemblyFormat = "$input (`sizes` $dynamic_split^)? attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_SliceOp : NN_Op<"slice", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Slice: strided sub-tensor";
  let description = [{
    Takes `starts[i]:ends[i]:steps[i]` along `axes[i]`, with Python-style
    negative indices and clamping. Opset 10+ passes these as inputs; the
    importer requires them to be constant and stores them here.
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$axes,
                       DenseI64ArrayAttr:$steps);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_DynamicSliceOp : NN_Op<"dynamic_slice", [Pure, InferTypeOpAdaptorWithIsCompatible,
                                                 AttrSizedOperandSegments]> {
  let summary = "ONNX Slice with bounds computed by the model";
  let description = [{
    Slice whose `starts`, `ends` and optional `axes` / `steps` are tensors
    known only at run time (the same rules as nn.slice: Python-style negative
    indices and clamping). The result's sliced dimensions are dynamic. It
    becomes nn.slice once its operands are constants.
  }];
  let arguments = (ins NN_Tensor:$input, NN_IndexTensor:$starts, NN_IndexTensor:$ends,
                       Optional<NN_IndexTensor>:$axes, Optional<NN_IndexTensor>:$steps);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input `[` $starts `:` $ends (`axes` $axes^)? (`steps` $steps^)? `]` attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
}

def NN_GatherOp : NN_Op<"gather", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Gather: picks entries along an axis by index";
  let description = [{
    `output[i..., j..., k...] = data[i..., indices[j...], k...]` where the
    indexed axis is `axis`. Negative indices count from the end of the axis.
  }];
  let arguments = (ins NN_Tensor:$data, NN_IndexTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_ShapeOp : NN_Op<"shape", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Shape: the input's dimensions as a 1-D i64 tensor";
  let description = [{
    Returns the dimensions `[start, end)` of the input (opset 15 `start` /
    `end`; defaults cover all axes). Folds to a constant when they are static.
  }];
  let arguments = (ins NN_Tensor:$input,
                       DefaultValuedAttr<I64Attr, "0">:$start,
                       OptionalAttr<I64Attr>:$end);
  let results = (outs NN_ShapeTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_SizeOp : NN_Op<"size", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Size: the number of elements as a scalar i64 tensor";
  let description = "Folds to a constant when the input shape is static.";
  let arguments = (ins NN_Tensor:$input);
  let results = (outs 0DTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_ConstantOfShapeOp : NN_Op<"constant_of_shape", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX ConstantOfShape: a tensor of the given shape filled with one value";
  let description = [{
    Creates a tensor whose shape is the 1-D i64 operand and whose elements
    all equal `value` (a one-element tensor; default 0.0 f32).
  }];
  let arguments = (ins NN_ShapeTensor:$shape, ElementsAttr:$value);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$shape attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_ExpandOp : NN_Op<"expand", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Expand: broadcasts to a shape";
  let description = [{
    Broadcasts `input` with the shape in the 1-D i64 operand, numpy style
    (the result shape is the broadcast of both, so a 1 in `shape` keeps the
    input dimension).
  }];
  let arguments = (ins NN_Tensor:$input, NN_ShapeTensor:$shape);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input `,` $shape attr-dict `:` functional-type(operands, results)";
}

def NN_TileOp : NN_Op<"tile", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Tile: repeats the input along every axis";
  let description = [{
    Axis `i` of the result is the input repeated `repeats[i]` times.
  }];
  let arguments = (ins NN_Tensor:$input, NN_ShapeTensor:$repeats);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input `,` $repeats attr-dict `:` functional-type(operands, results)";
}

def NN_PadOp : NN_Op<"pad", [Pure, InferTypeOpAdaptorWithIsCompatible, AttrSizedOperandSegments]> {
  let summary = "ONNX Pad: pads with a constant, reflection or edge values";
  let description = [{
    `pads` lists the begin pads of every axis followed by the end pads.
    `mode` is "constant" (fill with `value`), "reflect" or "edge". Negative
    pads crop. Pads or a fill value computed by the model come as the
    operands `dynamic_pads` / `dynamic_value` instead.
  }];
  let arguments = (ins NN_Tensor:$input, Optional<NN_IndexTensor>:$dynamic_pads,
                       Optional<NN_Tensor>:$dynamic_value,
                       DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<StrAttr, "\"constant\"">:$mode,
                       DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input (`pads` $dynamic_pads^)? (`value` $dynamic_value^)? attr-dict `:` functional-type(operands, results)";
}

def NN_ResizeOp : NN_Op<"resize", [Pure, InferTypeOpAdaptorWithIsCompatible,
                                    AttrSizedOperandSegments]> {
  let summary = "ONNX Resize: nearest, linear or cubic interpolation to a new size";
  let description = [{
    Resamples every axis by `scales` (output size `floor(in * scale)`).
    `mode` is "nearest", "linear" (bi/tri-linear over the resized axes) or
    "cubic" (`cubic_coeff_a`, `exclude_outside`);
    `coordinate_transformation_mode` (including "tf_crop_and_resize" with
    `roi` and `extrapolation_value`) and `nearest_mode` follow ONNX. When the
    model gives constant `sizes`, the importer stores them and the matching
    scales; scales or sizes computed by the model come as the operands
    `dynamic_scales` / `dynamic_sizes`.
  }];
  let arguments = (ins NN_NumericTensor:$input, Optional<NN_FloatTensor>:$dynamic_scales,
                       Optional<NN_IndexTensor>:$dynamic_sizes,
                       Optional<NN_FloatTensor>:$roi,
                       DenseF64ArrayAttr:$scales,
                       DefaultValuedAttr<StrAttr, "\"nearest\"">:$mode,
                       DefaultValuedAttr<StrAttr, "\"half_pixel\"">:$coordinate_transformation_mode,
                       DefaultValuedAttr<StrAttr, "\"round_prefer_floor\"">:$nearest_mode,
                       OptionalAttr<DenseI64ArrayAttr>:$sizes,
                       DefaultValuedAttr<F64Attr, "-0.75">:$cubic_coeff_a,
                       DefaultValuedAttr<I64Attr, "0">:$exclude_outside,
                       DefaultValuedAttr<F64Attr, "0.0">:$extrapolation_value);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "$input (`scales` $dynamic_scales^)? (`sizes` $dynamic_sizes^)? (`roi` $roi^)? attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Reductions.
//===----------------------------------------------------------------------===//

class NN_ReduceOp<string mnemonic, string onnxName, string what>
    : NN_Op<mnemonic, [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX " # onnxName # ": " # what # " over axes";
  let description = "Reduces `input` over `axes` (all axes when empty, unless "
    "`noop_with_empty_axes = 1`). `keepdims = 1` keeps reduced axes with size 1. "
    "When the axes are computed by the model, they come as the operand "
    "`dynamic_axes` instead (then the reduced dimensions are known at run time only).";
  let arguments = (ins NN_NumericTensor:$input, Optional<NN_IndexTensor>:$dynamic_axes,
                       DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<I64Attr, "1">:$keepdims,
                       DefaultValuedAttr<I64Attr, "0">:$noop_with_empty_axes);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "$input (`axes` $dynamic_axes^)? attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
}

def NN_ReduceMeanOp : NN_ReduceOp<"reduce_mean", "ReduceMean", "mean">;
def NN_ReduceSumOp : NN_ReduceOp<"reduce_sum", "ReduceSum", "sum">;
def NN_ReduceMaxOp : NN_ReduceOp<"reduce_max", "ReduceMax", "maximum">;
def NN_ReduceMinOp : NN_ReduceOp<"reduce_min", "ReduceMin", "minimum">;
def NN_ReduceProdOp : NN_ReduceOp<"reduce_prod", "ReduceProd", "product">;
def NN_ReduceL1Op : NN_ReduceOp<"reduce_l1", "ReduceL1", "sum of |x|">;
def NN_ReduceL2Op : NN_ReduceOp<"reduce_l2", "ReduceL2", "sqrt of the sum of x^2">;
def NN_ReduceLogSumOp : NN_ReduceOp<"reduce_log_sum", "ReduceLogSum", "ln of the sum">;
def NN_ReduceLogSumExpOp : NN_ReduceOp<"reduce_log_sum_exp", "ReduceLogSumExp",
                                       "ln of the sum of exp(x)">;
def NN_ReduceSumSquareOp : NN_ReduceOp<"reduce_sum_square", "ReduceSumSquare", "sum of x^2">;

class NN_ArgReduceOp<string mnemonic, string onnxName, string what>
    : NN_Op<mnemonic, [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX " # onnxName # ": index of the " # what # " along an axis";
  let description = "The i64 index of the " # what # " element along `axis`; "
    "`keepdims = 1` keeps that axis with size 1. Ties pick the first index, or the "
    "last with `select_last_index = 1`.";
  let arguments = (ins NN_NumericTensor:$input, DefaultValuedAttr<I64Attr, "0">:$axis,
                       DefaultValuedAttr<I64Attr, "1">:$keepdims,
                       DefaultValuedAttr<I64Attr, "0">:$select_last_index);
  let results = (outs RankedTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_ArgMaxOp : NN_ArgReduceOp<"arg_max", "ArgMax", "largest">;
def NN_ArgMinOp : NN_ArgReduceOp<"arg_min", "ArgMin", "smallest">;

//===----------------------------------------------------------------------===//
// Constants.
//===----------------------------------------------------------------------===//

def NN_ConstantOp : NN_Op<"constant", [ConstantLike, Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Constant / initializer: a tensor value known at compile time";
  let description = [{
    Holds weights and other constants. Large values are stored as
    `dense_resource` blobs, printed once at the end of the file, so the IR of
    a big model stays readable.
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Fusion groups.
//===----------------------------------------------------------------------===//

def NN_FusedOp : NN_Op<"fused", [SingleBlock, RecursiveMemoryEffects]> {
  let summary = "A group of ops the code generator runs as one loop nest";
  let description = [{
    Groups ops that `openopt-fuse-ops` decided to fuse: a Conv, Gemm or MatMul
    with the bias add and activation that follow it (`kind = "epilogue"`), or
    a chain of element-wise ops (`kind = "elementwise"`). The body uses values
    defined outside and ends with `nn.yield` of the group's results. The
    lowering fuses the body's element-wise loops into one and then dissolves
    the group; graph views and profiles show it as one node with the grouped
    ops nested inside.

    ```mlir
    %y = nn.fused "epilogue" {
      %c = nn.conv %x, %w, %b {...} : (...) -> tensor<1x8x4x4xf32>
      %r = nn.relu %c : tensor<1x8x4x4xf32>
      nn.yield %r : tensor<1x8x4x4xf32>
    } : tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins StrAttr:$kind);
  let results = (outs Variadic<NN_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$kind $body attr-dict `:` type($results)";
  let hasVerifier = 1;
}

def NN_YieldOp : NN_Op<"yield", [Pure, Terminator, ReturnLike,
                                 ParentOneOf<["FusedOp", "IfOp", "LoopOp", "ScanOp"]>]> {
  let summary = "Ends the body of nn.fused, nn.if, nn.loop or nn.scan, giving its results";
  let arguments = (ins Variadic<NN_Tensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

include "openopt/Dialect/NN/NNIndexingOps.td"
include "openopt/Dialect/NN/NNNetworkOps.td"
include "openopt/Dialect/NN/NNControlFlowOps.td"
include "openopt/Dialect/NN/NNSignalOps.td"

#endif // OPENOPT_DIALECT_NN_OPS

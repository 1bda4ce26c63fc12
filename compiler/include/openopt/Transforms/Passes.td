//===- Passes.td - graph passes on the nn dialect ---------*- tablegen -*-===//
#ifndef OPENOPT_TRANSFORMS_PASSES
#define OPENOPT_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def InferShapesPass : Pass<"openopt-infer-shapes", "mlir::func::FuncOp"> {
  let summary = "Refine result types from the operands' shapes";
  let description = [{
    Re-runs shape inference on every op in program order and replaces each
    result type by the inferred one, so dynamic dimensions (`?`) that the
    operands now determine become static, and the function's result types
    follow. Run it after editing IR or after giving a function's arguments
    concrete shapes (what `openopt run` does from its inputs). An op whose
    operands no longer fit is reported with its inference error.
  }];
}

def FoldBatchNormPass : Pass<"openopt-fold-batchnorm", "mlir::func::FuncOp"> {
  let summary = "Fold BatchNormalization into the preceding Conv or Gemm";
  let description = [{
    Inference-time BatchNormalization is a per-channel affine map,
    `y = a * x + b` with `a = scale / sqrt(var + epsilon)` and
    `b = bias - mean * a`. When it directly follows a Conv (channels = output
    channels) or a Gemm (channels = columns) whose weights, bias and
    normalisation parameters are f32 constants, and nothing else uses the
    Conv/Gemm result, the pass scales the weights by `a` and folds `b` into the
    bias, so the normalisation costs nothing at run time. The new op's
    location fuses both original locations, keeping both ONNX nodes
    identifiable.
  }];
  let dependentDialects = ["openopt::nn::NNDialect"];
}

def RecognizeOpsPass : Pass<"openopt-recognize-ops", "mlir::func::FuncOp"> {
  let summary = "Rewrite decomposed LayerNorm, GELU and Softmax subgraphs to single ops";
  let description = [{
    Exporters such as torch.onnx at opsets below 17 write LayerNormalization
    as ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add, and GELU as
    Div (by sqrt 2), Erf, Add 1, Mul x, Mul 0.5. Softmax written out by hand
    is Exp(x - ReduceMax(x)) / ReduceSum(Exp(...)), or without the max,
    Exp(x) / ReduceSum(Exp(x)). This pass recognises those subgraphs (operand
    order of commutative ops does not matter; constants must match to 1e-4)
    and replaces them by `nn.layer_norm`, `nn.gelu` and `nn.softmax`, whose
    lowerings compute them in fewer passes over memory. A Softmax is only
    recognised when the max and the sum reduce the same single axis with
    keepdims = 1 and nothing else uses the intermediate values.
  }];
  let options = [
    Option<"layerNorm", "layer-norm", "bool", "true", "Recognise LayerNormalization">,
    Option<"gelu", "gelu", "bool", "true", "Recognise GELU">,
    Option<"softmax", "softmax", "bool", "true", "Recognise Softmax">,
  ];
  let dependentDialects = ["openopt::nn::NNDialect"];
}

def FoldConstantsPass : Pass<"openopt-fold-constants", "mlir::func::FuncOp"> {
  let summary = "Evaluate nn ops whose operands are all constants";
  let description = [{
    Replaces an element-wise nn op (unary, binary with broadcasting, Cast to
    f32) whose operands are all f32 constants by its result, and runs every
    op's folder (shape sub-graphs: Shape, Gather, Concat, Reshape, ...). Results
    larger than `max-elements` are left to run time so that folding never
    blows up the model's size.
  }];
  let options = [
    Option<"maxElements", "max-elements", "int64_t", "1 << 20",
           "Largest result (elements) to compute at compile time">,
  ];
  let dependentDialects = ["openopt::nn::NNDialect"];
}

def EliminateDeadCodePass : Pass<"openopt-dce", "mlir::func::FuncOp"> {
  let summary = "Remove ops whose results are unused";
  let description = [{
    Erases side-effect-free ops (every nn op) whose results nothing uses,
    repeatedly, so whole dead branches of an imported graph disappear.
  }];
}

def FuseOpsPass : Pass<"openopt-fuse-ops", "mlir::func::FuncOp"> {
  let summary = "Fuse bias adds and activations into their producers; group element-wise chains";
  let description = [{
    Two steps. First, a constant bias added to a Conv (shape [F,1,1] or
    [1,F,1,1]), a Gemm (shape [N] or [1,N]) or a 2-D MatMul (which becomes a
    Gemm) moves into the producer's bias operand, so the add disappears.
    Second, ops that should run as one loop nest are wrapped in `nn.fused`
    groups: a Conv/ConvTranspose/Gemm/MatMul followed by its bias Add and
    activation (Relu, Clip, Gelu, LeakyRelu, Sigmoid, HardSigmoid,
    HardSwish, Tanh) as an "epilogue" group, and chains of element-wise ops
    whose intermediate results have no other users as "elementwise" groups.
    The lowering fuses each group's element-wise loops into one; graph views
    and profiles show each group as one node.
  }];
  let options = [
    Option<"foldBias", "fold-bias", "bool", "true",
           "Move constant bias adds into the Conv/Gemm/MatMul that produces their input">,
    Option<"epilogue", "epilogue", "bool", "true",
           "Group Conv/Gemm/MatMul with the bias add and activation that follow">,
    Option<"elementwise", "elementwise", "bool", "true",
           "Group chains of element-wise ops">,
    Option<"maxGroupSize", "max-group-size", "int64_t", "16",
           "Most ops in one group">,
  ];
  let dependentDialects = ["openopt::nn::NNDialect"];
}

def ConvertLayoutPass : Pass<"openopt-convert-layout", "mlir::func::FuncOp"> {
  let summary = "Run 2-D convolutions and pools channels-last, transposing only at the edges";
  let description = [{
    With `layout=nhwc`, every 2-D `nn.conv` with group 1 or depthwise and every 2-D
    `nn.max_pool`, `nn.average_pool` and `nn.global_average_pool` becomes
    its `channels_last` form: the input is transposed NCHW -> NHWC, the
    result back NHWC -> NCHW, and a Conv weight is re-laid out
    [F, C, KH, KW] -> [KH, KW, C, F] (at compile time when it is a
    constant), so the convolution lowers to a contiguous im2col gather and
    one [N*OH*OW, KH*KW*C] x [KH*KW*C, F] matmul.

    The NHWC -> NCHW transposes then sink through element-wise ops (unary
    ops, Relu, Clip, and binary ops whose other operand carries the same
    transpose, already exists in NHWC, or is a constant, re-laid out at
    compile time) until they meet the next NCHW -> NHWC transpose and
    cancel. Other transposes do not move. Chains such as
    conv -> relu -> conv -> add -> relu stay NHWC end to end; transposes
    remain at the graph's inputs and outputs and before ops that need NCHW.
    A remaining transpose that only moves 1-dims becomes a reshape and
    merges with a following Flatten, Squeeze, Unsqueeze or Reshape.
    Depthwise convolutions (group == C == F) become channels-last too
    (weight [KH, KW, 1, F]); other grouped convolutions and 1-D/3-D ones
    keep NCHW. `layout=nchw` leaves
    the function unchanged; `layout=auto` (the built-in recipe's) converts
    a function that has a depthwise convolution among at least 4
    convolutions (a MobileNet: in NCHW its depthwise loops vectorize along
    image rows, 7 or 14 wide in the last stages). In another function with
    at least 4 convolutions it converts only the convolutions that the
    lowering computes directly, channels-last, whatever their layout
    (small output maps with AVX-512, Support/DirectConvPlan.h: a ResNet's
    14x14 and 7x7 stages), and the pools whose input is then channels-last,
    so that a run of such layers transposes once at each end instead of
    around every layer; the rest stays NCHW (where 3x3 convolutions use
    Winograd). A function with fewer convolutions (one layer) keeps NCHW.
    `vector-bits` is the SIMD width that rule plans for (0: the host's).
  }];
  let options = [
    Option<"layout", "layout", "std::string", "\"nhwc\"",
           "Layout of 2-D convolutions and pools: nhwc (channels last), nchw "
           "(unchanged) or auto (nhwc for a network with depthwise convolutions, "
           "else for its directly computed convolutions)">,
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"0",
           "SIMD width that layout=auto plans for (which convolutions the "
           "lowering computes directly): 256 or 512, 0 for the host's">,
  ];
  let dependentDialects = ["openopt::nn::NNDialect"];
}

def InstrumentProfilePass : Pass<"openopt-instrument-profile", "mlir::ModuleOp"> {
  let summary = "Bracket each top-level op of the entry function with profiling hooks";
  let description = [{
    For `openopt profile`. In the entry function's body, every nn op other
    than constants, and every `nn.fused` group as a whole, is placed between
    `func.call @openopt_profile_enter(%id)` and
    `func.call @openopt_profile_exit(%id)` (`%id` an i64 numbering the ops
    from 0 in program order). Both hooks are declared as private external
    functions; the runtime resolves them to functions that read a clock.

    The op table goes into the module attribute `openopt.profile_ops`: one
    dictionary per id with `index`, `id` (the graph JSON node id, i.e. the
    pass record's stable op id), `op`, `kind` (groups), `names` (ONNX node
    names from the location), and `flops` and `bytes` from the cost model
    (absent when unknown).

    The calls have unknown side effects, so later passes do not move work
    across them; `openopt-fuse-elementwise` treats them as fusion barriers,
    so each bracket still times the loops of its own op after lowering.
    Run it on nn IR with the graph passes done, just before the lowering.
  }];
  let options = [
    Option<"entry", "entry", "std::string", "\"\"",
           "Function to instrument (default: main, else the first public function)">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::func::FuncDialect"];
}

#endif // OPENOPT_TRANSFORMS_PASSES

//===- NNControlFlowOps.td - If, Loop and Scan with regions ---*- tablegen -*-===//
//
// ONNX subgraphs become regions. They may use any value defined outside
// (outer-scope capture), end with nn.yield, and are shown by graph views as
// nested groups. Result types come from the importer (a branch or iteration
// may change a shape, which then becomes dynamic).
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_DIALECT_NN_CONTROL_FLOW_OPS
#define OPENOPT_DIALECT_NN_CONTROL_FLOW_OPS

def NN_IfOp : NN_Op<"if", [RecursiveMemoryEffects, NoRegionArguments]> {
  let summary = "ONNX If: runs one of two subgraphs by a boolean condition";
  let description = [{
    Runs `then_branch` when the one-element bool `condition` is true, else
    `else_branch`; both end with nn.yield of values of the result types (a
    dimension on which the branches disagree is dynamic).
  }];
  let arguments = (ins NN_BoolTensor:$condition);
  let results = (outs Variadic<NN_Tensor>:$results);
  let regions = (region SizedRegion<1>:$then_branch, SizedRegion<1>:$else_branch);
  let assemblyFormat = "$condition `:` type($condition) (`->` type($results)^)? $then_branch `else` $else_branch attr-dict";
  let hasVerifier = 1;
}

def NN_AssertOp : NN_Op<"assert"> {
  let summary = "Fails the run with a message when a condition is false";
  let description = [{
    When the one-element bool `condition` is false at run time, running the
    model stops with `message` (and the op's node name). The importer puts
    it where a subgraph cannot run for the shapes at hand, e.g. an If branch
    that does not type-check for the sizes the model was compiled for, and
    where a value must exist (OptionalGetElement of an empty optional).
  }];
  let arguments = (ins NN_BoolTensor:$condition, StrAttr:$message);
  let assemblyFormat = "$condition `,` $message attr-dict `:` type($condition)";
}

def NN_LoopOp : NN_Op<"loop", [RecursiveMemoryEffects, AttrSizedOperandSegments]> {
  let summary = "ONNX Loop: repeats a subgraph with loop-carried values";
  let description = [{
    The body's arguments are the iteration number (i64 scalar), the
    condition (bool scalar) and the loop-carried values; it yields the next
    condition, the next carried values and one slice per scan output. The
    loop stops after `max_trip_count` iterations (when given) or when the
    condition turns false (when given). Results: the final carried values,
    then each scan output stacked along a new leading axis.
  }];
  let arguments = (ins Optional<RankedTensorOf<[I64]>>:$max_trip_count,
                       Optional<NN_BoolTensor>:$condition,
                       Variadic<NN_Tensor>:$initial);
  let results = (outs Variadic<NN_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "(`trip_count` $max_trip_count^ `:` type($max_trip_count))? (`cond` $condition^ `:` type($condition))? (`(` $initial^ `:` type($initial) `)`)? (`->` type($results)^)? $body attr-dict";
  let hasVerifier = 1;
}

def NN_ScanOp : NN_Op<"scan", [RecursiveMemoryEffects]> {
  let summary = "ONNX Scan: runs a subgraph over slices of its scan inputs";
  let description = [{
    The first operands are initial states, the last `num_scan_inputs` are
    scanned along `scan_input_axes` (reversed where `scan_input_directions`
    is 1). The body takes the states and one slice of each scan input and
    yields the next states and one slice per scan output. Results: the final
    states, then the scan outputs stacked along `scan_output_axes`.
  }];
  let arguments = (ins Variadic<NN_Tensor>:$inputs, I64Attr:$num_scan_inputs,
                       DenseI64ArrayAttr:$scan_input_axes,
                       DenseI64ArrayAttr:$scan_input_directions,
                       DenseI64ArrayAttr:$scan_output_axes,
                       DenseI64ArrayAttr:$scan_output_directions);
  let results = (outs Variadic<NN_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "`(` $inputs `:` type($inputs) `)` (`->` type($results)^)? $body attr-dict";
  let hasVerifier = 1;
}

#endif // OPENOPT_DIALECT_NN_CONTROL_FLOW_OPS

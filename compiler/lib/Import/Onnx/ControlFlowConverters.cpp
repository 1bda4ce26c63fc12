//===- ControlFlowConverters.cpp - If, Loop and Scan ----------------------===//
//
// Subgraphs become the regions of nn.if / nn.loop / nn.scan, imported by the
// same node converters (outer values stay visible inside). A value whose
// shape differs between branches or iterations gets the join of its types:
// the dims that differ become dynamic, and a loop body is imported again
// with those types until its carried types no longer change.
//
//===----------------------------------------------------------------------===//
#include "Converters.h"

#include "openopt/Dialect/NN/ShapeUtils.h"

using namespace mlir;

namespace openopt::onnx_import {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

// The most precise type both fit; failure when rank or element type differ.
FailureOr<Type> join(Type a, Type b) {
  auto ta = dyn_cast<RankedTensorType>(a), tb = dyn_cast<RankedTensorType>(b);
  if (!ta || !tb || ta.getRank() != tb.getRank() || ta.getElementType() != tb.getElementType())
    return failure();
  SmallVector<int64_t> shape;
  for (auto [x, y] : llvm::zip(ta.getShape(), tb.getShape()))
    shape.push_back(x == y ? x : ShapedType::kDynamic);
  return RankedTensorType::get(shape, ta.getElementType());
}

std::string describe(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

// A block with arguments of `types`, not yet in any region.
Block *newBlock(NodeContext &ctx, TypeRange types) {
  auto *block = new Block();
  for (Type t : types)
    block->addArgument(t, ctx.loc);
  return block;
}

// Imports `graph` into a fresh block; the block is deleted on failure.
FailureOr<std::pair<Block *, SmallVector<Value>>> importBody(NodeContext &ctx,
                                                             const onnx::GraphProto &graph,
                                                             TypeRange argTypes) {
  Block *block = newBlock(ctx, argTypes);
  auto outputs = ctx.importSubgraph(graph, block, "");
  if (failed(outputs)) {
    block->dropAllDefinedValueUses();
    delete block;
    return failure();
  }
  return std::make_pair(block, *outputs);
}

void discard(Block *block) {
  for (Operation &op : llvm::reverse(*block))
    op.dropAllUses();
  block->dropAllDefinedValueUses();
  delete block;
}

void terminate(NodeContext &ctx, Block *block, ValueRange values) {
  OpBuilder::InsertionGuard guard(ctx.builder);
  ctx.builder.setInsertionPointToEnd(block);
  nn::YieldOp::create(ctx.builder, ctx.loc, values);
}

} // namespace

Converted convertIf(NodeContext &ctx) {
  const onnx::GraphProto *thenGraph = ctx.getGraph("then_branch");
  const onnx::GraphProto *elseGraph = ctx.getGraph("else_branch");
  if (!thenGraph || !elseGraph)
    return ctx.fail("needs then_branch and else_branch graphs");
  if (thenGraph->output_size() != elseGraph->output_size() ||
      thenGraph->output_size() != ctx.node.output_size())
    return ctx.fail("the branches and the node must have the same number of outputs");
  auto thenBody = importBody(ctx, *thenGraph, {});
  if (failed(thenBody))
    return failure();
  auto elseBody = importBody(ctx, *elseGraph, {});
  if (failed(elseBody)) {
    discard(thenBody->first);
    return failure();
  }
  SmallVector<Type> types;
  for (auto [i, pair] : llvm::enumerate(llvm::zip(thenBody->second, elseBody->second))) {
    auto [t, e] = pair;
    auto joined = join(t.getType(), e.getType());
    if (failed(joined)) {
      discard(thenBody->first);
      discard(elseBody->first);
      return ctx.fail("output " + Twine(i) + " is " + describe(t.getType()) +
                      " in then_branch but " + describe(e.getType()) +
                      " in else_branch (rank and element type must agree)");
    }
    types.push_back(*joined);
  }
  terminate(ctx, thenBody->first, thenBody->second);
  terminate(ctx, elseBody->first, elseBody->second);
  Value condition = ctx.input(0);
  OperationState state(ctx.loc, nn::IfOp::getOperationName());
  state.addOperands(condition);
  state.addTypes(types);
  state.addRegion()->push_back(thenBody->first);
  state.addRegion()->push_back(elseBody->first);
  Operation *op = ctx.builder.create(state);
  return Values(op->getResults());
}

Converted convertLoop(NodeContext &ctx) {
  const onnx::GraphProto *body = ctx.getGraph("body");
  if (!body)
    return ctx.fail("needs a body graph");
  Value maxTrips = ctx.input(0), condition = ctx.input(1);
  SmallVector<Value> initial;
  for (size_t i = 2; i < ctx.numInputs(); ++i) {
    if (!ctx.input(i))
      return ctx.fail("loop-carried input " + Twine(i - 2) + " is missing");
    initial.push_back(ctx.input(i));
  }
  size_t carried = initial.size();
  if (body->input_size() != (int)carried + 2 || body->output_size() < (int)carried + 1)
    return ctx.fail("the body must take the iteration number, the condition and the " +
                    Twine(carried) + " carried values and return the condition and them");
  MLIRContext *mctx = ctx.builder.getContext();
  Type iterType = RankedTensorType::get({}, IntegerType::get(mctx, 64));
  Type condType = RankedTensorType::get({}, IntegerType::get(mctx, 1));
  SmallVector<Type> carriedTypes = llvm::map_to_vector(initial, [](Value v) { return v.getType(); });
  // Import until the carried types are a fixpoint (each round can only make
  // dims dynamic, so this ends).
  for (int round = 0;; ++round) {
    SmallVector<Type> args = {iterType, condType};
    llvm::append_range(args, carriedTypes);
    auto imported = importBody(ctx, *body, args);
    if (failed(imported))
      return failure();
    auto &[block, outputs] = *imported;
    bool changed = false;
    for (size_t i = 0; i < carried; ++i) {
      auto joined = join(carriedTypes[i], outputs[1 + i].getType());
      if (failed(joined)) {
        discard(block);
        return ctx.fail("carried value " + Twine(i) + " enters as " + describe(carriedTypes[i]) +
                        " but the body returns " + describe(outputs[1 + i].getType()));
      }
      changed |= *joined != carriedTypes[i];
      carriedTypes[i] = *joined;
    }
    if (changed && round < 8) {
      discard(block);
      continue;
    }
    SmallVector<Type> results(carriedTypes);
    for (size_t i = carried + 1; i < outputs.size(); ++i) {
      auto slice = typeOf(outputs[i]);
      SmallVector<int64_t> shape = {ShapedType::kDynamic};
      llvm::append_range(shape, slice.getShape());
      results.push_back(RankedTensorType::get(shape, slice.getElementType()));
    }
    terminate(ctx, block, outputs);
    OperationState state(ctx.loc, nn::LoopOp::getOperationName());
    if (maxTrips)
      state.addOperands(maxTrips);
    if (condition)
      state.addOperands(condition);
    state.addOperands(initial);
    state.addAttribute("operandSegmentSizes",
                       ctx.builder.getDenseI32ArrayAttr(
                           {maxTrips ? 1 : 0, condition ? 1 : 0, (int32_t)carried}));
    state.addTypes(results);
    state.addRegion()->push_back(block);
    Operation *op = ctx.builder.create(state);
    return Values(op->getResults());
  }
}

Converted convertScan(NodeContext &ctx) {
  const onnx::GraphProto *body = ctx.getGraph("body");
  if (!body)
    return ctx.fail("needs a body graph");
  int64_t numScans = ctx.getInt("num_scan_inputs", 0);
  // Opset 8 starts with sequence_lens and has a batch axis on everything.
  bool batched = ctx.opset < 9;
  size_t first = batched ? 1 : 0;
  if (batched && ctx.input(0))
    return ctx.fail("sequence_lens (opset 8) is not supported");
  SmallVector<Value> inputs;
  for (size_t i = first; i < ctx.numInputs(); ++i)
    inputs.push_back(ctx.input(i));
  int64_t numStates = (int64_t)inputs.size() - numScans;
  if (numScans < 1 || numStates < 0)
    return ctx.fail("num_scan_inputs must be between 1 and the number of inputs");
  if (batched) {
    // Opset 8: one scan per batch entry; the batch must be static and 1 here.
    for (Value v : inputs)
      if (typeOf(v).getRank() < 1 || typeOf(v).getDimSize(0) != 1)
        return ctx.fail("opset 8 Scan is supported with a batch of 1");
    SmallVector<Value> unbatched;
    for (Value v : inputs) {
      auto s = ctx.create<nn::SqueezeOp>({v}, {ctx.intsAttr("axes", {0})});
      if (failed(s))
        return failure();
      unbatched.push_back(*s);
    }
    inputs = unbatched;
  }
  SmallVector<int64_t> inAxes = ctx.getInts("scan_input_axes", SmallVector<int64_t>(numScans, 0));
  SmallVector<int64_t> inDirs =
      ctx.getInts(batched ? "directions" : "scan_input_directions",
                  SmallVector<int64_t>(numScans, 0));
  int64_t numOutputs = body->output_size() - numStates;
  SmallVector<int64_t> outAxes = ctx.getInts("scan_output_axes", SmallVector<int64_t>(numOutputs, 0));
  SmallVector<int64_t> outDirs =
      ctx.getInts("scan_output_directions", SmallVector<int64_t>(numOutputs, 0));
  if ((int64_t)inAxes.size() != numScans || (int64_t)inDirs.size() != numScans ||
      numOutputs < 0 || (int64_t)outAxes.size() != numOutputs ||
      (int64_t)outDirs.size() != numOutputs)
    return ctx.fail("scan axes and directions need one entry per scan input and output");
  SmallVector<Type> stateTypes, sliceTypes;
  for (int64_t i = 0; i < numStates; ++i)
    stateTypes.push_back(inputs[i].getType());
  for (int64_t i = 0; i < numScans; ++i) {
    auto type = typeOf(inputs[numStates + i]);
    auto axis = nn::normalizeAxis(inAxes[i], type.getRank());
    if (!axis)
      return ctx.fail("scan_input_axes[" + Twine(i) + "] is out of range");
    inAxes[i] = *axis;
    SmallVector<int64_t> shape(type.getShape());
    shape.erase(shape.begin() + *axis);
    sliceTypes.push_back(RankedTensorType::get(shape, type.getElementType()));
  }
  for (int round = 0;; ++round) {
    SmallVector<Type> args(stateTypes);
    llvm::append_range(args, sliceTypes);
    auto imported = importBody(ctx, *body, args);
    if (failed(imported))
      return failure();
    auto &[block, outputs] = *imported;
    bool changed = false;
    for (int64_t i = 0; i < numStates; ++i) {
      auto joined = join(stateTypes[i], outputs[i].getType());
      if (failed(joined)) {
        discard(block);
        return ctx.fail("state " + Twine(i) + " enters as " + describe(stateTypes[i]) +
                        " but the body returns " + describe(outputs[i].getType()));
      }
      changed |= *joined != stateTypes[i];
      stateTypes[i] = *joined;
    }
    if (changed && round < 8) {
      discard(block);
      continue;
    }
    SmallVector<Type> results(stateTypes);
    for (int64_t i = 0; i < numOutputs; ++i) {
      auto slice = typeOf(outputs[numStates + i]);
      auto axis = nn::normalizeAxis(outAxes[i], slice.getRank() + 1);
      if (!axis) {
        discard(block);
        return ctx.fail("scan_output_axes[" + Twine(i) + "] is out of range");
      }
      outAxes[i] = *axis;
      // The scanned length: the scan inputs' length along their axes.
      auto firstScan = typeOf(inputs[numStates]);
      SmallVector<int64_t> shape(slice.getShape());
      shape.insert(shape.begin() + *axis, firstScan.getDimSize(inAxes[0]));
      results.push_back(RankedTensorType::get(shape, slice.getElementType()));
    }
    terminate(ctx, block, outputs);
    OperationState state(ctx.loc, nn::ScanOp::getOperationName());
    state.addOperands(inputs);
    state.addAttribute("num_scan_inputs", ctx.builder.getI64IntegerAttr(numScans));
    state.addAttribute("scan_input_axes", ctx.builder.getDenseI64ArrayAttr(inAxes));
    state.addAttribute("scan_input_directions", ctx.builder.getDenseI64ArrayAttr(inDirs));
    state.addAttribute("scan_output_axes", ctx.builder.getDenseI64ArrayAttr(outAxes));
    state.addAttribute("scan_output_directions", ctx.builder.getDenseI64ArrayAttr(outDirs));
    state.addTypes(results);
    state.addRegion()->push_back(block);
    Operation *op = ctx.builder.create(state);
    Values values(op->getResults());
    if (batched) {
      Values rebatched;
      for (Value v : values) {
        auto u = ctx.create<nn::UnsqueezeOp>({v}, {ctx.intsAttr("axes", {0})});
        if (failed(u))
          return failure();
        rebatched.push_back(*u);
      }
      return rebatched;
    }
    return values;
  }
}

} // namespace openopt::onnx_import

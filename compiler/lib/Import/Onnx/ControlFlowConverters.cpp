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

#include "mlir/IR/Matchers.h"

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

// The join of two values' types, part by part; failure when their kinds,
// ranks or element types disagree. An empty sequence of unknown rank takes
// the other's rank.
FailureOr<Bound> joinBound(const Bound &a, const Bound &b) {
  if (a.kind != b.kind || a.payloadIsSequence != b.payloadIsSequence)
    return failure();
  Bound r = a;
  if (a.isTensor()) {
    auto t = join(a.main().getType(), b.main().getType());
    if (failed(t))
      return failure();
    r.parts = {Value()};
    r.element = *t; // carries the joined type (parts are filled later)
    return r;
  }
  if (a.rank >= 0 && b.rank >= 0 && a.rank != b.rank)
    return failure();
  if (a.element && b.element && a.element != b.element)
    return failure();
  r.rank = a.rank >= 0 ? a.rank : b.rank;
  r.element = a.element ? a.element : b.element;
  return r;
}

// The part types of a joined value.
SmallVector<Type> partTypes(MLIRContext *ctx, const Bound &shape, ArrayRef<Type> tensorTypes) {
  auto seqTypes = [&](SmallVectorImpl<Type> &out) {
    Type element = shape.element ? shape.element : Float32Type::get(ctx);
    out.push_back(RankedTensorType::get({ShapedType::kDynamic}, element));
    out.push_back(RankedTensorType::get(
        {ShapedType::kDynamic, shape.rank >= 0 ? shape.rank : ShapedType::kDynamic},
        IntegerType::get(ctx, 64)));
  };
  SmallVector<Type> out;
  if (shape.isTensor()) {
    out.push_back(tensorTypes.front());
  } else if (shape.isSequence()) {
    seqTypes(out);
  } else {
    out.push_back(RankedTensorType::get({}, IntegerType::get(ctx, 1)));
    if (shape.payloadIsSequence)
      seqTypes(out);
    else
      out.push_back(tensorTypes.front());
  }
  return out;
}

// `value`'s parts as the joined `shape` expects them: an empty sequence of
// unknown rank is rebuilt empty with the joined rank.
SmallVector<Value> conform(NodeContext &ctx, const Bound &value, const Bound &shape) {
  auto fix = [&](Value values, Value shapes, int64_t rank) -> std::pair<Value, Value> {
    if (rank >= 0 || shape.rank < 0 || !Bound::isEmptyPlaceholder(shapes))
      return {values, shapes};
    auto shapesType = RankedTensorType::get({0, shape.rank}, ctx.builder.getI64Type());
    Value empty = nn::ConstantOp::create(ctx.builder, ctx.loc,
                                         DenseElementsAttr::get(shapesType, ArrayRef<int64_t>{}));
    return {values, empty};
  };
  if (value.isSequence()) {
    auto [v, sh] = fix(value.parts[0], value.parts[1], value.rank);
    return {v, sh};
  }
  if (value.isOptional() && value.payloadIsSequence) {
    auto [v, sh] = fix(value.parts[1], value.parts[2], value.rank);
    return {value.parts[0], v, sh};
  }
  return SmallVector<Value>(value.parts.begin(), value.parts.end());
}

// A Bound of `shape` over `parts`.
Bound rebuild(const Bound &shape, ValueRange parts) {
  Bound r = shape;
  r.parts.assign(parts.begin(), parts.end());
  if (shape.isTensor())
    r.element = Type();
  return r;
}

// The tensor type a joined tensor Bound carries (see joinBound).
Type joinedTensorType(const Bound &shape) { return shape.element; }

// Imports `graph` into a fresh block with arguments of `argTypes`, whose
// values stand for `argShapes`; the block is deleted on failure.
FailureOr<std::pair<Block *, SmallVector<Bound>>> importBody(NodeContext &ctx,
                                                             const onnx::GraphProto &graph,
                                                             ArrayRef<Bound> argShapes,
                                                             ArrayRef<SmallVector<Type>> argTypes,
                                                             std::string *why = nullptr) {
  auto *block = new Block();
  SmallVector<Bound> args;
  for (auto [shape, types] : llvm::zip(argShapes, argTypes)) {
    SmallVector<Value> parts;
    for (Type t : types)
      parts.push_back(block->addArgument(t, ctx.loc));
    args.push_back(rebuild(shape, parts));
  }
  OpBuilder::InsertionGuard guard(ctx.builder);
  ctx.builder.setInsertionPointToEnd(block);
  auto outputs = why ? ctx.trySubgraph(graph, args, *why) : ctx.importSubgraph(graph, args);
  if (failed(outputs)) {
    block->dropAllDefinedValueUses();
    delete block;
    return failure();
  }
  return std::make_pair(block, *outputs);
}

// A branch that does not import for the shapes at hand: it fails the run
// when taken, and yields placeholders shaped like the other branch's values.
std::pair<Block *, SmallVector<Bound>> failingBody(NodeContext &ctx, ArrayRef<Bound> like,
                                                   StringRef which, StringRef why) {
  auto *block = new Block();
  OpBuilder::InsertionGuard guard(ctx.builder);
  ctx.builder.setInsertionPointToEnd(block);
  Value never = ctx.scalarConstant(ctx.builder.getI1Type(), 0);
  nn::AssertOp::create(ctx.builder, ctx.loc, never,
                       (which + " cannot run for the input sizes the model was compiled for: " +
                        why.split('\n').first)
                           .str());
  SmallVector<Bound> values;
  for (const Bound &b : like) {
    Bound placeholder = b;
    for (Value &part : placeholder.parts) {
      auto t = cast<RankedTensorType>(part.getType());
      SmallVector<int64_t> shape;
      for (int64_t d : t.getShape())
        shape.push_back(ShapedType::isDynamic(d) ? 0 : d);
      auto type = RankedTensorType::get(shape, t.getElementType());
      part = nn::ConstantOp::create(
          ctx.builder, ctx.loc,
          DenseElementsAttr::get(type, ctx.builder.getZeroAttr(t.getElementType())));
    }
    values.push_back(placeholder);
  }
  return {block, values};
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

// Sets the node's outputs from results laid out by `shapes`.
Values bindResults(NodeContext &ctx, ArrayRef<Bound> shapes, ValueRange results) {
  Values mains;
  size_t at = 0;
  for (auto [i, shape] : llvm::enumerate(shapes)) {
    size_t n = shape.isTensor() ? 1 : shape.isSequence() ? 2 : (shape.payloadIsSequence ? 3 : 2);
    Bound value = rebuild(shape, results.slice(at, n));
    at += n;
    mains.push_back(value.main());
    if (!value.isTensor())
      ctx.setOutput(i, value);
  }
  return mains;
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
  // A condition known at compile time (often a shape test) takes its branch
  // in place: the other may not even fit (exporters emit "squeeze if the
  // last dim is 1" as an If whose branches have different ranks).
  DenseElementsAttr known;
  if (matchPattern(ctx.input(0), m_Constant(&known)) && known.getNumElements() == 1 &&
      known.getElementType().isInteger(1)) {
    auto outputs = ctx.importSubgraph(*known.getValues<bool>().begin() ? *thenGraph : *elseGraph, {});
    if (failed(outputs))
      return failure();
    Values mains;
    for (auto [i, out] : llvm::enumerate(*outputs)) {
      if (!out.isTensor())
        ctx.setOutput(i, out);
      mains.push_back(out.main());
    }
    return mains;
  }
  // A branch may not import for the sizes at hand (a shape test picks the
  // other); it then fails the run if it is ever taken.
  std::string thenWhy, elseWhy;
  auto thenBody = importBody(ctx, *thenGraph, {}, {}, &thenWhy);
  auto elseBody = importBody(ctx, *elseGraph, {}, {}, &elseWhy);
  if (failed(thenBody) && failed(elseBody)) {
    // Neither does: import one again to report its errors where they are.
    (void)importBody(ctx, *thenGraph, {}, {});
    return failure();
  }
  if (failed(thenBody))
    thenBody = failingBody(ctx, elseBody->second, "then_branch", thenWhy);
  if (failed(elseBody))
    elseBody = failingBody(ctx, thenBody->second, "else_branch", elseWhy);
  SmallVector<Bound> shapes;
  SmallVector<Type> types;
  SmallVector<Value> thenYield, elseYield;
  for (auto [i, pair] : llvm::enumerate(llvm::zip(thenBody->second, elseBody->second))) {
    auto [t, e] = pair;
    auto joined = joinBound(t, e);
    if (failed(joined)) {
      discard(thenBody->first);
      discard(elseBody->first);
      return ctx.fail("output " + Twine(i) + " has different kinds, ranks or element types in "
                      "then_branch and else_branch (when the condition depends on input sizes, "
                      "compiling for given sizes decides it: codegen.shapes \"specialize\")");
    }
    shapes.push_back(*joined);
    SmallVector<Type> tensorTypes;
    if (joined->isTensor())
      tensorTypes.push_back(joinedTensorType(*joined));
    else if (joined->isOptional() && !joined->payloadIsSequence) {
      auto jt = join(t.parts[1].getType(), e.parts[1].getType());
      if (failed(jt))
        return ctx.fail("output " + Twine(i) + ": the optional's tensor types differ");
      tensorTypes.push_back(*jt);
    }
    llvm::append_range(types, partTypes(ctx.builder.getContext(), *joined, tensorTypes));
    {
      OpBuilder::InsertionGuard guard(ctx.builder);
      ctx.builder.setInsertionPointToEnd(thenBody->first);
      llvm::append_range(thenYield, conform(ctx, t, *joined));
      ctx.builder.setInsertionPointToEnd(elseBody->first);
      llvm::append_range(elseYield, conform(ctx, e, *joined));
    }
  }
  terminate(ctx, thenBody->first, thenYield);
  terminate(ctx, elseBody->first, elseYield);
  Value condition = ctx.input(0);
  OperationState state(ctx.loc, nn::IfOp::getOperationName());
  state.addOperands(condition);
  state.addTypes(types);
  state.addRegion()->push_back(thenBody->first);
  state.addRegion()->push_back(elseBody->first);
  Operation *op = ctx.builder.create(state);
  return bindResults(ctx, shapes, op->getResults());
}

Converted convertLoop(NodeContext &ctx) {
  const onnx::GraphProto *body = ctx.getGraph("body");
  if (!body)
    return ctx.fail("needs a body graph");
  Value maxTrips = ctx.input(0), condition = ctx.input(1);
  SmallVector<Bound> initial;
  for (size_t i = 2; i < ctx.numInputs(); ++i) {
    if (!ctx.bound(i))
      return ctx.fail("loop-carried input " + Twine(i - 2) + " is missing");
    initial.push_back(*ctx.bound(i));
  }
  size_t carried = initial.size();
  if (body->input_size() != (int)carried + 2 || body->output_size() < (int)carried + 1)
    return ctx.fail("the body must take the iteration number, the condition and the " +
                    Twine(carried) + " carried values and return the condition and them");
  MLIRContext *mctx = ctx.builder.getContext();
  Type iterType = RankedTensorType::get({}, IntegerType::get(mctx, 64));
  Type condType = RankedTensorType::get({}, IntegerType::get(mctx, 1));
  // Carried shapes and their part types, joined until they are a fixpoint
  // (each round can only make dims dynamic or ranks known, so this ends).
  SmallVector<Bound> shapes;
  SmallVector<SmallVector<Type>> types;
  for (const Bound &v : initial) {
    Bound shape = v;
    if (v.isTensor())
      shape.element = v.main().getType();
    shapes.push_back(shape);
    types.push_back(partTypes(mctx, shape, v.isTensor() ? ArrayRef<Type>{v.main().getType()}
                                             : v.isOptional() && !v.payloadIsSequence
                                                 ? ArrayRef<Type>{v.parts[1].getType()}
                                                 : ArrayRef<Type>{}));
  }
  for (int round = 0;; ++round) {
    SmallVector<Bound> argShapes = {Bound::tensor(Value()), Bound::tensor(Value())};
    SmallVector<SmallVector<Type>> argTypes = {{iterType}, {condType}};
    llvm::append_range(argShapes, shapes);
    llvm::append_range(argTypes, types);
    auto imported = importBody(ctx, *body, argShapes, argTypes);
    if (failed(imported))
      return failure();
    auto &[block, outputs] = *imported;
    bool changed = false;
    for (size_t i = 0; i < carried; ++i) {
      const Bound &out = outputs[1 + i];
      if (shapes[i].isTensor()) {
        auto jt = out.isTensor() ? join(types[i][0], out.main().getType()) : FailureOr<Type>(failure());
        if (failed(jt)) {
          discard(block);
          return ctx.fail("carried value " + Twine(i) + " enters as " + describe(types[i][0]) +
                          " but the body returns another rank, type or kind");
        }
        changed |= *jt != types[i][0];
        types[i][0] = *jt;
        shapes[i].element = *jt;
        continue;
      }
      auto joined = joinBound(shapes[i], out);
      if (failed(joined)) {
        discard(block);
        return ctx.fail("carried value " + Twine(i) + " changes kind, rank or element type in the body");
      }
      SmallVector<Type> tensorTypes;
      if (joined->isOptional() && !joined->payloadIsSequence) {
        auto jt = join(types[i][1], out.parts[1].getType());
        if (failed(jt)) {
          discard(block);
          return ctx.fail("carried value " + Twine(i) + ": the optional's tensor changes rank or type");
        }
        tensorTypes.push_back(*jt);
        changed |= *jt != types[i][1];
      }
      changed |= joined->rank != shapes[i].rank || joined->element != shapes[i].element;
      shapes[i] = *joined;
      types[i] = partTypes(mctx, *joined, tensorTypes);
    }
    if (changed && round < 8) {
      discard(block);
      continue;
    }
    SmallVector<Value> yields = {outputs[0].main()};
    {
      OpBuilder::InsertionGuard guard(ctx.builder);
      ctx.builder.setInsertionPointToEnd(block);
      for (size_t i = 0; i < carried; ++i)
        llvm::append_range(yields, conform(ctx, outputs[1 + i], shapes[i]));
    }
    SmallVector<Type> results;
    for (auto &t : types)
      llvm::append_range(results, t);
    for (size_t i = carried + 1; i < outputs.size(); ++i) {
      if (!outputs[i].isTensor()) {
        discard(block);
        return ctx.fail("scan output " + Twine(i - carried - 1) + " must be a tensor");
      }
      yields.push_back(outputs[i].main());
      auto slice = typeOf(outputs[i].main());
      SmallVector<int64_t> shape = {ShapedType::kDynamic};
      llvm::append_range(shape, slice.getShape());
      results.push_back(RankedTensorType::get(shape, slice.getElementType()));
    }
    terminate(ctx, block, yields);
    SmallVector<Value> initialParts;
    for (size_t i = 0; i < carried; ++i)
      llvm::append_range(initialParts, conform(ctx, initial[i], shapes[i]));
    Operation *op = ctx.createLoop(maxTrips, condition, initialParts, results, block);
    SmallVector<Bound> resultShapes(shapes);
    for (size_t i = carried + 1; i < outputs.size(); ++i)
      resultShapes.push_back(Bound::tensor(Value()));
    return bindResults(ctx, resultShapes, op->getResults());
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
    SmallVector<Bound> argShapes(args.size(), Bound::tensor(Value()));
    SmallVector<SmallVector<Type>> argTypes;
    for (Type t : args)
      argTypes.push_back({t});
    auto imported = importBody(ctx, *body, argShapes, argTypes);
    if (failed(imported))
      return failure();
    auto &[block, boundOutputs] = *imported;
    SmallVector<Value> outputs;
    for (const Bound &o : boundOutputs) {
      if (!o.isTensor()) {
        discard(block);
        return ctx.fail("Scan bodies must produce tensors");
      }
      outputs.push_back(o.main());
    }
    bool changed = false;
    for (int64_t i = 0; i < numStates; ++i) {
      auto joined = join(stateTypes[i], outputs[i].getType());
      if (failed(joined)) {
        // The message first: the body's values go with the block.
        std::string returned = describe(outputs[i].getType());
        discard(block);
        return ctx.fail("state " + Twine(i) + " enters as " + describe(stateTypes[i]) +
                        " but the body returns " + returned);
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

//===- SequenceConverters.cpp - sequence and optional ops ----------------===//
//
// Sequences are {values, shapes} tensor pairs (see Bound.h), so every
// sequence op becomes plain nn ops: element i is the slice of `values` that
// starts at the sum of the sizes of the elements before it, reshaped to
// shapes[i]. Ops that walk the elements (SplitToSequence, SequenceMap,
// ConcatFromSequence) become an nn.loop.
//
//===----------------------------------------------------------------------===//
#include "Converters.h"

#include "openopt/Dialect/NN/ShapeUtils.h"
#include "openopt/Import/Onnx/TensorProto.h"

#include <limits>

using namespace mlir;

namespace openopt::onnx_import {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

constexpr const char *kUnknownRank =
    "the rank of the sequence's elements is not known here (an empty sequence nothing is "
    "inserted into, or an input whose type gives no element shape)";

// Creates nn ops through the node context; after the first failure every
// later call returns a null Value, so a converter checks `ok` once at the end.
struct Emit {
  NodeContext &ctx;
  bool ok = true;

  Value op(StringRef name, ValueRange operands, ArrayRef<NamedAttribute> attrs = {}) {
    if (!ok || llvm::any_of(operands, [](Value v) { return !v; })) {
      ok = false;
      return {};
    }
    auto r = ctx.create(name, operands, attrs, 1);
    if (failed(r)) {
      ok = false;
      return {};
    }
    return (*r)[0];
  }
  Type i64() { return ctx.builder.getI64Type(); }
  Value vec(ArrayRef<int64_t> v) { return ctx.i64Constant(v); }
  Value scalar(int64_t v) {
    return nn::ConstantOp::create(ctx.builder, ctx.loc,
                                  DenseElementsAttr::get(RankedTensorType::get({}, i64()), v));
  }
  Value add(Value a, Value b) { return op(nn::AddOp::getOperationName(), {a, b}); }
  Value mul(Value a, Value b) { return op(nn::MulOp::getOperationName(), {a, b}); }
  // A scalar as a one-element vector (slice bounds).
  Value asVector(Value s) {
    return op(nn::UnsqueezeOp::getOperationName(), {s}, {ctx.intsAttr("axes", {0})});
  }
  Value flatten(Value t) {
    return op(nn::ReshapeOp::getOperationName(), {t, vec({-1})});
  }
  Value shapeOf(Value t) { return op(nn::ShapeOp::getOperationName(), {t}); }
  Value concat(ValueRange parts, int64_t axis) {
    return op(nn::ConcatOp::getOperationName(), parts, {ctx.intAttr("axis", axis)});
  }
  // data[from:to] along `axis` (scalar bounds; `to` may be past the end).
  Value slice(Value data, Value from, Value to, int64_t axis = 0) {
    return op(nn::DynamicSliceOp::getOperationName(),
              {data, asVector(from), asVector(to), vec({axis})}, {ctx.segments({1, 1, 1, 1, 0})});
  }
  Value sliceFrom(Value data, Value from) {
    return slice(data, from, scalar(std::numeric_limits<int64_t>::max()));
  }
  Value gather(Value data, Value index) {
    return op(nn::GatherOp::getOperationName(), {data, index}, {ctx.intAttr("axis", 0)});
  }
  Value reduce(StringRef name, Value input, int64_t axis) {
    return op(name, {input}, {ctx.intsAttr("axes", {axis}), ctx.intAttr("keepdims", 0)});
  }
  Value emptyOf(RankedTensorType type) {
    if (!ok)
      return {};
    return nn::ConstantOp::create(ctx.builder, ctx.loc,
                                  DenseElementsAttr::get(type, ArrayRef<Attribute>{}));
  }
  Value toI64(Value v) {
    if (!ok || typeOf(v).getElementType() == i64())
      return v;
    return nn::CastOp::create(ctx.builder, ctx.loc, typeOf(v).clone(i64()), v);
  }
  Value constantBool(bool v) { return ctx.scalarConstant(ctx.builder.getI1Type(), v ? 1 : 0); }
};

// What the converters need to know about a sequence's elements.
struct Sequence {
  Value values, shapes;
  Type element;
  int64_t rank;
};

Sequence asSequence(const Bound &b) { return {b.parts[0], b.parts[1], b.element, b.rank}; }

Bound toBound(const Sequence &s) { return Bound::sequence(s.values, s.shapes, s.element, s.rank); }

// The number of elements (i64 scalar).
Value lengthOf(Emit &e, const Sequence &s) { return e.gather(e.shapeOf(s.shapes), e.scalar(0)); }

// Each element's number of entries ([n] i64).
Value sizesOf(Emit &e, const Sequence &s) {
  return e.reduce(nn::ReduceProdOp::getOperationName(), s.shapes, 1);
}

// `position` (a scalar of any integer type) with negative values counted from
// `length`.
Value normalize(Emit &e, Value position, Value length) {
  if (!e.ok)
    return {};
  Value p = e.toI64(position);
  if (typeOf(p).getRank() != 0)
    p = e.op(nn::ReshapeOp::getOperationName(), {p, e.vec({})});
  Value negative = e.op(nn::LessOp::getOperationName(), {p, e.scalar(0)});
  return e.op(nn::WhereOp::getOperationName(), {negative, e.add(p, length), p});
}

// Where element `index` starts in `values`.
Value offsetOf(Emit &e, Value sizes, Value index) {
  return e.reduce(nn::ReduceSumOp::getOperationName(), e.slice(sizes, e.scalar(0), index), 0);
}

// Element `index` (already normalised) of `s`.
Value elementAt(Emit &e, const Sequence &s, Value index) {
  Value sizes = sizesOf(e, s);
  Value start = offsetOf(e, sizes, index);
  Value end = e.add(start, e.gather(sizes, index));
  Value flat = e.slice(s.values, start, end);
  return e.op(nn::ReshapeOp::getOperationName(), {flat, e.gather(s.shapes, index)});
}

// The shapes part of an empty sequence of `rank`.
Value emptyShapes(Emit &e, int64_t rank) {
  return e.emptyOf(RankedTensorType::get({0, rank}, e.i64()));
}

// `s` with `tensor` inserted before element `index` (appended when null).
FailureOr<Sequence> insertInto(NodeContext &ctx, Emit &e, const Sequence &s, Value tensor,
                               Value index) {
  auto type = typeOf(tensor);
  if (s.element && s.element != type.getElementType())
    return ctx.fail("the tensor's element type differs from the sequence's");
  if (s.rank >= 0 && s.rank != type.getRank())
    return ctx.fail("the tensor has rank " + Twine(type.getRank()) +
                    ", the sequence's elements rank " + Twine(s.rank) +
                    " (elements of different ranks are not supported)");
  Value shapes = s.rank < 0 && Bound::isEmptyPlaceholder(s.shapes) ? emptyShapes(e, type.getRank())
                                                                  : s.shapes;
  Value flat = e.flatten(tensor);
  Value shape = e.asVector(e.shapeOf(tensor));
  if (type.getRank() == 0)
    shape = e.op(nn::ReshapeOp::getOperationName(), {e.shapeOf(tensor), e.vec({1, 0})},
                 {ctx.intAttr("allowzero", 1)});
  Sequence r{Value(), Value(), type.getElementType(), type.getRank()};
  if (!index) {
    r.values = e.concat({s.values, flat}, 0);
    r.shapes = e.concat({shapes, shape}, 0);
  } else {
    Value start = offsetOf(e, sizesOf(e, s), index);
    r.values = e.concat({e.slice(s.values, e.scalar(0), start), flat, e.sliceFrom(s.values, start)}, 0);
    r.shapes = e.concat({e.slice(shapes, e.scalar(0), index), shape, e.sliceFrom(shapes, index)}, 0);
  }
  if (!e.ok)
    return failure();
  return r;
}

// An empty sequence of `element`s of `rank` (-1: not known yet).
Sequence emptySequence(Emit &e, Type element, int64_t rank) {
  return {e.emptyOf(RankedTensorType::get({0}, element)), emptyShapes(e, std::max<int64_t>(rank, 0)),
          element, rank};
}

// Builds an nn.loop that runs `trips` (i64 scalar) times over carried values
// starting at `initial` with `types`; `body` receives the iteration number
// and the carried values and returns their next values. Returns the final
// carried values.
FailureOr<SmallVector<Value>>
repeat(NodeContext &ctx, Emit &e, Value trips, ArrayRef<Value> initial, ArrayRef<Type> types,
       llvm::function_ref<FailureOr<SmallVector<Value>>(Value, ValueRange)> body) {
  if (!e.ok)
    return failure();
  MLIRContext *mctx = ctx.builder.getContext();
  auto *block = new Block();
  Value iteration = block->addArgument(RankedTensorType::get({}, IntegerType::get(mctx, 64)), ctx.loc);
  block->addArgument(RankedTensorType::get({}, IntegerType::get(mctx, 1)), ctx.loc);
  SmallVector<Value> carried;
  for (Type t : types)
    carried.push_back(block->addArgument(t, ctx.loc));
  FailureOr<SmallVector<Value>> next = failure();
  {
    OpBuilder::InsertionGuard guard(ctx.builder);
    ctx.builder.setInsertionPointToEnd(block);
    next = body(iteration, carried);
    if (succeeded(next) && e.ok) {
      SmallVector<Value> yields = {e.constantBool(true)};
      llvm::append_range(yields, *next);
      nn::YieldOp::create(ctx.builder, ctx.loc, yields);
    }
  }
  if (failed(next) || !e.ok) {
    for (Operation &op : llvm::reverse(*block))
      op.dropAllUses();
    block->dropAllDefinedValueUses();
    delete block;
    e.ok = false;
    return failure();
  }
  Operation *loop = ctx.createLoop(trips, Value(), initial, types, block);
  return SmallVector<Value>(loop->getResults());
}

// The part types a sequence has while it is carried through a loop.
SmallVector<Type> carriedTypes(Type element, int64_t rank) {
  MLIRContext *ctx = element.getContext();
  return {RankedTensorType::get({ShapedType::kDynamic}, element),
          RankedTensorType::get({ShapedType::kDynamic, rank}, IntegerType::get(ctx, 64))};
}

Converted sequenceResult(NodeContext &ctx, Emit &e, FailureOr<Sequence> s) {
  if (failed(s) || !e.ok)
    return failure();
  ctx.setOutput(0, toBound(*s));
  return Values{s->values};
}

const Bound *sequenceInput(NodeContext &ctx, size_t i) {
  const Bound *b = ctx.bound(i);
  if (!b || !b->isSequence()) {
    (void)ctx.fail("input " + Twine(i) + " must be a sequence");
    return nullptr;
  }
  return b;
}

const Bound *tensorInput(NodeContext &ctx, size_t i) {
  const Bound *b = ctx.bound(i);
  if (!b || !b->isTensor()) {
    (void)ctx.fail("input " + Twine(i) + " must be a tensor");
    return nullptr;
  }
  return b;
}

// The ONNX type an attribute `type` names (Optional's), if any.
const onnx::TypeProto *typeAttribute(NodeContext &ctx, StringRef name) {
  for (const auto &a : ctx.node.attribute())
    if (a.name() == name && a.has_tp())
      return &a.tp();
  return nullptr;
}

} // namespace

Converted convertSequenceEmpty(NodeContext &ctx) {
  Emit e{ctx};
  auto element = onnxElementType(*ctx.builder.getContext(), ctx.getInt("dtype", 1));
  if (!element)
    return ctx.fail("dtype: " + llvm::toString(element.takeError()));
  return sequenceResult(ctx, e, emptySequence(e, *element, -1));
}

Converted convertSequenceConstruct(NodeContext &ctx) {
  if (ctx.numInputs() == 0)
    return ctx.fail("needs at least one input");
  Emit e{ctx};
  auto first = typeOf(ctx.input(0));
  Sequence s = emptySequence(e, first.getElementType(), first.getRank());
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    if (!tensorInput(ctx, i))
      return failure();
    auto next = insertInto(ctx, e, s, ctx.input(i), Value());
    if (failed(next))
      return failure();
    s = *next;
  }
  return sequenceResult(ctx, e, s);
}

Converted convertSequenceInsert(NodeContext &ctx) {
  const Bound *seq = sequenceInput(ctx, 0);
  if (!seq || !tensorInput(ctx, 1))
    return failure();
  Emit e{ctx};
  Sequence s = asSequence(*seq);
  Value index;
  if (ctx.input(2))
    index = normalize(e, ctx.input(2), lengthOf(e, s));
  return sequenceResult(ctx, e, insertInto(ctx, e, s, ctx.input(1), index));
}

Converted convertSequenceErase(NodeContext &ctx) {
  const Bound *seq = sequenceInput(ctx, 0);
  if (!seq)
    return failure();
  Emit e{ctx};
  Sequence s = asSequence(*seq);
  Value length = lengthOf(e, s);
  Value index = ctx.input(1) ? normalize(e, ctx.input(1), length) : e.add(length, e.scalar(-1));
  Value sizes = sizesOf(e, s);
  Value start = offsetOf(e, sizes, index);
  Value end = e.add(start, e.gather(sizes, index));
  Value after = e.add(index, e.scalar(1));
  Sequence r = s;
  r.values = e.concat({e.slice(s.values, e.scalar(0), start), e.sliceFrom(s.values, end)}, 0);
  r.shapes = e.concat({e.slice(s.shapes, e.scalar(0), index), e.sliceFrom(s.shapes, after)}, 0);
  return sequenceResult(ctx, e, r);
}

Converted convertSequenceAt(NodeContext &ctx) {
  const Bound *seq = sequenceInput(ctx, 0);
  if (!seq || !tensorInput(ctx, 1))
    return failure();
  if (seq->rank < 0)
    return ctx.fail(kUnknownRank);
  Emit e{ctx};
  Sequence s = asSequence(*seq);
  Value v = elementAt(e, s, normalize(e, ctx.input(1), lengthOf(e, s)));
  if (!e.ok)
    return failure();
  return Values{v};
}

Converted convertSequenceLength(NodeContext &ctx) {
  const Bound *seq = sequenceInput(ctx, 0);
  if (!seq)
    return failure();
  Emit e{ctx};
  Value n = lengthOf(e, asSequence(*seq));
  if (!e.ok)
    return failure();
  return Values{n};
}

Converted convertSplitToSequence(NodeContext &ctx) {
  if (!tensorInput(ctx, 0))
    return failure();
  Emit e{ctx};
  Value input = ctx.input(0);
  auto type = typeOf(input);
  auto axis = nn::normalizeAxis(ctx.getInt("axis", 0), type.getRank());
  if (!axis)
    return ctx.fail("axis " + Twine(ctx.getInt("axis", 0)) + " is out of range for rank " +
                    Twine(type.getRank()));
  Value split = ctx.input(1);
  bool squeeze = !split && ctx.getInt("keepdims", 1) == 0;
  if (split && typeOf(split).getRank() > 1)
    return ctx.fail("split must be a scalar or a 1-D tensor");
  Value length = e.gather(e.shapeOf(input), e.scalar(*axis));
  if (split)
    split = e.toI64(split);
  bool lengths = split && typeOf(split).getRank() == 1;
  // The number of pieces: one per entry, per split length, or per chunk.
  Value trips = length;
  if (lengths) {
    trips = e.gather(e.shapeOf(split), e.scalar(0));
  } else if (split) {
    // ceil(length / chunk)
    Value chunk = split;
    Value sum = e.add(length, e.add(chunk, e.scalar(-1)));
    trips = e.op(nn::DivOp::getOperationName(), {sum, chunk});
  }
  int64_t rank = type.getRank() - (squeeze ? 1 : 0);
  Sequence init = emptySequence(e, type.getElementType(), rank);
  SmallVector<Type> types = carriedTypes(type.getElementType(), rank);
  auto result = repeat(ctx, e, trips, {init.values, init.shapes}, types,
                       [&](Value i, ValueRange carried) -> FailureOr<SmallVector<Value>> {
                         Value start = i, end = e.add(i, e.scalar(1));
                         if (lengths) {
                           start = offsetOf(e, split, i);
                           end = e.add(start, e.gather(split, i));
                         } else if (split) {
                           start = e.mul(i, split);
                           end = e.add(start, split);
                         }
                         Value piece = e.slice(input, start, end, *axis);
                         if (squeeze)
                           piece = e.op(nn::SqueezeOp::getOperationName(), {piece},
                                        {ctx.intsAttr("axes", {*axis})});
                         Sequence s{carried[0], carried[1], type.getElementType(), rank};
                         auto next = insertInto(ctx, e, s, piece, Value());
                         if (failed(next))
                           return failure();
                         return SmallVector<Value>{next->values, next->shapes};
                       });
  if (failed(result))
    return failure();
  return sequenceResult(ctx, e, Sequence{(*result)[0], (*result)[1], type.getElementType(), rank});
}

Converted convertConcatFromSequence(NodeContext &ctx) {
  const Bound *seq = sequenceInput(ctx, 0);
  if (!seq)
    return failure();
  if (seq->rank < 0)
    return ctx.fail(kUnknownRank);
  Emit e{ctx};
  Sequence s = asSequence(*seq);
  bool newAxis = ctx.getInt("new_axis", 0) == 1;
  int64_t outRank = s.rank + (newAxis ? 1 : 0);
  auto axis = nn::normalizeAxis(ctx.getInt("axis", 0), outRank);
  if (!axis)
    return ctx.fail("axis " + Twine(ctx.getInt("axis", 0)) + " is out of range for rank " +
                    Twine(outRank));
  auto piece = [&](Value index) {
    Value v = elementAt(e, s, index);
    if (newAxis)
      v = e.op(nn::UnsqueezeOp::getOperationName(), {v}, {ctx.intsAttr("axes", {*axis})});
    return v;
  };
  // The first element, then each later one concatenated to it.
  Value first = piece(e.scalar(0));
  Value trips = e.add(lengthOf(e, s), e.scalar(-1));
  Type accType = RankedTensorType::get(SmallVector<int64_t>(outRank, ShapedType::kDynamic), s.element);
  auto result = repeat(ctx, e, trips, {first}, {accType},
                       [&](Value i, ValueRange carried) -> FailureOr<SmallVector<Value>> {
                         Value next = piece(e.add(i, e.scalar(1)));
                         return SmallVector<Value>{e.concat({carried[0], next}, *axis)};
                       });
  if (failed(result))
    return failure();
  return Values{(*result)[0]};
}

Converted convertSequenceMap(NodeContext &ctx) {
  const onnx::GraphProto *body = ctx.getGraph("body");
  if (!body)
    return ctx.fail("needs a body graph");
  const Bound *seq = sequenceInput(ctx, 0);
  if (!seq)
    return failure();
  if (body->input_size() != (int)ctx.numInputs())
    return ctx.fail("the body takes " + Twine(body->input_size()) + " inputs, the node has " +
                    Twine(ctx.numInputs()));
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    const Bound *b = ctx.bound(i);
    if (!b || b->isOptional())
      return ctx.fail("input " + Twine(i) + " must be a tensor or a sequence");
    if (b->isSequence() && b->rank < 0)
      return ctx.fail("input " + Twine(i) + ": " + kUnknownRank);
  }
  Emit e{ctx};
  Value trips = lengthOf(e, asSequence(*seq));
  // The body's output types decide the carried types, so the loop is built
  // by hand: a block with the iteration arguments, the body imported into
  // it, then the carried arguments added.
  MLIRContext *mctx = ctx.builder.getContext();
  auto *block = new Block();
  Value iteration = block->addArgument(RankedTensorType::get({}, IntegerType::get(mctx, 64)), ctx.loc);
  block->addArgument(RankedTensorType::get({}, IntegerType::get(mctx, 1)), ctx.loc);
  OpBuilder::InsertPoint outside = ctx.builder.saveInsertionPoint();
  auto drop = [&] {
    ctx.builder.restoreInsertionPoint(outside);
    for (Operation &op : llvm::reverse(*block))
      op.dropAllUses();
    block->dropAllDefinedValueUses();
    delete block;
    return failure();
  };
  ctx.builder.setInsertionPointToEnd(block);
  SmallVector<Bound> args;
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    const Bound *b = ctx.bound(i);
    args.push_back(b->isSequence() ? Bound::tensor(elementAt(e, asSequence(*b), iteration)) : *b);
  }
  if (!e.ok)
    return drop();
  auto outputs = ctx.importSubgraph(*body, args);
  if (failed(outputs))
    return drop();
  SmallVector<Value> initial, yields = {e.constantBool(true)};
  SmallVector<Type> types;
  SmallVector<Sequence> shapes;
  for (auto [k, out] : llvm::enumerate(*outputs)) {
    if (!out.isTensor()) {
      (void)ctx.fail("body output " + Twine(k) + " must be a tensor");
      return drop();
    }
    auto t = typeOf(out.main());
    auto partTypes = carriedTypes(t.getElementType(), t.getRank());
    Value values = block->addArgument(partTypes[0], ctx.loc);
    Value shapesArg = block->addArgument(partTypes[1], ctx.loc);
    auto next = insertInto(ctx, e, Sequence{values, shapesArg, t.getElementType(), t.getRank()},
                           out.main(), Value());
    if (failed(next))
      return drop();
    yields.push_back(next->values);
    yields.push_back(next->shapes);
    llvm::append_range(types, partTypes);
    shapes.push_back(Sequence{Value(), Value(), t.getElementType(), t.getRank()});
  }
  if (!e.ok)
    return drop();
  nn::YieldOp::create(ctx.builder, ctx.loc, yields);
  // Back outside: the initial (empty) sequences and the loop itself.
  ctx.builder.restoreInsertionPoint(outside);
  for (const Sequence &s : shapes) {
    Sequence empty = emptySequence(e, s.element, s.rank);
    initial.push_back(empty.values);
    initial.push_back(empty.shapes);
  }
  Operation *loop = ctx.createLoop(trips, Value(), initial, types, block);
  Values mains;
  for (auto [k, s] : llvm::enumerate(shapes)) {
    Bound b = Bound::sequence(loop->getResult(2 * k), loop->getResult(2 * k + 1), s.element, s.rank);
    ctx.setOutput(k, b);
    mains.push_back(b.main());
  }
  return mains;
}

Converted convertOptional(NodeContext &ctx) {
  Emit e{ctx};
  Bound r;
  r.kind = Bound::Kind::Optional;
  if (const Bound *b = ctx.bound(0)) {
    if (b->isOptional())
      return ctx.fail("the input is already an optional");
    r.parts = {e.constantBool(true)};
    llvm::append_range(r.parts, b->parts);
    r.payloadIsSequence = b->isSequence();
    r.element = b->element;
    r.rank = b->rank;
  } else {
    const onnx::TypeProto *type = typeAttribute(ctx, "type");
    if (!type)
      return ctx.fail("an Optional without an input needs the 'type' attribute");
    const onnx::TypeProto::Tensor *tensor = nullptr;
    if (type->has_tensor_type())
      tensor = &type->tensor_type();
    else if (type->has_sequence_type() && type->sequence_type().elem_type().has_tensor_type())
      tensor = &type->sequence_type().elem_type().tensor_type();
    else
      return ctx.fail("type: only tensors and sequences of tensors are supported");
    auto element = onnxElementType(*ctx.builder.getContext(), tensor->elem_type());
    if (!element)
      return ctx.fail("type: " + llvm::toString(element.takeError()));
    int64_t rank = tensor->has_shape() ? tensor->shape().dim_size() : -1;
    r.parts = {e.constantBool(false)};
    if (type->has_sequence_type()) {
      Sequence s = emptySequence(e, *element, rank);
      r.parts.append({s.values, s.shapes});
      r.payloadIsSequence = true;
      r.element = *element;
      r.rank = rank;
    } else {
      // An absent tensor: an empty one of the declared rank.
      r.parts.push_back(e.emptyOf(RankedTensorType::get(
          SmallVector<int64_t>(std::max<int64_t>(rank, 1), 0), *element)));
    }
  }
  if (!e.ok)
    return failure();
  ctx.setOutput(0, r);
  return Values{r.main()};
}

Converted convertOptionalHasElement(NodeContext &ctx) {
  Emit e{ctx};
  const Bound *b = ctx.bound(0);
  Value has = !b ? e.constantBool(false) : b->isOptional() ? b->parts[0] : e.constantBool(true);
  return Values{has};
}

Converted convertOptionalGetElement(NodeContext &ctx) {
  const Bound *b = ctx.bound(0);
  if (!b)
    return ctx.fail("needs an input");
  Bound payload = b->isOptional() ? b->payload() : *b;
  if (!payload.isTensor())
    ctx.setOutput(0, payload);
  return Values{payload.main()};
}

Converted convertIdentity(NodeContext &ctx) {
  const Bound *b = ctx.bound(0);
  if (b && !b->isTensor()) {
    ctx.setOutput(0, *b);
    return Values{b->main()};
  }
  return convertUnary(ctx);
}

} // namespace openopt::onnx_import

//===- OnnxImporter.cpp - ONNX ModelProto to nn IR -------------------------===//
//
// Checks the whole model for unsupported ops, opsets and attributes first so
// that every problem is reported at once, then converts the graph node by
// node into one func.func. A node that fails to convert poisons its outputs;
// nodes fed only by poisoned values are skipped silently, so each error
// reported is independent.
//
//===----------------------------------------------------------------------===//
#include "openopt/Import/Onnx/OnnxImporter.h"

#include "Bound.h"
#include "Converters.h"
#include "SchemaCheck.h"
#include "openopt/Import/Onnx/TensorProto.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using llvm::createStringError;

namespace openopt {
namespace onnx_import {

FailureOr<Value> constantFromTensor(NodeContext &ctx, const onnx::TensorProto &tensor) {
  // Constant nodes resolve external data next to no model; initializers go
  // through the importer, which knows the model folder.
  auto decoded = decodeTensorProto(*ctx.builder.getContext(), tensor, "");
  if (!decoded)
    return ctx.fail(llvm::toString(decoded.takeError()));
  auto type = RankedTensorType::get(decoded->shape, decoded->elementType);
  ElementsAttr value;
  if (decoded->elementType.isInteger(1)) {
    SmallVector<bool> bits(decoded->bytes.begin(), decoded->bytes.end());
    value = DenseElementsAttr::get(type, ArrayRef<bool>(bits));
  } else {
    value = DenseElementsAttr::getFromRawBuffer(type, decoded->bytes);
  }
  return nn::ConstantOp::create(ctx.builder, ctx.loc, value).getResult();
}

} // namespace onnx_import

namespace {

using onnx_import::NodeContext;

class GraphImporter {
public:
  GraphImporter(MLIRContext &ctx, StringRef displayName, StringRef baseDir,
                const OnnxImportOptions &options)
      : ctx(ctx), builder(&ctx), displayName(displayName.str()),
        baseDir(baseDir.str()), options(options) {}

  /// Imports `model`, emptying its initializers' raw data as they become
  /// resource blobs so that the weights are not held twice.
  llvm::Expected<OwningOpRef<ModuleOp>> run(onnx::ModelProto &model);

private:
  void checkSupport(const onnx::GraphProto &graph, llvm::StringRef where = "");
  Location nodeLoc(const onnx::NodeProto &node, int index);
  std::string describe(const onnx::NodeProto &node, int index) const;
  FailureOr<Type> valueInfoType(const onnx::ValueInfoProto &info,
                                SmallVectorImpl<Attribute> &dimParams);
  FailureOr<RankedTensorType> tensorTypeOf(const onnx::TypeProto::Tensor &tensorType,
                                           StringRef what, SmallVectorImpl<Attribute> &dimParams);
  /// The function arguments a graph input stands for (a tensor: one; a
  /// sequence: values and shapes; an optional: has, then its payload's).
  LogicalResult inputArguments(const onnx::ValueInfoProto &info,
                               SmallVectorImpl<Type> &types,
                               SmallVectorImpl<DictionaryAttr> &attrs);
  LogicalResult importInitializer(const onnx::TensorProto &tensor);
  /// A graph's initializers, each name once. With `owned` (the same graph,
  /// writable), each initializer's raw data is freed once imported.
  void importInitializers(const onnx::GraphProto &graph, onnx::GraphProto *owned = nullptr);
  void importNode(const onnx::NodeProto &node, int index);
  /// With `why`, a failure leaves no errors behind: they go to `why`.
  FailureOr<SmallVector<onnx_import::Bound>> importSubgraph(const onnx::GraphProto &graph,
                                                            ArrayRef<onnx_import::Bound> inputs,
                                                            StringRef owner,
                                                            std::string *why = nullptr);
  /// Binds `name` to `value`, remembering what it shadowed while a
  /// subgraph is being imported.
  void define(const std::string &name, onnx_import::Bound value);

  MLIRContext &ctx;
  OpBuilder builder;
  std::string displayName, baseDir;
  OnnxImportOptions options;
  int64_t opset = 0;
  llvm::StringMap<int64_t> domainVersions;
  llvm::StringMap<onnx_import::Bound> values;
  llvm::StringSet<> poisoned;
  std::vector<std::string> errors;
  // One undo log per subgraph being imported: (name, the value it shadowed).
  std::vector<std::vector<std::pair<std::string, onnx_import::Bound>>> scopes;
  int subgraphDepth = 0;
};

using onnx_import::Bound;

void GraphImporter::define(const std::string &name, Bound value) {
  if (!scopes.empty())
    scopes.back().emplace_back(name, values.lookup(name));
  values[name] = std::move(value);
}

std::string GraphImporter::describe(const onnx::NodeProto &node, int index) const {
  std::string name = node.name().empty() ? "#" + std::to_string(index) : node.name();
  return node.op_type() + " '" + name + "'";
}

Location GraphImporter::nodeLoc(const onnx::NodeProto &node, int index) {
  std::string name = node.name().empty()
                         ? node.op_type() + "_" + std::to_string(index)
                         : node.name();
  Location file = FileLineColLoc::get(&ctx, displayName, index + 1, 1);
  return FusedLoc::get(&ctx, {NameLoc::get(StringAttr::get(&ctx, name)), file},
                       StringAttr::get(&ctx, node.op_type()));
}

void GraphImporter::checkSupport(const onnx::GraphProto &graph, llvm::StringRef where) {
  for (int i = 0; i < graph.node_size(); ++i) {
    const auto &node = graph.node(i);
    const auto *support = onnx_import::lookupOp(node.domain(), node.op_type());
    std::string what = where.str() + describe(node, i);
    for (const auto &attr : node.attribute()) {
      if (attr.has_g())
        checkSupport(attr.g(), what + " > ");
      for (const auto &g : attr.graphs())
        checkSupport(g, what + " > ");
    }
    if (!support) {
      std::string domain = node.domain().empty() ? "" : " (domain '" + node.domain() + "')";
      errors.push_back(what + ": op type " + node.op_type() + domain +
                       " is not supported");
      continue;
    }
    int64_t version = node.domain().empty() || node.domain() == "ai.onnx"
                          ? opset
                          : domainVersions.lookup(node.domain());
    if (version < support->minOpset)
      errors.push_back(what + ": needs opset " + std::to_string(support->minOpset) +
                       " or later, the model imports opset " + std::to_string(version));
    for (const auto &attr : node.attribute())
      // consumed_inputs (opsets 1-5) only said which inputs could be reused.
      if (!llvm::is_contained(support->attributes, attr.name()) && attr.name() != "consumed_inputs")
        errors.push_back(what + ": attribute '" + attr.name() + "' is not supported");
  }
}

FailureOr<Type> GraphImporter::valueInfoType(const onnx::ValueInfoProto &info,
                                             SmallVectorImpl<Attribute> &dimParams) {
  if (!info.type().has_tensor_type()) {
    errors.push_back("graph value '" + info.name() + "': only tensor types are supported here");
    return failure();
  }
  return tensorTypeOf(info.type().tensor_type(), info.name(), dimParams);
}

LogicalResult GraphImporter::inputArguments(const onnx::ValueInfoProto &info,
                                            SmallVectorImpl<Type> &types,
                                            SmallVectorImpl<DictionaryAttr> &attrs) {
  auto add = [&](Type t, StringRef kind, ArrayRef<Attribute> dimParams) {
    types.push_back(t);
    SmallVector<NamedAttribute> a = {builder.getNamedAttr("nn.name", builder.getStringAttr(info.name()))};
    if (!kind.empty())
      a.push_back(builder.getNamedAttr("nn.kind", builder.getStringAttr(kind)));
    if (llvm::any_of(dimParams, [](Attribute p) { return !cast<StringAttr>(p).getValue().empty(); }))
      a.push_back(builder.getNamedAttr("nn.dim_params", builder.getArrayAttr(dimParams)));
    attrs.push_back(builder.getDictionaryAttr(a));
  };
  // A sequence: its element type and rank (the rank must be known).
  auto sequence = [&](const onnx::TypeProto::Sequence &seq, StringRef prefix) -> LogicalResult {
    if (!seq.elem_type().has_tensor_type()) {
      errors.push_back("graph value '" + info.name() + "': sequences of non-tensors are not supported");
      return failure();
    }
    const auto &t = seq.elem_type().tensor_type();
    auto element = onnxElementType(ctx, t.elem_type());
    if (!element) {
      errors.push_back("graph value '" + info.name() + "': " + llvm::toString(element.takeError()));
      return failure();
    }
    // Exporters often declare `shape {}` for elements of any shape, so rank
    // 0 is taken as not known either; a wrong rank fails at run time.
    int64_t rank = t.has_shape() && t.shape().dim_size() > 0 ? t.shape().dim_size()
                                                             : ShapedType::kDynamic;
    add(RankedTensorType::get({ShapedType::kDynamic}, *element), (prefix + "sequence.values").str(), {});
    add(RankedTensorType::get({ShapedType::kDynamic, rank}, builder.getI64Type()),
        (prefix + "sequence.shapes").str(), {});
    return success();
  };
  const onnx::TypeProto &type = info.type();
  if (type.has_tensor_type()) {
    SmallVector<Attribute> dimParams;
    auto t = tensorTypeOf(type.tensor_type(), info.name(), dimParams);
    if (failed(t))
      return failure();
    RankedTensorType tensor = *t;
    if (auto it = options.inputShapes.find(info.name()); it != options.inputShapes.end()) {
      ArrayRef<int64_t> given = it->second;
      if ((int64_t)given.size() != tensor.getRank()) {
        errors.push_back("graph input '" + info.name() + "' has rank " +
                         std::to_string(tensor.getRank()) + ", the given sizes have " +
                         std::to_string(given.size()));
        return failure();
      }
      for (auto [d, size] : llvm::enumerate(given))
        if (!tensor.isDynamicDim(d) && tensor.getDimSize(d) != size) {
          errors.push_back("graph input '" + info.name() + "': the model fixes dimension " +
                           std::to_string(d) + " to " + std::to_string(tensor.getDimSize(d)) +
                           ", the given size is " + std::to_string(size));
          return failure();
        }
      tensor = RankedTensorType::get(given, tensor.getElementType());
    }
    add(tensor, "", dimParams);
    return success();
  }
  if (type.has_sequence_type())
    return sequence(type.sequence_type(), "");
  if (type.has_optional_type()) {
    add(RankedTensorType::get({}, builder.getI1Type()), "optional.has", {});
    const auto &elem = type.optional_type().elem_type();
    if (elem.has_sequence_type())
      return sequence(elem.sequence_type(), "optional.");
    if (elem.has_tensor_type()) {
      SmallVector<Attribute> dimParams;
      auto t = tensorTypeOf(elem.tensor_type(), info.name(), dimParams);
      if (failed(t))
        return failure();
      add(*t, "optional.tensor", dimParams);
      return success();
    }
  }
  errors.push_back("graph value '" + info.name() + "': only tensors, sequences of tensors and "
                   "optionals of them are supported (maps are not)");
  return failure();
}

FailureOr<RankedTensorType> GraphImporter::tensorTypeOf(const onnx::TypeProto::Tensor &tensorType,
                                                        StringRef what,
                                                        SmallVectorImpl<Attribute> &dimParams) {
  std::string name = what.str();
  auto element = onnxElementType(ctx, tensorType.elem_type());
  if (!element) {
    errors.push_back("graph value '" + name + "': " +
                     llvm::toString(element.takeError()));
    return failure();
  }
  if (!tensorType.has_shape()) {
    errors.push_back("graph value '" + name + "': has no shape (unranked "
                     "tensors are not supported)");
    return failure();
  }
  SmallVector<int64_t> shape;
  for (const auto &dim : tensorType.shape().dim()) {
    // dim_param (or an unknown dim) stays symbolic: a dynamic dimension whose
    // name is kept in the nn.dim_params argument attribute.
    if (dim.has_dim_value() && dim.dim_value() >= 0) {
      shape.push_back(dim.dim_value());
      dimParams.push_back(builder.getStringAttr(""));
    } else {
      shape.push_back(ShapedType::kDynamic);
      dimParams.push_back(builder.getStringAttr(dim.dim_param().empty() ? "?" : dim.dim_param()));
    }
  }
  return RankedTensorType::get(shape, *element);
}

void GraphImporter::importInitializers(const onnx::GraphProto &graph, onnx::GraphProto *owned) {
  llvm::StringSet<> seen;
  for (int i = 0; i < graph.initializer_size(); ++i) {
    const onnx::TensorProto &init = graph.initializer(i);
    if (!seen.insert(init.name()).second) {
      errors.push_back("initializer '" + init.name() + "' is defined twice");
      continue;
    }
    (void)importInitializer(init);
    if (owned)
      std::string().swap(*owned->mutable_initializer(i)->mutable_raw_data());
  }
}

LogicalResult GraphImporter::importInitializer(const onnx::TensorProto &tensor) {
  auto decoded = decodeTensorProto(ctx, tensor, baseDir);
  if (!decoded) {
    errors.push_back("initializer '" + tensor.name() + "': " +
                     llvm::toString(decoded.takeError()));
    return failure();
  }
  auto type = RankedTensorType::get(decoded->shape, decoded->elementType);
  Location loc = NameLoc::get(builder.getStringAttr(tensor.name()),
                              FileLineColLoc::get(&ctx, displayName, 0, 0));
  ElementsAttr value;
  if (decoded->elementType.isInteger(1)) {
    SmallVector<bool> bits(decoded->bytes.begin(), decoded->bytes.end());
    value = DenseElementsAttr::get(type, ArrayRef<bool>(bits));
  } else if (type.getNumElements() <= options.inlineConstantLimit) {
    value = DenseElementsAttr::getFromRawBuffer(type, decoded->bytes);
  } else {
    // Weights live in a resource blob: printed once at the end of the IR.
    auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        decoded->bytes, alignof(std::max_align_t));
    value = DenseResourceElementsAttr::get(type, tensor.name(), std::move(blob));
  }
  define(tensor.name(), Bound::tensor(nn::ConstantOp::create(builder, loc, value)));
  return success();
}

void GraphImporter::importNode(const onnx::NodeProto &node, int index) {
  SmallVector<Value> inputs;
  SmallVector<Bound> bound;
  const auto *support = onnx_import::lookupOp(node.domain(), node.op_type());
  for (const std::string &name : node.input()) {
    if (name.empty()) {
      inputs.push_back(Value());
      bound.emplace_back();
      continue;
    }
    if (poisoned.contains(name)) {
      for (const std::string &out : node.output())
        poisoned.insert(out);
      return;
    }
    auto it = values.find(name);
    if (it == values.end() || !it->second) {
      errors.push_back(describe(node, index) + ": input '" + name +
                       "' is not produced by any earlier node, initializer or "
                       "graph input");
      for (const std::string &out : node.output())
        poisoned.insert(out);
      return;
    }
    if (!it->second.isTensor() && !support->acceptsSequences) {
      errors.push_back(describe(node, index) + ": input '" + name + "' is a " +
                       (it->second.isSequence() ? "sequence" : "optional") +
                       ", but this op takes tensors");
      for (const std::string &out : node.output())
        poisoned.insert(out);
      return;
    }
    inputs.push_back(it->second.main());
    bound.push_back(it->second);
  }
  // Trailing empty names are absent optional inputs.
  while (!inputs.empty() && !inputs.back()) {
    inputs.pop_back();
    bound.pop_back();
  }

  int64_t version = node.domain().empty() ? opset : domainVersions.lookup(node.domain());
  if (auto problem = onnx_import::checkArity(node, version)) {
    errors.push_back(describe(node, index) + ": " + *problem);
    for (const std::string &out : node.output())
      poisoned.insert(out);
    return;
  }
  std::string error;
  NodeContext nodeCtx(node, builder, nodeLoc(node, index),
                      node.domain().empty() ? opset : domainVersions.lookup(node.domain()),
                      inputs, error, bound);
  std::string owner = describe(node, index);
  nodeCtx.importSubgraph = [this, owner](const onnx::GraphProto &graph, ArrayRef<Bound> args) {
    return importSubgraph(graph, args, owner);
  };
  nodeCtx.trySubgraph = [this, owner](const onnx::GraphProto &graph, ArrayRef<Bound> args,
                                      std::string &why) {
    return importSubgraph(graph, args, owner, &why);
  };
  nodeCtx.lookupValue = [this](StringRef name) -> Value {
    auto it = values.find(name);
    return it != values.end() && it->second.isTensor() ? it->second.main() : Value();
  };
  auto results = support->convert(nodeCtx);
  if (failed(results) || results->size() < (size_t)node.output_size()) {
    if (error.empty())
      error = "could not be converted";
    errors.push_back(describe(node, index) + ": " + error);
    for (const std::string &out : node.output())
      poisoned.insert(out);
    return;
  }
  for (auto [i, pair] : llvm::enumerate(llvm::zip(node.output(), *results))) {
    auto [name, value] = pair;
    if (name.empty())
      continue;
    if (i < nodeCtx.outputs().size() && nodeCtx.outputs()[i])
      define(name, *nodeCtx.outputs()[i]);
    else
      define(name, Bound::tensor(value));
  }
}

FailureOr<SmallVector<Bound>> GraphImporter::importSubgraph(const onnx::GraphProto &graph,
                                                            ArrayRef<Bound> inputs,
                                                            StringRef owner, std::string *why) {
  // Subgraphs nested deeper than this are refused rather than recursed into.
  constexpr int kMaxDepth = 64;
  if (subgraphDepth >= kMaxDepth) {
    errors.push_back(owner.str() + ": subgraphs nested more than " + std::to_string(kMaxDepth) +
                     " deep");
    return failure();
  }
  ++subgraphDepth;
  scopes.emplace_back();
  size_t errorsBefore = errors.size();
  std::optional<llvm::StringSet<>> poisonedBefore;
  if (why)
    poisonedBefore = poisoned;
  if ((int)inputs.size() != graph.input_size())
    errors.push_back(owner.str() + ": the subgraph has " + std::to_string(graph.input_size()) +
                     " inputs, expected " + std::to_string(inputs.size()));
  for (auto [input, arg] : llvm::zip(graph.input(), inputs))
    define(input.name(), arg);
  importInitializers(graph);
  for (int i = 0; i < graph.node_size(); ++i)
    importNode(graph.node(i), i);
  SmallVector<Bound> outputs;
  for (const auto &output : graph.output()) {
    Bound v = values.lookup(output.name());
    if (!v) {
      if (!poisoned.contains(output.name()))
        errors.push_back(owner.str() + ": subgraph output '" + output.name() +
                         "' is not produced by any node");
      continue;
    }
    outputs.push_back(v);
  }
  // Names defined inside go out of scope; shadowed outer ones come back.
  for (auto &[name, previous] : llvm::reverse(scopes.back())) {
    if (previous)
      values[name] = previous;
    else
      values.erase(name);
  }
  scopes.pop_back();
  --subgraphDepth;
  if (errors.size() != errorsBefore || outputs.size() != (size_t)graph.output_size()) {
    if (why) {
      *why = llvm::join(llvm::ArrayRef(errors).drop_front(errorsBefore), "\n");
      errors.resize(errorsBefore);
      poisoned = std::move(*poisonedBefore);
    }
    return failure();
  }
  return outputs;
}

llvm::Expected<OwningOpRef<ModuleOp>> GraphImporter::run(onnx::ModelProto &model) {
  ctx.loadDialect<nn::NNDialect, func::FuncDialect>();
  for (const auto &import : model.opset_import()) {
    if (import.domain().empty() || import.domain() == "ai.onnx")
      opset = import.version();
    else
      domainVersions[import.domain()] = import.version();
  }
  const onnx::GraphProto &graph = model.graph();
  if (opset == 0) {
    // Models of other domains only (the training ops) need no default opset.
    if (llvm::any_of(graph.node(), [](const onnx::NodeProto &n) {
          return n.domain().empty() || n.domain() == "ai.onnx";
        }))
      return createStringError("%s: the model imports no default-domain opset",
                               displayName.c_str());
    opset = 17;
  }
  // Opsets 18-20 are accepted for the forms they changed that the converters
  // know (axes inputs, Split num_outputs, Gelu); anything else new in them is
  // reported per node as an unsupported attribute or input.
  if (opset < 1 || opset > 20)
    return createStringError("%s: opset %lld is not supported (opsets 1 to 20 are)",
                             displayName.c_str(), (long long)opset);
  checkSupport(graph);

  auto module = OwningOpRef<ModuleOp>(
      ModuleOp::create(FileLineColLoc::get(&ctx, displayName, 0, 0)));
  builder.setInsertionPointToEnd(module->getBody());

  llvm::StringSet<> initializerNames;
  for (const auto &init : graph.initializer())
    initializerNames.insert(init.name());

  SmallVector<Type> argTypes;
  SmallVector<DictionaryAttr> argDicts;
  SmallVector<std::pair<const onnx::ValueInfoProto *, size_t>> boundInputs; // (input, first arg)
  for (const auto &input : graph.input()) {
    if (initializerNames.contains(input.name()))
      continue; // older exporters list initializers as inputs too
    size_t first = argTypes.size();
    if (succeeded(inputArguments(input, argTypes, argDicts)))
      boundInputs.emplace_back(&input, first);
  }
  if (!errors.empty())
    return createStringError(llvm::join(errors, "\n"));

  auto func = func::FuncOp::create(builder, module->getLoc(), options.functionName,
                                   builder.getFunctionType(argTypes, {}));
  func.setAllArgAttrs(SmallVector<Attribute>(argDicts.begin(), argDicts.end()));
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToStart(body);
  for (auto [input, first] : boundInputs) {
    auto args = body->getArguments();
    const onnx::TypeProto &type = input->type();
    auto sequenceOf = [&](size_t at, const onnx::TypeProto::Sequence &) {
      Value values = args[at], shapes = args[at + 1];
      int64_t rank = cast<RankedTensorType>(shapes.getType()).getDimSize(1);
      return Bound::sequence(values, shapes, cast<RankedTensorType>(values.getType()).getElementType(),
                             ShapedType::isDynamic(rank) ? -1 : rank);
    };
    if (type.has_tensor_type()) {
      define(input->name(), Bound::tensor(args[first]));
    } else if (type.has_sequence_type()) {
      define(input->name(), sequenceOf(first, type.sequence_type()));
    } else {
      Bound opt;
      opt.kind = Bound::Kind::Optional;
      const auto &elem = type.optional_type().elem_type();
      if (elem.has_sequence_type()) {
        Bound seq = sequenceOf(first + 1, elem.sequence_type());
        opt.parts = {args[first], seq.parts[0], seq.parts[1]};
        opt.payloadIsSequence = true;
        opt.element = seq.element;
        opt.rank = seq.rank;
      } else {
        opt.parts = {args[first], args[first + 1]};
      }
      define(input->name(), opt);
    }
  }
  importInitializers(graph, model.mutable_graph());
  if (!errors.empty())
    return createStringError(llvm::join(errors, "\n"));

  for (int i = 0; i < graph.node_size(); ++i)
    importNode(graph.node(i), i);

  SmallVector<Value> results;
  SmallVector<Attribute> resultAttrs;
  for (const auto &output : graph.output()) {
    Bound v = values.lookup(output.name());
    if (!v) {
      if (!poisoned.contains(output.name()))
        errors.push_back("graph output '" + output.name() +
                         "' is not produced by any node");
      continue;
    }
    auto add = [&](Value part, StringRef kind) {
      results.push_back(part);
      SmallVector<NamedAttribute> attrs = {
          builder.getNamedAttr("nn.name", builder.getStringAttr(output.name()))};
      if (!kind.empty())
        attrs.push_back(builder.getNamedAttr("nn.kind", builder.getStringAttr(kind)));
      resultAttrs.push_back(builder.getDictionaryAttr(attrs));
    };
    if (v.isTensor()) {
      add(v.main(), "");
    } else if (v.isSequence()) {
      add(v.parts[0], "sequence.values");
      add(v.parts[1], "sequence.shapes");
    } else {
      add(v.parts[0], "optional.has");
      if (v.payloadIsSequence) {
        add(v.parts[1], "optional.sequence.values");
        add(v.parts[2], "optional.sequence.shapes");
      } else {
        add(v.parts[1], "optional.tensor");
      }
    }
  }
  if (graph.output_size() == 0)
    errors.push_back("the graph has no outputs");
  if (!errors.empty())
    return createStringError(llvm::join(errors, "\n"));

  func::ReturnOp::create(builder, module->getLoc(), results);
  SmallVector<Type> resultTypes(llvm::map_range(results, [](Value v) { return v.getType(); }));
  func.setType(builder.getFunctionType(argTypes, resultTypes));
  func.setAllResultAttrs(resultAttrs);

  // Verification errors are reported with their locations.
  std::string verifyErrors;
  {
    ScopedDiagnosticHandler capture(&ctx, [&](Diagnostic &diag) {
      if (diag.getSeverity() == DiagnosticSeverity::Error)
        verifyErrors += (verifyErrors.empty() ? "" : "\n") + diag.str();
      return success();
    });
    if (failed(verify(*module)))
      return createStringError("%s: the imported IR does not verify:\n%s",
                               displayName.c_str(), verifyErrors.c_str());
  }
  return module;
}

llvm::Expected<onnx::ModelProto> parseModel(StringRef bytes, StringRef displayName,
                                            const OnnxImportOptions &options) {
  if ((int64_t)bytes.size() > options.maxModelBytes || bytes.size() > INT32_MAX)
    return createStringError("%s: the model is %zu bytes, over the limit of %lld",
                             displayName.str().c_str(), bytes.size(),
                             (long long)std::min<int64_t>(options.maxModelBytes, INT32_MAX));
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), (int)bytes.size()))
    return createStringError("%s: not a valid ONNX model (the protobuf does not "
                             "parse: truncated, corrupted or not ONNX)",
                             displayName.str().c_str());
  if (!model.has_graph() || model.ir_version() <= 0)
    return createStringError("%s: not an ONNX model (no graph or ir_version)",
                             displayName.str().c_str());
  return model;
}

// The file is unmapped on return, once parsed: with the protobuf's strings
// turned into blobs one by one, the import holds the weights about once
// rather than three times (file pages, protobuf, blobs).
llvm::Expected<onnx::ModelProto> readModel(StringRef path, const OnnxImportOptions &options) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return createStringError("cannot read '%s': %s", path.str().c_str(),
                             buffer.getError().message().c_str());
  return parseModel((*buffer)->getBuffer(), path, options);
}

} // namespace

llvm::Expected<OwningOpRef<ModuleOp>> importOnnxBytes(MLIRContext &context,
                                                      StringRef bytes,
                                                      StringRef displayName,
                                                      StringRef baseDir,
                                                      const OnnxImportOptions &options) {
  auto model = parseModel(bytes, displayName, options);
  if (!model)
    return model.takeError();
  return GraphImporter(context, displayName, baseDir, options).run(*model);
}

llvm::Expected<OwningOpRef<ModuleOp>> importOnnxFile(MLIRContext &context, StringRef path,
                                                     const OnnxImportOptions &options) {
  auto model = readModel(path, options);
  if (!model)
    return model.takeError();
  llvm::SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  return GraphImporter(context, path, dir.empty() ? "." : dir.str(), options).run(*model);
}

} // namespace openopt

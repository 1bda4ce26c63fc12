//===- GraphJson.cpp - the dataflow graph of a function as JSON -----------===//
#include "openopt/Record/GraphJson.h"

#include "openopt/Dialect/NN/CostModel.h"
#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Record/PassRecord.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
namespace json = llvm::json;

namespace openopt {
namespace {

json::Value shapeJson(Type type) {
  json::Array dims;
  if (auto shaped = dyn_cast<RankedTensorType>(type))
    for (int64_t d : shaped.getShape())
      dims.push_back(ShapedType::isDynamic(d) ? json::Value(nullptr) : json::Value(d));
  return dims;
}

std::string dtypeOf(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (auto shaped = dyn_cast<ShapedType>(type))
    shaped.getElementType().print(os);
  else
    type.print(os);
  return text;
}

json::Object tensorJson(Type type) {
  return json::Object{{"shape", shapeJson(type)}, {"dtype", dtypeOf(type)}};
}

json::Value attributeJson(Attribute attr) {
  if (auto b = dyn_cast<BoolAttr>(attr))
    return b.getValue();
  if (auto i = dyn_cast<IntegerAttr>(attr))
    return i.getType().isUnsignedInteger() ? json::Value(int64_t(i.getUInt()))
                                           : json::Value(i.getInt());
  if (auto f = dyn_cast<FloatAttr>(attr))
    return f.getValueAsDouble();
  if (auto s = dyn_cast<StringAttr>(attr))
    return s.getValue();
  if (auto a = dyn_cast<DenseI64ArrayAttr>(attr))
    return json::Array(a.asArrayRef());
  if (auto a = dyn_cast<ArrayAttr>(attr)) {
    json::Array items;
    for (Attribute item : a)
      items.push_back(attributeJson(item));
    return items;
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  attr.print(os);
  if (text.size() > 200)
    text = text.substr(0, 197) + "...";
  return text;
}

/// ONNX node names, op type and file position carried by an op's location.
struct LocationInfo {
  SmallVector<std::string> names;
  std::string onnxOp;
  std::string file;
  unsigned line = 0, column = 0;
};

void collect(Location loc, LocationInfo &info) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    info.names.push_back(name.getName().str());
    collect(name.getChildLoc(), info);
  } else if (auto fused = dyn_cast<FusedLoc>(loc)) {
    if (auto type = dyn_cast_or_null<StringAttr>(fused.getMetadata()); type && info.onnxOp.empty())
      info.onnxOp = type.getValue().str();
    for (Location inner : fused.getLocations())
      collect(inner, info);
  } else if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    if (info.file.empty() && file.getLine() > 0) {
      info.file = file.getFilename().str();
      info.line = file.getLine();
      info.column = file.getColumn();
    }
  }
}

std::string argumentName(func::FuncOp func, unsigned i) {
  if (auto attr = func.getArgAttrOfType<StringAttr>(i, "nn.name"))
    return attr.getValue().str();
  return "input" + std::to_string(i);
}

std::string resultName(func::FuncOp func, unsigned i) {
  if (auto attr = func.getResultAttrOfType<StringAttr>(i, "nn.name"))
    return attr.getValue().str();
  return "output" + std::to_string(i);
}

/// Constants are listed on their consumers; yields and the return are edges.
bool isNode(Operation *op) { return !isa<nn::ConstantOp, nn::YieldOp, func::ReturnOp>(op); }

/// Node ids: the pass record's stable op ids, made unique in the order the
/// nodes are emitted (inputs, ops with a group's members after the group,
/// outputs). graphToJson and graphNodeIds both go through it, so they agree.
class NodeIds {
public:
  // The same walk and numbering as the pass record, so ids match it.
  explicit NodeIds(func::FuncOp func) {
    int position = 0;
    func.walk([&](Operation *op) {
      if (op != func.getOperation())
        stable[op] = stableOpId(op, position++);
    });
  }
  std::string input(const std::string &name) { return unique("input:" + name); }
  std::string output(const std::string &name) { return unique("output:" + name); }
  std::string op(Operation *op) { return unique(stable.lookup(op)); }

private:
  llvm::DenseMap<Operation *, std::string> stable;
  llvm::StringSet<> used;

  std::string unique(const std::string &base) {
    std::string id = base;
    for (int k = 2; !used.insert(id).second; ++k)
      id = base + "#" + std::to_string(k);
    return id;
  }
};

class GraphBuilder {
public:
  explicit GraphBuilder(func::FuncOp func) : ids(func) {}

  json::Value build(func::FuncOp func, const GraphJsonOptions &options) {
    json::Array nodes;
    for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
      std::string name = argumentName(func, i);
      std::string id = ids.input(name);
      valueSources[arg] = {id, 0};
      json::Object node{{"id", id}, {"op", "input"}, {"name", name},
                        {"results", json::Array{tensorJson(arg.getType())}}};
      nodes.push_back(std::move(node));
    }
    for (Operation &op : func.getBody().front())
      if (auto node = opNode(&op))
        nodes.push_back(std::move(*node));
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    for (auto [i, value] : llvm::enumerate(ret.getOperands())) {
      std::string name = resultName(func, i);
      std::string id = ids.output(name);
      nodes.push_back(json::Object{{"id", id}, {"op", "output"}, {"name", name},
                                   {"results", json::Array{tensorJson(value.getType())}}});
      addEdge(value, id, i);
    }
    json::Object graph{{"format", "openopt-graph"},
                       {"version", 1},
                       {"function", func.getSymName()},
                       {"nodes", std::move(nodes)},
                       {"edges", std::move(edges)}};
    if (!options.model.empty())
      graph["model"] = options.model;
    graph["after"] = options.after.empty() ? json::Value(nullptr) : json::Value(options.after);
    return graph;
  }

private:
  NodeIds ids;
  struct Source {
    std::string node;
    unsigned result;
  };
  llvm::DenseMap<Value, Source> valueSources;
  json::Array edges;

  void addEdge(Value value, const std::string &target, unsigned operand) {
    auto it = valueSources.find(value);
    if (it == valueSources.end())
      return; // a constant, listed on the consumer
    json::Object edge{{"source", it->second.node},
                      {"sourceResult", it->second.result},
                      {"target", target},
                      {"targetOperand", operand}};
    edge.insert({"shape", shapeJson(value.getType())});
    edge.insert({"dtype", dtypeOf(value.getType())});
    edges.push_back(std::move(edge));
  }

  std::optional<json::Value> opNode(Operation *op) {
    if (!isNode(op))
      return std::nullopt;
    std::string id = ids.op(op);
    LocationInfo loc;
    collect(op->getLoc(), loc);
    json::Object node{{"id", id}, {"op", op->getName().getStringRef()}};
    if (!loc.names.empty())
      node["name"] = loc.names.front();
    if (loc.names.size() > 1)
      node["names"] = json::Array(loc.names);
    // A group's location holds its members' op types; the group is none of them.
    if (!loc.onnxOp.empty() && !isa<nn::FusedOp>(op))
      node["onnxOp"] = loc.onnxOp;
    if (!loc.file.empty())
      node["location"] = json::Object{{"file", loc.file}, {"line", loc.line},
                                      {"column", loc.column}};
    json::Object attrs;
    for (NamedAttribute attr : op->getAttrs())
      attrs[attr.getName().getValue()] = attributeJson(attr.getValue());
    node["attributes"] = std::move(attrs);
    json::Array results;
    for (auto [i, result] : llvm::enumerate(op->getResults())) {
      results.push_back(tensorJson(result.getType()));
      valueSources[result] = {id, unsigned(i)};
    }
    node["results"] = std::move(results);
    json::Array constants;
    for (auto [i, operand] : llvm::enumerate(op->getOperands()))
      if (auto c = operand.getDefiningOp<nn::ConstantOp>()) {
        json::Object entry{{"operand", int64_t(i)}};
        for (auto [k, v] : tensorJson(operand.getType()))
          entry[k] = std::move(v);
        LocationInfo cloc;
        collect(c.getLoc(), cloc);
        if (!cloc.names.empty())
          entry["name"] = cloc.names.front();
        constants.push_back(std::move(entry));
      }
    if (!constants.empty())
      node["constants"] = std::move(constants);
    nn::OpCost cost = nn::estimateCost(op);
    node["flops"] = cost.flops ? json::Value(*cost.flops) : json::Value(nullptr);
    node["bytes"] = cost.bytes ? json::Value(*cost.bytes) : json::Value(nullptr);

    if (isa<nn::IfOp, nn::LoopOp, nn::ScanOp>(op)) {
      // Control flow: its own operands are edges; its subgraphs' ops are
      // its children (a nested group), each tagged with its region.
      for (auto [i, operand] : llvm::enumerate(op->getOperands()))
        addEdge(operand, id, i);
      static constexpr llvm::StringLiteral kIfRegions[] = {"then_branch", "else_branch"};
      json::Array children;
      for (auto [r, region] : llvm::enumerate(op->getRegions())) {
        std::string regionName = isa<nn::IfOp>(op) ? kIfRegions[r].str() : "body";
        for (Operation &inner : region.front())
          if (auto child = opNode(&inner)) {
            child->getAsObject()->insert({"region", regionName});
            children.push_back(std::move(*child));
          }
      }
      node["children"] = std::move(children);
    } else if (auto group = dyn_cast<nn::FusedOp>(op)) {
      node["kind"] = group.getKind();
      json::Array children;
      for (Operation &inner : group.getBody().front())
        if (auto child = opNode(&inner))
          children.push_back(std::move(*child));
      // The group's results are its body's yielded values.
      auto yield = cast<nn::YieldOp>(group.getBody().front().back());
      for (auto [result, value] : llvm::zip(group.getResults(), yield.getValues()))
        valueSources[result] = valueSources.lookup(value);
      node["children"] = std::move(children);
    } else {
      for (auto [i, operand] : llvm::enumerate(op->getOperands()))
        addEdge(operand, id, i);
    }
    return json::Value(std::move(node));
  }
};

} // namespace

json::Value graphToJson(func::FuncOp func, const GraphJsonOptions &options) {
  return GraphBuilder(func).build(func, options);
}

llvm::DenseMap<Operation *, std::string> graphNodeIds(func::FuncOp func) {
  NodeIds ids(func);
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    (void)ids.input(argumentName(func, i));
  llvm::DenseMap<Operation *, std::string> result;
  auto visit = [&](Block &block, auto &self) -> void {
    for (Operation &op : block) {
      if (!isNode(&op))
        continue;
      result[&op] = ids.op(&op);
      if (auto group = dyn_cast<nn::FusedOp>(op))
        self(group.getBody().front(), self);
      else if (isa<nn::IfOp, nn::LoopOp, nn::ScanOp>(op))
        for (Region &region : op.getRegions())
          self(region.front(), self);
    }
  };
  visit(func.getBody().front(), visit);
  return result;
}

} // namespace openopt

//===- IrHover.cpp - hover: op docs, types, cost, values -----------------===//
#include "IrEntity.h"
#include "IrFeatures.h"

#include "OdsDocs.h"

#include "openopt/Dialect/NN/CostModel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/Support/FormatVariadic.h"

using namespace openopt::lsp;
using namespace mlir;

namespace {

std::string opDocumentation(Operation *op, const PlacedItem &item) {
  std::string name = op->getName().getStringRef().str();
  std::string out = "```mlir\n" + name + "\n```\n";
  if (const OpDoc *doc = findOpDoc(name)) {
    if (!doc->summary.empty())
      out += "**" + std::string(doc->summary) + "**\n\n";
    if (!doc->description.empty()) {
      std::string description(doc->description.substr(0, 2000));
      out += description + (doc->description.size() > 2000 ? " …" : "") + "\n\n";
    }
  }
  if (auto it = item.result->nodeNames.find(op); it != item.result->nodeNames.end())
    out += "ONNX node: `" + it->second + "`\n\n";
  if (op->getNumOperands() > 0)
    out += "Operands: `" + printedTypes(op->getOperandTypes()) + "`\n\n";
  if (op->getNumResults() > 0)
    out += "Results: `" + printedTypes(op->getResultTypes()) + "`\n\n";
  if (auto it = item.result->inferredTypes.find(op); it != item.result->inferredTypes.end())
    out += "Inferred: `" + printedTypes(it->second) + "`\n\n";
  if (op->getName().getDialectNamespace() == "nn") {
    openopt::nn::OpCost cost = openopt::nn::estimateCost(op);
    if (cost.flops || cost.bytes) {
      out += "| cost | estimate |\n|---|---|\n";
      if (cost.flops)
        out += "| FLOPs | " + withThousands(*cost.flops) + " (" + scaled(double(*cost.flops), "FLOP") + ") |\n";
      if (cost.bytes)
        out += "| bytes moved | " + withThousands(*cost.bytes) + " (" + scaled(double(*cost.bytes), "B") + ") |\n";
      if (auto intensity = cost.arithmeticIntensity())
        out += llvm::formatv("| arithmetic intensity | {0:F2} FLOP/byte |\n", *intensity).str();
    } else {
      out += "Cost: unknown (dynamic shapes)\n";
    }
  }
  return out;
}

} // namespace

json openopt::lsp::irHover(const IrAnalysis &analysis, Position position) {
  Entity entity = entityAt(analysis, position);
  std::string markdown;
  std::optional<Range> range;
  switch (entity.kind) {
  case Entity::None:
    return nullptr;
  case Entity::Op:
    markdown = opDocumentation(entity.op->op, *entity.item);
    range = analysis.rangeOf(*entity.item, entity.op->loc);
    break;
  case Entity::Result:
  case Entity::BlockArgument: {
    if (!entity.value)
      return nullptr;
    range = analysis.rangeOf(*entity.item, entity.hit);
    markdown = "```mlir\n" + printed(entity.value.getType()) + "\n```\n";
    if (auto result = dyn_cast<OpResult>(entity.value)) {
      markdown += llvm::formatv("Result #{0} of `{1}`", result.getResultNumber(),
                                result.getOwner()->getName().getStringRef()).str();
      if (auto it = entity.item->result->nodeNames.find(result.getOwner());
          it != entity.item->result->nodeNames.end())
        markdown += " (ONNX node `" + it->second + "`)";
      if (auto it = entity.item->result->inferredTypes.find(result.getOwner());
          it != entity.item->result->inferredTypes.end())
        markdown += "\n\nInferred: `" + printed(it->second[result.getResultNumber()]) + "`";
    } else {
      auto argument = cast<BlockArgument>(entity.value);
      Operation *parent = argument.getOwner()->getParentOp();
      markdown += llvm::formatv("Argument #{0} of {1}", argument.getArgNumber(),
                                parent && isa<func::FuncOp>(parent)
                                    ? "function `@" + cast<func::FuncOp>(parent).getSymName().str() + "`"
                                    : std::string("a block")).str();
    }
    size_t uses = std::distance(entity.value.use_begin(), entity.value.use_end());
    markdown += llvm::formatv("\n\n{0} use{1}", uses, uses == 1 ? "" : "s").str();
    break;
  }
  case Entity::BlockLabel:
    range = analysis.rangeOf(*entity.item, entity.hit);
    markdown = llvm::formatv("Block with {0} argument(s), {1} predecessor(s)",
                             entity.block->block->getNumArguments(),
                             std::distance(entity.block->block->pred_begin(),
                                           entity.block->block->pred_end())).str();
    break;
  case Entity::Symbol:
    for (const PlacedItem &item : analysis.items)
      if (item.item.symbol == entity.symbol && !item.result->declaration.empty()) {
        std::string signature = item.result->declaration; // "func.func private @f(…) -> (…)"
        signature.erase(signature.find(" private"), 8);
        markdown = "```mlir\n" + signature + "\n```";
      }
    if (markdown.empty())
      markdown = "`" + entity.symbol + "`";
    break;
  }
  json out = {{"contents", {{"kind", "markdown"}, {"value", markdown}}}};
  if (range)
    out["range"] = toJson(*range);
  return out;
}

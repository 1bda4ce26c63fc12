//===- IrCodeLenses.cpp - code lenses over functions ---------------------===//
#include "IrEntity.h"
#include "IrFeatures.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace openopt::lsp;
using namespace mlir;

json openopt::lsp::irCodeLenses(const IrAnalysis &analysis, const std::string &uri) {
  json out = json::array();
  for (size_t l = 0; l < analysis.text->lineCount(); ++l) {
    std::string_view line = analysis.text->line(l);
    size_t func = line.find("func.func");
    size_t at = line.find('@');
    if (func == std::string_view::npos || at == std::string_view::npos || line.find("private") != std::string_view::npos)
      continue;
    size_t end = at + 1;
    while (end < line.size() && isNameChar(line[end]))
      ++end;
    std::string name(line.substr(at + 1, end - at - 1));
    Range range{analysis.text->positionOfByteColumn(l, at), analysis.text->positionOfByteColumn(l, end)};
    json arguments = json::array({{{"uri", uri}, {"function", name}}});
    for (auto [title, command] : {std::pair{"▶ Run", "openopt.run"}, std::pair{"Show graph", "openopt.showGraph"},
                                  std::pair{"Show passes", "openopt.showPasses"}})
      out.push_back({{"range", toJson(range)},
                     {"command", {{"title", title}, {"command", command}, {"arguments", arguments}}}});
  }
  return out;
}

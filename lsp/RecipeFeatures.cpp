//===- RecipeFeatures.cpp - diagnostics, completion, hover for recipes ----===//
#include "RecipeFeatures.h"

#include "OdsDocs.h"

#include "openopt/Codegen/CPU/CpuPipeline.h"
#include "openopt/Recipe/Recipe.h"

#include "mlir/Pass/PassRegistry.h"

#include "llvm/Support/FormatVariadic.h"

#include <regex>

using namespace openopt::lsp;

namespace {

/// Where the cursor sits in the (possibly unfinished) JSON-with-comments.
struct JsonCursor {
  struct Frame {
    bool isObject = false;
    std::string key;         // object: the member being written
    bool afterColon = false; // object: in the member's value
    size_t begin = 0;        // offset of '{' or '['
  };
  std::vector<Frame> frames;
  bool inString = false;
  bool isKey = false;
  std::string partial; // string content before the cursor
  size_t stringBegin = 0;

  /// The member names leading to the cursor ("graph", "passes", "[]", …).
  std::vector<std::string> path() const {
    std::vector<std::string> out;
    for (size_t i = 0; i + 1 < frames.size(); ++i)
      out.push_back(frames[i].isObject ? frames[i].key : "[]");
    return out;
  }
};

JsonCursor locate(std::string_view text, size_t cursor) {
  JsonCursor at;
  for (size_t i = 0; i < cursor && i < text.size(); ++i) {
    char c = text[i];
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      size_t end = text.find('\n', i);
      if (end == std::string_view::npos || end >= cursor)
        return {}; // in a comment: nothing to offer
      i = end;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      size_t end = text.find("*/", i + 2);
      if (end == std::string_view::npos || end + 2 > cursor)
        return {};
      i = end + 1;
    } else if (c == '"') {
      size_t j = i + 1;
      std::string content;
      while (j < text.size() && j < cursor && text[j] != '"' && text[j] != '\n') {
        if (text[j] == '\\' && j + 1 < text.size())
          content += text[++j];
        else
          content += text[j];
        ++j;
      }
      bool key = !at.frames.empty() && at.frames.back().isObject && !at.frames.back().afterColon;
      if (j >= cursor) {
        at.inString = true;
        at.isKey = key;
        at.partial = content;
        at.stringBegin = i;
        return at;
      }
      if (key)
        at.frames.back().key = content;
      i = j;
    } else if (c == ':') {
      if (!at.frames.empty())
        at.frames.back().afterColon = true;
    } else if (c == ',') {
      if (!at.frames.empty() && at.frames.back().isObject) {
        at.frames.back().afterColon = false;
        at.frames.back().key.clear();
      }
    } else if (c == '{' || c == '[') {
      at.frames.push_back({c == '{', "", false, i});
    } else if ((c == '}' || c == ']') && !at.frames.empty()) {
      at.frames.pop_back();
    }
  }
  return at;
}

/// The pass an options object belongs to: the "pass" member of the object
/// that starts at `objectBegin`.
const std::regex kPassMember(R"re("pass"\s*:\s*"([^"]+)")re");

std::string passOfObject(std::string_view text, size_t objectBegin) {
  std::string window(text.substr(objectBegin, 4096));
  std::smatch match;
  if (std::regex_search(window, match, kPassMember))
    return match[1];
  return "";
}

std::string passMarkdown(const openopt::PassDescription &description) {
  const std::string &name = description.name;
  std::string out = "**" + name + "** — " + description.summary + "\n\n";
  const PassDoc *doc = findPassDoc(name);
  if (!description.anchor.empty())
    out += "Runs on `" + description.anchor + "`.\n\n";
  if (doc && !doc->description.empty())
    out += std::string(doc->description) + "\n\n";
  if (!description.options.empty()) {
    out += "| option | type | default | |\n|---|---|---|---|\n";
    for (const auto &option : description.options) {
      const PassOptionDoc *help = findPassOptionDoc(name, option.name);
      out += "| `" + option.name + "` | " + (option.type.empty() ? "?" : option.type) + " | `" +
             option.defaultValue + "` | " + (help ? std::string(help->description) : "") + " |\n";
    }
  }
  return out;
}

json item(const std::string &label, int kind, const std::string &detail, const std::string &markdown,
          const std::string &insertText, const std::string &sortText) {
  json out = {{"label", label}, {"kind", kind}, {"insertText", insertText}, {"sortText", sortText}};
  if (!detail.empty())
    out["detail"] = detail;
  if (!markdown.empty())
    out["documentation"] = {{"kind", "markdown"}, {"value", markdown}};
  return out;
}

struct KeyDoc {
  const char *name, *doc;
};
const std::map<std::string, std::vector<KeyDoc>> &objectKeys() {
  static const std::map<std::string, std::vector<KeyDoc>> keys = {
      {"", {{"$schema", "the schema this file follows"}, {"name", "a short name"},
            {"description", "what this recipe is for"}, {"target", "what to compile for"},
            {"graph", "graph passes on the nn IR"}, {"codegen", "lowering and code generation"},
            {"outputs", "what a compile writes"}}},
      {"target", {{"kind", "\"cpu\" (\"cuda\" where built)"}, {"threads", "worker threads, 1-256"},
                  {"isa", "\"auto\", \"avx2\" or \"avx512\""}}},
      {"graph", {{"passes", "ordered graph passes: a name, or {\"pass\", \"options\"}"}}},
      {"codegen", {{"vectorizeMatmul", "tile and vectorize matmuls"}, {"matmulTiles", "{m, n, k} cache tiles"}}},
      {"outputs", {{"passRecord", "record.json of every pass"}, {"graphIR", "the nn IR after the graph passes"},
                   {"llvmDialect", "LLVM-dialect MLIR"}, {"llvmIR", "LLVM IR (.ll)"}, {"object", "native object (.o)"},
                   {"sharedLibrary", "libNAME.so + NAME.h with the C runtime"},
                   {"weightsFile", "the shared library's weights in NAME.weights, mapped at open"}}},
  };
  return keys;
}

} // namespace

std::vector<Diagnostic> openopt::lsp::recipeDiagnostics(const TextDocument &text) {
  std::vector<Diagnostic> out;
  for (const RecipeDiagnostic &d : checkRecipe(text.text())) {
    size_t line = d.position.line > 0 ? d.position.line - 1 : 0;
    size_t column = d.position.column > 0 ? d.position.column - 1 : 0;
    std::string_view lineText = text.line(line);
    size_t end = column;
    if (end < lineText.size() && lineText[end] == '"') {
      end = lineText.find('"', end + 1);
      end = end == std::string_view::npos ? lineText.size() : end + 1;
    } else {
      while (end < lineText.size() && (std::isalnum(static_cast<unsigned char>(lineText[end])) ||
                                       lineText[end] == '-' || lineText[end] == '.' || lineText[end] == '_'))
        ++end;
      if (end == column && end < lineText.size())
        ++end;
    }
    std::string message = d.pointer.empty() ? d.message : d.pointer + ": " + d.message;
    out.push_back({{text.positionOfByteColumn(line, column), text.positionOfByteColumn(line, end)},
                   DiagnosticSeverity::Error, message, "openopt-recipe", {}});
  }
  return out;
}

json openopt::lsp::recipeCompletion(const TextDocument &text, Position position) {
  size_t cursor = text.offsetOf(position);
  JsonCursor at = locate(text.text(), cursor);
  json items = json::array();
  std::vector<std::string> path = at.path();
  bool inPassesArray = path.size() >= 2 && path[path.size() - 2] == "graph" && path.back() == "passes" &&
                       !at.frames.empty() && !at.frames.back().isObject;
  bool passMember = path.size() >= 3 && path[path.size() - 3] == "graph" && path[path.size() - 2] == "passes" &&
                    !at.frames.empty() && at.frames.back().isObject && at.frames.back().key == "pass" &&
                    at.frames.back().afterColon;
  // Pass names: a string in graph.passes or the "pass" member of an entry.
  if (inPassesArray || (passMember && at.inString)) {
    int rank = 0;
    for (llvm::StringRef name : openopt::graphPassNames()) {
      auto description = openopt::describePass(name);
      if (!description) {
        llvm::consumeError(description.takeError());
        continue;
      }
      items.push_back(item(name.str(), 9 /*Module*/, description->summary, passMarkdown(*description),
                           at.inString ? name.str() : "\"" + name.str() + "\"",
                           llvm::formatv("{0:D3}", rank++).str()));
    }
    return {{"isIncomplete", false}, {"items", items}};
  }
  // Option names: a key inside graph.passes[i].options.
  if (at.frames.size() >= 2 && at.frames.back().isObject && !at.frames.back().afterColon &&
      at.frames[at.frames.size() - 2].isObject && at.frames[at.frames.size() - 2].key == "options") {
    std::string pass = passOfObject(text.text(), at.frames[at.frames.size() - 2].begin);
    auto description = openopt::describePass(pass);
    if (!description) {
      llvm::consumeError(description.takeError());
      return {{"isIncomplete", false}, {"items", items}};
    }
    for (const auto &option : description->options) {
      const PassOptionDoc *help = findPassOptionDoc(pass, option.name);
      items.push_back(item(option.name, 10 /*Property*/,
                           (option.type.empty() ? "" : option.type + ", ") + "default " + option.defaultValue,
                           help ? std::string(help->description) : "", at.inString ? option.name : "\"" + option.name + "\"", option.name));
    }
    return {{"isIncomplete", false}, {"items", items}};
  }
  // Member names of the recipe's own objects.
  if (!at.frames.empty() && at.frames.back().isObject && !at.frames.back().afterColon) {
    std::string parent = path.empty() ? "" : path.back();
    if (path.size() > 1 && parent != "target" && parent != "graph" && parent != "codegen" && parent != "outputs")
      return {{"isIncomplete", false}, {"items", items}};
    auto keys = objectKeys().find(parent);
    if (keys != objectKeys().end())
      for (const KeyDoc &key : keys->second)
        items.push_back(item(key.name, 10, key.doc, "", at.inString ? key.name : "\"" + std::string(key.name) + "\"",
                             key.name));
    return {{"isIncomplete", false}, {"items", items}};
  }
  // A few enumerated values.
  if (!at.frames.empty() && at.frames.back().isObject && at.frames.back().afterColon && path.size() == 1 &&
      path[0] == "target") {
    std::vector<std::string> values;
    if (at.frames.back().key == "kind")
      values = {"cpu", "cuda"};
    else if (at.frames.back().key == "isa")
      values = {"auto", "avx2", "avx512"};
    for (const std::string &value : values)
      items.push_back(item(value, 12 /*Value*/, "", "", at.inString ? value : "\"" + value + "\"", value));
  }
  return {{"isIncomplete", false}, {"items", items}};
}

json openopt::lsp::recipeHover(const TextDocument &text, Position position) {
  size_t cursor = text.offsetOf(position);
  const std::string &source = text.text();
  // The string under the cursor, whole.
  JsonCursor at = locate(source, cursor);
  if (!at.inString)
    return nullptr;
  size_t close = source.find('"', at.stringBegin + 1);
  if (close == std::string::npos)
    return nullptr;
  std::string word = source.substr(at.stringBegin + 1, close - at.stringBegin - 1);
  Range range{text.positionOf(at.stringBegin), text.positionOf(close + 1)};
  std::vector<std::string> path = at.path();
  std::string markdown;
  if (at.isKey && at.frames.size() >= 2 && at.frames[at.frames.size() - 2].key == "options") {
    std::string pass = passOfObject(source, at.frames[at.frames.size() - 2].begin);
    if (const PassOptionDoc *o = findPassOptionDoc(pass, word))
      markdown = "**" + word + "** (`" + std::string(o->cppType) + "`, default `" + std::string(o->defaultValue) +
                 "`) — option of `" + pass + "`\n\n" + std::string(o->description);
  } else if (!at.isKey && mlir::PassInfo::lookup(word)) {
    if (auto description = openopt::describePass(word))
      markdown = passMarkdown(*description);
    else
      llvm::consumeError(description.takeError());
  } else if (at.isKey) {
    std::string parent = path.empty() ? "" : path.back();
    if (auto keys = objectKeys().find(parent); keys != objectKeys().end())
      for (const KeyDoc &key : keys->second)
        if (word == key.name)
          markdown = "**" + word + "**: " + key.doc;
  }
  if (markdown.empty())
    return nullptr;
  return {{"contents", {{"kind", "markdown"}, {"value", markdown}}}, {"range", toJson(range)}};
}

json openopt::lsp::recipeCodeLenses(const std::string &uri) {
  return json::array({{{"range", toJson(Range{})},
                       {"command",
                        {{"title", "Preview pipeline"},
                         {"command", "openopt.previewPipeline"},
                         {"arguments", json::array({{{"uri", uri}}})}}}}});
}

json openopt::lsp::previewPipeline(const TextDocument &text) {
  auto recipe = openopt::parseRecipe(text.text(), "recipe");
  if (!recipe) {
    std::string message = llvm::toString(recipe.takeError());
    throw RequestError(error_code::kRequestFailed, "the recipe has problems:\n" + message);
  }
  std::string pipeline = openopt::cpuPipeline(recipe->cpuOptions());
  // Split the textual pipeline into its passes, naming nesting ("func.func/cse").
  json passes = json::array();
  std::vector<std::string> anchors;
  std::string word;
  int braces = 0;
  auto flush = [&] {
    if (word.empty())
      return;
    std::string prefix;
    for (const std::string &a : anchors)
      prefix += a + "/";
    passes.push_back(prefix + word);
    word.clear();
  };
  for (char c : pipeline) {
    if (braces > 0) {
      word += c;
      braces += c == '{' ? 1 : c == '}' ? -1 : 0;
      continue;
    }
    if (c == '{') {
      word += c;
      ++braces;
    } else if (c == '(') {
      anchors.push_back(word);
      word.clear();
    } else if (c == ')') {
      flush();
      if (!anchors.empty())
        anchors.pop_back();
    } else if (c == ',') {
      flush();
    } else if (c != ' ') {
      word += c;
    }
  }
  flush();
  json graph = json::array();
  for (const RecipePass &pass : recipe->graphPasses)
    graph.push_back(pass.name);
  return {{"recipe", recipe->name}, {"graphPasses", graph}, {"passes", passes}, {"pipeline", pipeline}};
}

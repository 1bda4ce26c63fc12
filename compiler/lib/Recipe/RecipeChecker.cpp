//===- RecipeChecker.cpp - a recipe document to a Recipe, or its problems -===//
//
// Walks the document once, collecting every problem rather than stopping at
// the first. Pass names and options are checked against the live registry:
// each pass is instantiated to read its options' defaults (which give their
// types), and each option value is handed to MLIR's own option parser.
//
//===----------------------------------------------------------------------===//
#include "RecipeChecker.h"

#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/TargetParser/Host.h"

namespace openopt {

llvm::ArrayRef<llvm::StringRef> graphPassNames() {
  static const llvm::StringRef names[] = {
      "canonicalize",          "cse",
      "openopt-infer-shapes",  "openopt-recognize-ops",
      "openopt-fold-batchnorm", "openopt-fold-constants",
      "openopt-dce",           "openopt-fuse-ops",
      "openopt-convert-layout",
  };
  return names;
}

namespace {

using llvm::json::Value;

/// The closest of `candidates` to `word`, if it is close enough to be a typo.
std::optional<std::string> closest(llvm::StringRef word,
                                   llvm::ArrayRef<std::string> candidates) {
  std::optional<std::string> best;
  unsigned bestDistance = std::max<unsigned>(2, word.size() / 3) + 1;
  for (const std::string &candidate : candidates) {
    unsigned distance = word.edit_distance(candidate, true, bestDistance);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string didYouMean(llvm::StringRef word, llvm::ArrayRef<std::string> candidates) {
  auto match = closest(word, candidates);
  return match ? llvm::formatv("; did you mean '{0}'?", *match).str() : "";
}

const char *kindOf(const Value &value) {
  switch (value.kind()) {
  case Value::Null: return "null";
  case Value::Boolean: return "a boolean";
  case Value::Number:
    return value.getAsInteger() ? "an integer" : "a number";
  case Value::String: return "a string";
  case Value::Array: return "an array";
  case Value::Object: return "an object";
  }
  return "a value";
}

/// The type of a pass option, read off its printed default value.
enum class OptionType { Bool, Integer, Number, String, Unknown };

const char *describe(OptionType type) {
  switch (type) {
  case OptionType::Bool: return "a boolean";
  case OptionType::Integer: return "an integer";
  case OptionType::Number: return "a number";
  case OptionType::String: return "a string";
  case OptionType::Unknown: return "a value";
  }
  return "a value";
}

OptionType typeOfDefault(llvm::StringRef text) {
  if (text == "true" || text == "false")
    return OptionType::Bool;
  int64_t i;
  if (!text.getAsInteger(10, i))
    return OptionType::Integer;
  double d;
  if (!text.getAsDouble(d))
    return OptionType::Number;
  if (text.starts_with("{"))
    return OptionType::Unknown; // a list
  return OptionType::String;
}

/// "name{a=1 b={x,y} c=text}" -> {a: 1, b: {x,y}, c: text}.
std::vector<std::pair<std::string, std::string>> parsePrintedOptions(llvm::StringRef printed) {
  std::vector<std::pair<std::string, std::string>> options;
  size_t open = printed.find('{');
  if (open == llvm::StringRef::npos || !printed.ends_with("}"))
    return options;
  llvm::StringRef body = printed.slice(open + 1, printed.size() - 1);
  while (true) {
    body = body.ltrim();
    if (body.empty())
      break;
    size_t eq = body.find('=');
    if (eq == llvm::StringRef::npos)
      break;
    std::string name = body.take_front(eq).trim().str();
    body = body.drop_front(eq + 1);
    int depth = 0;
    bool quoted = false;
    size_t end = 0;
    for (; end < body.size(); ++end) {
      char c = body[end];
      if (c == '"')
        quoted = !quoted;
      else if (!quoted && c == '{')
        ++depth;
      else if (!quoted && c == '}')
        --depth;
      else if (!quoted && depth == 0 && c == ' ')
        break;
    }
    options.emplace_back(name, body.take_front(end).str());
    body = body.drop_front(end);
  }
  return options;
}

/// A JSON value as pass-option text, as MLIR's option parser reads it.
std::string optionText(const Value &value) {
  if (auto b = value.getAsBoolean())
    return *b ? "true" : "false";
  if (auto i = value.getAsInteger())
    return std::to_string(*i);
  if (auto d = value.getAsNumber())
    return llvm::formatv("{0}", *d).str();
  if (auto s = value.getAsString()) {
    if (s->find_first_of(" {},=\"") == llvm::StringRef::npos && !s->empty())
      return s->str();
    return "\"" + s->str() + "\"";
  }
  if (auto *array = value.getAsArray()) {
    std::vector<std::string> items;
    for (const Value &item : *array)
      items.push_back(optionText(item));
    return "{" + llvm::join(items, ",") + "}";
  }
  return "";
}

const char *jsonTypeName(OptionType type) {
  switch (type) {
  case OptionType::Bool: return "boolean";
  case OptionType::Integer: return "integer";
  case OptionType::Number: return "number";
  case OptionType::String: return "string";
  case OptionType::Unknown: return "";
  }
  return "";
}

class Checker {
public:
  Checker(const JsonDocument &doc, Recipe &recipe, std::vector<RecipeDiagnostic> &diagnostics)
      : doc(doc), recipe(recipe), diagnostics(diagnostics) {}

  void run() {
    const auto *root = doc.root.getAsObject();
    if (!root)
      return error("", llvm::formatv("a recipe is a JSON object, got {0}", kindOf(doc.root)));
    members(*root, "", {"$schema", "name", "description", "target", "graph", "codegen", "outputs"});
    string(*root, "", "name", recipe.name);
    string(*root, "", "description", recipe.description);
    if (const Value *target = root->get("target"))
      checkTarget(*target);
    else
      error("/target", "missing \"target\": say what to compile for, e.g. "
                       "\"target\": { \"kind\": \"cpu\" }");
    if (const Value *graph = root->get("graph"))
      checkGraph(*graph);
    else
      useDefaultGraphPasses();
    if (const Value *codegen = root->get("codegen"))
      checkCodegen(*codegen);
    if (const Value *outputs = root->get("outputs"))
      checkOutputs(*outputs);
  }

private:
  const JsonDocument &doc;
  Recipe &recipe;
  std::vector<RecipeDiagnostic> &diagnostics;

  void error(llvm::StringRef pointer, const llvm::Twine &message, bool atKey = false) {
    diagnostics.push_back({pointer.str(),
                           atKey ? doc.keyPositionOf(pointer) : doc.positionOf(pointer),
                           message.str()});
  }

  static std::string member(llvm::StringRef pointer, llvm::StringRef key) {
    return (pointer + "/" + escapeJsonPointerToken(key)).str();
  }

  /// Reports members not in `known`, at their keys.
  void members(const llvm::json::Object &object, llvm::StringRef pointer,
               llvm::ArrayRef<std::string> known) {
    std::vector<std::string> keys;
    for (const auto &entry : object)
      keys.push_back(entry.first.str());
    llvm::sort(keys); // report in a stable order
    for (const std::string &key : keys)
      if (!llvm::is_contained(known, key))
        error(member(pointer, key),
              llvm::formatv("unknown member \"{0}\"{1} (allowed: {2})", key,
                            didYouMean(key, known), llvm::join(known, ", ")),
              /*atKey=*/true);
  }

  const llvm::json::Object *object(const Value &value, llvm::StringRef pointer) {
    if (const auto *o = value.getAsObject())
      return o;
    error(pointer, llvm::formatv("expected an object, got {0}", kindOf(value)));
    return nullptr;
  }

  void string(const llvm::json::Object &parent, llvm::StringRef pointer, llvm::StringRef key,
              std::string &out) {
    const Value *value = parent.get(key);
    if (!value)
      return;
    if (auto s = value->getAsString())
      out = s->str();
    else
      error(member(pointer, key), llvm::formatv("expected a string, got {0}", kindOf(*value)));
  }

  void boolean(const llvm::json::Object &parent, llvm::StringRef pointer, llvm::StringRef key,
               bool &out) {
    const Value *value = parent.get(key);
    if (!value)
      return;
    if (auto b = value->getAsBoolean())
      out = *b;
    else
      error(member(pointer, key),
            llvm::formatv("expected true or false, got {0}", kindOf(*value)));
  }

  void integer(const llvm::json::Object &parent, llvm::StringRef pointer, llvm::StringRef key,
               int64_t min, int64_t max, int &out) {
    const Value *value = parent.get(key);
    if (!value)
      return;
    auto i = value->getAsInteger();
    if (!i)
      return error(member(pointer, key),
                   llvm::formatv("expected an integer, got {0}", kindOf(*value)));
    if (*i < min || *i > max)
      return error(member(pointer, key),
                   llvm::formatv("{0} is out of range [{1}, {2}]", *i, min, max));
    out = int(*i);
  }

  void oneOf(const llvm::json::Object &parent, llvm::StringRef pointer, llvm::StringRef key,
             llvm::ArrayRef<std::string> allowed, std::string &out) {
    const Value *value = parent.get(key);
    if (!value)
      return;
    auto s = value->getAsString();
    if (!s)
      return error(member(pointer, key),
                   llvm::formatv("expected one of {0}, got {1}", llvm::join(allowed, ", "),
                                 kindOf(*value)));
    if (!llvm::is_contained(allowed, *s))
      return error(member(pointer, key),
                   llvm::formatv("\"{0}\" is not one of {1}{2}", *s, llvm::join(allowed, ", "),
                                 didYouMean(*s, allowed)));
    out = s->str();
  }

  void checkTarget(const Value &value) {
    const auto *target = object(value, "/target");
    if (!target)
      return;
    members(*target, "/target", {"kind", "threads", "isa", "arch", "precision"});
    if (!target->get("kind"))
      error("/target/kind", "missing \"kind\" (\"cpu\" or \"cuda\")");
    oneOf(*target, "/target", "kind", {"cpu", "cuda"}, recipe.target);
    oneOf(*target, "/target", "arch", {"sm_80", "sm_86", "sm_89", "sm_90"}, recipe.arch);
    oneOf(*target, "/target", "precision", {"f32", "tf32", "tf32x3"}, recipe.precision);
    if (recipe.target != "cuda")
      for (const char *key : {"arch", "precision"})
        if (target->get(key))
          error(member("/target", key),
                llvm::formatv("\"{0}\" is for target \"cuda\"; this recipe's is \"{1}\"", key,
                              recipe.target)
                    .str());
    integer(*target, "/target", "threads", 1, 256, recipe.threads);
    oneOf(*target, "/target", "isa", {"auto", "avx2", "avx512"}, recipe.isa);
    llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
    if (recipe.isa == "avx512" && !features.lookup("avx512f"))
      error("/target/isa", "this host has no AVX-512 (avx512f); use \"avx2\" or \"auto\"");
    if (recipe.isa == "avx2" && !features.lookup("avx2"))
      error("/target/isa", "this host has no AVX2; use \"auto\"");
  }

  void useDefaultGraphPasses() {
    auto fallback = defaultRecipe();
    if (fallback)
      recipe.graphPasses = fallback->graphPasses;
    else
      error("/graph", "the built-in recipe is invalid: " + llvm::toString(fallback.takeError()));
  }

  void checkGraph(const Value &value) {
    const auto *graph = object(value, "/graph");
    if (!graph)
      return;
    members(*graph, "/graph", {"passes"});
    const Value *passes = graph->get("passes");
    if (!passes)
      return error("/graph/passes", "missing \"passes\": the ordered list of graph passes "
                                    "([] for none)");
    const auto *list = passes->getAsArray();
    if (!list)
      return error("/graph/passes",
                   llvm::formatv("expected an array of passes, got {0}", kindOf(*passes)));
    for (auto [i, entry] : llvm::enumerate(*list))
      checkPass(entry, "/graph/passes/" + std::to_string(i));
  }

  void checkPass(const Value &entry, const std::string &pointer) {
    RecipePass pass;
    const llvm::json::Object *options = nullptr;
    std::string namePointer = pointer;
    if (auto name = entry.getAsString()) {
      pass.name = name->str();
    } else if (const auto *object = entry.getAsObject()) {
      members(*object, pointer, {"pass", "options", "enabled"});
      bool enabled = true;
      boolean(*object, pointer, "enabled", enabled);
      const Value *name = object->get("pass");
      if (!name)
        return error(member(pointer, "pass"), "missing \"pass\": the pass's name");
      namePointer = member(pointer, "pass");
      auto s = name->getAsString();
      if (!s)
        return error(namePointer,
                     llvm::formatv("expected a pass name, got {0}", kindOf(*name)));
      pass.name = s->str();
      if (const Value *o = object->get("options"))
        if (!(options = this->object(*o, member(pointer, "options"))))
          return;
      if (!enabled)
        return;
    } else {
      return error(pointer, llvm::formatv("expected a pass name or {{\"pass\": ..., "
                                          "\"options\": {{...}}, got {0}",
                                          kindOf(entry)));
    }

    const mlir::PassInfo *info = mlir::PassInfo::lookup(pass.name);
    if (!info) {
      std::vector<std::string> names(graphPassNames().begin(), graphPassNames().end());
      return error(namePointer, llvm::formatv("unknown pass '{0}'{1}", pass.name,
                                              didYouMean(pass.name, names)));
    }
    auto description = describePass(pass.name);
    if (!description)
      return error(namePointer, llvm::toString(description.takeError()));
    if (description->anchor != "func.func" && !description->anchor.empty())
      return error(namePointer, llvm::formatv("pass '{0}' runs on '{1}'; graph passes run on "
                                              "each function (func.func)",
                                              pass.name, description->anchor));
    std::vector<std::pair<std::string, std::string>> defaults;
    std::vector<std::string> optionNames;
    for (const PassOptionInfo &option : description->options) {
      defaults.emplace_back(option.name, option.defaultValue);
      optionNames.push_back(option.name);
    }
    std::string problem;
    auto collect = [&](const llvm::Twine &message) {
      problem = message.str();
      return mlir::failure();
    };

    if (options)
      for (const auto &[key, value] : *options) {
        std::string optionPointer = member(member(pointer, "options"), key);
        std::string name = key.str();
        auto known = llvm::find_if(defaults, [&](const auto &o) { return o.first == name; });
        if (known != defaults.end()) {
          OptionType type = typeOfDefault(known->second);
          bool fits = type == OptionType::Unknown ||
                      (type == OptionType::Bool && value.getAsBoolean()) ||
                      (type == OptionType::Integer && value.getAsInteger()) ||
                      (type == OptionType::Number && value.getAsNumber()) ||
                      (type == OptionType::String && value.getAsString());
          if (!fits) {
            error(optionPointer, llvm::formatv("option '{0}' of pass '{1}' takes {2}, got {3}",
                                               name, pass.name, describe(type),
                                               kindOf(value)));
            continue;
          }
        }
        std::string text = optionText(value);
        mlir::OpPassManager single("func.func");
        problem.clear();
        if (failed(info->addToPipeline(single, name + "=" + text, collect))) {
          if (known == defaults.end())
            error(optionPointer, llvm::formatv("pass '{0}' has no option '{1}'{2} (options: {3})",
                                               pass.name, name, didYouMean(name, optionNames),
                                               optionNames.empty() ? std::string("none")
                                                                   : llvm::join(optionNames, ", ")),
                  /*atKey=*/true);
          else
            error(optionPointer, llvm::formatv("option '{0}' of pass '{1}': invalid value {2}",
                                               name, pass.name, text));
          continue;
        }
        pass.options.emplace_back(name, text);
      }
    recipe.graphPasses.push_back(std::move(pass));
  }

  void checkCodegen(const Value &value) {
    const auto *codegen = object(value, "/codegen");
    if (!codegen)
      return;
    members(*codegen, "/codegen", {"vectorizeMatmul", "kernels", "matmulTiles", "shapes"});
    boolean(*codegen, "/codegen", "vectorizeMatmul", recipe.vectorizeMatmul);
    boolean(*codegen, "/codegen", "kernels", recipe.kernels);
    oneOf(*codegen, "/codegen", "shapes", {"dynamic", "specialize"}, recipe.shapes);
    if (const Value *tiles = codegen->get("matmulTiles"))
      if (const auto *t = object(*tiles, "/codegen/matmulTiles")) {
        members(*t, "/codegen/matmulTiles", {"m", "n", "k"});
        integer(*t, "/codegen/matmulTiles", "m", 1, 4096, recipe.tileM);
        integer(*t, "/codegen/matmulTiles", "n", 1, 4096, recipe.tileN);
        integer(*t, "/codegen/matmulTiles", "k", 1, 4096, recipe.tileK);
      }
  }

  void checkOutputs(const Value &value) {
    const auto *outputs = object(value, "/outputs");
    if (!outputs)
      return;
    members(*outputs, "/outputs", {"passRecord", "graphIR", "llvmDialect", "llvmIR", "object",
                                         "sharedLibrary", "weightsFile", "ptx"});
    RecipeOutputs &out = recipe.outputs;
    boolean(*outputs, "/outputs", "passRecord", out.passRecord);
    boolean(*outputs, "/outputs", "graphIR", out.graphIR);
    boolean(*outputs, "/outputs", "llvmDialect", out.llvmDialect);
    boolean(*outputs, "/outputs", "llvmIR", out.llvmIR);
    boolean(*outputs, "/outputs", "object", out.object);
    boolean(*outputs, "/outputs", "sharedLibrary", out.sharedLibrary);
    boolean(*outputs, "/outputs", "weightsFile", out.weightsFile);
    boolean(*outputs, "/outputs", "ptx", out.ptx);
    if (out.ptx && recipe.target != "cuda")
      error("/outputs/ptx", "PTX is the cuda target's kernels; this recipe's target is \"" +
                                recipe.target + "\"");
  }
};

} // namespace

llvm::Expected<PassDescription> describePass(llvm::StringRef name) {
  const mlir::PassInfo *info = mlir::PassInfo::lookup(name);
  if (!info)
    return llvm::createStringError("unknown pass '%s'", name.str().c_str());
  // Op-agnostic, so passes anchored on any op can be created and inspected.
  mlir::OpPassManager probe;
  std::string problem;
  if (failed(info->addToPipeline(probe, "", [&](const llvm::Twine &message) {
        problem = message.str();
        return mlir::failure();
      })) ||
      probe.size() != 1)
    return llvm::createStringError("pass '%s' cannot be created: %s", name.str().c_str(),
                                   problem.c_str());
  std::string printed;
  llvm::raw_string_ostream os(printed);
  probe.begin()->printAsTextualPipeline(os);
  PassDescription description{name.str(), info->getPassDescription().str(),
                              probe.begin()->getOpName().value_or("").str(), {}};
  for (auto &[option, value] : parsePrintedOptions(printed))
    description.options.push_back({option, value, jsonTypeName(typeOfDefault(value))});
  return description;
}

void checkRecipeDocument(const JsonDocument &doc, Recipe &recipe,
                         std::vector<RecipeDiagnostic> &diagnostics) {
  Checker(doc, recipe, diagnostics).run();
}

} // namespace openopt

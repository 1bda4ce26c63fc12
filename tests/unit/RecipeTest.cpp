//===- RecipeTest.cpp - recipes and the JSON-with-comments parser ---------===//
#include "openopt/InitOpenOpt.h"
#include "openopt/Recipe/Recipe.h"

#include "mlir/IR/DialectRegistry.h"

#include <gtest/gtest.h>

using namespace openopt;

namespace {

JsonDocument parse(llvm::StringRef text) {
  JsonSyntaxError error;
  auto doc = parseJsonWithComments(text, error);
  EXPECT_TRUE(doc.has_value()) << error.position.line << ":" << error.position.column << ": "
                               << error.message;
  return doc ? std::move(*doc) : JsonDocument();
}

JsonSyntaxError syntaxError(llvm::StringRef text) {
  JsonSyntaxError error;
  EXPECT_FALSE(parseJsonWithComments(text, error).has_value()) << text.str();
  return error;
}

class RecipeTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    // Recipes check pass names against the registry.
    mlir::DialectRegistry registry;
    registerAllDialectsAndPasses(registry);
  }
};

TEST(JsonDocumentTest, PositionsByPointer) {
  JsonDocument doc = parse("// c\n{\n  \"a\": [1, {\"b/c\": true}],\n  /* x */ \"d~\": \"s\"\n}");
  EXPECT_EQ(doc.positionOf("").line, 2u);
  EXPECT_EQ(doc.positionOf("/a").line, 3u);
  EXPECT_EQ(doc.positionOf("/a").column, 8u);
  EXPECT_EQ(doc.positionOf("/a/1/b~1c").column, 20u);
  EXPECT_EQ(doc.keyPositionOf("/a/1/b~1c").column, 13u);
  EXPECT_EQ(doc.keyPositionOf("/d~0").line, 4u);
  EXPECT_EQ(doc.keyPositionOf("/d~0").column, 11u);
  // A member that is not there falls back to its parent.
  EXPECT_EQ(doc.positionOf("/a/1/missing").column, 12u);
  EXPECT_EQ(*doc.root.getAsObject()->getString("d~"), "s");
}

TEST(JsonDocumentTest, ValuesAndEscapes) {
  JsonDocument doc = parse(R"({"i": -12, "f": 2.5e1, "u": "\u00e9\n", "n": null, "t": [true,],})");
  const llvm::json::Object &o = *doc.root.getAsObject();
  EXPECT_EQ(*o.getInteger("i"), -12);
  EXPECT_DOUBLE_EQ(*o.getNumber("f"), 25.0);
  EXPECT_EQ(*o.getString("u"), "\xc3\xa9\n");
  EXPECT_EQ(o.get("n")->kind(), llvm::json::Value::Null);
  EXPECT_EQ(o.getArray("t")->size(), 1u);
}

TEST(JsonDocumentTest, SyntaxErrorsHavePositions) {
  JsonSyntaxError e = syntaxError("{\n  \"a\": 1\n  \"b\": 2\n}");
  EXPECT_EQ(e.position.line, 3u);
  EXPECT_EQ(e.position.column, 3u);
  EXPECT_EQ(e.message, "expected ',' or '}' after an object member");
  EXPECT_EQ(syntaxError("").message, "the file is empty; expected a JSON object");
  EXPECT_EQ(syntaxError("{'a': 1}").message, "member names take double quotes in JSON");
  EXPECT_EQ(syntaxError("{\"a\": \"x\ny\"}").message, "line break inside a string (write \\n)");
  EXPECT_EQ(syntaxError("[1e999]").message, "number '1e999' is out of range");
  EXPECT_EQ(syntaxError("{\"a\": 1, \"a\": 2}").message, "duplicate member \"a\"");
  EXPECT_EQ(syntaxError("\"abc").message, "unterminated string");
}

TEST(JsonDocumentTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  EXPECT_EQ(syntaxError(deep).message, "nesting deeper than 128 levels");
}

TEST_F(RecipeTest, DefaultRecipeIsValidAndRunsTheGraphPasses) {
  auto recipe = defaultRecipe();
  ASSERT_TRUE(bool(recipe)) << llvm::toString(recipe.takeError());
  EXPECT_EQ(recipe->name, "default");
  EXPECT_EQ(recipe->target, "cpu");
  std::string passes = recipe->graphPassList();
  EXPECT_NE(passes.find("openopt-fold-batchnorm"), std::string::npos);
  EXPECT_NE(passes.find("openopt-fold-constants{max-elements=1048576}"), std::string::npos);
  EXPECT_NE(passes.find("openopt-fuse-ops"), std::string::npos);
  EXPECT_EQ(recipe->cpuOptions().graphPasses, passes);
}

TEST_F(RecipeTest, MissingSectionsTakeDefaults) {
  auto recipe = parseRecipe(R"({"target": {"kind": "cpu", "threads": 3, "isa": "auto"},
                               "codegen": {"matmulTiles": {"m": 32}}})",
                            "t.recipe.json");
  ASSERT_TRUE(bool(recipe)) << llvm::toString(recipe.takeError());
  CpuPipelineOptions options = recipe->cpuOptions();
  EXPECT_EQ(options.threads, 3);
  EXPECT_EQ(options.tileM, 32);
  EXPECT_EQ(options.tileN, 256);
  EXPECT_EQ(options.graphPasses, defaultRecipe()->graphPassList());
}

// The layout pass plans for the target's vector width (which convolutions
// are computed directly), unless the recipe gives the pass its own.
TEST_F(RecipeTest, LayoutPassTakesTheTargetIsa) {
  auto forced = parseRecipe(R"({"target": {"kind": "cpu", "isa": "avx2"}, "graph": {"passes": [
                                 {"pass": "openopt-convert-layout", "options": {"layout": "auto"}}]}})",
                            "t.recipe.json");
  ASSERT_TRUE(bool(forced)) << llvm::toString(forced.takeError());
  EXPECT_EQ(forced->graphPassList(), "openopt-convert-layout{layout=auto vector-bits=256}");
  auto own = parseRecipe(R"({"target": {"kind": "cpu", "isa": "avx512"}, "graph": {"passes": [
                              {"pass": "openopt-convert-layout",
                               "options": {"layout": "auto", "vector-bits": 256}}]}})",
                         "t.recipe.json");
  ASSERT_TRUE(bool(own)) << llvm::toString(own.takeError());
  EXPECT_EQ(own->graphPassList(), "openopt-convert-layout{vector-bits=256 layout=auto}");
  auto host = parseRecipe(R"({"target": {"kind": "cpu", "isa": "auto"}, "graph": {"passes": [
                               {"pass": "openopt-convert-layout", "options": {"layout": "auto"}}]}})",
                          "t.recipe.json");
  ASSERT_TRUE(bool(host)) << llvm::toString(host.takeError());
  EXPECT_EQ(host->graphPassList(), "openopt-convert-layout{layout=auto}");
}

TEST_F(RecipeTest, DisabledPassesAndEmptyPipelines) {
  auto recipe = parseRecipe(R"({"target": {"kind": "cpu"}, "graph": {"passes": [
                                 {"pass": "cse", "enabled": false}, "openopt-dce"]}})",
                            "t.recipe.json");
  ASSERT_TRUE(bool(recipe)) << llvm::toString(recipe.takeError());
  EXPECT_EQ(recipe->graphPassList(), "openopt-dce");
  auto none = parseRecipe(R"({"target": {"kind": "cpu"}, "graph": {"passes": []}})", "t");
  ASSERT_TRUE(bool(none));
  EXPECT_TRUE(none->cpuOptions().graphPasses.empty());
}

TEST_F(RecipeTest, EveryProblemIsReported) {
  auto diagnostics = checkRecipe(R"({
  "target": {"kind": "cpu", "threads": -1},
  "graph": {"passes": ["nope", {"pass": "canonicalize", "options": {"max-iterations": true}}]},
  "outputs": {"object": "yes"}
})");
  std::string all;
  for (const auto &d : diagnostics)
    all += d.pointer + ": " + d.message + "\n";
  ASSERT_EQ(diagnostics.size(), 4u) << all;
  EXPECT_EQ(diagnostics[0].pointer, "/target/threads");
  EXPECT_EQ(diagnostics[1].pointer, "/graph/passes/0");
  EXPECT_EQ(diagnostics[2].pointer, "/graph/passes/1/options/max-iterations");
  EXPECT_EQ(diagnostics[3].pointer, "/outputs/object");
  EXPECT_EQ(diagnostics[3].position.line, 4u);
}

TEST_F(RecipeTest, ModulePassesAreRefusedInTheGraphPipeline) {
  auto diagnostics =
      checkRecipe(R"({"target": {"kind": "cpu"}, "graph": {"passes": ["convert-func-to-llvm"]}})");
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_NE(diagnostics[0].message.find("graph passes run on each function"), std::string::npos)
      << diagnostics[0].message;
}

TEST_F(RecipeTest, DescribePassReadsOptionTypes) {
  auto fold = describePass("openopt-fold-constants");
  ASSERT_TRUE(bool(fold)) << llvm::toString(fold.takeError());
  ASSERT_EQ(fold->options.size(), 1u);
  EXPECT_EQ(fold->options[0].name, "max-elements");
  EXPECT_EQ(fold->options[0].type, "integer");
  EXPECT_FALSE(bool(describePass("no-such-pass")));
  llvm::consumeError(describePass("no-such-pass").takeError());
}

} // namespace

//===- JsonSchemaTest.cpp - the API's schema validator --------------------===//
#include "api/Api.h"
#include "api/JsonSchema.h"

#include <gtest/gtest.h>

using namespace openopt::server;
using nlohmann::json;

namespace {

SchemaSet sampleSet() {
  SchemaSet set;
  EXPECT_FALSE(set.add("common.schema.json", json::parse(R"({
    "$defs": {
      "hash": { "type": "string", "pattern": "^[0-9a-f]{4}$", "maxLength": 4 },
      "shape": { "type": "array", "items": { "type": "integer", "minimum": 0 }, "maxItems": 3 }
    }})")));
  EXPECT_FALSE(set.add("m.schema.json", json::parse(R"({
    "$defs": {
      "p": {
        "type": "object", "required": ["model"], "additionalProperties": false,
        "properties": {
          "model": { "$ref": "common.schema.json#/$defs/hash" },
          "shape": { "$ref": "common.schema.json#/$defs/shape" },
          "mode": { "enum": ["a", "b"] },
          "either": { "oneOf": [ { "type": "string" }, { "type": "integer" } ] },
          "local": { "$ref": "#/$defs/q" }
        }
      },
      "q": { "type": "boolean" }
    }})")));
  EXPECT_FALSE(set.checkReferences());
  return set;
}

} // namespace

TEST(JsonSchemaTest, AcceptsValidInstances) {
  SchemaSet set = sampleSet();
  EXPECT_FALSE(set.validate("m.schema.json#/$defs/p",
                            json::parse(R"({"model":"ab12","shape":[1,2],"mode":"a",
                                           "either":3,"local":true})")));
}

TEST(JsonSchemaTest, ReportsTheOffendingPointer) {
  SchemaSet set = sampleSet();
  auto v = set.validate("m.schema.json#/$defs/p", json::parse(R"({"model":"ab12","shape":[1,-2]})"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->pointer, "/shape/1");
  EXPECT_NE(v->message.find("at least 0"), std::string::npos);

  v = set.validate("m.schema.json#/$defs/p", json::parse(R"({"model":42})"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->pointer, "/model");
  EXPECT_EQ(v->message, "expected string, got integer");

  v = set.validate("m.schema.json#/$defs/p", json::parse(R"({})"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->pointer, "");
  EXPECT_EQ(v->message, "missing required member 'model'");

  v = set.validate("m.schema.json#/$defs/p", json::parse(R"({"model":"ab12","modle":1})"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->pointer, "/modle");
  EXPECT_NE(v->message.find("unknown member 'modle'"), std::string::npos);

  v = set.validate("m.schema.json#/$defs/p", json::parse(R"({"model":"AB12"})"));
  ASSERT_TRUE(v);
  EXPECT_NE(v->message.find("pattern"), std::string::npos);

  v = set.validate("m.schema.json#/$defs/p", json::parse(R"({"model":"ab12","mode":"c"})"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->message, R"(must be one of "a", "b")");

  v = set.validate("m.schema.json#/$defs/p", json::parse(R"({"model":"ab12","either":1.5})"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->pointer, "/either");

  v = set.validate("m.schema.json#/$defs/p", json::parse(R"({"model":"ab12","local":1})"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->pointer, "/local");
}

TEST(JsonSchemaTest, RejectsKeywordsItDoesNotImplement) {
  SchemaSet set;
  auto problem = set.add("x.json", json::parse(R"({"$defs":{"a":{"type":"string","format":"email","uniqueItems":true}}})"));
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("uniqueItems"), std::string::npos);
  SchemaSet dangling;
  EXPECT_FALSE(dangling.add("y.json", json::parse(R"({"$defs":{"a":{"$ref":"#/$defs/missing"}}})")));
  EXPECT_TRUE(dangling.checkReferences());
}

TEST(JsonSchemaTest, TheShippedApiSchemasLoad) {
  auto set = loadApiSchemas();
  ASSERT_TRUE(bool(set)) << llvm::toString(set.takeError());
  EXPECT_TRUE(set->find("compile.schema.json#/$defs/start.params"));
  auto v = set->validate("compile.schema.json#/$defs/diff.params",
                         json::parse(R"({"compile":"0123456789abcdef0123456789abcdef","pass":-1})"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->pointer, "/pass");
}

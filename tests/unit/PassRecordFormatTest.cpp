//===- PassRecordFormatTest.cpp - pass records of both format versions -----===//
//
// Version 2 of the pass record uses camelCase keys, like the API. Records
// an older daemon stored (version 1, snake_case) must still load, and a
// version this build does not know is a clear error.
//
//===----------------------------------------------------------------------===//
#include "openopt/Record/PassRecord.h"

#include "llvm/Support/JSON.h"

#include <gtest/gtest.h>

using namespace openopt;

namespace {

llvm::json::Value record(int version, const char *wall, const char *before, const char *after) {
  llvm::json::Object pass{{"index", 0},   {"pass", "CSE"}, {"argument", "cse"},
                          {"anchor", "func.func"}, {"depth", 1}, {wall, 1.5},
                          {before, 10},  {after, 7},     {"changed", true},
                          {"failed", false}};
  return llvm::json::Object{{"version", version},
                            {"pipeline", "func.func(cse)"},
                            {"initial", llvm::json::Array{}},
                            {"passes", llvm::json::Array{std::move(pass)}}};
}

TEST(PassRecordFormatTest, WritesVersion2AndReadsItBack) {
  auto parsed = PassRecord::fromJSON(record(2, "wallMs", "opsBefore", "opsAfter"));
  ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
  ASSERT_EQ(parsed->passes.size(), 1u);
  EXPECT_EQ(parsed->passes[0].opsBefore, 10);
  EXPECT_EQ(parsed->passes[0].opsAfter, 7);
  EXPECT_DOUBLE_EQ(parsed->passes[0].wallMs, 1.5);
  llvm::json::Value written = parsed->toJSON();
  const llvm::json::Object *object = written.getAsObject();
  ASSERT_NE(object, nullptr);
  EXPECT_EQ(object->getInteger("version"), 2);
  const llvm::json::Object *pass = (*object->getArray("passes"))[0].getAsObject();
  EXPECT_TRUE(pass->getNumber("wallMs").has_value());
  EXPECT_FALSE(pass->getNumber("wall_ms").has_value());
}

TEST(PassRecordFormatTest, ReadsVersion1RecordsWithSnakeCaseKeys) {
  auto parsed = PassRecord::fromJSON(record(1, "wall_ms", "ops_before", "ops_after"));
  ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
  EXPECT_EQ(parsed->passes[0].opsBefore, 10);
  EXPECT_EQ(parsed->passes[0].opsAfter, 7);
  EXPECT_DOUBLE_EQ(parsed->passes[0].wallMs, 1.5);
}

TEST(PassRecordFormatTest, AnUnknownVersionIsAnError) {
  auto parsed = PassRecord::fromJSON(record(3, "wallMs", "opsBefore", "opsAfter"));
  ASSERT_FALSE(bool(parsed));
  EXPECT_NE(llvm::toString(parsed.takeError()).find("version 3"), std::string::npos);
}

} // namespace

//===- JsonSchemaSuiteTest.cpp - our validator on the official test suite --===//
//
// server/api/JsonSchema.cpp implements the keywords our API schemas use. It
// is checked here against the official JSON-Schema-Test-Suite (Debian's
// json-schema-test-suite, which scripts/setup.sh installs), one file per
// keyword it claims. Debian ships the suite up to draft 7, whose semantics
// for these keywords are those of 2020-12 (except `items` as an array, a
// draft-7 form our loader refuses). A case whose schema uses a keyword we do
// not claim, or a $ref we cannot resolve (remote documents), is refused when
// loaded and counted as skipped; every case we load must give the suite's
// answer.
//
//===----------------------------------------------------------------------===//
#include "api/JsonSchema.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace openopt::server;
using nlohmann::json;

namespace {

const char *const kSuite = "/usr/share/json-schema-test-suite/tests/draft7";

// The keywords JsonSchema.h claims, by the suite's file names.
const char *const kClaimed[] = {
    "type",      "enum",      "const",   "properties", "required", "additionalProperties",
    "items",     "minItems",  "maxItems", "minLength", "maxLength", "minimum",
    "maximum",   "pattern",   "oneOf",    "anyOf",     "ref",
};

struct Tally {
  int checked = 0, skipped = 0;
};

void runFile(const std::string &keyword, Tally &tally) {
  std::ifstream in(std::string(kSuite) + "/" + keyword + ".json");
  ASSERT_TRUE(in) << "missing " << kSuite << "/" << keyword
                  << ".json (apt-get install json-schema-test-suite)";
  json groups = json::parse(in);
  for (const json &group : groups) {
    SchemaSet set;
    // Draft 7 keeps definitions under "definitions"; the validator treats
    // any JSON pointer alike.
    if (set.add("suite.json", group["schema"]) || set.checkReferences()) {
      tally.skipped += int(group["tests"].size());
      continue;
    }
    for (const json &test : group["tests"]) {
      bool valid = !set.validate("suite.json#", test["data"]).has_value();
      EXPECT_EQ(valid, test["valid"].get<bool>())
          << keyword << ": " << group["description"].get<std::string>() << " / "
          << test["description"].get<std::string>();
      ++tally.checked;
    }
  }
}

} // namespace

TEST(JsonSchemaSuiteTest, EveryClaimedKeywordAgreesWithTheOfficialSuite) {
  ASSERT_TRUE(std::filesystem::is_directory(kSuite))
      << kSuite << " is missing (apt-get install json-schema-test-suite)";
  Tally total;
  for (const char *keyword : kClaimed) {
    Tally tally;
    runFile(keyword, tally);
    // A keyword whose cases were all skipped would not be tested at all.
    EXPECT_GT(tally.checked, 0) << keyword << ": no case could be loaded";
    total.checked += tally.checked;
    total.skipped += tally.skipped;
  }
  std::printf("JSON-Schema-Test-Suite (draft 7): %d cases checked, %d skipped\n", total.checked,
              total.skipped);
}

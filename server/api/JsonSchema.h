//===- JsonSchema.h - validate JSON against our API schemas ----*- C++ -*-===//
//
// The subset of JSON Schema 2020-12 that schemas/api uses: type, enum, const,
// properties, required, additionalProperties, items, minItems, maxItems,
// minLength, maxLength, minimum, maximum, pattern, oneOf, anyOf, and $ref to
// "#/$defs/x" or "other.schema.json#/$defs/x" within one SchemaSet.
// Annotation keywords (title, description, ...) are ignored; any other
// keyword is reported when the set is loaded, so a schema never silently
// checks less than it says. tests/unit/server/JsonSchemaSuiteTest.cpp runs the
// official JSON-Schema-Test-Suite on every keyword implemented here.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SERVER_JSONSCHEMA_H
#define OPENOPT_SERVER_JSONSCHEMA_H

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>

namespace openopt::server {

struct SchemaViolation {
  std::string pointer; // where in the instance, e.g. /inputs/0/shape
  std::string message;
};

class SchemaSet {
public:
  /// Adds a schema document under its file name; returns a problem with an
  /// unsupported keyword, if any.
  std::optional<std::string> add(const std::string &fileName, nlohmann::json document);

  /// Checks every $ref resolves; returns the first one that does not.
  std::optional<std::string> checkReferences() const;

  /// The schema at "file#/json/pointer", or null.
  const nlohmann::json *find(const std::string &reference) const;

  /// The first violation of `instance` against the schema at `reference`.
  std::optional<SchemaViolation> validate(const std::string &reference,
                                          const nlohmann::json &instance) const;

private:
  std::map<std::string, nlohmann::json> documents;
};

} // namespace openopt::server

#endif

//===- JsonSchema.cpp - a small JSON Schema validator ---------------------===//
#include "api/JsonSchema.h"

#include "openopt/Recipe/JsonDocument.h"

#include <regex>
#include <set>

namespace openopt::server {
namespace {


using nlohmann::json;

const std::set<std::string> kKeywords = {
    "type",        "enum",      "const",    "properties", "required", "additionalProperties",
    "items",       "minItems",  "maxItems", "minLength",  "maxLength", "minimum",
    "maximum",     "pattern",   "oneOf",    "anyOf",      "$ref",     "$defs",
    "$schema",     "$id",       "$comment", "title",      "description", "default",
    "examples",    "format",    "readOnly", "deprecated", "contentEncoding",
    "contentMediaType"};

std::optional<std::string> checkKeywords(const json &schema, const std::string &where) {
  if (schema.is_boolean())
    return std::nullopt;
  if (!schema.is_object())
    return where + ": a schema must be an object or a boolean";
  for (const auto &[key, value] : schema.items()) {
    if (!kKeywords.count(key))
      return where + ": unsupported keyword '" + key + "'";
    if (key == "properties" || key == "$defs") {
      for (const auto &[name, sub] : value.items())
        if (auto problem = checkKeywords(sub, where + "/" + key + "/" + name))
          return problem;
    } else if (key == "items" || key == "additionalProperties") {
      if (auto problem = checkKeywords(value, where + "/" + key))
        return problem;
    } else if (key == "oneOf" || key == "anyOf") {
      for (size_t i = 0; i < value.size(); ++i)
        if (auto problem = checkKeywords(value[i], where + "/" + key + "/" + std::to_string(i)))
          return problem;
    }
  }
  return std::nullopt;
}

bool hasType(const json &value, const std::string &type) {
  if (type == "object")
    return value.is_object();
  if (type == "array")
    return value.is_array();
  if (type == "string")
    return value.is_string();
  if (type == "boolean")
    return value.is_boolean();
  if (type == "null")
    return value.is_null();
  if (type == "number")
    return value.is_number();
  if (type == "integer")
    return value.is_number_integer() ||
           (value.is_number_float() && value.get<double>() == double(int64_t(value.get<double>())));
  return false;
}

std::string typeName(const json &value) {
  if (value.is_number_integer())
    return "integer";
  if (value.is_number())
    return "number";
  return value.type_name();
}

// UTF-8 code points, as JSON Schema counts string length.
size_t codePoints(const std::string &s) {
  size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

class Validator {
public:
  Validator(const SchemaSet &set, std::string file) : set(set), file(std::move(file)) {}

  std::optional<SchemaViolation> check(const json &schema, const json &value,
                                       const std::string &pointer, int depth = 0) {
    if (depth > 64)
      return SchemaViolation{pointer, "schema nesting too deep"};
    if (schema.is_boolean())
      return schema.get<bool>() ? std::nullopt
                                : std::optional(SchemaViolation{pointer, "not allowed here"});
    if (auto ref = schema.find("$ref"); ref != schema.end()) {
      std::string target = ref->get<std::string>();
      std::string refFile = file;
      if (target[0] == '#')
        target = file + target;
      else
        refFile = target.substr(0, target.find('#'));
      const json *resolved = set.find(target);
      if (!resolved)
        return SchemaViolation{pointer, "unresolved schema reference " + target};
      std::swap(file, refFile);
      auto result = check(*resolved, value, pointer, depth + 1);
      std::swap(file, refFile);
      if (result)
        return result;
    }
    if (auto type = schema.find("type"); type != schema.end()) {
      bool ok = false;
      std::string expected;
      if (type->is_array()) {
        for (const auto &t : *type) {
          ok |= hasType(value, t.get<std::string>());
          expected += (expected.empty() ? "" : " or ") + t.get<std::string>();
        }
      } else {
        ok = hasType(value, type->get<std::string>());
        expected = type->get<std::string>();
      }
      if (!ok)
        return SchemaViolation{pointer, "expected " + expected + ", got " + typeName(value)};
    }
    if (auto values = schema.find("enum"); values != schema.end()) {
      if (std::find(values->begin(), values->end(), value) == values->end()) {
        std::string list;
        for (const auto &v : *values)
          list += (list.empty() ? "" : ", ") + v.dump();
        return SchemaViolation{pointer, "must be one of " + list};
      }
    }
    if (auto c = schema.find("const"); c != schema.end() && *c != value)
      return SchemaViolation{pointer, "must be " + c->dump()};
    if (value.is_object())
      if (auto v = checkObject(schema, value, pointer, depth))
        return v;
    if (value.is_array())
      if (auto v = checkArray(schema, value, pointer, depth))
        return v;
    if (value.is_string())
      if (auto v = checkString(schema, value.get_ref<const std::string &>(), pointer))
        return v;
    if (value.is_number()) {
      double x = value.get<double>();
      if (auto m = schema.find("minimum"); m != schema.end() && x < m->get<double>())
        return SchemaViolation{pointer, "must be at least " + m->dump()};
      if (auto m = schema.find("maximum"); m != schema.end() && x > m->get<double>())
        return SchemaViolation{pointer, "must be at most " + m->dump()};
    }
    if (auto options = schema.find("oneOf"); options != schema.end()) {
      int matches = 0;
      std::optional<SchemaViolation> first;
      for (const auto &option : *options) {
        auto v = check(option, value, pointer, depth + 1);
        if (!v)
          ++matches;
        else if (!first || v->pointer.size() > first->pointer.size())
          first = v; // the deepest problem is the most telling
      }
      if (matches == 0)
        return first;
      if (matches > 1)
        return SchemaViolation{pointer, "matches more than one of the allowed forms"};
    }
    if (auto options = schema.find("anyOf"); options != schema.end()) {
      std::optional<SchemaViolation> first;
      bool any = false;
      for (const auto &option : *options) {
        auto v = check(option, value, pointer, depth + 1);
        if (!v) {
          any = true;
          break;
        }
        if (!first || v->pointer.size() > first->pointer.size())
          first = v;
      }
      if (!any)
        return first;
    }
    return std::nullopt;
  }

private:
  std::optional<SchemaViolation> checkObject(const json &schema, const json &value,
                                             const std::string &pointer, int depth) {
    if (auto required = schema.find("required"); required != schema.end())
      for (const auto &name : *required)
        if (!value.contains(name.get<std::string>()))
          return SchemaViolation{pointer, "missing required member '" +
                                              name.get<std::string>() + "'"};
    const json *properties = nullptr;
    if (auto p = schema.find("properties"); p != schema.end())
      properties = &*p;
    auto additional = schema.find("additionalProperties");
    for (const auto &[key, member] : value.items()) {
      std::string at = pointer + "/" + escapeJsonPointerToken(key);
      if (properties && properties->contains(key)) {
        if (auto v = check((*properties)[key], member, at, depth + 1))
          return v;
      } else if (additional != schema.end()) {
        if (additional->is_boolean() && !additional->get<bool>()) {
          std::string known;
          if (properties)
            for (const auto &[name, unused] : properties->items())
              known += (known.empty() ? "" : ", ") + name;
          return SchemaViolation{at, "unknown member '" + key + "'" +
                                         (known.empty() ? "" : " (allowed: " + known + ")")};
        }
        if (auto v = check(*additional, member, at, depth + 1))
          return v;
      }
    }
    return std::nullopt;
  }

  std::optional<SchemaViolation> checkArray(const json &schema, const json &value,
                                            const std::string &pointer, int depth) {
    if (auto m = schema.find("minItems"); m != schema.end() && value.size() < m->get<size_t>())
      return SchemaViolation{pointer, "needs at least " + m->dump() + " items"};
    if (auto m = schema.find("maxItems"); m != schema.end() && value.size() > m->get<size_t>())
      return SchemaViolation{pointer, "allows at most " + m->dump() + " items"};
    if (auto items = schema.find("items"); items != schema.end())
      for (size_t i = 0; i < value.size(); ++i)
        if (auto v = check(*items, value[i], pointer + "/" + std::to_string(i), depth + 1))
          return v;
    return std::nullopt;
  }

  std::optional<SchemaViolation> checkString(const json &schema, const std::string &value,
                                             const std::string &pointer) {
    if (auto m = schema.find("minLength");
        m != schema.end() && codePoints(value) < m->get<size_t>())
      return SchemaViolation{pointer, "must be at least " + m->dump() + " characters"};
    if (auto m = schema.find("maxLength");
        m != schema.end() && codePoints(value) > m->get<size_t>())
      return SchemaViolation{pointer, "must be at most " + m->dump() + " characters"};
    if (auto p = schema.find("pattern"); p != schema.end()) {
      // Patterns run only on strings a maxLength bounds (see the schemas),
      // so std::regex's backtracking stays cheap.
      std::regex re(p->get<std::string>(), std::regex::ECMAScript);
      if (!std::regex_search(value, re))
        return SchemaViolation{pointer, "does not match the pattern " + p->dump()};
    }
    return std::nullopt;
  }

  const SchemaSet &set;
  std::string file;
};

void collectRefs(const json &schema, std::vector<std::string> &refs, const std::string &file) {
  if (schema.is_object()) {
    for (const auto &[key, value] : schema.items()) {
      if (key == "$ref" && value.is_string()) {
        std::string target = value.get<std::string>();
        refs.push_back(target[0] == '#' ? file + target : target);
      } else {
        collectRefs(value, refs, file);
      }
    }
  } else if (schema.is_array()) {
    for (const auto &value : schema)
      collectRefs(value, refs, file);
  }
}

} // namespace

std::optional<std::string> SchemaSet::add(const std::string &fileName, json document) {
  if (auto problem = checkKeywords(document, fileName))
    return problem;
  documents[fileName] = std::move(document);
  return std::nullopt;
}

std::optional<std::string> SchemaSet::checkReferences() const {
  for (const auto &[file, document] : documents) {
    std::vector<std::string> refs;
    collectRefs(document, refs, file);
    for (const std::string &ref : refs)
      if (!find(ref))
        return file + ": unresolved $ref " + ref;
  }
  return std::nullopt;
}

const json *SchemaSet::find(const std::string &reference) const {
  size_t hash = reference.find('#');
  auto it = documents.find(reference.substr(0, hash));
  if (it == documents.end())
    return nullptr;
  if (hash == std::string::npos || hash + 1 == reference.size())
    return &it->second;
  try {
    const json &target = it->second.at(json::json_pointer(reference.substr(hash + 1)));
    return &target;
  } catch (const json::exception &) {
    return nullptr;
  }
}

std::optional<SchemaViolation> SchemaSet::validate(const std::string &reference,
                                                   const json &instance) const {
  const json *schema = find(reference);
  if (!schema)
    return SchemaViolation{"", "no schema " + reference};
  Validator validator(*this, reference.substr(0, reference.find('#')));
  return validator.check(*schema, instance, "");
}

} // namespace openopt::server

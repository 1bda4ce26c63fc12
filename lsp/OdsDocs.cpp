//===- OdsDocs.cpp - tables generated from ODS ----------------------------===//
#include "OdsDocs.h"

#include <algorithm>

using namespace openopt::lsp;

namespace {
const OpDoc kOpDocs[] = {
#include "OpDocs.inc"
};
const std::vector<PassDoc> kPassDocs = {
#include "PassDocs.inc"
};
} // namespace

const OpDoc *openopt::lsp::findOpDoc(std::string_view name) {
  auto it = std::lower_bound(std::begin(kOpDocs), std::end(kOpDocs), name,
                             [](const OpDoc &doc, std::string_view n) { return doc.name < n; });
  return it != std::end(kOpDocs) && it->name == name ? it : nullptr;
}

const PassDoc *openopt::lsp::findPassDoc(std::string_view argument) {
  auto it = std::lower_bound(kPassDocs.begin(), kPassDocs.end(), argument,
                             [](const PassDoc &doc, std::string_view a) { return doc.argument < a; });
  return it != kPassDocs.end() && it->argument == argument ? &*it : nullptr;
}

const PassOptionDoc *openopt::lsp::findPassOptionDoc(std::string_view pass, std::string_view option) {
  if (const PassDoc *doc = findPassDoc(pass))
    for (const PassOptionDoc &o : doc->options)
      if (o.name == option)
        return &o;
  return nullptr;
}

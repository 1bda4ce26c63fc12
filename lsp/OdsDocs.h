//===- OdsDocs.h - op and pass documentation from ODS -----------*- C++ -*-===//
//
// The summaries and descriptions written in TableGen (ours and upstream's)
// are not available at run time from MLIR; the build extracts them
// (lsp/gen_op_docs.py) so hover and completion can show them.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_LSP_ODSDOCS_H
#define OPENOPT_LSP_ODSDOCS_H

#include <string_view>
#include <vector>

namespace openopt::lsp {

struct OpDoc {
  std::string_view name, summary, description;
};

struct PassOptionDoc {
  std::string_view name, cppType, defaultValue, description;
};

struct PassDoc {
  std::string_view argument, summary, description;
  std::vector<PassOptionDoc> options;
};

/// Documentation of an op by its full name ("nn.conv"), or null.
const OpDoc *findOpDoc(std::string_view name);
/// Documentation of a pass by its argument ("openopt-fold-batchnorm"), or null.
const PassDoc *findPassDoc(std::string_view argument);
/// Documentation of one option of a pass, or null.
const PassOptionDoc *findPassOptionDoc(std::string_view pass, std::string_view option);

} // namespace openopt::lsp

#endif // OPENOPT_LSP_ODSDOCS_H

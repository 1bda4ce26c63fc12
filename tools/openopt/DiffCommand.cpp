//===- DiffCommand.cpp - openopt diff: show what a recorded pass did ------===//
#include "Commands.h"

#include "openopt/Record/PassRecord.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"

namespace cl = llvm::cl;
using llvm::createStringError;

namespace openopt::cli {

cl::SubCommand diffCommand("diff", "Show the passes of a recorded compile, or one pass's diff");

static cl::opt<std::string> recordDir(cl::Positional, cl::desc("<record dir (opt --record)>"),
                                      cl::Required, cl::sub(diffCommand));
static cl::opt<int> passIndex("pass",
                              cl::desc("Print the unified diff of pass N (as listed), with the "
                                       "ops it removed and added by identity"),
                              cl::value_desc("N"), cl::init(-1), cl::sub(diffCommand));
static cl::opt<bool> onlyChanged("only-changed",
                                 cl::desc("List only the passes that changed the IR"),
                                 cl::sub(diffCommand));

namespace {

std::string summary(const PassSnapshot &s) {
  return llvm::formatv("{0,3} {1,-40} {2,-22} {3,9:f3} ms  ops {4} -> {5}{6}", s.index,
                       s.argument.empty() ? s.pass : s.argument, s.anchor, s.wallMs, s.opsBefore,
                       s.opsAfter, s.failed ? "  FAILED" : (s.changed ? "  changed" : ""))
      .str();
}

// Removed and added op identities, and which added op took over which
// removed ones (a folded op's id joins the ids it replaced with '+').
void printIdentities(const FunctionSnapshot &before, const FunctionSnapshot &after) {
  auto changes = opIdentityChanges(before, after);
  if (changes.empty())
    return;
  llvm::outs() << "ops of @" << after.name << ":\n";
  for (const OpIdentityChange &change : changes) {
    const RecordedOp &op = change.op;
    switch (change.kind) {
    case OpIdentityChange::Kind::Replaced: {
      llvm::SmallVector<std::string> from;
      for (const RecordedOp &f : change.from)
        from.push_back(f.id + " (" + f.op + ")");
      llvm::outs() << "  " << llvm::join(from, " + ") << " -> " << op.id << " (" << op.op
                   << ")\n";
      break;
    }
    case OpIdentityChange::Kind::Added:
      llvm::outs() << "  added " << op.id << " (" << op.op << ")\n";
      break;
    case OpIdentityChange::Kind::Removed:
      llvm::outs() << "  removed " << op.id << " (" << op.op << ")\n";
      break;
    }
  }
}

} // namespace

int runDiff() {
  auto record = readPassRecord(recordDir);
  if (!record)
    return reportError(record.takeError());
  if (passIndex < 0) {
    llvm::outs() << "pipeline: " << record->pipeline << "\n";
    for (const PassSnapshot &s : record->passes)
      if (!onlyChanged || s.changed)
        llvm::outs() << summary(s) << "\n";
    return 0;
  }
  if (passIndex >= (int)record->passes.size())
    return reportError(createStringError("--pass %d: the record has %zu passes (0 to %zu)",
                                         passIndex.getValue(), record->passes.size(),
                                         record->passes.size() - 1));
  const PassSnapshot &s = record->passes[passIndex];
  llvm::outs() << summary(s) << "\n";
  for (const FunctionSnapshot &after : s.changedFunctions) {
    const FunctionSnapshot *before = record->functionBefore(passIndex, after.name);
    FunctionSnapshot empty;
    empty.name = after.name;
    if (!before)
      before = &empty;
    printIdentities(*before, after);
    llvm::outs() << unifiedDiff(before->ir, after.ir, "@" + after.name + " before " + s.argument,
                                "@" + after.name + " after " + s.argument);
  }
  return 0;
}

} // namespace openopt::cli

//===- OpIdentities.cpp - which ops a pass removed, added or folded -------===//
#include "openopt/Record/PassRecord.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

namespace openopt {

std::vector<OpIdentityChange> opIdentityChanges(const FunctionSnapshot &before,
                                                const FunctionSnapshot &after) {
  llvm::StringMap<std::string> beforeOps, afterOps;
  for (const auto &op : before.ops)
    beforeOps[op.id] = op.op;
  for (const auto &op : after.ops)
    afterOps[op.id] = op.op;
  // Ops created together (a folded op and its new constants) share an id.
  std::vector<std::string> removed, added;
  llvm::StringSet<> seen;
  for (const auto &op : before.ops)
    if (!afterOps.count(op.id) && seen.insert(op.id).second)
      removed.push_back(op.id);
  for (const auto &op : after.ops)
    if (!beforeOps.count(op.id) && seen.insert(op.id).second)
      added.push_back(op.id);

  std::vector<OpIdentityChange> changes;
  llvm::StringSet<> explained;
  for (const std::string &id : added) {
    OpIdentityChange change{OpIdentityChange::Kind::Added, {}, {id, afterOps[id]}};
    llvm::SmallVector<llvm::StringRef> parts;
    llvm::StringRef(id).split(parts, '+');
    for (llvm::StringRef part : parts)
      if (beforeOps.count(part) && !afterOps.count(part)) {
        change.from.push_back({part.str(), beforeOps[part]});
        explained.insert(part);
      }
    if (!change.from.empty())
      change.kind = OpIdentityChange::Kind::Replaced;
    changes.push_back(std::move(change));
  }
  for (const std::string &id : removed)
    if (!explained.contains(id))
      changes.push_back({OpIdentityChange::Kind::Removed, {}, {id, beforeOps[id]}});
  return changes;
}

} // namespace openopt

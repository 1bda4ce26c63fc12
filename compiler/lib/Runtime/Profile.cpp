//===- Profile.cpp - per-op timings of a profiled model -------------------===//
#include "openopt/Runtime/Profile.h"

#include "openopt/Transforms/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <algorithm>

using namespace mlir;
using llvm::createStringError;

namespace openopt {
namespace {

// The collector of the profiled run in progress on this thread. The hooks
// are called from the thread that called the model (the top level of the
// entry function is sequential; only loops inside an op run on OpenMP
// workers).
thread_local ProfileCollector *activeCollector = nullptr;

// The compiled code calls these as `void (i64)`.
void openoptProfileEnter(int64_t index) {
  if (ProfileCollector *collector = activeCollector)
    collector->enter(index);
}

void openoptProfileExit(int64_t index) {
  if (ProfileCollector *collector = activeCollector)
    collector->exit(index);
}

} // namespace

llvm::Expected<std::vector<ProfiledOp>> readProfiledOps(ModuleOp module) {
  std::vector<ProfiledOp> ops;
  Attribute table = module->getAttr(kProfileOpsAttr);
  if (!table)
    return ops;
  auto rows = dyn_cast<ArrayAttr>(table);
  if (!rows)
    return createStringError("%s is not an array", kProfileOpsAttr.data());
  for (auto [i, attr] : llvm::enumerate(rows)) {
    auto row = dyn_cast<DictionaryAttr>(attr);
    auto index = row ? row.getAs<IntegerAttr>("index") : nullptr;
    auto id = row ? row.getAs<StringAttr>("id") : nullptr;
    auto op = row ? row.getAs<StringAttr>("op") : nullptr;
    if (!index || !id || !op || index.getInt() != int64_t(i))
      return createStringError("%s[%zu] is not an op table row with index %zu",
                               kProfileOpsAttr.data(), i, i);
    ProfiledOp entry;
    entry.index = index.getInt();
    entry.id = id.getValue().str();
    entry.op = op.getValue().str();
    if (auto kind = row.getAs<StringAttr>("kind"))
      entry.kind = kind.getValue().str();
    if (auto names = row.getAs<ArrayAttr>("names"))
      for (Attribute name : names)
        if (auto text = dyn_cast<StringAttr>(name))
          entry.names.push_back(text.getValue().str());
    if (auto flops = row.getAs<IntegerAttr>("flops"))
      entry.flops = flops.getInt();
    if (auto bytes = row.getAs<IntegerAttr>("bytes"))
      entry.bytes = bytes.getInt();
    ops.push_back(std::move(entry));
  }
  return ops;
}

ProfileCollector::ProfileCollector(size_t numOps) : starts(numOps, 0) {
  collected.ops.resize(numOps);
  reset();
}

void ProfileCollector::reset(size_t maxEvents) {
  this->maxEvents = maxEvents;
  collected.ops.assign(starts.size(), OpTiming());
  collected.events.clear();
  // Growing the event list inside a run would show up in its timings.
  collected.events.reserve(std::min<size_t>(maxEvents, size_t(1) << 16));
  collected.droppedEvents = 0;
  collected.runs = 0;
  collected.runTotalNs = 0;
  epoch = std::chrono::steady_clock::now();
}

void ProfileCollector::record(int64_t index, int64_t startNs, int64_t durationNs) {
  OpTiming &t = collected.ops[index];
  t.minNs = t.calls ? std::min(t.minNs, durationNs) : durationNs;
  t.maxNs = t.calls ? std::max(t.maxNs, durationNs) : durationNs;
  ++t.calls;
  t.totalNs += durationNs;
  addEvent({index, startNs, durationNs});
}

void ProfileCollector::addEvent(const ProfileEvent &event) {
  if (collected.events.size() < maxEvents)
    collected.events.push_back(event);
  else
    ++collected.droppedEvents;
}

ProfileCollector::RunScope::RunScope(ProfileCollector &collector)
    : collector(collector), previous(activeCollector) {
  activeCollector = &collector;
  startNs = collector.now();
}

ProfileCollector::RunScope::~RunScope() {
  int64_t durationNs = collector.now() - startNs;
  activeCollector = previous;
  ++collector.collected.runs;
  collector.collected.runTotalNs += durationNs;
  collector.addEvent({ProfileEvent::kRunEvent, startNs, durationNs});
}

void *ProfileCollector::enterHookAddress() {
  return reinterpret_cast<void *>(&openoptProfileEnter);
}

void *ProfileCollector::exitHookAddress() {
  return reinterpret_cast<void *>(&openoptProfileExit);
}

} // namespace openopt

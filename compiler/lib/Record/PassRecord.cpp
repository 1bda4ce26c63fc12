//===- PassRecord.cpp - recording what every pass did ---------------------===//
#include "openopt/Record/PassRecord.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/Pass/Pass.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
namespace json = llvm::json;

namespace openopt {
namespace {

void collectNames(Location loc, SmallVectorImpl<std::string> &names) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    names.push_back(name.getName().str());
    return;
  }
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      collectNames(inner, names);
}

FunctionSnapshot snapshot(func::FuncOp func) {
  FunctionSnapshot s;
  s.name = func.getSymName().str();
  llvm::raw_string_ostream os(s.ir);
  // The printer reports where each op lands, so viewers can map lines to ops.
  AsmState::LocationMap lines;
  AsmState state(func, OpPrintingFlags(), &lines);
  func.print(os, state);
  int position = 0;
  func.walk([&](Operation *op) {
    if (op == func.getOperation())
      return;
    auto where = lines.find(op);
    int line = where == lines.end() ? 0 : int(where->second.first); // already 1-based
    s.ops.push_back({stableOpId(op, position++), op->getName().getStringRef().str(), line});
  });
  return s;
}

SmallVector<func::FuncOp> functionsUnder(Operation *op) {
  SmallVector<func::FuncOp> funcs;
  if (auto func = dyn_cast<func::FuncOp>(op)) {
    funcs.push_back(func);
    return funcs;
  }
  op->walk([&](func::FuncOp f) { funcs.push_back(f); });
  return funcs;
}

std::string anchorOf(Operation *op) {
  std::string text = op->getName().getStringRef().str();
  if (auto sym = op->getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName()))
    text += " @" + sym.getValue().str();
  return text;
}

// Pass managers that only run nested pipelines are not passes of interest.
bool isAdaptor(Pass *pass) {
  return pass->getName().starts_with("Pipeline Collection") ||
         pass->getName().contains("OpToOpPassAdaptor");
}

json::Value functionToJSON(const FunctionSnapshot &f) {
  json::Array ops;
  for (const auto &op : f.ops)
    ops.push_back(json::Object{{"id", op.id}, {"op", op.op}, {"line", op.line}});
  return json::Object{{"name", f.name}, {"ir", f.ir}, {"ops", std::move(ops)}};
}

llvm::Expected<FunctionSnapshot> functionFromJSON(const json::Value &value) {
  const json::Object *obj = value.getAsObject();
  FunctionSnapshot f;
  if (!obj || !obj->getString("name") || !obj->getString("ir"))
    return llvm::createStringError("pass record: a function snapshot lacks name or ir");
  f.name = obj->getString("name")->str();
  f.ir = obj->getString("ir")->str();
  if (const json::Array *ops = obj->getArray("ops"))
    for (const json::Value &op : *ops)
      if (const json::Object *o = op.getAsObject())
        f.ops.push_back({o->getString("id").value_or("").str(), o->getString("op").value_or("").str(),
                         int(o->getInteger("line").value_or(0))});
  return f;
}

} // namespace

int64_t countNestedOps(Operation *op) {
  int64_t count = -1; // not the anchor itself
  op->walk([&](Operation *) { ++count; });
  return count;
}

std::string stableOpId(Operation *op, int position) {
  SmallVector<std::string> names;
  collectNames(op->getLoc(), names);
  if (!names.empty())
    return llvm::join(names, "+");
  // IR written by hand: its file position is stable across passes too.
  if (auto file = dyn_cast<FileLineColLoc>(op->getLoc()); file && file.getLine() > 0)
    return llvm::formatv("{0}:{1}:{2}", llvm::sys::path::filename(file.getFilename().getValue()),
                         file.getLine(), file.getColumn())
        .str();
  // A function has one terminator; naming it by position would make it look
  // replaced whenever the op count changes.
  if (op->hasTrait<OpTrait::IsTerminator>())
    return op->getName().getStringRef().str();
  return op->getName().getStringRef().str() + "#" + std::to_string(position);
}

void PassRecorder::recordInitial(ModuleOp module) {
  for (func::FuncOp func : functionsUnder(module))
    record.initial.push_back(snapshot(func));
}

void PassRecorder::runBeforePass(Pass *pass, Operation *op) {
  if (isAdaptor(pass))
    return;
  Pending p{std::chrono::steady_clock::now(), countNestedOps(op), {}};
  for (func::FuncOp func : functionsUnder(op))
    p.functions.emplace_back(func, OperationFingerPrint(func));
  pending.insert_or_assign({op, pass}, std::move(p));
}

void PassRecorder::runAfterPass(Pass *pass, Operation *op) { finish(pass, op, false); }
void PassRecorder::runAfterPassFailed(Pass *pass, Operation *op) { finish(pass, op, true); }

void PassRecorder::finish(Pass *pass, Operation *op, bool failed) {
  auto it = pending.find({op, pass});
  if (it == pending.end())
    return;
  Pending p = std::move(it->second);
  pending.erase(it);
  PassSnapshot s;
  s.wallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - p.start)
                 .count();
  s.index = record.passes.size();
  s.pass = pass->getName().str();
  s.argument = pass->getArgument().str();
  s.anchor = anchorOf(op);
  for (Operation *parent = op->getParentOp(); parent; parent = parent->getParentOp())
    ++s.depth;
  s.opsBefore = p.opsBefore;
  s.failed = failed;
  if (!failed) {
    s.opsAfter = countNestedOps(op);
    // A function is changed when its fingerprint differs or it is new.
    SmallVector<func::FuncOp> now = functionsUnder(op);
    for (func::FuncOp func : now) {
      auto before = llvm::find_if(p.functions, [&](auto &entry) { return entry.first == func; });
      if (before == p.functions.end() || before->second != OperationFingerPrint(func))
        s.changedFunctions.push_back(snapshot(func));
    }
    s.changed = !s.changedFunctions.empty() || now.size() != p.functions.size();
  }
  record.passes.push_back(std::move(s));
}

json::Value PassRecord::toJSON() const {
  json::Array initialJson, passesJson;
  for (const auto &f : initial)
    initialJson.push_back(functionToJSON(f));
  for (const auto &s : passes) {
    json::Array changedJson;
    for (const auto &f : s.changedFunctions)
      changedJson.push_back(functionToJSON(f));
    passesJson.push_back(json::Object{{"index", s.index},
                                      {"pass", s.pass},
                                      {"argument", s.argument},
                                      {"anchor", s.anchor},
                                      {"depth", s.depth},
                                      {"wallMs", s.wallMs},
                                      {"opsBefore", s.opsBefore},
                                      {"opsAfter", s.opsAfter},
                                      {"changed", s.changed},
                                      {"failed", s.failed},
                                      {"changedFunctions", std::move(changedJson)}});
  }
  return json::Object{{"version", 2},
                      {"pipeline", pipeline},
                      {"initial", std::move(initialJson)},
                      {"passes", std::move(passesJson)}};
}

llvm::Expected<PassRecord> PassRecord::fromJSON(const json::Value &value) {
  const json::Object *obj = value.getAsObject();
  if (!obj || !obj->getArray("passes") || !obj->getArray("initial"))
    return llvm::createStringError("pass record: expected an object with 'initial' and 'passes'");
  int64_t version = obj->getInteger("version").value_or(1);
  if (version < 1 || version > 2)
    return llvm::createStringError("pass record: version %lld is not one this build reads (1 or 2)",
                                   (long long)version);
  PassRecord record;
  record.pipeline = obj->getString("pipeline").value_or("").str();
  for (const json::Value &f : *obj->getArray("initial")) {
    auto snap = functionFromJSON(f);
    if (!snap)
      return snap.takeError();
    record.initial.push_back(std::move(*snap));
  }
  for (const json::Value &p : *obj->getArray("passes")) {
    const json::Object *o = p.getAsObject();
    if (!o)
      return llvm::createStringError("pass record: a pass entry is not an object");
    PassSnapshot s;
    s.index = o->getInteger("index").value_or(record.passes.size());
    s.pass = o->getString("pass").value_or("").str();
    s.argument = o->getString("argument").value_or("").str();
    s.anchor = o->getString("anchor").value_or("").str();
    s.depth = o->getInteger("depth").value_or(0);
    // Version 1 records (stored by older daemons) used snake_case keys.
    auto key = [&](llvm::StringRef camel, llvm::StringRef snake) {
      return version >= 2 ? camel : snake;
    };
    s.wallMs = o->getNumber(key("wallMs", "wall_ms")).value_or(0);
    s.opsBefore = o->getInteger(key("opsBefore", "ops_before")).value_or(0);
    s.opsAfter = o->getInteger(key("opsAfter", "ops_after")).value_or(0);
    s.changed = o->getBoolean("changed").value_or(false);
    s.failed = o->getBoolean("failed").value_or(false);
    if (const json::Array *changed = o->getArray(key("changedFunctions", "changed_functions")))
      for (const json::Value &f : *changed) {
        auto snap = functionFromJSON(f);
        if (!snap)
          return snap.takeError();
        s.changedFunctions.push_back(std::move(*snap));
      }
    record.passes.push_back(std::move(s));
  }
  return record;
}

const FunctionSnapshot *PassRecord::functionBefore(int index, llvm::StringRef name) const {
  for (int i = std::min<int>(index, passes.size()) - 1; i >= 0; --i)
    for (const auto &f : passes[i].changedFunctions)
      if (f.name == name)
        return &f;
  for (const auto &f : initial)
    if (f.name == name)
      return &f;
  return nullptr;
}

llvm::Error writePassRecord(const PassRecord &record, llvm::StringRef dir) {
  if (auto ec = llvm::sys::fs::create_directories(dir))
    return llvm::createStringError("cannot create '%s': %s", dir.str().c_str(),
                                   ec.message().c_str());
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, "record.json");
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return llvm::createStringError("cannot write '%s': %s", path.c_str(), ec.message().c_str());
  os << llvm::formatv("{0:2}", record.toJSON()) << "\n";
  return llvm::Error::success();
}

llvm::Expected<PassRecord> readPassRecord(llvm::StringRef dir) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, "record.json");
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return llvm::createStringError("cannot read '%s': %s (is it a --record directory?)",
                                   path.c_str(), buffer.getError().message().c_str());
  auto value = json::parse((*buffer)->getBuffer());
  if (!value)
    return llvm::createStringError("'%s' is not valid JSON: %s", path.c_str(),
                                   llvm::toString(value.takeError()).c_str());
  return PassRecord::fromJSON(*value);
}

} // namespace openopt

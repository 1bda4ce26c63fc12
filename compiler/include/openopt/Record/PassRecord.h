//===- PassRecord.h - what every pass of a compile did ----------*- C++ -*-===//
//
// A PassRecorder is a PassInstrumentation that keeps, for each pass run: its
// name, the op it ran on and how deep that op is nested, wall time, op counts
// before and after, whether it changed the IR, and the printed IR of the
// functions it changed (not the whole module each time). The record is what
// `openopt diff`, the daemon and the web UI show.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_RECORD_PASSRECORD_H
#define OPENOPT_RECORD_PASSRECORD_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassInstrumentation.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace openopt {

/// One op as the record names it: a stable id derived from its location
/// (the ONNX node names it came from) and its op name.
struct RecordedOp {
  std::string id;
  std::string op;
  /// 1-based line of the op in its function's IR text (0: unknown).
  int line = 0;
};

/// The IR of one function at one point of the compile.
struct FunctionSnapshot {
  std::string name;
  std::string ir;
  std::vector<RecordedOp> ops;
};

struct PassSnapshot {
  int index = 0;
  std::string pass;     // pass name, e.g. FoldBatchNormPass
  std::string argument; // its pipeline argument, e.g. openopt-fold-batchnorm
  std::string anchor;   // "func.func @main" or "builtin.module"
  int depth = 0;        // nesting of the anchor under the module
  double wallMs = 0;
  int64_t opsBefore = 0, opsAfter = 0;
  bool changed = false, failed = false;
  std::vector<FunctionSnapshot> changedFunctions;
};

struct PassRecord {
  std::string pipeline;
  std::vector<FunctionSnapshot> initial;
  std::vector<PassSnapshot> passes;

  llvm::json::Value toJSON() const;
  static llvm::Expected<PassRecord> fromJSON(const llvm::json::Value &value);

  /// The function's IR just before pass `index` runs (the latest change
  /// before it, else the initial IR).
  const FunctionSnapshot *functionBefore(int index, llvm::StringRef name) const;
};

/// Ops nested under `op`, not counting `op` itself.
int64_t countNestedOps(mlir::Operation *op);

/// Stable id of an op: the names in its location joined by '+' ("conv1",
/// "conv1+bn1" after a fold), or the op name and its position when the
/// location carries no name.
std::string stableOpId(mlir::Operation *op, int position);

class PassRecorder : public mlir::PassInstrumentation {
public:
  explicit PassRecorder(PassRecord &record) : record(record) {}

  /// Records the functions of `module` as they are before the first pass.
  void recordInitial(mlir::ModuleOp module);

  void runBeforePass(mlir::Pass *pass, mlir::Operation *op) override;
  void runAfterPass(mlir::Pass *pass, mlir::Operation *op) override;
  void runAfterPassFailed(mlir::Pass *pass, mlir::Operation *op) override;

private:
  struct Pending {
    std::chrono::steady_clock::time_point start;
    int64_t opsBefore;
    std::vector<std::pair<mlir::Operation *, mlir::OperationFingerPrint>> functions;
  };
  void finish(mlir::Pass *pass, mlir::Operation *op, bool failed);

  PassRecord &record;
  // Keyed by the anchor op: nested pass managers interleave on one thread.
  std::map<std::pair<mlir::Operation *, mlir::Pass *>, Pending> pending;
};

/// Writes `record` as DIR/record.json.
llvm::Error writePassRecord(const PassRecord &record, llvm::StringRef dir);
llvm::Expected<PassRecord> readPassRecord(llvm::StringRef dir);

/// How the ops of a function changed between two snapshots, by identity:
/// an added op whose id joins removed ids with '+' replaced them (a fold).
struct OpIdentityChange {
  enum class Kind { Replaced, Added, Removed } kind;
  std::vector<RecordedOp> from; // the removed ops it replaced (Replaced only)
  RecordedOp op;                // the added op, or the removed one
};
std::vector<OpIdentityChange> opIdentityChanges(const FunctionSnapshot &before,
                                                const FunctionSnapshot &after);

/// Unified diff of two texts (3 lines of context).
std::string unifiedDiff(llvm::StringRef before, llvm::StringRef after,
                        llvm::StringRef beforeName, llvm::StringRef afterName);

} // namespace openopt

#endif

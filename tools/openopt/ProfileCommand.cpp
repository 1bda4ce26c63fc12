//===- ProfileCommand.cpp - openopt profile: time each op of a model ------===//
//
// Compiles the model with profiling hooks around each top-level op or fused
// group (CpuPipelineOptions::profile), runs it, and reports where the time
// goes: a table sorted by total time, the table as JSON
// (schemas/profile.schema.json) and a Chrome trace-event file for Perfetto.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "ModelIO.h"

#include "openopt/Recipe/Recipe.h"
#include "openopt/Runtime/CompiledModel.h"
#include "openopt/Tools/ModelLoader.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <numeric>
#include <tuple>

namespace cl = llvm::cl;
namespace json = llvm::json;
using llvm::createStringError;

namespace openopt::cli {

cl::SubCommand profileCommand(
    "profile", "Compile a model with timing hooks around each op or fused group, run it, "
               "and report where the time goes");

static cl::opt<std::string> recipePath("recipe", cl::desc(kRecipeFlagHelp),
                                       cl::value_desc("FILE"), cl::init(""),
                                       cl::sub(profileCommand));
static cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.onnx|model.mlir>"),
                                      cl::Required, cl::sub(profileCommand));
static cl::list<std::string> inputArgs(
    "input", cl::desc("An input as NAME=FILE (.npy or ONNX TensorProto .pb); FILE alone when "
                      "the model has one input. A sequence: a SequenceProto .pb or a directory "
                      "of 0.npy, 1.npy, ...; an optional: an OptionalProto .pb, its value, or "
                      "'none'"),
    cl::value_desc("NAME=FILE"), cl::sub(profileCommand));
static cl::opt<bool> randomInputs(
    "random-inputs",
    cl::desc("Generate the inputs not given: floats uniform in [-1, 1), integers 0, bools false"),
    cl::sub(profileCommand));
static cl::opt<unsigned> seed("seed", cl::desc("Seed for --random-inputs (default 1)"),
                              cl::init(1), cl::sub(profileCommand));
static cl::opt<unsigned> iterations("iterations",
                                    cl::desc("Timed runs, after the warm-up (default 10)"),
                                    cl::init(10), cl::sub(profileCommand));
static cl::opt<unsigned> warmup(
    "warmup", cl::desc("Untimed runs first (default 3; at least one, which gives --output-dir "
                       "its outputs)"),
    cl::init(3), cl::sub(profileCommand));
static cl::opt<unsigned> threads(
    "threads",
    cl::desc("Threads for matmuls and convolutions (default: the recipe's, 1 in the "
             "built-in one)"),
    cl::init(1), cl::sub(profileCommand));
static cl::opt<std::string> tracePath(
    "trace", cl::desc("Write every timed call as Chrome trace-event JSON (opens in Perfetto)"),
    cl::value_desc("FILE.json"), cl::init(""), cl::sub(profileCommand));
static cl::opt<std::string> jsonPath(
    "json", cl::desc("Write the table as JSON (schemas/profile.schema.json)"),
    cl::value_desc("FILE.json"), cl::init(""), cl::sub(profileCommand));
static cl::opt<unsigned> maxTraceEvents(
    "max-trace-events",
    cl::desc("Most events (op calls and runs) kept for --trace; later ones are counted as "
             "dropped (default 100000)"),
    cl::init(100000), cl::sub(profileCommand));
static cl::opt<std::string> outputDir(
    "output-dir", cl::desc("Write the outputs of the first run to DIR/<name>.npy"),
    cl::value_desc("DIR"), cl::init(""), cl::sub(profileCommand));
static cl::opt<bool> noGraphPasses(
    "no-graph-passes",
    cl::desc("Skip the recipe's graph passes (for IR they already ran on, such as a "
             "compile's graph IR)"),
    cl::sub(profileCommand));

namespace {

double toMs(int64_t ns) { return double(ns) / 1e6; }

/// Milliseconds to the nanosecond, so JSON numbers stay short.
json::Value msJson(double ms) { return std::round(ms * 1e6) / 1e6; }

json::Value optionalJson(std::optional<int64_t> value) {
  return value ? json::Value(*value) : json::Value(nullptr);
}

std::string siCount(int64_t n) {
  double v = double(n);
  if (v < 1e3)
    return std::to_string(n);
  if (v < 1e6)
    return llvm::formatv("{0:f2}K", v / 1e3).str();
  if (v < 1e9)
    return llvm::formatv("{0:f2}M", v / 1e6).str();
  return llvm::formatv("{0:f2}G", v / 1e9).str();
}

/// One row of the table: an op with what was measured for it.
struct Row {
  const ProfiledOp *op;
  OpTiming timing;
  double percent = 0;
  /// Unknown for ops without FLOPs (data movement) or without time.
  std::optional<double> gflopsPerSecond() const {
    if (!op->flops || *op->flops == 0 || timing.totalNs <= 0)
      return std::nullopt;
    return double(*op->flops) * double(timing.calls) / double(timing.totalNs);
  }
};

/// The first ONNX node name (and how many more the op stands for), else the id.
std::string displayName(const ProfiledOp &op) {
  if (op.names.empty())
    return op.id;
  if (op.names.size() == 1)
    return op.names.front();
  return op.names.front() + " +" + std::to_string(op.names.size() - 1);
}

std::string fitColumn(std::string text, size_t width) {
  if (text.size() <= width)
    return text;
  // Names are paths ("/layer1/layer1.0/conv1/Conv"): the end says most.
  return "..." + text.substr(text.size() - (width - 3));
}

struct Report {
  std::vector<Row> rows; // by total time, longest first
  int64_t opNs = 0;      // all ops' time, all iterations
  int64_t runNs = 0;     // time inside the model calls, all iterations
  int64_t calls = 0;
  std::optional<int64_t> flopsPerRun; // unknown if any op's is
  Latency latency;
  double meanLatencyMs = 0;
  double compileMs = 0;
  unsigned iterations = 0, warmup = 0, threads = 1;
  std::string model, function;
  int64_t droppedEvents = 0;

  double opMsPerRun() const { return iterations ? toMs(opNs) / iterations : 0; }
  double runMsPerRun() const { return iterations ? toMs(runNs) / iterations : 0; }
  /// The share of the runs spent inside the brackets.
  double coverage() const { return runNs > 0 ? double(opNs) / double(runNs) : 0; }
  std::optional<double> totalGflopsPerSecond() const {
    if (!flopsPerRun || opNs <= 0)
      return std::nullopt;
    return double(*flopsPerRun) * iterations / double(opNs);
  }
};

/// Fills the rows and totals of `report` from what `model` collected.
void addTimings(Report &report, const CompiledModel &model, const ProfileData &data) {
  int64_t flops = 0;
  bool flopsKnown = true;
  for (const ProfiledOp &op : model.profiledOps()) {
    Row row{&op, data.ops[op.index]};
    report.opNs += row.timing.totalNs;
    report.calls += row.timing.calls;
    flopsKnown &= op.flops.has_value();
    flops += op.flops.value_or(0);
    report.rows.push_back(row);
  }
  if (flopsKnown)
    report.flopsPerRun = flops;
  for (Row &row : report.rows)
    row.percent = report.opNs ? 100.0 * double(row.timing.totalNs) / double(report.opNs) : 0;
  std::sort(report.rows.begin(), report.rows.end(), [](const Row &a, const Row &b) {
    return a.timing.totalNs != b.timing.totalNs ? a.timing.totalNs > b.timing.totalNs
                                                : a.op->index < b.op->index;
  });
  report.runNs = data.runTotalNs;
  report.droppedEvents = data.droppedEvents;
}

void printTable(const Report &report, llvm::raw_ostream &os) {
  constexpr size_t kNameWidth = 44;
  size_t nameWidth = 5;
  for (const Row &row : report.rows)
    nameWidth = std::max(nameWidth, std::min(kNameWidth, displayName(*row.op).size()));
  size_t opWidth = 8;
  for (const Row &row : report.rows)
    opWidth = std::max(opWidth, row.op->op.size());

  os << llvm::formatv("profile of {0}: {1} ops timed, {2} iterations after {3} warm-up "
                      "runs, {4} thread{5}\n",
                      report.model, report.rows.size(), report.iterations, report.warmup,
                      report.threads, report.threads == 1 ? "" : "s");
  auto line = [&](llvm::StringRef name, llvm::StringRef op, int64_t calls, double totalMs,
                  double meanMs, double percent, std::string flops, std::string gflops) {
    os << llvm::left_justify(name, nameWidth) << "  " << llvm::left_justify(op, opWidth)
       << llvm::format(" %6lld %11.4f %10.4f %6.1f%% ", (long long)calls, totalMs, meanMs,
                       percent)
       << llvm::right_justify(flops, 9) << " " << llvm::right_justify(gflops, 8) << "\n";
  };
  os << llvm::left_justify("name", nameWidth) << "  " << llvm::left_justify("op", opWidth)
     << llvm::format(" %6s %11s %10s %7s ", "calls", "total ms", "mean ms", "%")
     << llvm::right_justify("FLOPs", 9) << " " << llvm::right_justify("GFLOP/s", 8) << "\n";
  auto gflopsText = [](std::optional<double> g) {
    return g ? llvm::formatv("{0:f2}", *g).str() : std::string("-");
  };
  for (const Row &row : report.rows) {
    double meanMs = row.timing.calls ? toMs(row.timing.totalNs) / row.timing.calls : 0;
    line(fitColumn(displayName(*row.op), nameWidth), row.op->op, row.timing.calls,
         toMs(row.timing.totalNs), meanMs, row.percent,
         row.op->flops ? siCount(*row.op->flops) : "-", gflopsText(row.gflopsPerSecond()));
  }
  // The total row's mean is per run, its FLOPs those of one run.
  line("total", "", report.calls, toMs(report.opNs), report.opMsPerRun(),
       report.opNs ? 100.0 : 0.0, report.flopsPerRun ? siCount(*report.flopsPerRun) : "-",
       gflopsText(report.totalGflopsPerSecond()));
  os << llvm::format("latency_ms median=%.4f min=%.4f p95=%.4f iterations=%u\n",
                     report.latency.medianMs, report.latency.minMs, report.latency.p95Ms,
                     report.iterations);
  os << llvm::format("ops cover %.1f%% of the run time (%.4f of %.4f ms per run)\n",
                     100.0 * report.coverage(), report.opMsPerRun(), report.runMsPerRun());
}

json::Value reportJson(const Report &report) {
  json::Array ops;
  for (const Row &row : report.rows) {
    const ProfiledOp &op = *row.op;
    const OpTiming &t = row.timing;
    json::Object entry{
        {"index", op.index},
        {"id", op.id},
        {"name", op.names.empty() ? op.id : op.names.front()},
        {"names", json::Array(op.names)},
        {"op", op.op},
        {"calls", t.calls},
        {"total_ms", msJson(toMs(t.totalNs))},
        {"mean_ms", msJson(t.calls ? toMs(t.totalNs) / t.calls : 0)},
        {"min_ms", msJson(toMs(t.minNs))},
        {"max_ms", msJson(toMs(t.maxNs))},
        {"percent", std::round(row.percent * 1e4) / 1e4},
        {"flops", optionalJson(op.flops)},
        {"bytes", optionalJson(op.bytes)},
    };
    auto g = row.gflopsPerSecond();
    entry["gflops_per_s"] = g ? json::Value(std::round(*g * 1e4) / 1e4) : json::Value(nullptr);
    if (!op.kind.empty())
      entry["kind"] = op.kind;
    ops.push_back(std::move(entry));
  }
  auto g = report.totalGflopsPerSecond();
  return json::Object{
      {"format", "openopt-profile"},
      {"version", 1},
      {"model", report.model},
      {"function", report.function},
      {"threads", report.threads},
      {"warmup", report.warmup},
      {"iterations", report.iterations},
      {"compile_ms", msJson(report.compileMs)},
      {"latency_ms", json::Object{{"median", msJson(report.latency.medianMs)},
                                  {"min", msJson(report.latency.minMs)},
                                  {"p95", msJson(report.latency.p95Ms)},
                                  {"mean", msJson(report.meanLatencyMs)}}},
      {"op_ms_per_run", msJson(report.opMsPerRun())},
      {"run_ms_per_run", msJson(report.runMsPerRun())},
      {"coverage", std::round(report.coverage() * 1e4) / 1e4},
      {"total", json::Object{{"calls", report.calls},
                             {"total_ms", msJson(toMs(report.opNs))},
                             {"flops_per_run", optionalJson(report.flopsPerRun)},
                             {"gflops_per_s", g ? json::Value(std::round(*g * 1e4) / 1e4)
                                                : json::Value(nullptr)}}},
      {"dropped_events", report.droppedEvents},
      {"ops", std::move(ops)},
  };
}

json::Value traceJson(const CompiledModel &model, const ProfileData &data,
                      const Report &report) {
  std::vector<ProfileEvent> events = data.events;
  // Enclosing runs first where they start together with their first op.
  std::sort(events.begin(), events.end(), [](const ProfileEvent &a, const ProfileEvent &b) {
    return std::tuple(a.startNs, -a.durationNs, a.index) <
           std::tuple(b.startNs, -b.durationNs, b.index);
  });
  auto us = [](int64_t ns) { return double(ns) / 1e3; };
  json::Array trace;
  int64_t iteration = 0;
  for (const ProfileEvent &e : events) {
    json::Object event{{"ph", "X"}, {"ts", us(e.startNs)}, {"dur", us(e.durationNs)},
                       {"pid", 1}, {"tid", 1}};
    if (e.index == ProfileEvent::kRunEvent) {
      event["name"] = "run";
      event["cat"] = "run";
      event["args"] = json::Object{{"iteration", iteration++}};
    } else {
      const ProfiledOp &op = model.profiledOps()[e.index];
      event["name"] = displayName(op);
      event["cat"] = "op";
      json::Object args{{"op", op.op}, {"flops", optionalJson(op.flops)}, {"id", op.id}};
      if (!op.kind.empty())
        args["kind"] = op.kind;
      event["args"] = std::move(args);
    }
    trace.push_back(std::move(event));
  }
  return json::Object{{"traceEvents", std::move(trace)},
                      {"displayTimeUnit", "ms"},
                      {"otherData", json::Object{{"model", report.model},
                                                 {"dropped_events", data.droppedEvents}}}};
}

/// Like json::OStream's own printing (keys sorted), but fractions in their
/// shortest round-trip form: 0.8076, not 0.80759999999999998.
void emit(json::OStream &out, const json::Value &value) {
  if (const json::Object *object = value.getAsObject()) {
    std::vector<llvm::StringRef> keys;
    for (const auto &member : *object)
      keys.push_back(member.first);
    llvm::sort(keys);
    out.object([&] {
      for (llvm::StringRef key : keys)
        out.attributeBegin(key), emit(out, *object->get(key)), out.attributeEnd();
    });
  } else if (const json::Array *array = value.getAsArray()) {
    out.array([&] {
      for (const json::Value &item : *array)
        emit(out, item);
    });
  } else if (value.kind() == json::Value::Number && !value.getAsInteger()) {
    double number = *value.getAsNumber();
    char text[32];
    auto end = std::to_chars(text, text + sizeof(text), number).ptr;
    if (std::isfinite(number))
      out.rawValue(llvm::StringRef(text, end - text));
    else
      out.value(nullptr);
  } else {
    out.value(value);
  }
}

llvm::Error writeJson(llvm::StringRef path, const json::Value &value, bool pretty) {
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return createStringError("cannot write '%s': %s", path.str().c_str(), ec.message().c_str());
  {
    json::OStream stream(out.os(), pretty ? 2 : 0);
    emit(stream, value);
  }
  out.os() << "\n";
  out.keep();
  return llvm::Error::success();
}

} // namespace

int runProfile(mlir::MLIRContext &context) {
  auto recipe = selectedRecipe(recipePath);
  if (!recipe)
    return reportError(recipe.takeError());
  if (threads < 1 || threads > 256)
    return reportError(createStringError("--threads must be between 1 and 256"));
  if (iterations < 1)
    return reportError(createStringError("--iterations must be at least 1"));
  InputSources sources{{inputArgs.begin(), inputArgs.end()}, randomInputs, seed};
  auto loaded = loadModelWithInputs(context, modelPath, sources,
                                    recipe->shapes == "specialize");
  if (!loaded)
    return reportError(loaded.takeError());
  mlir::ModuleOp module = *loaded->module;
  const std::vector<HostTensor> &inputs = loaded->inputs;

  CpuPipelineOptions options = recipe->cpuOptions();
  if (threads.getNumOccurrences())
    options.threads = threads;
  if (noGraphPasses)
    options.graphPasses.clear();
  options.profile = true;
  Report report;
  report.model = modelPath;
  report.function = findEntryFunction(module).getSymName().str();
  report.threads = options.threads;
  report.iterations = iterations;
  report.warmup = std::max(1u, warmup.getValue());
  auto compileStart = std::chrono::steady_clock::now();
  auto compiled = CompiledModel::compile(module, options);
  if (!compiled)
    return reportError(compiled.takeError());
  CompiledModel &model = **compiled;
  report.compileMs = std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - compileStart)
                         .count();

  std::vector<const HostTensor *> inputPtrs;
  for (const auto &t : inputs)
    inputPtrs.push_back(&t);
  auto outputs = model.allocateOutputs();
  // The first run (a warm-up too) gives the outputs.
  if (auto err = model.run(inputPtrs, outputs))
    return reportError(std::move(err));
  if (!outputDir.empty())
    if (auto err = writeOutputs(outputDir, model.outputs(), outputs))
      return reportError(std::move(err));
  for (unsigned i = 1; i < report.warmup; ++i)
    if (auto err = model.run(inputPtrs, outputs))
      return reportError(std::move(err));

  model.resetProfile(maxTraceEvents);
  std::vector<double> times;
  for (unsigned i = 0; i < iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (auto err = model.run(inputPtrs, outputs))
      return reportError(std::move(err));
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  const ProfileData &data = *model.profile();
  addTimings(report, model, data);
  report.meanLatencyMs = std::accumulate(times.begin(), times.end(), 0.0) / times.size();
  report.latency = summarize(std::move(times));

  printTable(report, llvm::outs());
  if (!jsonPath.empty())
    if (auto err = writeJson(jsonPath, reportJson(report), /*pretty=*/true))
      return reportError(std::move(err));
  if (!tracePath.empty()) {
    if (auto err = writeJson(tracePath, traceJson(model, data, report), /*pretty=*/false))
      return reportError(std::move(err));
    if (data.droppedEvents)
      llvm::errs() << llvm::formatv("warning: --trace kept the first {0} events, dropped {1} "
                                    "(raise --max-trace-events)\n",
                                    data.events.size(), data.droppedEvents);
  }
  llvm::errs() << llvm::format("compile_ms %.1f\n", report.compileMs);
  return 0;
}

} // namespace openopt::cli

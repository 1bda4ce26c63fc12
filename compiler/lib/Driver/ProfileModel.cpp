//===- ProfileModel.cpp - where a model's run time goes -------------------===//
#include "openopt/Driver/ProfileModel.h"

#include "openopt/Runtime/CompiledModel.h"
#include "openopt/Support/EntryFunction.h"

#include "openopt/runtime.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/ToolOutputFile.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <numeric>
#include <tuple>

namespace json = llvm::json;
using llvm::createStringError;

namespace openopt::driver {
namespace {

double toMs(int64_t ns) { return double(ns) / 1e6; }

/// Milliseconds to the nanosecond, so JSON numbers stay short.
json::Value msJson(double ms) { return std::round(ms * 1e6) / 1e6; }

json::Value optionalNumber(std::optional<double> value) {
  return value ? json::Value(std::round(*value * 10) / 10) : json::Value(nullptr);
}

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

} // namespace

std::optional<double> ProfileRow::gflopsPerSecond() const {
  if (!op.flops || *op.flops == 0 || timing.totalNs <= 0)
    return std::nullopt;
  return double(*op.flops) * double(timing.calls) / double(timing.totalNs);
}

std::optional<double> ProfileRow::gbytesPerSecond() const {
  if (!op.bytes || timing.totalNs <= 0)
    return std::nullopt;
  return double(*op.bytes) * double(timing.calls) / double(timing.totalNs);
}

std::optional<GpuPeaks> gpuPeaks(int index) {
  size_t count = 0;
  openopt_error *error = nullptr;
  std::vector<openopt_gpu_device> devices(16);
  if (openopt_gpu_devices(devices.data(), devices.size(), &count, &error) != OPENOPT_OK) {
    openopt_error_free(error);
    return std::nullopt;
  }
  if (index < 0 || size_t(index) >= std::min(count, devices.size()))
    return std::nullopt;
  const openopt_gpu_device &d = devices[index];
  GpuPeaks peaks{d.name, d.arch, std::nullopt, std::nullopt};
  // f32 lanes per SM: 64 on sm_80 (A100), 128 on sm_86 and later.
  int lanes = llvm::StringRef(d.arch) == "sm_80" ? 64 : 128;
  if (d.clock_khz > 0 && d.multiprocessors > 0)
    peaks.gflopsPerSecond = double(d.multiprocessors) * lanes * 2 * d.clock_khz / 1e6;
  if (d.memory_clock_khz > 0 && d.memory_bus_bits > 0)
    peaks.gbytesPerSecond = double(d.memory_clock_khz) * 2 * d.memory_bus_bits / 8 / 1e6;
  return peaks;
}

namespace {

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

} // namespace

double ProfileReport::opMsPerRun() const { return iterations ? toMs(opNs) / iterations : 0; }
double ProfileReport::runMsPerRun() const { return iterations ? toMs(runNs) / iterations : 0; }
double ProfileReport::coverage() const { return runNs > 0 ? double(opNs) / double(runNs) : 0; }
std::optional<double> ProfileReport::totalGflopsPerSecond() const {
  if (!flopsPerRun || opNs <= 0)
    return std::nullopt;
  return double(*flopsPerRun) * iterations / double(opNs);
}

namespace {

/// Fills the rows and totals of `report` from what `model` collected.
void addTimings(ProfileReport &report, llvm::ArrayRef<ProfiledOp> ops, const ProfileData &data) {
  int64_t flops = 0;
  bool flopsKnown = true;
  for (const ProfiledOp &op : ops) {
    ProfileRow row{op, data.ops[op.index]};
    report.opNs += row.timing.totalNs;
    report.calls += row.timing.calls;
    flopsKnown &= op.flops.has_value();
    flops += op.flops.value_or(0);
    report.rows.push_back(row);
  }
  if (flopsKnown)
    report.flopsPerRun = flops;
  for (ProfileRow &row : report.rows)
    row.percent = report.opNs ? 100.0 * double(row.timing.totalNs) / double(report.opNs) : 0;
  std::sort(report.rows.begin(), report.rows.end(), [](const ProfileRow &a, const ProfileRow &b) {
    return a.timing.totalNs != b.timing.totalNs ? a.timing.totalNs > b.timing.totalNs
                                                : a.op.index < b.op.index;
  });
  report.runNs = data.runTotalNs;
  report.droppedEvents = data.droppedEvents;
}

} // namespace

void printProfileTable(const ProfileReport &report, llvm::raw_ostream &os) {
  constexpr size_t kNameWidth = 44;
  size_t nameWidth = 5;
  for (const ProfileRow &row : report.rows)
    nameWidth = std::max(nameWidth, std::min(kNameWidth, displayName(row.op).size()));
  size_t opWidth = 8;
  for (const ProfileRow &row : report.rows)
    opWidth = std::max(opWidth, row.op.op.size());

  os << llvm::formatv("profile of {0}: {1} ops timed, {2} iterations after {3} warm-up "
                      "runs, {4} thread{5}\n",
                      report.model, report.rows.size(), report.iterations, report.warmup,
                      report.threads, report.threads == 1 ? "" : "s");
  // A GPU profile adds the kernels' memory throughput.
  bool gpu = report.gpu.has_value() ||
             llvm::any_of(report.rows, [](const ProfileRow &r) { return r.op.op == "gpu.kernel"; });
  auto line = [&](llvm::StringRef name, llvm::StringRef op, int64_t calls, double totalMs,
                  double meanMs, double percent, std::string flops, std::string gflops,
                  std::string gbytes) {
    os << llvm::left_justify(name, nameWidth) << "  " << llvm::left_justify(op, opWidth)
       << llvm::format(" %6lld %11.4f %10.4f %6.1f%% ", (long long)calls, totalMs, meanMs,
                       percent)
       << llvm::right_justify(flops, 9) << " " << llvm::right_justify(gflops, 8);
    if (gpu)
      os << " " << llvm::right_justify(gbytes, 8);
    os << "\n";
  };
  os << llvm::left_justify("name", nameWidth) << "  " << llvm::left_justify("op", opWidth)
     << llvm::format(" %6s %11s %10s %7s ", "calls", "total ms", "mean ms", "%")
     << llvm::right_justify("FLOPs", 9) << " " << llvm::right_justify("GFLOP/s", 8);
  if (gpu)
    os << " " << llvm::right_justify("GB/s", 8);
  os << "\n";
  auto gflopsText = [](std::optional<double> g) {
    return g ? llvm::formatv("{0:f2}", *g).str() : std::string("-");
  };
  for (const ProfileRow &row : report.rows) {
    double meanMs = row.timing.calls ? toMs(row.timing.totalNs) / row.timing.calls : 0;
    line(fitColumn(displayName(row.op), nameWidth), row.op.op, row.timing.calls,
         toMs(row.timing.totalNs), meanMs, row.percent,
         row.op.flops ? siCount(*row.op.flops) : "-", gflopsText(row.gflopsPerSecond()),
         gflopsText(row.gbytesPerSecond()));
  }
  // The total row's mean is per run, its FLOPs those of one run.
  line("total", "", report.calls, toMs(report.opNs), report.opMsPerRun(),
       report.opNs ? 100.0 : 0.0, report.flopsPerRun ? siCount(*report.flopsPerRun) : "-",
       gflopsText(report.totalGflopsPerSecond()), "");
  if (report.gpu) {
    auto peak = [](std::optional<double> v, const char *unit) {
      return v ? llvm::formatv("{0:f0} {1}", *v, unit).str() : std::string("unknown");
    };
    os << llvm::formatv("GPU {0} ({1}): peaks {2} (f32, CUDA cores), {3}", report.gpu->name,
                        report.gpu->arch, peak(report.gpu->gflopsPerSecond, "GFLOP/s"),
                        peak(report.gpu->gbytesPerSecond, "GB/s"));
    if (auto g = report.totalGflopsPerSecond(); g && report.gpu->gflopsPerSecond)
      os << llvm::formatv("; the kernels reach {0:f1}% of the f32 peak",
                          100 * *g / *report.gpu->gflopsPerSecond);
    os << "\n";
  }
  os << llvm::format("latency_ms median=%.4f min=%.4f p95=%.4f iterations=%u\n",
                     report.latency.medianMs, report.latency.minMs, report.latency.p95Ms,
                     report.iterations);
  os << llvm::format("ops cover %.1f%% of the run time (%.4f of %.4f ms per run)\n",
                     100.0 * report.coverage(), report.opMsPerRun(), report.runMsPerRun());
}

json::Value profileJson(const ProfileReport &report) {
  json::Array ops;
  for (const ProfileRow &row : report.rows) {
    const ProfiledOp &op = row.op;
    const OpTiming &t = row.timing;
    json::Object entry{
        {"index", op.index},
        {"id", op.id},
        {"name", op.names.empty() ? op.id : op.names.front()},
        {"names", json::Array(op.names)},
        {"op", op.op},
        {"calls", t.calls},
        {"totalMs", msJson(toMs(t.totalNs))},
        {"meanMs", msJson(t.calls ? toMs(t.totalNs) / t.calls : 0)},
        {"minMs", msJson(toMs(t.minNs))},
        {"maxMs", msJson(toMs(t.maxNs))},
        {"percent", std::round(row.percent * 1e4) / 1e4},
        {"flops", optionalJson(op.flops)},
        {"bytes", optionalJson(op.bytes)},
    };
    auto g = row.gflopsPerSecond();
    entry["gflopsPerSecond"] = g ? json::Value(std::round(*g * 1e4) / 1e4) : json::Value(nullptr);
    if (auto gb = row.gbytesPerSecond())
      entry["gbytesPerSecond"] = std::round(*gb * 1e4) / 1e4;
    if (!op.kind.empty())
      entry["kind"] = op.kind;
    ops.push_back(std::move(entry));
  }
  auto g = report.totalGflopsPerSecond();
  return json::Object{
      {"format", "openopt-profile"},
      {"version", 2},
      {"model", report.model},
      {"function", report.function},
      {"threads", report.threads},
      {"warmup", report.warmup},
      {"iterations", report.iterations},
      {"compileMs", msJson(report.compileMs)},
      {"latencyMs", json::Object{{"median", msJson(report.latency.medianMs)},
                                 {"min", msJson(report.latency.minMs)},
                                 {"p95", msJson(report.latency.p95Ms)},
                                 {"mean", msJson(report.meanLatencyMs)}}},
      {"opMsPerRun", msJson(report.opMsPerRun())},
      {"runMsPerRun", msJson(report.runMsPerRun())},
      {"coverage", std::round(report.coverage() * 1e4) / 1e4},
      {"total", json::Object{{"calls", report.calls},
                             {"totalMs", msJson(toMs(report.opNs))},
                             {"flopsPerRun", optionalJson(report.flopsPerRun)},
                             {"gflopsPerSecond", g ? json::Value(std::round(*g * 1e4) / 1e4)
                                                   : json::Value(nullptr)}}},
      {"droppedEvents", report.droppedEvents},
      {"ops", std::move(ops)},
      {"gpu", report.gpu ? json::Value(json::Object{
                               {"name", report.gpu->name},
                               {"arch", report.gpu->arch},
                               {"peakGflopsPerSecond", optionalNumber(report.gpu->gflopsPerSecond)},
                               {"peakGbytesPerSecond", optionalNumber(report.gpu->gbytesPerSecond)}})
                         : json::Value(nullptr)},
  };
}

namespace {

json::Value traceJson(llvm::ArrayRef<ProfiledOp> ops, const ProfileData &data,
                      const ProfileReport &report) {
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
                       {"pid", 1}, {"tid", 1 + e.track}};
    if (e.index == ProfileEvent::kRunEvent) {
      event["name"] = "run";
      event["cat"] = "run";
      event["args"] = json::Object{{"iteration", iteration++}};
    } else {
      const ProfiledOp &op = ops[e.index];
      event["name"] = displayName(op);
      event["cat"] = "op";
      json::Object args{{"op", op.op}, {"flops", optionalJson(op.flops)}, {"id", op.id}};
      if (!op.kind.empty())
        args["kind"] = op.kind;
      event["args"] = std::move(args);
    }
    trace.push_back(std::move(event));
  }
  // With a GPU track, the tracks' names (Perfetto shows them side by side).
  if (llvm::any_of(events, [](const ProfileEvent &e) { return e.track == 1; }))
    for (auto [tid, name] : {std::pair{1, "host"}, std::pair{2, "GPU"}})
      trace.push_back(json::Object{{"ph", "M"}, {"cat", "__metadata"}, {"name", "thread_name"},
                                   {"pid", 1}, {"tid", tid}, {"args", json::Object{{"name", name}}}});
  return json::Object{{"traceEvents", std::move(trace)},
                      {"displayTimeUnit", "ms"},
                      {"otherData", json::Object{{"model", report.model},
                                                 {"droppedEvents", data.droppedEvents}}}};
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

int64_t nanoseconds(double ms) { return int64_t(ms * 1e6 + 0.5); }

// The cuda target's profile: the runs, each with its kernels' times.
llvm::Expected<ProfileReport> finishGpuProfile(ProfileReport &report, CompiledModel &model,
                                               llvm::ArrayRef<const HostTensor *> inputs,
                                               const ProfileRequest &request) {
  std::vector<GpuRunTiming> runs;
  auto origin = std::chrono::steady_clock::now();
  auto ms = [](auto from, auto to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
  };
  for (unsigned i = 0; i < request.iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (auto err = model.run(inputs, report.outputs))
      return std::move(err);
    auto end = std::chrono::steady_clock::now();
    auto kernels = model.kernelTimes();
    if (!kernels)
      return kernels.takeError();
    GpuRunTiming run{ms(origin, start), ms(start, end), {}};
    for (const CompiledModel::KernelTime &k : *kernels)
      run.kernels.push_back({k.name, k.startMs, k.milliseconds, k.flops, k.bytes});
    runs.push_back(std::move(run));
  }
  addGpuRuns(report, runs, request.trace, request.maxTraceEvents);
  auto device = llvm::sys::Process::GetEnv("OPENOPT_CUDA_DEVICE");
  report.gpu = gpuPeaks(device ? std::atoi(device->c_str()) : 0);
  return std::move(report);
}

} // namespace

void addGpuRuns(ProfileReport &report, llvm::ArrayRef<GpuRunTiming> runs, bool trace,
                size_t maxTraceEvents) {
  std::vector<ProfiledOp> ops;
  llvm::StringMap<int64_t> index;
  ProfileData data;
  std::vector<double> times;
  for (const GpuRunTiming &run : runs) {
    times.push_back(run.runMs);
    int64_t runStart = nanoseconds(run.startMs), runNs = nanoseconds(run.runMs);
    data.runs++;
    data.runTotalNs += runNs;
    if (data.events.size() < maxTraceEvents)
      data.events.push_back({ProfileEvent::kRunEvent, runStart, runNs, 0});
    else
      data.droppedEvents++;
    for (const GpuRunTiming::Kernel &k : run.kernels) {
      auto [it, added] = index.try_emplace(k.name, int64_t(ops.size()));
      if (added) {
        ProfiledOp op;
        op.index = it->second;
        op.id = k.name;
        op.op = "gpu.kernel";
        op.names = {k.name};
        if (k.flops >= 0)
          op.flops = k.flops;
        if (k.bytes >= 0)
          op.bytes = k.bytes;
        ops.push_back(op);
        data.ops.emplace_back();
      }
      OpTiming &t = data.ops[it->second];
      int64_t ns = nanoseconds(k.milliseconds);
      t.minNs = t.calls ? std::min(t.minNs, ns) : ns;
      t.maxNs = std::max(t.maxNs, ns);
      t.totalNs += ns;
      t.calls++;
      if (data.events.size() < maxTraceEvents)
        data.events.push_back({it->second, runStart + nanoseconds(k.startMs), ns, 1});
      else
        data.droppedEvents++;
    }
  }
  addTimings(report, ops, data);
  report.iterations = unsigned(runs.size());
  report.meanLatencyMs =
      times.empty() ? 0 : std::accumulate(times.begin(), times.end(), 0.0) / times.size();
  report.latency = summarize(std::move(times));
  report.keptEvents = data.events.size();
  if (trace)
    report.trace = traceJson(ops, data, report);
}

llvm::Error writeJsonFile(llvm::StringRef path, const json::Value &value, bool pretty) {
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

llvm::Expected<ProfileReport> profileModel(mlir::MLIRContext &context,
                                           const ProfileRequest &request) {
  if (request.iterations < 1)
    return createStringError("profiling needs at least one timed run");
  auto loaded =
      loadModelWithInputs(context, request.modelPath, request.inputs, request.specialize);
  if (!loaded)
    return loaded.takeError();
  mlir::ModuleOp module = *loaded->module;
  CpuPipelineOptions options = request.options;
  options.profile = true;
  ProfileReport report;
  report.notes = std::move(loaded->notes);
  report.model = request.modelPath;
  report.function = findEntryFunction(module).getSymName().str();
  report.threads = options.threads;
  report.iterations = request.iterations;
  report.warmup = std::max(1u, request.warmup);
  auto compileStart = std::chrono::steady_clock::now();
  auto compiled = CompiledModel::compile(module, options);
  if (!compiled)
    return compiled.takeError();
  CompiledModel &model = **compiled;
  report.compileMs = std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - compileStart)
                         .count();

  std::vector<const HostTensor *> inputs;
  for (const auto &t : loaded->inputs)
    inputs.push_back(&t);
  report.outputs = model.allocateOutputs();
  report.outputSpecs = model.outputs();
  // Warm-up runs, the first of which gives the outputs, are not profiled.
  for (unsigned i = 0; i < report.warmup; ++i)
    if (auto err = model.run(inputs, report.outputs))
      return std::move(err);

  model.resetProfile(request.maxTraceEvents);
  std::vector<double> times;
  for (unsigned i = 0; i < request.iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (auto err = model.run(inputs, report.outputs))
      return std::move(err);
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  if (model.timesKernels())
    return finishGpuProfile(report, model, inputs, request);
  const ProfileData &data = *model.profile();
  addTimings(report, model.profiledOps(), data);
  report.meanLatencyMs = std::accumulate(times.begin(), times.end(), 0.0) / times.size();
  report.latency = summarize(std::move(times));
  report.keptEvents = data.events.size();
  if (request.trace)
    report.trace = traceJson(model.profiledOps(), data, report);
  return report;
}

} // namespace openopt::driver

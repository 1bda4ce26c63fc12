//===- GpuProfileReportTest.cpp - a GPU profile from kernel times ---------===//
//
// addGpuRuns makes the report of `openopt profile` on a GPU and of openoptd's
// profiles on an agent's GPU: rows per kernel with GFLOP/s and GB/s, the
// coverage, and a trace with a GPU track. Fed synthetic runs here.
//
//===----------------------------------------------------------------------===//
#include "openopt/Driver/ProfileModel.h"

#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace openopt;
using namespace openopt::driver;

namespace {

// Two runs of 1 ms each: a 0.6 ms matmul (2 GFLOP, 12 MB) and a 0.2 ms relu
// (no FLOPs counted, bytes unknown).
std::vector<GpuRunTiming> twoRuns() {
  std::vector<GpuRunTiming> runs;
  for (int i = 0; i < 2; ++i)
    runs.push_back({double(i) * 1.5, 1.0,
                    {{"k_fc_Gemm", 0.05, 0.6, 2'000'000'000, 12'000'000},
                     {"k_Relu", 0.70, 0.2, 0, -1}}});
  return runs;
}

TEST(GpuProfileReport, RowsPerKernelWithRatesAndCoverage) {
  ProfileReport report;
  report.model = "m";
  report.function = "main";
  addGpuRuns(report, twoRuns(), /*trace=*/true);
  ASSERT_EQ(report.rows.size(), 2u);
  const ProfileRow &gemm = report.rows[0]; // longest first
  EXPECT_EQ(gemm.op.id, "k_fc_Gemm");
  EXPECT_EQ(gemm.op.op, "gpu.kernel");
  EXPECT_EQ(gemm.timing.calls, 2);
  EXPECT_NEAR(*gemm.gflopsPerSecond(), 2e9 / 0.6e-3 / 1e9, 1e-6);  // 3333 GFLOP/s
  EXPECT_NEAR(*gemm.gbytesPerSecond(), 12e6 / 0.6e-3 / 1e9, 1e-6); // 20 GB/s
  EXPECT_FALSE(report.rows[1].gbytesPerSecond());                  // bytes unknown
  EXPECT_EQ(report.iterations, 2u);
  EXPECT_NEAR(report.coverage(), 0.8, 1e-9); // 0.8 ms of kernels in 1 ms runs
  EXPECT_NEAR(report.latency.medianMs, 1.0, 1e-9);

  std::string table;
  llvm::raw_string_ostream os(table);
  printProfileTable(report, os);
  EXPECT_NE(table.find("GB/s"), std::string::npos) << table;
  EXPECT_NE(table.find("k_fc_Gemm"), std::string::npos) << table;

  // The trace: a run per iteration on the host track, each kernel on the GPU
  // track placed by its offset in its run, and the tracks' names.
  ASSERT_TRUE(report.trace);
  const llvm::json::Array *events = report.trace->getAsObject()->getArray("traceEvents");
  int runs = 0, kernels = 0, names = 0;
  for (const llvm::json::Value &e : *events) {
    const llvm::json::Object &o = *e.getAsObject();
    if (o.getString("ph") == "M") {
      ++names;
      continue;
    }
    if (o.getString("cat") == "run") {
      ++runs;
      EXPECT_EQ(o.getInteger("tid"), 1);
    } else {
      ++kernels;
      EXPECT_EQ(o.getInteger("tid"), 2);
    }
    if (o.getString("name") == "k_fc_Gemm" && *o.getNumber("ts") > 1000)
      EXPECT_NEAR(*o.getNumber("ts"), 1500 + 50, 1e-6); // run 2 at 1.5 ms, +0.05 ms
  }
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(kernels, 4);
  EXPECT_EQ(names, 2);

  llvm::json::Value json = profileJson(report);
  const llvm::json::Object &first = *json.getAsObject()->getArray("ops")->front().getAsObject();
  EXPECT_NEAR(*first.getNumber("gbytesPerSecond"), 20.0, 1e-3);
}

TEST(GpuProfileReport, TheTraceKeepsAtMostItsCap) {
  ProfileReport report;
  addGpuRuns(report, twoRuns(), /*trace=*/true, /*maxTraceEvents=*/3);
  EXPECT_EQ(report.keptEvents, 3);
  EXPECT_EQ(report.droppedEvents, 3);
  EXPECT_EQ(report.rows[0].timing.calls, 2); // the table counts every call
}

} // namespace

//===- RunModelTest.cpp - driver::runModel's release of the IR ------------===//
//
// `openopt run` asks runModel to drop the IR once the model is compiled, so
// that the weights are not held twice while it runs: the context's resource
// blobs (the weights as imported and as the passes rewrote them) must then
// be empty, and the outputs the same as without the release. Also the perf
// map of the JIT's kernels (OPENOPT_PERF_MAP).
//
//===----------------------------------------------------------------------===//
#include "openopt/Driver/RunModel.h"
#include "openopt/InitOpenOpt.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "onnx/onnx_pb.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"

#include <gtest/gtest.h>

#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

using namespace openopt;

namespace {

// A graph input or output named `name`: float [rows, 64].
void declareVector(onnx::ValueInfoProto *value, const std::string &name, int rows) {
  value->set_name(name);
  auto *type = value->mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto::FLOAT);
  type->mutable_shape()->add_dim()->set_dim_value(rows);
  type->mutable_shape()->add_dim()->set_dim_value(64);
}

// y = x [rows, 64] @ w [64, 64], w large enough to be a resource blob.
std::string writeMatMulModel(int rows = 1) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(17);
  onnx::GraphProto *g = model.mutable_graph();
  g->set_name("matmul");
  declareVector(g->add_input(), "x", rows);
  declareVector(g->add_output(), "y", rows);
  auto *w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(64);
  w->add_dims(64);
  for (int i = 0; i < 64 * 64; ++i)
    w->add_float_data(float((i * 37) % 101) / 101.0f - 0.5f);
  auto *node = g->add_node();
  node->set_op_type("MatMul");
  node->add_input("x");
  node->add_input("w");
  node->add_output("y");
  llvm::SmallString<128> path;
  if (llvm::sys::fs::createTemporaryFile("run_model_test", "onnx", path))
    return "";
  std::ofstream out(path.c_str(), std::ios::binary);
  model.SerializeToOstream(&out);
  return path.str().str();
}

// Bytes held by the builtin dialect's resource blobs.
size_t blobBytes(mlir::MLIRContext &context) {
  size_t bytes = 0;
  mlir::DenseResourceElementsHandle::getManagerInterface(&context).getBlobManager().getBlobMap(
      [&](const llvm::StringMap<mlir::DialectResourceBlobManager::BlobEntry> &map) {
        for (const auto &entry : map)
          if (const mlir::AsmResourceBlob *blob = entry.getValue().getBlob())
            bytes += blob->getData().size();
      });
  return bytes;
}

std::vector<float> runOnce(const std::string &path, bool release, size_t &blobsAfter,
                           unsigned threads = 1) {
  mlir::MLIRContext context;
  mlir::DialectRegistry registry;
  registerAllDialectsAndPasses(registry);
  context.appendDialectRegistry(registry);
  driver::RunRequest request;
  request.modelPath = path;
  request.inputs.random = true;
  request.iterations = 2;
  request.releaseIRAfterCompile = release;
  request.options.threads = threads;
  auto result = driver::runModel(context, request);
  EXPECT_TRUE(bool(result)) << (result ? "" : llvm::toString(result.takeError()));
  blobsAfter = blobBytes(context);
  if (!result)
    return {};
  const HostTensor &y = result->outputs.at(0);
  return std::vector<float>(y.as<float>(), y.as<float>() + 64);
}

TEST(RunModelTest, ReleasingTheIRFreesTheWeightsAndKeepsTheOutputs) {
  std::string path = writeMatMulModel();
  ASSERT_FALSE(path.empty());
  size_t kept = 0, released = 0;
  std::vector<float> withIR = runOnce(path, false, kept);
  std::vector<float> withoutIR = runOnce(path, true, released);
  llvm::sys::fs::remove(path);
  EXPECT_GE(kept, size_t(64 * 64 * 4)); // the weight, at least once
  EXPECT_EQ(released, 0u);
  ASSERT_EQ(withIR.size(), 64u);
  EXPECT_EQ(0, std::memcmp(withIR.data(), withoutIR.data(), 64 * sizeof(float)));
}

// OPENOPT_PERF_MAP=1: /tmp/perf-<pid>.map names the JIT's kernels, each
// line "START SIZE NAME" in hex with a non-zero size. Returns the names.
std::vector<std::string> perfMapNames(int rows, unsigned threads) {
  std::vector<std::string> names;
  std::string path = writeMatMulModel(rows);
  EXPECT_FALSE(path.empty());
  std::string map = "/tmp/perf-" + std::to_string(getpid()) + ".map";
  llvm::sys::fs::remove(map);
  ::setenv("OPENOPT_PERF_MAP", "1", 1);
  size_t blobs = 0;
  std::vector<float> y = runOnce(path, true, blobs, threads);
  ::unsetenv("OPENOPT_PERF_MAP");
  llvm::sys::fs::remove(path);
  EXPECT_EQ(y.size(), 64u);
  std::ifstream in(map);
  EXPECT_TRUE(in.good()) << map << " was not written";
  std::string line;
  while (std::getline(in, line)) {
    unsigned long long start = 0, size = 0;
    char name[256] = {0};
    EXPECT_EQ(std::sscanf(line.c_str(), "%llx %llx %255s", &start, &size, name), 3) << line;
    EXPECT_NE(start, 0u) << line;
    EXPECT_NE(size, 0u) << line;
    names.push_back(name);
  }
  llvm::sys::fs::remove(map);
  return names;
}

TEST(RunModelTest, PerfMapNamesTheKernels) {
  std::vector<std::string> names = perfMapNames(1, 1);
  EXPECT_GE(llvm::count_if(names, [](llvm::StringRef n) { return n.starts_with("openopt_kernel_"); }),
            1);
}

// The bodies of parallel loops are local functions of a kernel's object
// (OpenMP outlines them); they are named too, at their kernel's load address.
TEST(RunModelTest, PerfMapNamesTheParallelBodies) {
  // [256, 64] x [64, 64] is split over two threads.
  std::vector<std::string> names = perfMapNames(256, 2);
  auto parallel = llvm::find_if(names, [](llvm::StringRef n) {
    return n.starts_with("openopt_kernel_") && n.contains("omp_par");
  });
  ASSERT_NE(parallel, names.end()) << "no parallel body among " << names.size() << " names";
}

// Whether the environment chose an OpenMP binding before any test ran.
const bool userChoseBinding = std::getenv("OMP_PLACES") || std::getenv("OMP_PROC_BIND") ||
                              std::getenv("KMP_AFFINITY");

// A multi-threaded model binds each OpenMP thread to a CPU of its own, unless
// the user chose a binding (CompiledModel.cpp): unbound, the first ~30 ms of
// parallel regions ran 3-4x slower on the 2-vCPU hosts.
TEST(RunModelTest, OpenMPThreadsGetACpuEachUnlessTheUserChose) {
  std::string before = std::getenv("OMP_PROC_BIND") ? std::getenv("OMP_PROC_BIND") : "";
  std::string path = writeMatMulModel(256);
  ASSERT_FALSE(path.empty());
  size_t blobs = 0;
  std::vector<float> y = runOnce(path, true, blobs, 2);
  llvm::sys::fs::remove(path);
  ASSERT_EQ(y.size(), 64u);
  const char *bind = std::getenv("OMP_PROC_BIND");
  if (userChoseBinding) {
    EXPECT_EQ(before, bind ? bind : "") << "the user's binding was changed";
  } else {
    ASSERT_NE(bind, nullptr);
    EXPECT_STREQ(bind, "spread");
    ASSERT_NE(std::getenv("OMP_PLACES"), nullptr);
    EXPECT_STREQ(std::getenv("OMP_PLACES"), "threads");
  }
}

} // namespace

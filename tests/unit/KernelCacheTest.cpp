//===- KernelCacheTest.cpp - kernels compiled once, reused by content ------===//
//
// A small convolution net is compiled kernel by kernel against a cache of its
// own. Compiled again, every kernel comes from the cache and the outputs are
// the same; a second net of the same shapes and other weights reuses every
// kernel and computes its own outputs; a net with one op changed compiles
// only that op's kernels. Outputs are checked against a reference computed
// here. The buffer pool the compiled code allocates from is tested at the end.
//
//===----------------------------------------------------------------------===//
#include "openopt/Import/Onnx/OnnxImporter.h"
#include "openopt/InitOpenOpt.h"
#include "openopt/Runtime/CompiledModel.h"
#include "openopt/Runtime/BufferPool.h"
#include "openopt/Runtime/KernelCache.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "onnx/onnx_pb.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <thread>

using namespace openopt;

namespace {

constexpr int64_t kChannels = 8, kSize = 6;

struct Net {
  std::vector<float> w1, w2;
  bool sigmoidSecond = false; // the "edited" op: Relu -> Sigmoid
};

Net randomNet(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  Net net;
  for (int64_t i = 0; i < kChannels * kChannels * 9; ++i) {
    net.w1.push_back(u(rng));
    net.w2.push_back(u(rng));
  }
  return net;
}

void addWeight(onnx::GraphProto *g, const std::string &name, const std::vector<float> &w) {
  auto *t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {kChannels, kChannels, int64_t(3), int64_t(3)})
    t->add_dims(d);
  for (float v : w)
    t->add_float_data(v);
}

void addNode(onnx::GraphProto *g, const std::string &type, std::vector<std::string> inputs,
             const std::string &output, bool samePadding = false) {
  auto *node = g->add_node();
  node->set_op_type(type);
  node->set_name(output);
  for (auto &i : inputs)
    node->add_input(i);
  node->add_output(output);
  if (samePadding) {
    auto *pads = node->add_attribute();
    pads->set_name("pads");
    pads->set_type(onnx::AttributeProto::INTS);
    for (int i = 0; i < 4; ++i)
      pads->add_ints(1);
  }
}

// x -> conv(w1) -> relu -> conv(w2) -> relu|sigmoid -> y, 3x3 "same".
onnx::ModelProto model(const Net &net) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto *g = m.mutable_graph();
  g->set_name("convnet");
  auto addTensor = [](auto *value, const std::string &name) {
    value->set_name(name);
    auto *tt = value->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : {int64_t(1), kChannels, kSize, kSize})
      tt->mutable_shape()->add_dim()->set_dim_value(d);
  };
  addTensor(g->add_input(), "x");
  addTensor(g->add_output(), "y");
  addWeight(g, "w1", net.w1);
  addWeight(g, "w2", net.w2);
  addNode(g, "Conv", {"x", "w1"}, "c1", true);
  addNode(g, "Relu", {"c1"}, "a1");
  addNode(g, "Conv", {"a1", "w2"}, "c2", true);
  addNode(g, net.sigmoidSecond ? "Sigmoid" : "Relu", {"c2"}, "y");
  return m;
}

std::vector<float> conv(const std::vector<float> &x, const std::vector<float> &w) {
  std::vector<float> y(x.size(), 0.0f);
  for (int64_t o = 0; o < kChannels; ++o)
    for (int64_t i = 0; i < kChannels; ++i)
      for (int64_t r = 0; r < kSize; ++r)
        for (int64_t c = 0; c < kSize; ++c)
          for (int64_t kr = 0; kr < 3; ++kr)
            for (int64_t kc = 0; kc < 3; ++kc) {
              int64_t rr = r + kr - 1, cc = c + kc - 1;
              if (rr < 0 || cc < 0 || rr >= kSize || cc >= kSize)
                continue;
              y[(o * kSize + r) * kSize + c] +=
                  w[((o * kChannels + i) * 3 + kr) * 3 + kc] * x[(i * kSize + rr) * kSize + cc];
            }
  return y;
}

std::vector<float> reference(const Net &net, const std::vector<float> &x) {
  std::vector<float> a = conv(x, net.w1);
  for (float &v : a)
    v = std::max(v, 0.0f);
  std::vector<float> y = conv(a, net.w2);
  for (float &v : y)
    v = net.sigmoidSecond ? 1.0f / (1.0f + std::exp(-v)) : std::max(v, 0.0f);
  return y;
}

class KernelCacheTest : public ::testing::Test {
protected:
  KernelCacheTest() {
    mlir::DialectRegistry registry;
    registerAllDialectsAndPasses(registry);
    context.appendDialectRegistry(registry);
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (int64_t i = 0; i < kChannels * kSize * kSize; ++i)
      input.push_back(u(rng));
  }

  /// Compiles `net` against `cache`, runs it and checks its output.
  KernelStats compileAndCheck(const Net &net, KernelCache &cache,
                              CpuPipelineOptions options = CpuPipelineOptions()) {
    auto module = importOnnxBytes(context, model(net).SerializeAsString(), "convnet.onnx", "");
    EXPECT_TRUE(bool(module)) << llvm::toString(module.takeError());
    if (!module)
      return {};
    auto compiled = CompiledModel::compile(**module, options, &cache);
    EXPECT_TRUE(bool(compiled)) << llvm::toString(compiled.takeError());
    if (!compiled)
      return {};
    HostTensor x(DType::F32, {1, kChannels, kSize, kSize});
    std::memcpy(x.data(), input.data(), input.size() * sizeof(float));
    std::vector<HostTensor> outputs = (*compiled)->allocateOutputs();
    const HostTensor *inputs[] = {&x};
    llvm::Error err = (*compiled)->run(inputs, outputs);
    EXPECT_FALSE(bool(err)) << llvm::toString(std::move(err));
    std::vector<float> expected = reference(net, input);
    const float *y = reinterpret_cast<const float *>(outputs[0].data());
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_NEAR(y[i], expected[i], 1e-4 * (1 + std::abs(expected[i]))) << "element " << i;
    return (*compiled)->kernelStats();
  }

  /// Compiles `net` with a fresh memory cache (as a process of its own
  /// would) that stores its objects in `dir`.
  KernelStats compileIntoDirectory(const Net &net, llvm::StringRef dir) {
    KernelCache cache;
    cache.setDirectory(dir);
    return compileAndCheck(net, cache);
  }

  mlir::MLIRContext context;
  std::vector<float> input;
};

TEST_F(KernelCacheTest, SecondCompileReusesEveryKernel) {
  KernelCache cache;
  Net net = randomNet(1);
  KernelStats first = compileAndCheck(net, cache);
  EXPECT_GT(first.distinct, 0u);
  EXPECT_EQ(first.compiled, first.distinct);
  EXPECT_EQ(first.reused, 0u);
  // The two convolutions have the same shapes: one kernel serves both.
  EXPECT_LT(first.distinct, first.calls);

  KernelStats second = compileAndCheck(net, cache);
  EXPECT_EQ(second.compiled, 0u);
  EXPECT_EQ(second.reused, first.distinct);
}

TEST_F(KernelCacheTest, OtherWeightsOfTheSameShapesReuseKernels) {
  KernelCache cache;
  KernelStats first = compileAndCheck(randomNet(1), cache);
  KernelStats other = compileAndCheck(randomNet(2), cache);
  EXPECT_EQ(other.compiled, 0u);
  EXPECT_EQ(other.reused, first.distinct);
}

TEST_F(KernelCacheTest, OneEditedOpCompilesOnlyItsKernels) {
  KernelCache cache;
  Net net = randomNet(1);
  KernelStats first = compileAndCheck(net, cache);
  net.sigmoidSecond = true;
  KernelStats edited = compileAndCheck(net, cache);
  EXPECT_GT(edited.compiled, 0u);
  EXPECT_LT(edited.compiled, edited.distinct);
  EXPECT_GT(edited.reused, 0u);
  EXPECT_EQ(edited.compiled + edited.reused, edited.distinct);
  (void)first;
}

// The glue calls kernels through slots bound when linking: an edit that
// changes what a kernel computes keeps the glue, and the reused glue calls
// the new kernel (the output is the sigmoid net's, checked by compileAndCheck).
TEST_F(KernelCacheTest, AnEditThatKeepsSignaturesReusesTheGlue) {
  KernelCache cache;
  Net net = randomNet(1);
  EXPECT_FALSE(compileAndCheck(net, cache).glueReused);
  EXPECT_TRUE(compileAndCheck(net, cache).glueReused);
  net.sigmoidSecond = true;
  KernelStats edited = compileAndCheck(net, cache);
  EXPECT_TRUE(edited.glueReused);
  EXPECT_GT(edited.compiled, 0u);
  // Back to Relu: everything, glue included, comes from the cache, and the
  // output is the Relu net's again.
  net.sigmoidSecond = false;
  KernelStats back = compileAndCheck(net, cache);
  EXPECT_TRUE(back.glueReused);
  EXPECT_EQ(back.compiled, 0u);
}

TEST_F(KernelCacheTest, WholeModuleCompilesWithoutKernels) {
  KernelCache cache;
  CpuPipelineOptions options;
  options.splitKernels = false; // codegen.kernels: false
  KernelStats stats = compileAndCheck(randomNet(5), cache, options);
  EXPECT_EQ(stats.distinct, 0u);
  EXPECT_EQ(stats.calls, 0u);
  EXPECT_EQ(cache.memoryBytes(), 0u);
}

TEST_F(KernelCacheTest, ObjectsPersistInTheDirectory) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("openopt-kernel-cache-test", dir));
  Net net = randomNet(3);
  KernelStats first = compileIntoDirectory(net, dir);
  // Another process (a new, empty memory cache) finds them on disk.
  KernelCache cache;
  cache.setDirectory(dir);
  KernelStats again = compileAndCheck(net, cache);
  EXPECT_EQ(again.compiled, 0u);
  EXPECT_EQ(again.reused, first.distinct);
  llvm::sys::fs::remove_directories(dir);
}

TEST_F(KernelCacheTest, ADamagedFileOnDiskIsRecompiledAndReplaced) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("openopt-kernel-cache-test", dir));
  Net net = randomNet(4);
  KernelStats first = compileIntoDirectory(net, dir);
  // Every cached object is overwritten with bytes that are not an object.
  std::error_code ec;
  int damaged = 0;
  for (llvm::sys::fs::recursive_directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec))
    if (llvm::StringRef(it->path()).ends_with(".o")) {
      llvm::raw_fd_ostream out(it->path(), ec);
      out << "not an object";
      ++damaged;
    }
  ASSERT_GT(damaged, 0);
  {
    KernelCache cache;
    cache.setDirectory(dir);
    KernelStats again = compileAndCheck(net, cache);
    EXPECT_EQ(again.reused, 0u);
    EXPECT_EQ(again.compiled, first.distinct);
  }
  // The damaged files were replaced: a third process reuses them.
  KernelCache cache;
  cache.setDirectory(dir);
  KernelStats third = compileAndCheck(net, cache);
  EXPECT_EQ(third.compiled, 0u);
  EXPECT_EQ(third.reused, first.distinct);
  llvm::sys::fs::remove_directories(dir);
}

TEST_F(KernelCacheTest, MemoryLimitEvictsOldestObjects) {
  KernelCache cache(/*memoryLimitBytes=*/1);
  cache.store("a", std::make_shared<const std::string>("first"));
  cache.store("b", std::make_shared<const std::string>("second"));
  EXPECT_EQ(cache.lookup("a"), nullptr);
  ASSERT_NE(cache.lookup("b"), nullptr);
  EXPECT_EQ(*cache.lookup("b"), "second");
}

} // namespace

namespace {

TEST(BufferPoolTest, LargeBuffersAreReusedAndSmallOnesPassThrough) {
  using namespace openopt::bufferpool;
  void *big = allocate(1 << 20);
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(big) % 16, 0u);
  std::memset(big, 1, 1 << 20);
  size_t before = cachedBytes();
  release(big);
  EXPECT_GE(cachedBytes(), before + (1 << 20));
  // The same size class comes back from the pool.
  void *again = allocate((1 << 20) - 100);
  EXPECT_EQ(again, big);
  // Growing keeps the contents.
  static_cast<char *>(again)[0] = 42;
  void *grown = reallocate(again, 3 << 20);
  ASSERT_NE(grown, nullptr);
  EXPECT_EQ(static_cast<char *>(grown)[0], 42);
  release(grown);
  void *small = allocate(100);
  ASSERT_NE(small, nullptr);
  release(small);
  release(nullptr);
}

TEST(BufferPoolTest, AThreadGetsBackTheBlocksItFreed) {
  using namespace openopt::bufferpool;
  // A size class no other test uses.
  constexpr size_t kBytes = (size_t(5) << 20) + 4096;
  // Nothing left over from earlier tests or runs (--gtest_repeat).
  setCacheLimit(0);
  setCacheLimit(size_t(1) << 30);
  void *mine = allocate(kBytes);
  void *theirs = nullptr;
  std::thread([&] { theirs = allocate(kBytes); }).join();
  ASSERT_NE(mine, nullptr);
  ASSERT_NE(theirs, nullptr);
  ASSERT_NE(mine, theirs);
  release(mine);
  // Freed after mine, by a thread that then ends: its blocks go to the
  // shared list, where this one is the newest.
  std::thread([&] { release(theirs); }).join();
  EXPECT_EQ(allocate(kBytes), mine);
  EXPECT_EQ(allocate(kBytes), theirs);
  release(mine);
  release(theirs);
  // A thread's cache empties when the limit changes, at its next call.
  void *held = nullptr;
  std::thread([&] {
    held = allocate(kBytes);
    release(held);
    size_t before = cachedBytes();
    setCacheLimit(0);
    EXPECT_LE(cachedBytes() + kBytes, before);
  }).join();
  setCacheLimit(size_t(1) << 30);
}

TEST(BufferPoolTest, LimitReturnsMemory) {
  using namespace openopt::bufferpool;
  void *big = allocate(1 << 20);
  release(big);
  // This thread's cache empties at once; another thread's would on its next
  // call (none holds blocks here).
  setCacheLimit(0);
  EXPECT_EQ(cachedBytes(), 0u);
  // A block freed while the limit is 0 goes back to the system.
  void *again = allocate(1 << 20);
  release(again);
  EXPECT_EQ(cachedBytes(), 0u);
  setCacheLimit(size_t(1) << 30);
}

} // namespace

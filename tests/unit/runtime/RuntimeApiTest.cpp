//===- RuntimeApiTest.cpp - the C runtime API on good and bad input -------===//
//
// Model libraries are compiled here (the driver, as `openopt compile --emit
// shared-lib` does) from small nn IR models, then opened, described and run
// through libopenopt_runtime: correct results with runtime-owned, caller and
// unaligned buffers, dynamic shapes, two sessions on two threads, a session
// with fewer threads; and every kind of bad input the API can get (NULLs,
// wrong dtypes, shapes, sizes and counts, a truncated, foreign or damaged
// library, one of another ABI version) gets its status and a message that
// names what was wrong, never a crash (this suite also runs under ASan).
//
//===----------------------------------------------------------------------===//
#include "openopt/Driver/CompileModel.h"
#include "openopt/InitOpenOpt.h"
#include "openopt/runtime.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

// y = relu(x) + 1 on a fixed 2x3 f32 input; n = -k on an i64 [4].
constexpr const char *kStaticModel = R"mlir(
func.func @main(%x: tensor<2x3xf32> {nn.name = "x"}, %k: tensor<4xi64> {nn.name = "k"})
    -> (tensor<2x3xf32> {nn.name = "y"}, tensor<4xi64> {nn.name = "n"}) {
  %one = nn.constant dense<1.0> : tensor<f32>
  %r = nn.relu %x : tensor<2x3xf32>
  %y = nn.add %r, %one : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %n = nn.neg %k : tensor<4xi64>
  return %y, %n : tensor<2x3xf32>, tensor<4xi64>
}
)mlir";

// sum = a + b where both are [batch, 4] (the same symbol); diff = c - d
// where c is [m, 4] and d [n, 4]: m and n must be equal (sizes known only at
// run time do not broadcast), which only the compiled code checks.
constexpr const char *kDynamicModel = R"mlir(
func.func @main(%a: tensor<?x4xf32> {nn.name = "a", nn.dim_params = ["batch", ""]},
                %b: tensor<?x4xf32> {nn.name = "b", nn.dim_params = ["batch", ""]},
                %c: tensor<?x4xf32> {nn.name = "c", nn.dim_params = ["m", ""]},
                %d: tensor<?x4xf32> {nn.name = "d", nn.dim_params = ["n", ""]})
    -> (tensor<?x4xf32> {nn.name = "sum"}, tensor<?x4xf32> {nn.name = "diff"}) {
  %s = nn.add %a, %b : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %t = nn.sub %c, %d : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32> loc("subtract")
  return %s, %t : tensor<?x4xf32>, tensor<?x4xf32>
}
)mlir";

std::string scratchDir() {
  static std::string dir = [] {
    llvm::SmallString<128> path;
    EXPECT_FALSE(llvm::sys::fs::createUniqueDirectory("openopt-runtime-test", path));
    return std::string(path);
  }();
  return dir;
}

std::string writeFile(const std::string &name, const std::string &bytes) {
  std::string path = scratchDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Compiles `ir` (named `stem`) into a model library; its path. `cudaArch`:
// for the cuda target.
std::string compileLibrary(const std::string &stem, const char *ir, int threads = 1,
                           bool weightsFile = false, const std::string &cudaArch = "") {
  mlir::DialectRegistry registry;
  openopt::registerAllDialectsAndPasses(registry);
  mlir::MLIRContext context(registry);
  openopt::driver::CompileRequest request;
  request.modelPath = writeFile(stem + ".mlir", ir);
  request.options.threads = threads;
  request.outputs.object = false;
  request.outputs.sharedLibrary = true;
  request.outputs.weightsFile = weightsFile;
  request.outputDir = scratchDir() + "/" + stem;
  if (!cudaArch.empty()) {
    request.options.cudaArch = cudaArch;
    request.options.vectorizeMatmul = false;
    request.options.splitKernels = false;
  }
  auto result = openopt::driver::compileModel(context, request, [](llvm::StringRef) {});
  if (!result) {
    ADD_FAILURE() << llvm::toString(result.takeError());
    return "";
  }
  return request.outputDir + "/lib" + stem + ".so";
}

const std::string &staticLibrary() {
  static std::string path = compileLibrary("static_model", kStaticModel);
  return path;
}

const std::string &dynamicLibrary() {
  static std::string path = compileLibrary("dynamic_model", kDynamicModel);
  return path;
}

// The message of an error, freed.
std::string take(openopt_error *error) {
  std::string text = openopt_error_message(error);
  openopt_error_free(error);
  return text;
}

openopt_tensor tensor(openopt_dtype dtype, std::vector<int64_t> shape, void *data, size_t bytes) {
  openopt_tensor t{};
  t.dtype = dtype;
  t.rank = int32_t(shape.size());
  for (size_t i = 0; i < shape.size(); ++i)
    t.shape[i] = shape[i];
  t.data = data;
  t.bytes = bytes;
  return t;
}

struct Opened {
  openopt_model *model = nullptr;
  openopt_session *session = nullptr;
  explicit Opened(const std::string &path, int32_t threads = 0) {
    openopt_error *error = nullptr;
    if (openopt_model_open(path.c_str(), &model, &error) != OPENOPT_OK) {
      ADD_FAILURE() << take(error);
      return;
    }
    openopt_session_options options{threads};
    if (openopt_session_create(model, &options, &session, &error) != OPENOPT_OK)
      ADD_FAILURE() << take(error);
  }
  ~Opened() {
    openopt_session_destroy(session);
    openopt_model_close(model);
  }
};

TEST(RuntimeApi, DescribesTheModel) {
  Opened m(dynamicLibrary());
  ASSERT_TRUE(m.model);
  EXPECT_STREQ(openopt_model_name(m.model), "dynamic_model");
  EXPECT_NE(std::string(openopt_model_compiler_version(m.model)).find("openopt "),
            std::string::npos);
  EXPECT_NE(std::string(openopt_model_target(m.model)).find("x86_64"), std::string::npos);
  EXPECT_EQ(openopt_model_threads(m.model), 1);
  ASSERT_EQ(openopt_model_input_count(m.model), 4u);
  ASSERT_EQ(openopt_model_output_count(m.model), 2u);
  openopt_tensor_info info;
  ASSERT_EQ(openopt_model_input_info(m.model, 1, &info, nullptr), OPENOPT_OK);
  EXPECT_STREQ(info.name, "b");
  EXPECT_EQ(info.dtype, OPENOPT_F32);
  ASSERT_EQ(info.rank, 2);
  EXPECT_EQ(info.shape[0], -1);
  EXPECT_EQ(info.shape[1], 4);
  EXPECT_STREQ(info.dim_names[0], "batch");
  EXPECT_STREQ(info.dim_names[1], "");
  EXPECT_STREQ(info.kind, "");
  ASSERT_EQ(openopt_model_output_info(m.model, 1, &info, nullptr), OPENOPT_OK);
  EXPECT_STREQ(info.name, "diff");
  size_t index = 99;
  EXPECT_EQ(openopt_model_find_input(m.model, "d", &index, nullptr), OPENOPT_OK);
  EXPECT_EQ(index, 3u);
  openopt_error *error = nullptr;
  EXPECT_EQ(openopt_model_find_output(m.model, "nope", &index, &error), OPENOPT_ERROR_NOT_FOUND);
  EXPECT_EQ(take(error), "model 'dynamic_model' has no output named 'nope'");
  EXPECT_EQ(openopt_model_input_info(m.model, 4, &info, &error), OPENOPT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(take(error), "input index 4 is out of range: the model has 4 inputs");
}

TEST(RuntimeApi, RunsWithRuntimeAndCallerBuffers) {
  Opened m(staticLibrary());
  ASSERT_TRUE(m.session);
  // Inputs one float past a 64-byte boundary: nothing may assume alignment.
  alignas(64) float xStorage[16 + 6];
  float *x = xStorage + 1;
  for (int i = 0; i < 6; ++i)
    x[i] = float(i) - 2.5f;
  int64_t k[4] = {1, -2, 3, INT64_MIN + 1};
  openopt_tensor inputs[2] = {tensor(OPENOPT_F32, {2, 3}, x, sizeof(float) * 6),
                              tensor(OPENOPT_I64, {4}, k, sizeof(k))};
  openopt_tensor outputs[2] = {};
  openopt_error *error = nullptr;
  ASSERT_EQ(openopt_session_run(m.session, inputs, 2, outputs, 2, &error), OPENOPT_OK)
      << take(error);
  ASSERT_EQ(outputs[0].rank, 2);
  EXPECT_EQ(outputs[0].shape[1], 3);
  EXPECT_EQ(outputs[0].bytes, 24u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(outputs[0].data) % 64, 0u);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(static_cast<float *>(outputs[0].data)[i], std::max(x[i], 0.0f) + 1.0f) << i;
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(static_cast<int64_t *>(outputs[1].data)[i], -k[i]) << i;

  // The caller's buffers, one of them unaligned; too small is refused and
  // told the size it needs.
  alignas(64) float yStorage[16 + 6] = {};
  int64_t n[3];
  openopt_tensor mine[2] = {tensor(OPENOPT_F32, {}, yStorage + 3, sizeof(float) * 6),
                            tensor(OPENOPT_I64, {}, n, sizeof(n))};
  EXPECT_EQ(openopt_session_run(m.session, inputs, 2, mine, 2, &error),
            OPENOPT_ERROR_BUFFER_TOO_SMALL);
  EXPECT_EQ(take(error), "output 1 'n' i64[4] needs 32 bytes, the buffer has 24");
  EXPECT_EQ(mine[1].bytes, 32u);
  int64_t n4[4];
  mine[1] = tensor(OPENOPT_I64, {}, n4, sizeof(n4));
  ASSERT_EQ(openopt_session_run(m.session, inputs, 2, mine, 2, &error), OPENOPT_OK)
      << take(error);
  EXPECT_EQ(mine[0].data, yStorage + 3);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(yStorage[3 + i], std::max(x[i], 0.0f) + 1.0f) << i;
  EXPECT_EQ(n4[3], -k[3]);
}

TEST(RuntimeApi, RunsAtEverySizeOfADynamicModel) {
  Opened m(dynamicLibrary());
  ASSERT_TRUE(m.session);
  for (int64_t batch : {1, 3, 7, 0}) {
    std::vector<float> a(batch * 4), b(batch * 4), c(batch * 4), d(batch * 4);
    for (int64_t i = 0; i < batch * 4; ++i) {
      a[i] = float(i);
      b[i] = 0.5f * float(i);
      c[i] = 10.0f * float(i % 4);
      d[i] = float(i % 3);
    }
    size_t bytes = sizeof(float) * batch * 4;
    openopt_tensor inputs[4] = {tensor(OPENOPT_F32, {batch, 4}, a.data(), bytes),
                                tensor(OPENOPT_F32, {batch, 4}, b.data(), bytes),
                                tensor(OPENOPT_F32, {batch, 4}, c.data(), bytes),
                                tensor(OPENOPT_F32, {batch, 4}, d.data(), bytes)};
    openopt_tensor outputs[2] = {};
    openopt_error *error = nullptr;
    ASSERT_EQ(openopt_session_run(m.session, inputs, 4, outputs, 2, &error), OPENOPT_OK)
        << "batch " << batch << ": " << take(error);
    EXPECT_EQ(outputs[0].shape[0], batch);
    EXPECT_EQ(outputs[1].shape[0], batch);
    EXPECT_EQ(outputs[0].bytes, bytes);
    for (int64_t i = 0; i < batch * 4; ++i) {
      EXPECT_EQ(static_cast<float *>(outputs[0].data)[i], a[i] + b[i]);
      EXPECT_EQ(static_cast<float *>(outputs[1].data)[i], c[i] - d[i]);
    }
  }
}

TEST(RuntimeApi, NamesWhatIsWrongWithTheInputs) {
  Opened m(dynamicLibrary());
  ASSERT_TRUE(m.session);
  float data[32] = {};
  auto f32 = [&](std::vector<int64_t> shape) {
    return tensor(OPENOPT_F32, shape, data, sizeof(data));
  };
  openopt_tensor outputs[2] = {};
  struct Case {
    std::vector<openopt_tensor> inputs;
    openopt_status status;
    std::string message;
  };
  openopt_tensor i32 = f32({2, 4});
  i32.dtype = OPENOPT_I32;
  openopt_tensor small = f32({2, 4});
  small.bytes = 31;
  openopt_tensor null = f32({2, 4});
  null.data = nullptr;
  openopt_tensor bogus = f32({2, 4});
  bogus.dtype = openopt_dtype(77);
  std::vector<Case> cases = {
      {{f32({2, 4}), i32, f32({2, 4}), f32({2, 4})},
       OPENOPT_ERROR_DTYPE,
       "input 1 'b' f32[batch, 4]: expects f32, got i32 (7)"},
      {{f32({2, 4}), bogus, f32({2, 4}), f32({2, 4})},
       OPENOPT_ERROR_DTYPE,
       "input 1 'b' f32[batch, 4]: expects f32, got ? (77)"},
      {{f32({2, 4, 1}), f32({2, 4}), f32({2, 4}), f32({2, 4})},
       OPENOPT_ERROR_SHAPE,
       "input 0 'a' f32[batch, 4]: expects rank 2, got a tensor of rank 3"},
      {{f32({2, 4}), f32({2, 5}), f32({2, 4}), f32({2, 4})},
       OPENOPT_ERROR_SHAPE,
       "input 1 'b' f32[batch, 4]: dimension 1 is fixed to 4 by the model, got 5 (f32[2, 5])"},
      {{f32({2, 4}), f32({3, 4}), f32({2, 4}), f32({2, 4})},
       OPENOPT_ERROR_SHAPE,
       "dimension 'batch' is 2 in input 'a' but 3 in input 'b'"},
      {{f32({-2, 4}), f32({2, 4}), f32({2, 4}), f32({2, 4})},
       OPENOPT_ERROR_SHAPE,
       "input 0 'a' f32[batch, 4]: dimension 0 is negative (f32[-2, 4])"},
      {{f32({2, 4}), small, f32({2, 4}), f32({2, 4})},
       OPENOPT_ERROR_BUFFER_TOO_SMALL,
       "input 1 'b' f32[batch, 4]: f32[2, 4] needs 32 bytes, the buffer has 31"},
      {{f32({2, 4}), f32({2, 4}), null, f32({2, 4})},
       OPENOPT_ERROR_NULL_ARGUMENT,
       "input 2 'c' f32[m, 4]: data is NULL"},
      {{f32({2, 4}), f32({2, 4}), f32({INT64_MAX, 4}), f32({2, 4})},
       OPENOPT_ERROR_SHAPE,
       "input 2 'c' f32[m, 4]: f32[9223372036854775807, 4] is too large"},
  };
  for (const Case &c : cases) {
    openopt_error *error = nullptr;
    EXPECT_EQ(openopt_session_run(m.session, c.inputs.data(), c.inputs.size(), outputs, 2, &error),
              c.status);
    EXPECT_EQ(openopt_error_status(error), c.status);
    EXPECT_EQ(take(error), c.message);
  }
  openopt_error *error = nullptr;
  openopt_tensor three[3] = {f32({2, 4}), f32({2, 4}), f32({2, 4})};
  EXPECT_EQ(openopt_session_run(m.session, three, 3, outputs, 2, &error),
            OPENOPT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(take(error), "model 'dynamic_model' takes 4 inputs, got 3");
  openopt_tensor four[4] = {f32({2, 4}), f32({2, 4}), f32({2, 4}), f32({2, 4})};
  EXPECT_EQ(openopt_session_run(m.session, four, 4, outputs, 1, &error),
            OPENOPT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(take(error), "model 'dynamic_model' has 2 outputs, got room for 1");
  // No error object asked for: the status alone.
  EXPECT_EQ(openopt_session_run(m.session, three, 3, outputs, 2, nullptr),
            OPENOPT_ERROR_INVALID_ARGUMENT);
}

TEST(RuntimeApi, AFailedCheckInTheCodeIsAnErrorAndTheSessionGoesOn) {
  Opened m(dynamicLibrary());
  ASSERT_TRUE(m.session);
  float data[32] = {};
  auto f32 = [&](std::vector<int64_t> shape) {
    return tensor(OPENOPT_F32, shape, data, sizeof(data));
  };
  // c [2, 4] - d [3, 4]: m and n differ.
  openopt_tensor bad[4] = {f32({2, 4}), f32({2, 4}), f32({2, 4}), f32({3, 4})};
  openopt_tensor outputs[2] = {};
  openopt_error *error = nullptr;
  EXPECT_EQ(openopt_session_run(m.session, bad, 4, outputs, 2, &error), OPENOPT_ERROR_RUN);
  std::string message = take(error);
  EXPECT_NE(message.find("model 'dynamic_model': "), std::string::npos) << message;
  EXPECT_NE(message.find("subtract"), std::string::npos) << message;
  openopt_tensor good[4] = {f32({2, 4}), f32({2, 4}), f32({2, 4}), f32({2, 4})};
  EXPECT_EQ(openopt_session_run(m.session, good, 4, outputs, 2, &error), OPENOPT_OK);
}

TEST(RuntimeApi, NullArgumentsAreNamed) {
  openopt_error *error = nullptr;
  openopt_model *model = reinterpret_cast<openopt_model *>(0x1);
  EXPECT_EQ(openopt_model_open(nullptr, &model, &error), OPENOPT_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(model, nullptr);
  EXPECT_EQ(take(error), "openopt_model_open: path is NULL");
  EXPECT_EQ(openopt_model_open(staticLibrary().c_str(), nullptr, &error),
            OPENOPT_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(take(error), "openopt_model_open: the model out-pointer is NULL");
  EXPECT_EQ(openopt_model_open_linked(nullptr, &model, &error), OPENOPT_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(take(error), "openopt_model_open_linked: library is NULL");
  openopt_session *session = nullptr;
  EXPECT_EQ(openopt_session_create(nullptr, nullptr, &session, &error),
            OPENOPT_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(take(error), "openopt_session_create: model is NULL");
  EXPECT_EQ(openopt_session_run(nullptr, nullptr, 0, nullptr, 0, &error),
            OPENOPT_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(take(error), "openopt_session_run: session is NULL");
  openopt_tensor_info info;
  EXPECT_EQ(openopt_model_input_info(nullptr, 0, &info, &error), OPENOPT_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(take(error), "openopt_model_input_info: model is NULL");
  size_t index;
  EXPECT_EQ(openopt_model_find_input(nullptr, "x", &index, &error), OPENOPT_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(take(error), "openopt_model_find_input: model is NULL");
  // Queries of no model answer empty; closing nothing is fine.
  EXPECT_EQ(openopt_model_input_count(nullptr), 0u);
  EXPECT_STREQ(openopt_model_name(nullptr), "");
  openopt_model_close(nullptr);
  openopt_session_destroy(nullptr);
  openopt_error_free(nullptr);

  Opened m(staticLibrary());
  ASSERT_TRUE(m.session);
  EXPECT_EQ(openopt_session_run(m.session, nullptr, 2, nullptr, 2, &error),
            OPENOPT_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(take(error), "openopt_session_run: inputs is NULL");
  EXPECT_EQ(openopt_model_input_info(m.model, 0, nullptr, &error), OPENOPT_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(take(error), "openopt_model_input_info: info is NULL");
}

TEST(RuntimeApi, SessionThreadsMustBeWithinWhatWasCompiled) {
  Opened m(staticLibrary());
  ASSERT_TRUE(m.model);
  openopt_session *session = nullptr;
  openopt_error *error = nullptr;
  for (int32_t threads : {-1, 2}) {
    openopt_session_options options{threads};
    EXPECT_EQ(openopt_session_create(m.model, &options, &session, &error),
              OPENOPT_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(take(error), "a session of model 'static_model' may use 1 to 1 threads (0: all of "
                           "them), not " + std::to_string(threads) + ": it was compiled for 1");
    EXPECT_EQ(session, nullptr);
  }
}

TEST(RuntimeApi, RefusesFilesThatAreNoModelLibrary) {
  const std::string &good = staticLibrary();
  ASSERT_FALSE(good.empty());
  std::string bytes = readFile(good);
  struct Case {
    std::string path;
    openopt_status status;
    std::string contains;
  };
  // The metadata's version, after its magic (the runtime's own copy of the
  // magic is followed by a NUL, the metadata's by the version 1).
  size_t meta = bytes.find(std::string("OOPTMETA\x01\0\0\0", 12));
  ASSERT_NE(meta, std::string::npos);
  std::string otherVersion = bytes;
  otherVersion[meta + 8] = 99;
  std::string damaged = bytes;
  // The first input's name length, made larger than the metadata.
  size_t name = damaged.find(std::string("\x01\0\0\0x", 5), meta);
  ASSERT_NE(name, std::string::npos);
  damaged[name + 3] = 0x7f;
  // The static output y [2, 3] made [?, 3]: a caller's buffer could not be
  // sized for it.
  std::string dynamicOutput = bytes;
  size_t y = dynamicOutput.find(std::string("\x01\0\0\0y\x03\0\0\0\x02\0\0\0\x02\0\0\0\0\0\0\0", 21),
                                meta);
  ASSERT_NE(y, std::string::npos);
  std::memset(dynamicOutput.data() + y + 13, 0xff, 8);
  std::vector<Case> cases = {
      {writeFile("dynamic_output.so", dynamicOutput), OPENOPT_ERROR_LOAD,
       "the library's model metadata is damaged (the outputs: one of unknown or uncountable size, "
       "where the caller's buffers are written)"},
      {scratchDir() + "/missing.so", OPENOPT_ERROR_LOAD, "cannot load '"},
      {writeFile("truncated.so", bytes.substr(0, bytes.size() / 2)), OPENOPT_ERROR_LOAD,
       "cannot load '"},
      {writeFile("text.so", "not a library\n"), OPENOPT_ERROR_LOAD, "cannot load '"},
      {"libm.so.6", OPENOPT_ERROR_LOAD,
       "'libm.so.6' is not an OpenOptimizer model library (it has no openopt_model_library_v1 "
       "symbol)"},
      {writeFile("other_version.so", otherVersion), OPENOPT_ERROR_VERSION,
       "has format version 99; this runtime"},
      {writeFile("damaged.so", damaged), OPENOPT_ERROR_LOAD,
       "the library's model metadata is damaged: cannot read the inputs"},
  };
  for (const Case &c : cases) {
    openopt_model *model = nullptr;
    openopt_error *error = nullptr;
    EXPECT_EQ(openopt_model_open(c.path.c_str(), &model, &error), c.status) << c.path;
    EXPECT_EQ(model, nullptr);
    std::string message = take(error);
    EXPECT_NE(message.find(c.contains), std::string::npos) << message;
  }
}

TEST(RuntimeApi, TwoSessionsRunOnTwoThreads) {
  Opened shared(dynamicLibrary());
  ASSERT_TRUE(shared.model);
  auto worker = [&](int seed, openopt_session *session, int &failures) {
    openopt_session *own = nullptr;
    if (!session && openopt_session_create(shared.model, nullptr, &own, nullptr) != OPENOPT_OK) {
      ++failures;
      return;
    }
    for (int iteration = 0; iteration < 200; ++iteration) {
      int64_t batch = 1 + (seed + iteration) % 5;
      std::vector<float> a(batch * 4), c(batch * 4);
      for (int64_t i = 0; i < batch * 4; ++i)
        a[i] = float(seed * 1000 + iteration + i);
      size_t bytes = sizeof(float) * batch * 4;
      openopt_tensor inputs[4] = {tensor(OPENOPT_F32, {batch, 4}, a.data(), bytes),
                                  tensor(OPENOPT_F32, {batch, 4}, a.data(), bytes),
                                  tensor(OPENOPT_F32, {batch, 4}, c.data(), bytes),
                                  tensor(OPENOPT_F32, {batch, 4}, c.data(), bytes)};
      std::vector<float> sum(batch * 4), diff(batch * 4);
      openopt_tensor outputs[2] = {tensor(OPENOPT_F32, {}, sum.data(), bytes),
                                   tensor(OPENOPT_F32, {}, diff.data(), bytes)};
      if (openopt_session_run(session ? session : own, inputs, 4, outputs, 2, nullptr) !=
          OPENOPT_OK) {
        ++failures;
        continue;
      }
      for (int64_t i = 0; i < batch * 4; ++i)
        failures += sum[i] != 2 * a[i];
    }
    openopt_session_destroy(own);
  };
  // Two sessions, one per thread.
  int failures[2] = {0, 0};
  std::thread t1(worker, 1, nullptr, std::ref(failures[0]));
  std::thread t2(worker, 2, nullptr, std::ref(failures[1]));
  t1.join();
  t2.join();
  EXPECT_EQ(failures[0] + failures[1], 0);
  // One session shared by two threads: the runs take turns.
  ASSERT_TRUE(shared.session);
  std::thread t3(worker, 3, shared.session, std::ref(failures[0]));
  std::thread t4(worker, 4, shared.session, std::ref(failures[1]));
  t3.join();
  t4.join();
  EXPECT_EQ(failures[0] + failures[1], 0);
}

TEST(RuntimeApi, ASessionMayRunFewerThreadsThanCompiled) {
  std::string path = compileLibrary("two_threads", kStaticModel, 2);
  for (int32_t threads : {0, 1, 2}) {
    Opened m(path, threads);
    ASSERT_TRUE(m.session) << threads;
    EXPECT_EQ(openopt_model_threads(m.model), 2);
    float x[6] = {-1, 2, -3, 4, -5, 6};
    int64_t k[4] = {1, 2, 3, 4};
    openopt_tensor inputs[2] = {tensor(OPENOPT_F32, {2, 3}, x, sizeof(x)),
                                tensor(OPENOPT_I64, {4}, k, sizeof(k))};
    openopt_tensor outputs[2] = {};
    ASSERT_EQ(openopt_session_run(m.session, inputs, 2, outputs, 2, nullptr), OPENOPT_OK);
    EXPECT_EQ(static_cast<float *>(outputs[0].data)[1], 3.0f);
  }
}

// A model with weights (y = x @ w + b) whose weights are in a file beside
// the library: it runs like the others; a missing, foreign or cut weights
// file is refused when the model is opened, naming the file.
constexpr const char *kWeightsModel = R"mlir(
func.func @main(%x: tensor<2x4xf32> {nn.name = "x"}) -> (tensor<2x3xf32> {nn.name = "y"}) {
  %w = nn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]]> : tensor<4x3xf32>
  %b = nn.constant dense<[0.5, -0.5, 1.5]> : tensor<3xf32>
  %m = nn.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %y = nn.add %m, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
)mlir";

TEST(RuntimeApi, WeightsInAFileBesideTheLibrary) {
  std::string path = compileLibrary("weights_model", kWeightsModel, 1, /*weightsFile=*/true);
  ASSERT_FALSE(path.empty());
  std::string dir = llvm::sys::path::parent_path(path).str();
  std::string weights = dir + "/weights_model.weights";
  ASSERT_TRUE(llvm::sys::fs::exists(weights));
  auto runs = [&](std::string &message) {
    openopt_model *model = nullptr;
    openopt_error *error = nullptr;
    if (openopt_model_open(path.c_str(), &model, &error) != OPENOPT_OK) {
      EXPECT_EQ(openopt_error_status(error), OPENOPT_ERROR_LOAD);
      message = take(error);
      return false;
    }
    openopt_session *session = nullptr;
    EXPECT_EQ(openopt_session_create(model, nullptr, &session, nullptr), OPENOPT_OK);
    float x[8] = {1, 0, 0, 0, 0, 1, 1, 0};
    openopt_tensor input = tensor(OPENOPT_F32, {2, 4}, x, sizeof(x));
    openopt_tensor output{};
    EXPECT_EQ(openopt_session_run(session, &input, 1, &output, 1, nullptr), OPENOPT_OK);
    const float *y = static_cast<const float *>(output.data);
    EXPECT_EQ(std::vector<float>(y, y + 6), (std::vector<float>{1.5f, 1.5f, 4.5f, 11.5f, 12.5f, 16.5f}));
    openopt_session_destroy(session);
    openopt_model_close(model);
    return true;
  };
  std::string message;
  EXPECT_TRUE(runs(message)) << message;

  std::string good = readFile(weights);
  llvm::sys::fs::remove(weights);
  EXPECT_FALSE(runs(message));
  EXPECT_NE(message.find("cannot open its weights file '" + weights + "'"), std::string::npos)
      << message;
  std::string foreign = good;
  foreign[8] ^= 0x5a; // the id
  writeFile("weights_model/weights_model.weights", foreign);
  EXPECT_FALSE(runs(message));
  EXPECT_NE(message.find("holds the weights of another compile"), std::string::npos) << message;
  writeFile("weights_model/weights_model.weights", good.substr(0, good.size() - 8));
  EXPECT_FALSE(runs(message));
  EXPECT_NE(message.find("is cut short or damaged"), std::string::npos) << message;
  writeFile("weights_model/weights_model.weights", good);
  EXPECT_TRUE(runs(message)) << message;

  // An object file compiled with the weights in a file would have none.
  mlir::DialectRegistry registry;
  openopt::registerAllDialectsAndPasses(registry);
  mlir::MLIRContext context(registry);
  openopt::driver::CompileRequest request;
  request.modelPath = writeFile("weights_object.mlir", kWeightsModel);
  request.outputs.object = true;
  request.outputs.sharedLibrary = true;
  request.outputs.weightsFile = true;
  request.outputDir = scratchDir() + "/weights_object";
  auto result = openopt::driver::compileModel(context, request, [](llvm::StringRef) {});
  ASSERT_FALSE(result);
  EXPECT_EQ(llvm::toString(result.takeError()),
            "outputs.weightsFile is for a shared library alone: ask for the shared library "
            "without the object file (--emit shared-lib)");
}

TEST(RuntimeApi, KernelTimesAreForGpuModels) {
  Opened cpu(staticLibrary());
  ASSERT_TRUE(cpu.session);
  openopt_error *error = nullptr;
  EXPECT_EQ(openopt_session_set_profiling(cpu.session, 1, &error), OPENOPT_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(take(error).find("runs on the CPU"), std::string::npos);
  size_t count = 7;
  EXPECT_EQ(openopt_session_kernel_times(cpu.session, nullptr, 0, &count, &error),
            OPENOPT_ERROR_INVALID_ARGUMENT);
  openopt_error_free(error);
  EXPECT_EQ(openopt_session_kernel_times(cpu.session, nullptr, 0, nullptr, nullptr),
            OPENOPT_ERROR_NULL_ARGUMENT);
}

// A model compiled for the cuda target: opened and described anywhere; run
// where a GPU is, and elsewhere refused with a device error saying why (this
// machine decides which; the GPU check runs the rest on a GPU).
TEST(RuntimeApi, ACudaModelRunsOnAGpuOrSaysWhyNot) {
  if (!llvm::sys::fs::can_execute("/usr/local/cuda/bin/ptxas") && !getenv("CUDA_HOME"))
    GTEST_SKIP() << "no CUDA toolkit (ptxas) to compile for the cuda target";
  std::string path = compileLibrary("cuda_model", kStaticModel, 1, false, "sm_80");
  ASSERT_FALSE(path.empty());
  Opened opened(path);
  ASSERT_TRUE(opened.session);
  // The kernels' architecture, then the host code's (AVX2 at most: a GPU
  // server's CPU may lack AVX-512).
  EXPECT_STREQ(openopt_model_target(opened.model), "cuda sm_80 x86_64 avx2");
  openopt_error *error = nullptr;
  ASSERT_EQ(openopt_session_set_profiling(opened.session, 1, &error), OPENOPT_OK);
  float x[6] = {-1, 2, -3, 4, -5, 6}, y[6] = {};
  int64_t k[4] = {1, -2, 3, -4}, n[4] = {};
  openopt_tensor inputs[2] = {tensor(OPENOPT_F32, {2, 3}, x, sizeof(x)),
                              tensor(OPENOPT_I64, {4}, k, sizeof(k))};
  openopt_tensor outputs[2] = {tensor(OPENOPT_F32, {2, 3}, y, sizeof(y)),
                               tensor(OPENOPT_I64, {4}, n, sizeof(n))};
  size_t gpus = 0;
  openopt_error *why = nullptr;
  bool haveGpu = openopt_gpu_devices(nullptr, 0, &gpus, &why) == OPENOPT_OK && gpus > 0;
  if (!haveGpu) {
    if (why)
      EXPECT_NE(take(why).find("CUDA driver"), std::string::npos);
    for (int attempt = 0; attempt < 2; ++attempt) { // the session survives
      EXPECT_EQ(openopt_session_run(opened.session, inputs, 2, outputs, 2, &error),
                OPENOPT_ERROR_DEVICE);
      std::string message = take(error);
      EXPECT_NE(message.find("this model runs on an NVIDIA GPU (sm_80)"), std::string::npos)
          << message;
    }
    size_t count = 1;
    EXPECT_EQ(openopt_session_kernel_times(opened.session, nullptr, 0, &count, &error), OPENOPT_OK);
    EXPECT_EQ(count, 0u);
    return;
  }
  ASSERT_EQ(openopt_session_run(opened.session, inputs, 2, outputs, 2, &error), OPENOPT_OK)
      << take(error);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(y[i], std::max(x[i], 0.0f) + 1.0f);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(n[i], -k[i]);
  size_t count = 0;
  ASSERT_EQ(openopt_session_kernel_times(opened.session, nullptr, 0, &count, &error), OPENOPT_OK);
  EXPECT_GT(count, 0u);
}

} // namespace

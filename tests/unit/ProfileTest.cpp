//===- ProfileTest.cpp - per-op timings of a JIT-compiled model -----------===//
#include "openopt/InitOpenOpt.h"
#include "openopt/Runtime/CompiledModel.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace openopt;

namespace {

constexpr const char *kModel = R"mlir(
func.func @main(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = nn.add %x, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32> loc("add")
  %r = nn.relu %a : tensor<4x8xf32> loc("relu")
  %n = nn.neg %r : tensor<4x8xf32> loc("neg")
  return %n : tensor<4x8xf32>
}
)mlir";

class ProfileTest : public ::testing::Test {
protected:
  ProfileTest() {
    mlir::DialectRegistry registry;
    registerAllDialectsAndPasses(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    for (int i = 0; i < 32; ++i) {
      x.as<float>()[i] = float(i) - 16;
      y.as<float>()[i] = 0.5f;
    }
  }

  std::unique_ptr<CompiledModel> compile(bool profile) {
    auto module = mlir::parseSourceString<mlir::ModuleOp>(kModel, &context);
    EXPECT_TRUE(module);
    CpuPipelineOptions options;
    options.profile = profile;
    auto model = CompiledModel::compile(*module, options);
    EXPECT_TRUE(bool(model)) << (model ? "" : llvm::toString(model.takeError()));
    return model ? std::move(*model) : nullptr;
  }

  HostTensor run(CompiledModel &model) {
    std::vector<HostTensor> outputs = model.allocateOutputs();
    const HostTensor *inputs[] = {&x, &y};
    EXPECT_FALSE(bool(model.run(inputs, outputs)));
    return std::move(outputs[0]);
  }

  mlir::MLIRContext context;
  HostTensor x{DType::F32, {4, 8}}, y{DType::F32, {4, 8}};
};

TEST_F(ProfileTest, CountsEveryOpOfEveryRun) {
  auto model = compile(/*profile=*/true);
  ASSERT_TRUE(model);
  ASSERT_TRUE(model->isProfiled());
  ASSERT_EQ(model->profiledOps().size(), 3u);
  EXPECT_EQ(model->profiledOps()[0].id, "add");
  EXPECT_EQ(model->profiledOps()[1].op, "nn.relu");
  EXPECT_EQ(model->profiledOps()[2].names, std::vector<std::string>{"neg"});
  EXPECT_EQ(model->profiledOps()[0].flops, 32);
  EXPECT_EQ(model->profiledOps()[0].bytes, 3 * 32 * 4);

  for (int i = 0; i < 3; ++i)
    run(*model);
  const ProfileData &data = *model->profile();
  EXPECT_EQ(data.runs, 3);
  ASSERT_EQ(data.ops.size(), 3u);
  int64_t opNs = 0;
  for (const OpTiming &t : data.ops) {
    EXPECT_EQ(t.calls, 3);
    EXPECT_LE(t.minNs, t.maxNs);
    EXPECT_GE(t.totalNs, t.minNs * 3);
    opNs += t.totalNs;
  }
  EXPECT_LE(opNs, data.runTotalNs);
  // Three op calls and one run event per run; ops start inside their run.
  ASSERT_EQ(data.events.size(), 12u);
  EXPECT_EQ(data.droppedEvents, 0);
  const ProfileEvent &firstRun = data.events[3];
  EXPECT_EQ(firstRun.index, ProfileEvent::kRunEvent);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(data.events[i].index, i);
    EXPECT_GE(data.events[i].startNs, firstRun.startNs);
    EXPECT_LE(data.events[i].startNs + data.events[i].durationNs,
              firstRun.startNs + firstRun.durationNs);
  }
}

TEST_F(ProfileTest, ResetForgetsAndCapsEvents) {
  auto model = compile(/*profile=*/true);
  ASSERT_TRUE(model);
  run(*model);
  model->resetProfile(/*maxEvents=*/2);
  EXPECT_EQ(model->profile()->runs, 0);
  EXPECT_EQ(model->profile()->ops[0].calls, 0);
  run(*model);
  EXPECT_EQ(model->profile()->ops[2].calls, 1);
  EXPECT_EQ(model->profile()->events.size(), 2u);
  EXPECT_EQ(model->profile()->droppedEvents, 2);
}

TEST_F(ProfileTest, SameOutputsAsWithoutProfiling) {
  auto plain = compile(/*profile=*/false);
  auto profiled = compile(/*profile=*/true);
  ASSERT_TRUE(plain && profiled);
  EXPECT_FALSE(plain->isProfiled());
  EXPECT_EQ(plain->profile(), nullptr);
  EXPECT_TRUE(plain->profiledOps().empty());
  HostTensor a = run(*plain), b = run(*profiled);
  for (int i = 0; i < 32; ++i)
    EXPECT_EQ(a.as<float>()[i], b.as<float>()[i]) << i;
  EXPECT_EQ(b.as<float>()[0], -0.0f);
  EXPECT_EQ(b.as<float>()[31], -15.5f);
}

} // namespace

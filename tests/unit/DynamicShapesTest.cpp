//===- DynamicShapesTest.cpp - one compile, any input size ----------------===//
//
// A model with symbolic batch and sequence dimensions is imported and
// compiled once, then run at several sizes; its outputs are checked against
// values computed here. A size that breaks a constraint inside the graph
// gets a run-time error naming the node.
//
//===----------------------------------------------------------------------===//
#include "openopt/Codegen/CPU/CpuPipeline.h"
#include "openopt/Import/Onnx/OnnxImporter.h"
#include "openopt/InitOpenOpt.h"
#include "openopt/Runtime/CompiledModel.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "onnx/onnx_pb.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace openopt;

namespace {

constexpr int64_t kFeatures = 4, kHidden = 3;

class DynamicShapesTest : public ::testing::Test {
protected:
  DynamicShapesTest() {
    mlir::DialectRegistry registry;
    registerAllDialectsAndPasses(registry);
    context.appendDialectRegistry(registry);
  }

  static void addInput(onnx::GraphProto *g, const std::string &name,
                       std::vector<std::string> symbols, int64_t last) {
    auto *in = g->add_input();
    in->set_name(name);
    auto *tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (const std::string &s : symbols)
      tt->mutable_shape()->add_dim()->set_dim_param(s);
    tt->mutable_shape()->add_dim()->set_dim_value(last);
  }

  static onnx::NodeProto *addNode(onnx::GraphProto *g, const std::string &type,
                                  const std::string &name, std::vector<std::string> inputs,
                                  const std::string &output) {
    auto *node = g->add_node();
    node->set_op_type(type);
    node->set_name(name);
    for (auto &i : inputs)
      node->add_input(i);
    node->add_output(output);
    return node;
  }

  // x [batch, seq, 4] -> h = relu(x @ w) [batch, seq, 3]; y = mean of h over
  // seq [batch, 3]; p = softmax(h) over the last axis.
  static onnx::ModelProto encoder() {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    auto *g = m.mutable_graph();
    g->set_name("encoder");
    addInput(g, "x", {"batch", "seq"}, kFeatures);
    auto *w = g->add_initializer();
    w->set_name("w");
    w->set_data_type(onnx::TensorProto::FLOAT);
    w->add_dims(kFeatures);
    w->add_dims(kHidden);
    for (int64_t i = 0; i < kFeatures * kHidden; ++i)
      w->add_float_data(weight(i / kHidden, i % kHidden));
    addNode(g, "MatMul", "project", {"x", "w"}, "xw");
    addNode(g, "Relu", "act", {"xw"}, "h");
    auto *mean = addNode(g, "ReduceMean", "pool", {"h"}, "y");
    auto *axes = mean->add_attribute();
    axes->set_name("axes");
    axes->set_type(onnx::AttributeProto::INTS);
    axes->add_ints(1);
    auto *keep = mean->add_attribute();
    keep->set_name("keepdims");
    keep->set_type(onnx::AttributeProto::INT);
    keep->set_i(0);
    addNode(g, "Softmax", "probs", {"h"}, "p");
    g->add_output()->set_name("y");
    g->add_output()->set_name("p");
    return m;
  }

  static float weight(int64_t f, int64_t h) { return 0.25f * float(f + 1) - 0.5f * float(h); }
  static float input(int64_t b, int64_t s, int64_t f) {
    return std::sin(0.7f * float(b) + 0.3f * float(s) + 1.1f * float(f));
  }

  std::unique_ptr<CompiledModel> compile(const onnx::ModelProto &m) {
    auto module = importOnnxBytes(context, m.SerializeAsString(), "test.onnx", "");
    EXPECT_TRUE(bool(module)) << (module ? "" : llvm::toString(module.takeError()));
    if (!module)
      return nullptr;
    auto model = CompiledModel::compile(**module, CpuPipelineOptions());
    EXPECT_TRUE(bool(model)) << (model ? "" : llvm::toString(model.takeError()));
    return model ? std::move(*model) : nullptr;
  }

  mlir::MLIRContext context;
};

TEST_F(DynamicShapesTest, CompilesOnceAndRunsAtEverySize) {
  auto model = compile(encoder());
  ASSERT_TRUE(model);
  ASSERT_EQ(model->inputs().size(), 1u);
  EXPECT_EQ(model->inputs()[0].describe(), "'x' f32[batch, seq, 4]");
  for (auto [batch, seq] : {std::pair<int64_t, int64_t>{1, 3}, {2, 5}, {4, 1}}) {
    SCOPED_TRACE("batch " + std::to_string(batch) + ", seq " + std::to_string(seq));
    HostTensor x(DType::F32, {batch, seq, kFeatures});
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t s = 0; s < seq; ++s)
        for (int64_t f = 0; f < kFeatures; ++f)
          x.as<float>()[(b * seq + s) * kFeatures + f] = input(b, s, f);
    std::vector<HostTensor> outputs = model->allocateOutputs();
    const HostTensor *inputs[] = {&x};
    ASSERT_FALSE(bool(model->run(inputs, outputs)));
    ASSERT_EQ(outputs.size(), 2u);
    const HostTensor &y = outputs[0], &p = outputs[1];
    ASSERT_EQ(y.shape(), llvm::ArrayRef<int64_t>({batch, kHidden}));
    ASSERT_EQ(p.shape(), llvm::ArrayRef<int64_t>({batch, seq, kHidden}));
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<double> sum(kHidden, 0.0);
      for (int64_t s = 0; s < seq; ++s) {
        double h[kHidden], total = 0;
        for (int64_t k = 0; k < kHidden; ++k) {
          double acc = 0;
          for (int64_t f = 0; f < kFeatures; ++f)
            acc += double(input(b, s, f)) * weight(f, k);
          h[k] = std::max(acc, 0.0);
          sum[k] += h[k];
          total += std::exp(h[k]);
        }
        for (int64_t k = 0; k < kHidden; ++k)
          EXPECT_NEAR(p.as<float>()[(b * seq + s) * kHidden + k], std::exp(h[k]) / total, 1e-5);
      }
      for (int64_t k = 0; k < kHidden; ++k)
        EXPECT_NEAR(y.as<float>()[b * kHidden + k], sum[k] / double(seq), 1e-5);
    }
  }
}

TEST_F(DynamicShapesTest, ABrokenConstraintNamesTheNode) {
  // a [batch, n, 4] + b [batch, m, 4]: n and m must agree when it runs.
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto *g = m.mutable_graph();
  g->set_name("sum");
  addInput(g, "a", {"batch", "n"}, kFeatures);
  addInput(g, "b", {"batch", "m"}, kFeatures);
  addNode(g, "Add", "combine", {"a", "b"}, "c");
  g->add_output()->set_name("c");
  auto model = compile(m);
  ASSERT_TRUE(model);
  HostTensor a(DType::F32, {2, 3, kFeatures}), b(DType::F32, {2, 3, kFeatures});
  std::vector<HostTensor> outputs = model->allocateOutputs();
  const HostTensor *fits[] = {&a, &b};
  ASSERT_FALSE(bool(model->run(fits, outputs)));
  EXPECT_EQ(outputs[0].shape(), llvm::ArrayRef<int64_t>({2, 3, kFeatures}));

  HostTensor other(DType::F32, {2, 5, kFeatures});
  const HostTensor *clash[] = {&a, &other};
  llvm::Error err = model->run(clash, outputs);
  ASSERT_TRUE(bool(err));
  std::string message = llvm::toString(std::move(err));
  EXPECT_NE(message.find("Add 'combine'"), std::string::npos) << message;
  EXPECT_NE(message.find("dimension 1"), std::string::npos) << message;

  // The model still runs after a failed run.
  ASSERT_FALSE(bool(model->run(fits, outputs)));
}

} // namespace

//===- OnnxImporterTest.cpp - importer behaviour on good and bad models ---===//
#include "openopt/Import/Onnx/OnnxImporter.h"
#include "openopt/InitOpenOpt.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "onnx/onnx_pb.h"

#include <gtest/gtest.h>

#include <random>

using namespace openopt;

namespace {

class OnnxImporterTest : public ::testing::Test {
protected:
  OnnxImporterTest() {
    mlir::DialectRegistry registry;
    registerAllDialectsAndPasses(registry);
    context.appendDialectRegistry(registry);
  }

  // A model with one float input [1, 4] named "x" and the given opset.
  static onnx::ModelProto model(int64_t opset = 13) {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(opset);
    auto *graph = m.mutable_graph();
    graph->set_name("g");
    auto *in = graph->add_input();
    in->set_name("x");
    auto *tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    tt->mutable_shape()->add_dim()->set_dim_value(1);
    tt->mutable_shape()->add_dim()->set_dim_value(4);
    return m;
  }

  static void addNode(onnx::ModelProto &m, const std::string &type, const std::string &name,
                      std::vector<std::string> inputs, std::string output) {
    auto *node = m.mutable_graph()->add_node();
    node->set_op_type(type);
    node->set_name(name);
    for (auto &i : inputs)
      node->add_input(i);
    node->add_output(output);
  }

  static void addOutput(onnx::ModelProto &m, const std::string &name) {
    m.mutable_graph()->add_output()->set_name(name);
  }

  std::string importError(const std::string &bytes) {
    auto result = importOnnxBytes(context, bytes, "test.onnx", "");
    if (result)
      return "";
    return llvm::toString(result.takeError());
  }

  mlir::MLIRContext context;
};

TEST_F(OnnxImporterTest, ImportsAGraphWithNodeNameLocations) {
  auto m = model();
  addNode(m, "Relu", "block/relu", {"x"}, "y");
  addNode(m, "Sigmoid", "block/sig", {"y"}, "z");
  addOutput(m, "z");
  auto module = importOnnxBytes(context, m.SerializeAsString(), "test.onnx", "");
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
  std::string text;
  llvm::raw_string_ostream os(text);
  mlir::OpPrintingFlags flags;
  flags.enableDebugInfo();
  (*module)->print(os, flags);
  EXPECT_NE(text.find("nn.relu"), std::string::npos);
  EXPECT_NE(text.find("\"block/relu\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"Relu\""), std::string::npos) << text;
}

TEST_F(OnnxImporterTest, ListsEveryUnsupportedOpAtOnce) {
  auto m = model();
  addNode(m, "FancyOp", "first_bad", {"x"}, "y");
  addNode(m, "Relu", "fine", {"y"}, "z");
  addNode(m, "OtherOp", "second_bad", {"z"}, "w");
  addOutput(m, "w");
  std::string error = importError(m.SerializeAsString());
  EXPECT_NE(error.find("FancyOp 'first_bad'"), std::string::npos) << error;
  EXPECT_NE(error.find("OtherOp 'second_bad'"), std::string::npos) << error;
  EXPECT_NE(error.find("not supported"), std::string::npos) << error;
}

TEST_F(OnnxImporterTest, ReportsUnsupportedAttributes) {
  auto m = model();
  addNode(m, "Relu", "r", {"x"}, "y");
  auto *attr = m.mutable_graph()->mutable_node(0)->add_attribute();
  attr->set_name("mystery");
  attr->set_type(onnx::AttributeProto::INT);
  attr->set_i(3);
  addOutput(m, "y");
  std::string error = importError(m.SerializeAsString());
  EXPECT_NE(error.find("Relu 'r': attribute 'mystery' is not supported"), std::string::npos)
      << error;
}

TEST_F(OnnxImporterTest, RejectsUnsupportedOpsets) {
  auto m = model(/*opset=*/21);
  addNode(m, "Relu", "r", {"x"}, "y");
  addOutput(m, "y");
  EXPECT_NE(importError(m.SerializeAsString()).find("opset 21 is not supported (opsets 1 to 20 are)"),
            std::string::npos);
}

TEST_F(OnnxImporterTest, ShapeErrorsNameTheNode) {
  auto m = model();
  auto *w = m.mutable_graph()->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(3);
  w->add_dims(2);
  for (int i = 0; i < 6; ++i)
    w->add_float_data(1.0f);
  addNode(m, "MatMul", "proj", {"x", "w"}, "y");
  addOutput(m, "y");
  std::string error = importError(m.SerializeAsString());
  EXPECT_NE(error.find("MatMul 'proj'"), std::string::npos) << error;
  EXPECT_NE(error.find("4 columns but B has 3 rows"), std::string::npos) << error;
}

TEST_F(OnnxImporterTest, TruncatedAndRandomBytesAreCleanErrors) {
  auto m = model();
  addNode(m, "Relu", "r", {"x"}, "y");
  addOutput(m, "y");
  std::string bytes = m.SerializeAsString();
  for (size_t cut = 1; cut < bytes.size(); cut += 3)
    (void)importError(bytes.substr(0, cut)); // must not crash
  EXPECT_NE(importError(bytes.substr(0, bytes.size() / 2)), "");

  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::string noise(1 + rng() % 512, '\0');
    for (char &c : noise)
      c = char(rng());
    (void)importError(noise); // must not crash
  }
  EXPECT_NE(importError(""), "");
}

TEST_F(OnnxImporterTest, ExternalDataMayNotEscapeTheModelFolder) {
  auto m = model();
  auto *w = m.mutable_graph()->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(4);
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  auto *entry = w->add_external_data();
  entry->set_key("location");
  entry->set_value("../../etc/passwd");
  addNode(m, "Add", "a", {"x", "w"}, "y");
  addOutput(m, "y");
  auto result = importOnnxBytes(context, m.SerializeAsString(), "test.onnx", "/tmp");
  ASSERT_FALSE(bool(result));
  std::string error = llvm::toString(result.takeError());
  EXPECT_NE(error.find("relative path inside the model's folder"), std::string::npos) << error;
}

TEST_F(OnnxImporterTest, LargeInitializersBecomeResourceBlobs) {
  auto m = model();
  auto *w = m.mutable_graph()->add_initializer();
  w->set_name("big");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(4);
  w->add_dims(100);
  for (int i = 0; i < 400; ++i)
    w->add_float_data(i);
  addNode(m, "MatMul", "mm", {"x", "big"}, "y");
  addOutput(m, "y");
  auto module = importOnnxBytes(context, m.SerializeAsString(), "test.onnx", "");
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
  bool sawResource = false;
  (*module)->walk([&](mlir::Operation *op) {
    for (auto attr : op->getAttrs())
      sawResource |= llvm::isa<mlir::DenseResourceElementsAttr>(attr.getValue());
  });
  EXPECT_TRUE(sawResource);
}

TEST_F(OnnxImporterTest, SymbolicDimsStayDynamicWithTheirNames) {
  auto m = model();
  auto *dim = m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()
                  ->mutable_shape()->mutable_dim(0);
  dim->set_dim_param("batch");
  addNode(m, "Relu", "r", {"x"}, "y");
  addOutput(m, "y");
  auto module = importOnnxBytes(context, m.SerializeAsString(), "test.onnx", "");
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
  auto func = *(*module)->getOps<mlir::func::FuncOp>().begin();
  auto type = llvm::cast<mlir::RankedTensorType>(func.getArgumentTypes()[0]);
  EXPECT_TRUE(type.isDynamicDim(0));
  auto params = func.getArgAttrOfType<mlir::ArrayAttr>(0, "nn.dim_params");
  ASSERT_TRUE(params);
  EXPECT_EQ(llvm::cast<mlir::StringAttr>(params[0]).getValue(), "batch");
}

} // namespace

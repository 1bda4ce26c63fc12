//===- LspPartsTest.cpp - framing, text positions, item splitting, reuse ---===//
#include "DocumentWorker.h"
#include "IrAnalysis.h"
#include "IrSplitter.h"
#include "MessageFraming.h"
#include "TextDocument.h"

#include "openopt/InitOpenOpt.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/ThreadPool.h"

#include <gtest/gtest.h>

#include <future>

using namespace openopt::lsp;

namespace {

std::string bodyOf(std::optional<std::variant<std::string, FramingError>> next) {
  EXPECT_TRUE(next.has_value());
  if (!next)
    return "<none>";
  if (auto *error = std::get_if<FramingError>(&*next))
    return "error: " + error->message;
  return std::get<std::string>(*next);
}

TEST(FrameDecoder, SplitsMessagesFedInPieces) {
  FrameDecoder decoder(1024);
  std::string stream = encodeFrame("{\"a\":1}") + "content-length: 2\r\nContent-Type: x\r\n\r\n{}";
  for (char c : stream.substr(0, 10))
    decoder.feed(std::string_view(&c, 1));
  EXPECT_FALSE(decoder.next().has_value());
  decoder.feed(stream.substr(10));
  EXPECT_EQ(bodyOf(decoder.next()), "{\"a\":1}");
  EXPECT_EQ(bodyOf(decoder.next()), "{}");
  EXPECT_FALSE(decoder.next().has_value());
}

TEST(FrameDecoder, ReportsBadHeadersAndGoesOn) {
  FrameDecoder decoder(1024);
  decoder.feed("Content-Length: abc\r\n\r\n");
  decoder.feed("garbage without colon\r\n\r\n");
  decoder.feed("X-Other: 1\r\n\r\n");
  decoder.feed(encodeFrame("ok"));
  EXPECT_EQ(bodyOf(decoder.next()), "error: Content-Length 'abc' is not a number");
  EXPECT_EQ(bodyOf(decoder.next()), "error: malformed header line 'garbage without colon' (expected 'Name: value')");
  EXPECT_EQ(bodyOf(decoder.next()), "error: message without a Content-Length header");
  EXPECT_EQ(bodyOf(decoder.next()), "ok");
}

TEST(FrameDecoder, SkipsOversizedMessages) {
  FrameDecoder decoder(8);
  decoder.feed("Content-Length: 20\r\n\r\n0123456789");
  EXPECT_EQ(bodyOf(decoder.next()), "error: message of 20 bytes exceeds the limit of 8 bytes; skipped");
  decoder.feed("0123456789" + encodeFrame("small"));
  EXPECT_EQ(bodyOf(decoder.next()), "small");
}

TEST(TextDocument, CountsUtf16AndAppliesEdits) {
  TextDocument text("a\xCF\x80\xF0\x9F\x99\x82z\nsecond\n"); // a π 🙂 z
  EXPECT_EQ(text.offsetOf({0, 2}), 3u);  // after π (2 bytes, 1 unit)
  EXPECT_EQ(text.offsetOf({0, 4}), 7u);  // after 🙂 (4 bytes, 2 units)
  EXPECT_EQ(text.positionOf(7), (Position{0, 4}));
  EXPECT_EQ(text.offsetOf({5, 0}), text.text().size()); // past the end: clamped
  text.replace({{0, 4}, {1, 3}}, "-");
  EXPECT_EQ(text.text(), "a\xCF\x80\xF0\x9F\x99\x82-ond\n");
  EXPECT_EQ(text.lineCount(), 2u);
}

TEST(IrSplitter, FindsFunctionsAliasesAndModuleBodies) {
  std::string plain = "#map = affine_map<(d0) -> (d0)>\n"
                      "func.func @a() {\n  return\n}\n\n"
                      "func.func @b()\n    attributes {x} {\n  return\n}\n";
  auto items = splitTopLevel(plain);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_TRUE(items[0].isAlias);
  EXPECT_EQ(items[1].symbol, "@a");
  EXPECT_EQ(items[2].symbol, "@b");
  EXPECT_EQ(items[2].firstLine, 5u);

  auto wrapped = splitTopLevel("module {\n  func.func @a() {\n    return\n  }\n  func.func @b() {\n    return\n  }\n}\n");
  ASSERT_EQ(wrapped.size(), 2u);
  EXPECT_EQ(wrapped[1].symbol, "@b");

  // Values at the top level tie items together; unbalanced braces too.
  EXPECT_EQ(splitTopLevel("%0 = arith.constant 0 : i32\n%1 = arith.addi %0, %0 : i32\n").size(), 1u);
  EXPECT_EQ(splitTopLevel("func.func @a() {\n  return\nfunc.func @b() {\n}\n").size(), 1u);
}

class IrAnalysisTest : public ::testing::Test {
protected:
  IrAnalysisTest() {
    openopt::registerAllDialectsAndPasses(registry);
    context = std::make_shared<mlir::MLIRContext>(registry);
    context->loadAllAvailableDialects();
  }
  std::shared_ptr<IrAnalysis> analyse(const std::string &text, int version, const IrAnalysis *previous) {
    return analyzeIr(std::make_shared<TextDocument>(text), version, context, previous, nullptr);
  }
  mlir::DialectRegistry registry;
  std::shared_ptr<mlir::MLIRContext> context;
};

std::string function(const std::string &name, const std::string &op) {
  return "func.func @" + name + "(%x: tensor<2xf32>) -> tensor<2xf32> {\n  %y = " + op +
         " %x : tensor<2xf32>\n  return %y : tensor<2xf32>\n}\n";
}

TEST_F(IrAnalysisTest, ReanalysesOnlyTheEditedFunction) {
  std::string a = function("a", "nn.relu"), b = function("b", "nn.exp"), c = function("c", "nn.neg");
  auto first = analyse(a + b + c, 1, nullptr);
  EXPECT_EQ(first->itemsAnalysed, 3u);
  EXPECT_TRUE(first->diagnostics.empty());

  auto second = analyse(a + function("b", "nn.sqrt") + c, 2, first.get());
  EXPECT_EQ(second->itemsAnalysed, 1u);

  // Lines inserted above move the other functions; their results are reused
  // and their positions follow.
  auto third = analyse("// header\n\n" + a + function("b", "nn.sqrt") + c, 3, second.get());
  EXPECT_EQ(third->itemsAnalysed, 0u);
  EXPECT_EQ(third->items[2].item.firstLine, 10u);

  auto broken = analyse("// header\n\n" + a + function("b", "nn.sqrt") + function("c", "nn.bogus"), 4, third.get());
  EXPECT_EQ(broken->itemsAnalysed, 1u);
  ASSERT_EQ(broken->diagnostics.size(), 1u);
  EXPECT_EQ(broken->diagnostics[0].range.start, (Position{11, 7}));
}

TEST_F(IrAnalysisTest, ACalleeSignatureChangeReanalysesItsCallers) {
  std::string callee = function("f", "nn.relu");
  std::string caller = "func.func @g(%x: tensor<2xf32>) -> tensor<2xf32> {\n"
                       "  %y = func.call @f(%x) : (tensor<2xf32>) -> tensor<2xf32>\n"
                       "  return %y : tensor<2xf32>\n}\n";
  auto first = analyse(callee + caller, 1, nullptr);
  EXPECT_TRUE(first->diagnostics.empty());
  std::string changed = "func.func @f(%x: tensor<3xf32>) -> tensor<3xf32> {\n  return %x : tensor<3xf32>\n}\n";
  auto second = analyse(changed + caller, 2, first.get());
  EXPECT_EQ(second->itemsAnalysed, 2u); // the callee, then the caller against its new signature
  ASSERT_EQ(second->diagnostics.size(), 1u);
  EXPECT_NE(second->diagnostics[0].message.find("operand type mismatch"), std::string::npos)
      << second->diagnostics[0].message;
}

// Once the diagnostics of a version are out, a read gets that version's
// analysis, not the older one it replaces (the worker finishes its recovery
// parses after publishing): a hover right after a fix saw the broken text.
TEST(DocumentWorker, ReadsAfterPublishedDiagnosticsSeeThatVersion) {
  mlir::DialectRegistry registry;
  openopt::registerAllDialectsAndPasses(registry);
  llvm::StdThreadPool threads(llvm::hardware_concurrency(2));
  std::promise<int> readAfterPublish;
  std::shared_ptr<DocumentWorker> worker;
  std::mutex workerMutex;
  DocumentWorker::Callbacks callbacks;
  callbacks.publish = [&](const AnalysedDocument &published) {
    if (published.version != 2)
      return;
    // What the client does on seeing these diagnostics: ask.
    std::lock_guard lock(workerMutex);
    worker->whenAnalysed([&](std::shared_ptr<const AnalysedDocument> analysed, int) {
      readAfterPublish.set_value(analysed ? analysed->version : -1);
    });
  };
  {
    std::lock_guard lock(workerMutex);
    worker = std::make_shared<DocumentWorker>(DocumentKind::Ir, registry, threads,
                                              DocumentWorkerOptions{}, callbacks);
  }
  std::promise<int> first;
  worker->update(std::make_shared<TextDocument>(function("f", "nn.bogus")), 1);
  worker->whenAnalysed([&](std::shared_ptr<const AnalysedDocument> analysed, int) {
    first.set_value(analysed ? analysed->version : -1);
  });
  ASSERT_EQ(first.get_future().get(), 1);
  worker->update(std::make_shared<TextDocument>(function("f", "nn.relu")), 2);
  std::future<int> read = readAfterPublish.get_future();
  ASSERT_EQ(read.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(read.get(), 2);
  worker.reset();
}

} // namespace

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

#include <atomic>
#include <future>
#include <random>

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

/// A single function of `n` ops in a chain, as bench/gen_lsp_chain.js
/// writes it (one op per line, starting on line 1).
std::vector<std::string> chainLines(int n) {
  const std::string t = "tensor<1x4xf32>";
  std::vector<std::string> lines = {"func.func @chain(%arg0: " + t + ") -> " + t + " {"};
  for (int i = 0; i < n; ++i) {
    std::string prev = i == 0 ? "%arg0" : "%v" + std::to_string(i - 1);
    lines.push_back("  %v" + std::to_string(i) + " = tosa.tanh " + prev + " : (" + t + ") -> " + t);
  }
  lines.push_back("  return %v" + std::to_string(n - 1) + " : " + t);
  lines.push_back("}");
  return lines;
}

std::string joined(const std::vector<std::string> &lines) {
  std::string text;
  for (const std::string &line : lines)
    text += line + "\n";
  return text;
}

// An edit inside one function re-parses only the edited ops and their
// users; the diagnostics are those of the whole function's parse.
TEST_F(IrAnalysisTest, AnEditInsideAFunctionIsSplicedIntoTheLastGoodParse) {
  std::vector<std::string> lines = chainLines(200);
  auto good = analyse(joined(lines), 1, nullptr);
  ASSERT_TRUE(good->diagnostics.empty());
  EXPECT_EQ(good->itemsSpliced, 0u);

  // A valid change of one op.
  lines[51] = "  %v50 = tosa.sigmoid %v49 : (tensor<1x4xf32>) -> tensor<1x4xf32>";
  auto valid = analyse(joined(lines), 2, good.get());
  EXPECT_EQ(valid->itemsSpliced, 1u);
  EXPECT_TRUE(valid->diagnostics.empty());
  EXPECT_FALSE(readyForReads(*valid));

  // A wrong result type: the next op's use of the value is the error.
  std::vector<std::string> wrongType = lines;
  wrongType[101] = "  %v100 = tosa.tanh %v99 : (tensor<1x4xf32>) -> tensor<1x5xf32>";
  auto typed = analyse(joined(wrongType), 3, valid.get());
  EXPECT_EQ(typed->itemsSpliced, 1u);
  ASSERT_EQ(typed->diagnostics.size(), 1u);
  EXPECT_EQ(typed->diagnostics[0].range.start.line, 102);
  EXPECT_NE(typed->diagnostics[0].message.find("expects different type"), std::string::npos)
      << typed->diagnostics[0].message;

  // An undefined value, spliced into the same (last good) parse.
  std::vector<std::string> undefined = lines;
  undefined[151] = "  %v150 = tosa.tanh %nope : (tensor<1x4xf32>) -> tensor<1x4xf32>";
  auto missing = analyse(joined(undefined), 4, typed.get());
  EXPECT_EQ(missing->itemsSpliced, 1u);
  ASSERT_EQ(missing->diagnostics.size(), 1u);
  EXPECT_EQ(missing->diagnostics[0].range.start.line, 151);
  EXPECT_NE(missing->diagnostics[0].message.find("undeclared"), std::string::npos) << missing->diagnostics[0].message;

  // A verifier error of the edited op (tanh keeps the shape), and removing
  // a value its user needs.
  std::vector<std::string> unverified = lines;
  unverified[11] = "  %v10 = tosa.tanh %v9 : (tensor<1x4xf32>) -> tensor<4x1xf32>";
  unverified[12] = "  %v11 = tosa.tanh %v10 : (tensor<4x1xf32>) -> tensor<1x4xf32>";
  auto verified = analyse(joined(unverified), 5, missing.get());
  ASSERT_FALSE(verified->diagnostics.empty());
  EXPECT_EQ(verified->diagnostics[0].range.start.line, 11) << verified->diagnostics[0].message;
  std::vector<std::string> removed = lines;
  removed.erase(removed.begin() + 31);
  auto gone = analyse(joined(removed), 6, verified.get());
  EXPECT_EQ(gone->itemsSpliced, 1u);
  ASSERT_EQ(gone->diagnostics.size(), 1u);
  EXPECT_EQ(gone->diagnostics[0].range.start.line, 31); // %v31 now on line 31 uses %v30
  EXPECT_NE(gone->diagnostics[0].message.find("undeclared"), std::string::npos) << gone->diagnostics[0].message;

  // Inserting a valid op, then the fix of everything: clean, still spliced.
  lines.insert(lines.begin() + 120, "  %extra = tosa.abs %v117 : (tensor<1x4xf32>) -> tensor<1x4xf32>");
  auto inserted = analyse(joined(lines), 7, gone.get());
  EXPECT_EQ(inserted->itemsSpliced, 1u);
  EXPECT_TRUE(inserted->diagnostics.empty());
  lines[121] = "  %v119 = tosa.add %v118, %extra : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>";
  auto uses = analyse(joined(lines), 8, inserted.get());
  EXPECT_EQ(uses->itemsSpliced, 1u);
  EXPECT_TRUE(uses->diagnostics.empty());

  // The return's operand type against the function's result type.
  std::vector<std::string> badReturn = lines;
  badReturn[badReturn.size() - 2] = "  return %arg0, %arg0 : tensor<1x4xf32>, tensor<1x4xf32>";
  auto returned = analyse(joined(badReturn), 9, uses.get());
  EXPECT_EQ(returned->itemsSpliced, 1u);
  ASSERT_EQ(returned->diagnostics.size(), 1u);
  EXPECT_EQ(returned->diagnostics[0].range.start.line, static_cast<int>(badReturn.size()) - 2);

  // The signature: the whole function again.
  std::vector<std::string> signature = lines;
  signature[0] = "func.func @chain(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> attributes {x} {";
  auto whole = analyse(joined(signature), 10, returned.get());
  EXPECT_EQ(whole->itemsSpliced, 0u);
  EXPECT_EQ(whole->itemsAnalysed, 1u);

  // Reads get the whole parse once completed.
  ASSERT_TRUE(completeForReads(*uses, *context, nullptr));
  EXPECT_TRUE(readyForReads(*uses));
  ASSERT_TRUE(uses->items[0].result->state);
  EXPECT_GE(static_cast<size_t>(llvm::range_size(uses->items[0].result->state->getOpDefs())), 202u);
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

namespace {

// A read after a spliced edit waits for the whole parse of that version
// (done lazily, when the read asks) and sees the edited op.
TEST(DocumentWorker, AReadAfterASplicedEditGetsTheWholeParseOfThatVersion) {
  mlir::DialectRegistry registry;
  openopt::registerAllDialectsAndPasses(registry);
  llvm::StdThreadPool threads(llvm::hardware_concurrency(2));
  std::promise<int> published;
  std::atomic<int> publishedSpliced{-1};
  DocumentWorker::Callbacks callbacks;
  callbacks.publish = [&](const AnalysedDocument &document) {
    if (document.version == 2) {
      publishedSpliced = static_cast<int>(document.ir->itemsSpliced);
      published.set_value(document.readable ? 1 : 0);
    }
  };
  DocumentWorker worker(DocumentKind::Ir, registry, threads, DocumentWorkerOptions{}, callbacks);
  std::vector<std::string> lines = chainLines(300);
  std::promise<int> first;
  worker.update(std::make_shared<TextDocument>(joined(lines)), 1);
  worker.whenAnalysed([&](std::shared_ptr<const AnalysedDocument> analysed, int) {
    first.set_value(analysed ? analysed->version : -1);
  });
  ASSERT_EQ(first.get_future().get(), 1);
  lines[151] = "  %v150 = tosa.sigmoid %v149 : (tensor<1x4xf32>) -> tensor<1x4xf32>";
  worker.update(std::make_shared<TextDocument>(joined(lines)), 2);
  std::future<int> publishedFuture = published.get_future();
  ASSERT_EQ(publishedFuture.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  publishedFuture.get();
  EXPECT_EQ(publishedSpliced.load(), 1);
  std::promise<std::string> read;
  worker.whenAnalysed([&](std::shared_ptr<const AnalysedDocument> analysed, int) {
    if (!analysed || analysed->version != 2 || !analysed->readable || !analysed->ir->items[0].result->state) {
      read.set_value("not the whole parse of version 2");
      return;
    }
    std::string name;
    for (const auto &def : analysed->ir->items[0].result->state->getOpDefs())
      if (analysed->ir->items[0].result->pointOf(def.loc.Start)->line == 151)
        name = def.op->getName().getStringRef().str();
    read.set_value(name);
  });
  std::future<std::string> readFuture = read.get_future();
  ASSERT_EQ(readFuture.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(readFuture.get(), "tosa.sigmoid");
}

} // namespace

namespace {

// Spliced edits against the whole function's analysis: random edits (valid
// swaps, wrong types, undefined and later values, deleted, duplicated and
// inserted lines) give the same diagnostics either way.
TEST_F(IrAnalysisTest, SplicedDiagnosticsEqualTheWholeFunctionsOnRandomEdits) {
  const std::string t = "tensor<1x4xf32>";
  std::vector<std::string> lines = chainLines(60);
  std::mt19937 random(18);
  auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  auto previous = analyse(joined(lines), 1, nullptr);
  int spliced = 0;
  for (int version = 2; version < 3000; ++version) {
    std::vector<std::string> edited = lines;
    int line = 1 + pick(static_cast<int>(edited.size()) - 3); // an op line, not the return
    std::string value = "%v" + std::to_string(pick(80));
    switch (pick(10)) {
    case 0: edited[line] = "  " + edited[line].substr(2, edited[line].find('=') - 2) + "= tosa.abs " + value + " : (" + t + ") -> " + t; break;
    case 1: edited[line] = edited[line].substr(0, edited[line].rfind("->")) + "-> tensor<1x5xf32>"; break;
    case 2: edited[line] = "  " + edited[line].substr(2, edited[line].find('=') - 2) + "= tosa.add %arg0, %nope : (" + t + ", " + t + ") -> " + t; break;
    case 3: edited.erase(edited.begin() + line); break;
    case 4: edited.insert(edited.begin() + line, edited[line]); break;
    case 5: edited.insert(edited.begin() + line, "  %n" + std::to_string(version) + " = tosa.exp " + value + " : (" + t + ") -> " + t); break;
    case 6: edited[line] = "  // " + edited[line]; break;
    case 7: edited[line] = "  " + edited[line].substr(2, edited[line].find('=') - 2) + "= tosa.add " + value + ", %v" +
                           std::to_string(pick(80)) + " : (" + t + ", " + t + ") -> " + t; break;
    case 8: edited.erase(edited.begin() + line, edited.begin() + std::min<int>(line + 1 + pick(4), edited.size() - 2)); break;
    default: edited[line] += " // note"; break;
    }
    auto incremental = analyse(joined(edited), version, previous.get());
    auto whole = analyse(joined(edited), version, nullptr);
    spliced += static_cast<int>(incremental->itemsSpliced);
    ASSERT_EQ(incremental->diagnostics.empty(), whole->diagnostics.empty())
        << "version " << version << ", line " << line << ": " << edited[line] << "\n"
        << (whole->diagnostics.empty() ? incremental->diagnostics[0].message : whole->diagnostics[0].message);
    if (!whole->diagnostics.empty()) {
      EXPECT_EQ(incremental->diagnostics[0].range.start, whole->diagnostics[0].range.start)
          << "version " << version << ": " << whole->diagnostics[0].message;
      EXPECT_EQ(incremental->diagnostics[0].message, whole->diagnostics[0].message) << "version " << version;
    }
    previous = incremental; // the next edit goes on from this one, broken or not
    if (whole->diagnostics.empty())
      lines = edited;
  }
  EXPECT_GT(spliced, 1500); // most edits are splices
}

} // namespace

namespace {

// A read sent right after an edit, while the previous version's analysis
// was never completed for reads (nobody asked), is answered by the newer
// version: not ContentModified (Neovim asks for completion right after
// typing).
TEST(DocumentWorker, AReadRightAfterAnEditIsAnsweredByTheNewVersion) {
  mlir::DialectRegistry registry;
  openopt::registerAllDialectsAndPasses(registry);
  llvm::StdThreadPool threads(llvm::hardware_concurrency(2));
  std::promise<void> firstPublished;
  DocumentWorker::Callbacks callbacks;
  callbacks.publish = [&](const AnalysedDocument &document) {
    if (document.version == 1)
      firstPublished.set_value();
  };
  DocumentWorker worker(DocumentKind::Ir, registry, threads, DocumentWorkerOptions{}, callbacks);
  std::vector<std::string> lines = chainLines(300);
  lines[101] = "  %v100 = tosa.tanh %bogus : (tensor<1x4xf32>) -> tensor<1x4xf32>"; // not readable until recovered
  worker.update(std::make_shared<TextDocument>(joined(lines)), 1);
  std::future<void> published = firstPublished.get_future();
  ASSERT_EQ(published.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  lines[101] = "  %v100 = tosa.tanh %v99 : (tensor<1x4xf32>) -> tensor<1x4xf32>";
  worker.update(std::make_shared<TextDocument>(joined(lines)), 2);
  std::promise<std::pair<int, int>> read;
  worker.whenAnalysed([&](std::shared_ptr<const AnalysedDocument> analysed, int error) {
    read.set_value({analysed ? analysed->version : -1, error});
  });
  std::future<std::pair<int, int>> answer = read.get_future();
  ASSERT_EQ(answer.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  auto [version, error] = answer.get();
  EXPECT_EQ(error, 0);
  EXPECT_GE(version, 1);
}

} // namespace

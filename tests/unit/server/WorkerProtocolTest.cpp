//===- WorkerProtocolTest.cpp - frames between the daemon and its workers -===//
#include "worker/WorkerProtocol.h"

#include <gtest/gtest.h>

#include <unistd.h>

using namespace openopt;
using namespace openopt::server::worker;

namespace {

Message sample() {
  Message m;
  m.header = {{"id", 7}, {"method", "run"}, {"params", {{"iterations", 3}}}};
  m.blobs = {std::string("\0\1\2\3", 4), "", std::string(100000, 'x')};
  return m;
}

std::string errorOf(llvm::Expected<std::optional<Message>> result) {
  if (result)
    return "";
  return llvm::toString(result.takeError());
}

TEST(WorkerProtocolTest, RoundTripsThroughTheDecoderByteByByte) {
  std::string frame = encodeMessage(sample());
  MessageDecoder decoder;
  std::optional<Message> got;
  for (size_t i = 0; i < frame.size(); ++i) {
    decoder.feed(std::string_view(frame).substr(i, 1));
    auto next = decoder.next();
    ASSERT_TRUE(bool(next)) << llvm::toString(next.takeError());
    if (*next) {
      EXPECT_EQ(i, frame.size() - 1) << "a message before its last byte";
      got = std::move(**next);
    }
  }
  ASSERT_TRUE(got);
  EXPECT_EQ(got->header["method"], "run");
  EXPECT_EQ(got->header["params"]["iterations"], 3);
  EXPECT_EQ(got->header["v"], kProtocolVersion);
  EXPECT_EQ(got->blobs, sample().blobs);
  EXPECT_EQ(decoder.pending(), 0u);
}

TEST(WorkerProtocolTest, TwoMessagesInOneRead) {
  MessageDecoder decoder;
  Message second;
  second.header = {{"id", 8}, {"result", {{"ok", true}}}};
  decoder.feed(encodeMessage(sample()) + encodeMessage(second));
  auto a = decoder.next();
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((**a).header["id"], 7);
  auto b = decoder.next();
  ASSERT_TRUE(b && *b);
  EXPECT_EQ((**b).header["id"], 8);
  EXPECT_TRUE((**b).blobs.empty());
  auto c = decoder.next();
  ASSERT_TRUE(bool(c));
  EXPECT_FALSE(*c);
}

TEST(WorkerProtocolTest, RefusesBadFrames) {
  auto frameWith = [](const std::string &header) {
    std::string out;
    uint32_t n = header.size();
    for (int i = 0; i < 4; ++i)
      out.push_back(char((n >> (8 * i)) & 0xff));
    return out + header;
  };
  {
    MessageDecoder d;
    d.feed(frameWith("[1, 2]"));
    EXPECT_NE(errorOf(d.next()).find("not a JSON object"), std::string::npos);
  }
  {
    MessageDecoder d;
    d.feed(frameWith(R"({"v": 2, "id": 1})"));
    EXPECT_NE(errorOf(d.next()).find("protocol version 2, expected 1"), std::string::npos);
  }
  {
    MessageDecoder d;
    d.feed(frameWith(R"({"v": 1, "blobs": [-4]})"));
    EXPECT_NE(errorOf(d.next()).find("blob size"), std::string::npos);
  }
  {
    MessageDecoder d;
    d.feed(frameWith(R"({"v": 1, "blobs": [17179869184, 17179869184]})"));
    EXPECT_NE(errorOf(d.next()).find("blobs larger than"), std::string::npos);
  }
  {
    MessageDecoder d;
    d.feed(std::string("\xff\xff\xff\x7f", 4));
    EXPECT_NE(errorOf(d.next()).find("a header of"), std::string::npos);
  }
}

TEST(WorkerProtocolTest, ReadsAndWritesThroughAPipe) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  Message small;
  small.header = {{"id", 1}, {"method", "hello"}};
  small.blobs = {"abc"};
  ASSERT_FALSE(bool(writeMessage(fds[1], small)));
  ::close(fds[1]);
  auto got = readMessage(fds[0]);
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((**got).header["method"], "hello");
  EXPECT_EQ((**got).blobs, std::vector<std::string>{"abc"});
  auto end = readMessage(fds[0]);
  ASSERT_TRUE(bool(end));
  EXPECT_FALSE(*end) << "end of file between messages is a clean end";
  ::close(fds[0]);
}

TEST(WorkerProtocolTest, ATruncatedMessageIsAnError) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string frame = encodeMessage(sample());
  ASSERT_EQ(::write(fds[1], frame.data(), 100), 100);
  ::close(fds[1]);
  EXPECT_NE(errorOf(readMessage(fds[0])).find("closed inside a message"), std::string::npos);
  ::close(fds[0]);
}

TEST(WorkerProtocolTest, PipelineOptionsAndPassesRoundTrip) {
  CpuPipelineOptions o;
  o.threads = 4;
  o.vectorizeMatmul = false;
  o.graphPasses = "canonicalize,cse";
  o.vectorBits = 512;
  o.tileM = 32;
  o.tileN = 128;
  o.tileK = 64;
  o.profile = true;
  CpuPipelineOptions back = cpuOptionsFromJson(json::parse(toJson(o).dump()));
  EXPECT_EQ(cpuPipeline(back), cpuPipeline(o));
  EXPECT_EQ(back.tileN, 128);
  EXPECT_TRUE(back.profile);

  std::vector<RecipePass> passes = {{"canonicalize", {}},
                                    {"openopt-fold-constants", {{"max-elements", "64"}, {"a", "b"}}}};
  auto again = passesFromJson(json::parse(toJson(passes).dump()));
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[1].options, passes[1].options) << "options keep the recipe's order";
}

} // namespace

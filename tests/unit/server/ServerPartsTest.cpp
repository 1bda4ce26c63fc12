//===- ServerPartsTest.cpp - base64, tokens, origins, subprocesses --------===//
#include "Auth.h"
#include "Base64.h"
#include "Hash.h"
#include "jobs/Subprocess.h"

#include <gtest/gtest.h>

using namespace openopt::server;

TEST(Base64Test, RoundTripsAndRejectsBadInput) {
  for (std::string text : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar",
                                                  std::string("\0\xff\x10", 3)}) {
    size_t bad = 0;
    auto decoded = base64Decode(base64Encode(text), bad);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, text);
  }
  EXPECT_EQ(base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  size_t bad = 0;
  EXPECT_FALSE(base64Decode("Zm9v!mFy", bad));
  EXPECT_EQ(bad, 4u);
  EXPECT_FALSE(base64Decode("Zm9", bad));
}

TEST(HashTest, Sha256OfKnownText) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(randomHex(16).size(), 32u);
  EXPECT_NE(randomHex(16), randomHex(16));
}

TEST(AuthTest, TokenFromHeaderQueryOrCookie) {
  EXPECT_EQ(requestToken("Bearer abc", "/api", ""), "abc");
  EXPECT_EQ(requestToken("", "/api?x=1&token=a%2Bb", ""), "a+b");
  EXPECT_EQ(requestToken("", "/", "theme=dark; openopt_token=xyz"), "xyz");
  EXPECT_EQ(requestToken("bearer abc", "/", ""), "abc");
  EXPECT_EQ(requestToken("Basic Zm9v", "/", ""), "");
}

TEST(AuthTest, OriginMustBeOurOwnOrAllowed) {
  EXPECT_TRUE(originAllowed("", "127.0.0.1:8787", false, {}));
  EXPECT_TRUE(originAllowed("http://127.0.0.1:8787", "127.0.0.1:8787", false, {}));
  EXPECT_FALSE(originAllowed("https://127.0.0.1:8787", "127.0.0.1:8787", false, {}));
  EXPECT_FALSE(originAllowed("http://evil.example", "127.0.0.1:8787", false, {}));
  EXPECT_TRUE(originAllowed("http://localhost:5173", "127.0.0.1:8787", false,
                            {"http://localhost:5173"}));
}

TEST(SubprocessTest, ExitCodesOutputAndLimits) {
  auto ok = runSubprocess({"/bin/sh", "-c", "echo out; echo err >&2"}, {});
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.out, "out\n");
  EXPECT_EQ(ok.err, "err\n");

  auto failed = runSubprocess({"/bin/sh", "-c", "exit 3"}, {});
  EXPECT_EQ(failed.ending, SubprocessResult::Ending::Exited);
  EXPECT_EQ(failed.exitCode, 3);

  SubprocessOptions timed;
  timed.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  auto start = std::chrono::steady_clock::now();
  auto slow = runSubprocess({"/bin/sh", "-c", "sleep 30"}, timed);
  EXPECT_EQ(slow.ending, SubprocessResult::Ending::TimedOut);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));

  std::atomic<bool> cancelled{true};
  SubprocessOptions cancelling;
  cancelling.cancelled = &cancelled;
  EXPECT_EQ(runSubprocess({"/bin/sh", "-c", "sleep 30"}, cancelling).ending,
            SubprocessResult::Ending::Cancelled);

  auto crashed = runSubprocess({"/bin/sh", "-c", "kill -SEGV $$"}, {});
  EXPECT_EQ(crashed.ending, SubprocessResult::Ending::Signalled);
  EXPECT_NE(crashed.describe("x").find("crashed"), std::string::npos);

  SubprocessOptions small;
  small.memoryBytes = 64ull << 20;
  auto hungry = runSubprocess({"/usr/bin/python3", "-c", "x = bytearray(512 << 20)"}, small);
  EXPECT_FALSE(hungry.ok());
  EXPECT_NE(hungry.err.find("MemoryError"), std::string::npos);

  EXPECT_EQ(runSubprocess({"/nonexistent/binary"}, {}).exitCode, 127);
}

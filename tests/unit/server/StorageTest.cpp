//===- StorageTest.cpp - the daemon's database ----------------------------===//
#include "storage/Storage.h"

#include "llvm/Support/FileSystem.h"

#include <gtest/gtest.h>

using namespace openopt::server;

namespace {

std::string freshDir() {
  llvm::SmallString<128> dir;
  EXPECT_FALSE(llvm::sys::fs::createUniqueDirectory("openopt-storage", dir));
  return std::string(dir);
}

} // namespace

TEST(StorageTest, MigratesAndReopens) {
  std::string dir = freshDir();
  {
    auto storage = Storage::open(dir);
    ASSERT_TRUE(bool(storage)) << llvm::toString(storage.takeError());
    EXPECT_EQ((*storage)->schemaVersion(), 1);
    EXPECT_EQ((*storage)->integrityCheck(), "ok");
  }
  auto again = Storage::open(dir);
  ASSERT_TRUE(bool(again));
  EXPECT_EQ((*again)->schemaVersion(), 1);
  llvm::sys::fs::remove_directories(dir);
}

TEST(StorageTest, LiveJobsBecomeInterruptedOnTheNextStart) {
  std::string dir = freshDir();
  {
    auto storage = std::move(*Storage::open(dir));
    storage->insertJob({"a", "compile", "queued", {{"x", 1}}, nullptr, nullptr, 0, "", "", "", "", "", ""});
    storage->insertJob({"b", "compile", "queued", {}, nullptr, nullptr, 0, "", "", "", "", "", ""});
    storage->markJobRunning("b");
    storage->insertJob({"c", "run", "queued", {}, nullptr, nullptr, 0, "", "", "", "", "", ""});
    storage->finishJob("c", "done", {{"ok", true}}, nullptr);
  }
  auto storage = std::move(*Storage::open(dir));
  EXPECT_EQ(storage->markInterruptedJobs(), 2);
  EXPECT_EQ(storage->getJob("a")->state, "interrupted");
  EXPECT_EQ(storage->getJob("b")->state, "interrupted");
  EXPECT_EQ(storage->getJob("b")->error["code"], -32010);
  auto done = storage->getJob("c");
  EXPECT_EQ(done->state, "done");
  EXPECT_EQ(done->result["ok"], true);
  EXPECT_EQ(storage->listJobs("done", "", 10).size(), 1u);
  llvm::sys::fs::remove_directories(dir);
}

TEST(StorageTest, ArtifactsAreContentAddressed) {
  std::string dir = freshDir();
  auto storage = std::move(*Storage::open(dir));
  std::string bytes("a\0b", 3);
  std::string hash = storage->putArtifact(bytes, "application/octet-stream");
  EXPECT_EQ(storage->putArtifact(bytes, "application/octet-stream"), hash);
  auto artifact = storage->getArtifact(hash);
  ASSERT_TRUE(artifact);
  EXPECT_EQ(artifact->data, bytes);
  EXPECT_EQ(storage->artifactInfo(hash)->first, 3);
  EXPECT_EQ(storage->artifactInfo(hash)->second, "application/octet-stream");
  EXPECT_FALSE(storage->getArtifact(std::string(64, '0')));
  llvm::sys::fs::remove_directories(dir);
}

TEST(StorageTest, TokensAreFoundByHashAndRevoked) {
  std::string dir = freshDir();
  auto storage = std::move(*Storage::open(dir));
  storage->putToken({"t1", "ci", "editor", "h1", "", ""});
  EXPECT_EQ(storage->findTokenByHash("h1")->role, "editor");
  EXPECT_TRUE(storage->revokeToken("t1"));
  EXPECT_FALSE(storage->revokeToken("t1"));
  EXPECT_FALSE(storage->findTokenByHash("h1"));
  storage->audit({0, "", "t1", "editor", "127.0.0.1:1", "compile/start", "m", "ok"});
  auto rows = storage->listAudit(10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].method, "compile/start");
  llvm::sys::fs::remove_directories(dir);
}

//===- NpyTest.cpp - .npy reading and writing ------------------------------===//
#include "openopt/Runtime/Npy.h"

#include "llvm/Support/FileSystem.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

using namespace openopt;

namespace {

std::string header(const std::string &dict) {
  std::string h = dict;
  size_t total = 10 + h.size() + 1;
  h.append((64 - total % 64) % 64, ' ');
  h += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += char(h.size() & 0xff);
  out += char(h.size() >> 8);
  return out + h;
}

std::string errorOf(llvm::Expected<HostTensor> result) {
  if (result)
    return "";
  return llvm::toString(result.takeError());
}

} // namespace

TEST(Npy, RoundTripsThroughAFile) {
  HostTensor t(DType::F32, {2, 3});
  for (int i = 0; i < 6; ++i)
    t.as<float>()[i] = i * 0.5f;
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("npytest", "npy", path));
  ASSERT_FALSE(bool(writeNpy(path, t)));
  auto back = readNpy(path);
  llvm::sys::fs::remove(path);
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->dtype(), DType::F32);
  EXPECT_EQ(back->shape(), llvm::ArrayRef<int64_t>({2, 3}));
  EXPECT_EQ(std::memcmp(back->data(), t.data(), 24), 0);
}

TEST(Npy, ReadsScalarsAndVectors) {
  std::string bytes = header("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }");
  int64_t values[3] = {7, -1, 42};
  bytes.append(reinterpret_cast<char *>(values), sizeof(values));
  auto t = parseNpy(bytes, "v.npy");
  ASSERT_TRUE(bool(t));
  EXPECT_EQ(t->shape(), llvm::ArrayRef<int64_t>({3}));
  EXPECT_EQ(t->as<int64_t>()[2], 42);

  std::string scalar = header("{'descr': '<f4', 'fortran_order': False, 'shape': (), }");
  float one = 1.0f;
  scalar.append(reinterpret_cast<char *>(&one), 4);
  auto s = parseNpy(scalar, "s.npy");
  ASSERT_TRUE(bool(s));
  EXPECT_TRUE(s->shape().empty());
}

TEST(Npy, RejectsMalformedFiles) {
  EXPECT_NE(errorOf(parseNpy("not numpy at all", "a.npy")).find("magic"), std::string::npos);

  std::string shortData = header("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }");
  shortData += std::string(8, '\0');
  EXPECT_NE(errorOf(parseNpy(shortData, "b.npy")).find("data bytes"), std::string::npos);

  std::string fortran = header("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }") +
                        std::string(4, '\0');
  EXPECT_NE(errorOf(parseNpy(fortran, "c.npy")).find("Fortran"), std::string::npos);

  std::string bigEndian = header("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }") +
                          std::string(4, '\0');
  EXPECT_NE(errorOf(parseNpy(bigEndian, "d.npy")).find("not supported"), std::string::npos);

  std::string huge = header("{'descr': '<f4', 'fortran_order': False, "
                            "'shape': (999999999, 999999999), }");
  EXPECT_NE(errorOf(parseNpy(huge, "e.npy")).find("invalid dimension"), std::string::npos);

  std::string truncatedHeader("\x93NUMPY\x01\x00\xff\xff{'descr'", 18);
  EXPECT_NE(errorOf(parseNpy(truncatedHeader, "f.npy")).find("header"), std::string::npos);

  std::string noShape = header("{'descr': '<f4', 'fortran_order': False, }");
  EXPECT_NE(errorOf(parseNpy(noShape, "g.npy")).find("shape"), std::string::npos);
}

TEST(Npy, DTypeNamesRoundTrip) {
  for (DType t : {DType::F16, DType::BF16, DType::F32, DType::F64, DType::I8, DType::I16,
                  DType::I32, DType::I64, DType::U8, DType::U16, DType::U32, DType::U64,
                  DType::Bool})
    EXPECT_EQ(dtypeNamed(dtypeName(t)), t) << dtypeName(t).str();
  EXPECT_EQ(dtypeNamed("float32"), std::nullopt);
  EXPECT_EQ(dtypeNamed(""), std::nullopt);
}

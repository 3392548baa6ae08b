#include "upload/local_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace onehop::upload {
namespace {

class temp_file {
 public:
  explicit temp_file(const std::string& content) {
    path_ = std::filesystem::temp_directory_path() /
            ("onehop_upload_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~temp_file() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

TEST(local_file, sha256_as_base64_matches_the_fips_vectors) {
  temp_file abc("abc");
  auto f = local_file::open(abc.path());
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->size(), 3U);
  auto sha = f->sha256_base64();
  ASSERT_TRUE(sha);
  // SHA-256("abc") = ba7816bf...f20015ad (FIPS 180-2, B.1)
  EXPECT_EQ(*sha, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");

  temp_file empty("");
  auto e = local_file::open(empty.path());
  ASSERT_TRUE(e);
  EXPECT_EQ(*e->sha256_base64(), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST(local_file, hashes_across_chunk_boundaries) {
  // One million 'a' (FIPS 180-2, B.3): several read chunks, the last one partial.
  temp_file million(std::string(1'000'000, 'a'));
  auto f = local_file::open(million.path());
  ASSERT_TRUE(f);
  EXPECT_EQ(*f->sha256_base64(), "zcduXJkU+5KBocfihNc+Z/GAmkiklyAOBG05zMcRLNA=");
}

TEST(local_file, reads_at_offsets_and_short_at_the_end) {
  temp_file t("0123456789");
  auto f = local_file::open(t.path());
  ASSERT_TRUE(f);
  std::array<std::uint8_t, 4> buf{};
  auto n = f->read_at(3, buf);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 4U);
  EXPECT_EQ(std::string(buf.begin(), buf.end()), "3456");
  n = f->read_at(8, buf);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2U);
  n = f->read_at(10, buf);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0U);
}

TEST(local_file, open_errors_say_why) {
  auto missing = local_file::open("/nonexistent/onehop/file.png");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("No such file"), std::string::npos);
  auto dir = local_file::open(std::filesystem::temp_directory_path().string());
  ASSERT_FALSE(dir);
  EXPECT_EQ(dir.error().message, "not a regular file");
}

}  // namespace
}  // namespace onehop::upload

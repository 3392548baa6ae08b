#include "api/ids.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace onehop::api {
namespace {

std::string encode(char prefix, const std::array<std::uint8_t, id_random_bytes>& bytes) {
  std::string out(id_length, '\0');
  encode_id(prefix, bytes, std::span<char, id_length>(out.data(), id_length));
  return out;
}

// Reference decoder written independently of encode_id (bit by bit).
std::array<std::uint8_t, id_random_bytes> decode_body(std::string_view body) {
  const std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  std::array<std::uint8_t, id_random_bytes> out{};
  std::size_t bit = 0;
  for (const char c : body) {
    const auto v = alphabet.find(c);
    for (int k = 4; k >= 0; --k) {
      if (bit < 128 && ((v >> k) & 1)) {
        out[bit / 8] |= static_cast<std::uint8_t>(0x80 >> (bit % 8));
      }
      ++bit;
    }
  }
  return out;
}

TEST(Ids, EncodesKnownBytes) {
  std::array<std::uint8_t, id_random_bytes> zeros{};
  EXPECT_EQ(encode('u', zeros), "u_aaaaaaaaaaaaaaaaaaaaaaaaaa");
  std::array<std::uint8_t, id_random_bytes> ones;
  ones.fill(0xff);
  // 25 characters of 5 one-bits, then 3 one-bits padded with 2 zero bits: 0b11100 = 28 -> '4'.
  EXPECT_EQ(encode('i', ones), "i_" + std::string(25, '7') + "4");
  // RFC 4648 test vector: base32("f") = "MY======"; a first byte 'f' (0x66) starts with "my".
  std::array<std::uint8_t, id_random_bytes> f{};
  f[0] = 'f';
  EXPECT_EQ(encode('u', f).substr(0, 4), "u_my");
}

TEST(Ids, EncodingRoundTripsThroughIndependentDecoder) {
  std::array<std::uint8_t, id_random_bytes> bytes;
  for (int round = 0; round < 64; ++round) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      bytes[i] = static_cast<std::uint8_t>(round * 37 + i * 101 + (i << round % 8));
    }
    const std::string id = encode('u', bytes);
    EXPECT_TRUE(valid_id(id, 'u')) << id;
    EXPECT_EQ(decode_body(id_body(id)), bytes);
  }
}

TEST(Ids, NewIdsAreValidDistinctAndLookRandom) {
  std::set<std::string> seen;
  std::array<int, 32> first_char_counts{};
  const std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  for (int i = 0; i < 4000; ++i) {
    const std::string id = new_upload_id();
    ASSERT_TRUE(valid_id(id, upload_id_prefix)) << id;
    EXPECT_TRUE(seen.insert(id).second) << "duplicate id " << id;
    ++first_char_counts[alphabet.find(id[2])];
  }
  // 4000 draws over 32 values: each about 125; a stuck or biased generator would leave gaps.
  for (const int n : first_char_counts) {
    EXPECT_GT(n, 60);
    EXPECT_LT(n, 200);
  }
  const std::string image = new_image_id();
  EXPECT_TRUE(valid_id(image, image_id_prefix));
  EXPECT_FALSE(valid_id(image, upload_id_prefix));
}

TEST(Ids, ThreadsGetDistinctIds) {
  constexpr int per_thread = 2000;
  std::vector<std::vector<std::string>> results(4);
  std::vector<std::thread> threads;
  for (auto& r : results) {
    threads.emplace_back([&r] {
      for (int i = 0; i < per_thread; ++i) {
        r.push_back(new_image_id());
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  std::set<std::string> all;
  for (const auto& r : results) {
    all.insert(r.begin(), r.end());
  }
  EXPECT_EQ(all.size(), 4u * per_thread);
}

TEST(Ids, ValidIdRejectsEverythingElse) {
  const std::string good = "u_abcdefghijklmnopqrstuvwx2a";
  ASSERT_TRUE(valid_id(good, 'u'));
  EXPECT_FALSE(valid_id(good, 'i'));
  EXPECT_FALSE(valid_id("", 'u'));
  EXPECT_FALSE(valid_id("u_", 'u'));
  EXPECT_FALSE(valid_id(good.substr(0, id_length - 1), 'u'));  // N-1
  EXPECT_FALSE(valid_id(good + "a", 'u'));                     // N+1
  EXPECT_FALSE(valid_id("u-abcdefghijklmnopqrstuvwx2a", 'u'));
  EXPECT_FALSE(valid_id("U_abcdefghijklmnopqrstuvwx2a", 'u'));
  for (const char bad : std::string_view("ABZ01890-_./\\%\0 ", 16)) {
    std::string id = good;
    id[10] = bad;
    EXPECT_FALSE(valid_id(id, 'u')) << "character " << static_cast<int>(bad);
  }
  // The last character carries 3 bits: only a, e, i, m, q, u, y, 4 are canonical.
  int canonical = 0;
  for (const char c : std::string_view("abcdefghijklmnopqrstuvwxyz234567")) {
    std::string id = good;
    id.back() = c;
    canonical += valid_id(id, 'u') ? 1 : 0;
  }
  EXPECT_EQ(canonical, 8);
  EXPECT_FALSE(valid_id("u_abcdefghijklmnopqrstuvwx2b", 'u'));
}

}  // namespace
}  // namespace onehop::api

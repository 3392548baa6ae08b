// md5_hasher, md5_update_many and md5_lane_group against OpenSSL's MD5, for every engine the CPU
// has: lengths around block boundaries, data split at random points, jobs of different lengths
// sharing lanes, more jobs than lanes, and members deferring and flushing in any order.

#include "store/md5.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace onehop::store {
namespace {

md5_digest openssl_md5(std::string_view data) {
  md5_digest out{};
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &size, EVP_md5(), nullptr);
  return out;
}

std::string random_bytes(std::mt19937_64& rng, std::size_t size) {
  std::string s(size, '\0');
  for (char& c : s) {
    c = static_cast<char>(rng());
  }
  return s;
}

std::string hex(const md5_digest& d) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (auto b : d) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

md5_digest one_shot(std::string_view data) {
  md5_hasher h;
  h.update(data);
  return h.finish();
}

const std::vector<md5_engine>& available_engines() {
  static const std::vector<md5_engine> engines = [] {
    std::vector<md5_engine> out;
    for (auto e : {md5_engine::scalar, md5_engine::avx2, md5_engine::avx512}) {
      if (md5_engine_available(e)) {
        out.push_back(e);
      }
    }
    return out;
  }();
  return engines;
}

TEST(md5, rfc_1321_test_suite) {
  EXPECT_EQ(hex(one_shot("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hex(one_shot("a")), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(hex(one_shot("abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(hex(one_shot("message digest")), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(hex(one_shot("abcdefghijklmnopqrstuvwxyz")), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(hex(one_shot("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")),
            "d174ab98d277d9f5a5611c2c9f419d9f");
  EXPECT_EQ(hex(one_shot("1234567890123456789012345678901234567890123456789012345678901234567890"
                         "1234567890")),
            "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(md5, every_length_around_the_padding_boundaries) {
  std::mt19937_64 rng(1);
  const std::string data = random_bytes(rng, 300);
  for (std::size_t n = 0; n <= data.size(); ++n) {
    EXPECT_EQ(one_shot(std::string_view(data).substr(0, n)),
              openssl_md5(std::string_view(data).substr(0, n)))
        << n;
  }
}

TEST(md5, any_split_gives_the_same_digest) {
  std::mt19937_64 rng(2);
  for (int round = 0; round < 200; ++round) {
    const std::string data = random_bytes(rng, rng() % 5000);
    md5_hasher h;
    std::string_view rest = data;
    while (!rest.empty()) {
      const std::size_t take = std::min<std::size_t>(rest.size(), rng() % 200);
      h.update(rest.substr(0, take));
      rest.remove_prefix(take);
    }
    EXPECT_EQ(h.finish(), openssl_md5(data)) << data.size();
  }
}

TEST(md5, detects_an_engine_and_scalar_is_always_there) {
  EXPECT_TRUE(md5_engine_available(md5_engine::scalar));
  EXPECT_TRUE(md5_engine_available(md5_best_engine()));
  if (md5_engine_available(md5_engine::avx512)) {
    EXPECT_TRUE(md5_engine_available(md5_engine::avx2));
  }
}

// Jobs of random sizes in random numbers (up to well over the lane count), fed in rounds of
// random pieces, each engine against OpenSSL.
TEST(md5, update_many_matches_openssl_for_every_engine) {
  for (md5_engine engine : available_engines()) {
    std::mt19937_64 rng(3);
    for (int trial = 0; trial < 60; ++trial) {
      const std::size_t streams = 1 + rng() % 40;
      std::vector<std::string> data;
      for (std::size_t i = 0; i < streams; ++i) {
        // Mostly whole-ish blocks of different lengths, sometimes empty or tiny.
        const std::size_t size = rng() % 4 == 0 ? rng() % 70 : rng() % 20000;
        data.push_back(random_bytes(rng, size));
      }
      std::vector<md5_hasher> hashers(streams);
      std::vector<std::size_t> offset(streams, 0);
      for (bool more = true; more;) {
        more = false;
        std::vector<md5_job> jobs;
        for (std::size_t i = 0; i < streams; ++i) {
          const std::size_t left = data[i].size() - offset[i];
          const std::size_t take = std::min<std::size_t>(left, rng() % 3000);
          if (take > 0 || rng() % 2) {
            jobs.push_back({&hashers[i], std::string_view(data[i]).substr(offset[i], take)});
          }
          offset[i] += take;
          more = more || offset[i] < data[i].size();
        }
        md5_update_many_with(jobs.data(), jobs.size(), engine);
      }
      for (std::size_t i = 0; i < streams; ++i) {
        ASSERT_EQ(hex(hashers[i].finish()), hex(openssl_md5(data[i])))
            << "engine " << static_cast<int>(engine) << " trial " << trial << " stream " << i
            << " of " << streams << ", " << data[i].size() << " bytes";
      }
    }
  }
}

// Every lane's own data reaches every lane's state: 16 streams whose data differ in one byte.
TEST(md5, lanes_do_not_mix) {
  for (md5_engine engine : available_engines()) {
    std::vector<std::string> data(16, std::string(64 * 33, 'x'));
    for (std::size_t i = 0; i < data.size(); ++i) {
      data[i][(i * 131) % data[i].size()] = static_cast<char>('a' + i);
    }
    std::vector<md5_hasher> hashers(data.size());
    std::vector<md5_job> jobs;
    for (std::size_t i = 0; i < data.size(); ++i) {
      jobs.push_back({&hashers[i], data[i]});
    }
    md5_update_many_with(jobs.data(), jobs.size(), engine);
    for (std::size_t i = 0; i < data.size(); ++i) {
      EXPECT_EQ(hashers[i].finish(), openssl_md5(data[i])) << static_cast<int>(engine) << " " << i;
    }
  }
}

// Members with data in double buffers: each fills one buffer, then the other, releasing a buffer
// before refilling it; some finish while others still have data waiting. Every digest must match.
TEST(md5_lane_group, members_releasing_buffers_in_any_order_get_their_own_digest) {
  for (int trial = 0; trial < 20; ++trial) {
    md5_lane_group group;
    std::mt19937_64 rng(4 + static_cast<unsigned>(trial));
    constexpr std::size_t count = 20;
    constexpr std::size_t buffer_size = 4096;
    struct upload {
      std::string data;
      std::size_t offset = 0;
      std::string buffers[2] = {std::string(buffer_size, '\0'), std::string(buffer_size, '\0')};
      int current = 0;
      std::size_t used = 0;
      std::unique_ptr<md5_lane_group::member> md5;
    };
    std::vector<upload> uploads(count);
    for (auto& u : uploads) {
      u.data = random_bytes(rng, rng() % 30000);
      u.md5 = std::make_unique<md5_lane_group::member>(group);
    }
    for (std::size_t finished = 0; finished < count;) {
      upload& u = uploads[rng() % count];
      if (!u.md5) {
        continue;
      }
      if (u.used == buffer_size) {  // switch buffers, releasing the one about to be refilled
        u.current ^= 1;
        u.md5->release(u.buffers[u.current]);
        u.used = 0;
      }
      const std::size_t take =
          std::min<std::size_t>({u.data.size() - u.offset, buffer_size - u.used, 1 + rng() % 1500});
      std::string& buffer = u.buffers[u.current];
      std::copy_n(u.data.data() + u.offset, take, buffer.data() + u.used);
      u.md5->defer(std::string_view(buffer).substr(u.used, take));
      u.used += take;
      u.offset += take;
      if (u.offset == u.data.size()) {
        EXPECT_EQ(u.md5->finish(), openssl_md5(u.data)) << "trial " << trial;
        u.md5.reset();  // leaves the group with others' data still waiting
        ++finished;
      }
    }
  }
}

TEST(md5_lane_group, a_third_place_hashes_the_oldest_first) {
  md5_lane_group group;
  md5_lane_group::member m(group);
  const std::string a = "first piece, ";
  const std::string b = "a second buffer, ";
  const std::string c = "and a third";
  m.defer(a);
  m.defer(b);  // not adjacent to `a`
  m.defer(c);
  EXPECT_EQ(m.finish(), openssl_md5(a + b + c));
}

TEST(md5_lane_group, release_of_unrelated_memory_changes_nothing) {
  md5_lane_group group;
  md5_lane_group::member m(group);
  const std::string data(1000, 'z');
  const std::string other(64, 'o');
  m.defer(data);
  m.release(other);
  EXPECT_EQ(m.finish(), openssl_md5(data));
}

}  // namespace
}  // namespace onehop::store

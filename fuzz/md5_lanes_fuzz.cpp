// Fuzzes the lane MD5 (store/md5.hpp) against OpenSSL's MD5. The input is cut into up to 40
// streams and a schedule: each round gives every stream a piece of fuzzer-chosen length, all
// hashed by one md5_update_many_with() call with a fuzzer-chosen engine; a second copy of every
// stream goes through md5_lane_group members with double buffers. Every digest must equal
// OpenSSL's, whatever the lengths, splits, engines and interleaving.

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "store/md5.hpp"

namespace store = onehop::store;

namespace {

store::md5_digest openssl_md5(std::string_view data) {
  store::md5_digest out{};
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &size, EVP_md5(), nullptr);
  return out;
}

// Reads the schedule from the front of the input, one byte at a time; once it runs out, from a
// fixed pseudo-random sequence (so a short input still gives pieces of every size, not a long
// run of 1-byte pieces).
struct reader {
  std::string_view in;
  std::uint32_t state = 0x9e3779b9u;
  std::uint8_t byte() {
    if (in.empty()) {
      state = state * 1664525u + 1013904223u;
      return static_cast<std::uint8_t>(state >> 24);
    }
    const auto b = static_cast<std::uint8_t>(in.front());
    in.remove_prefix(1);
    return b;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  reader r{std::string_view(reinterpret_cast<const char*>(data), size)};
  const std::size_t streams = 1 + r.byte() % 40;
  const auto engine = static_cast<store::md5_engine>(r.byte() % 3);
  // Each stream's length: a multiple of 61 bytes so lengths cross block edges in many ways; at
  // most ~4.8 KB, so that runs stay fast under the sanitizers.
  std::vector<std::string> content(streams);
  std::size_t next_fill = 0;
  for (auto& c : content) {
    c.resize(61u * (r.byte() % 80));
    for (char& ch : c) {
      ch = static_cast<char>(next_fill++ * 131 + 7);
    }
  }

  // 1. md5_update_many_with, in rounds of fuzzer-chosen piece lengths.
  std::vector<store::md5_hasher> hashers(streams);
  std::vector<std::size_t> offset(streams, 0);
  for (bool more = true; more;) {
    more = false;
    std::vector<store::md5_job> jobs;
    for (std::size_t i = 0; i < streams; ++i) {
      // Pieces of 0 to 31 blocks plus 0 to 63 bytes; at least 1 byte once input runs out.
      const std::size_t want = 64u * (r.byte() % 32) + r.byte() % 64;
      const std::size_t take =
          std::min(content[i].size() - offset[i], std::max<std::size_t>(want, 1));
      jobs.push_back({&hashers[i], std::string_view(content[i]).substr(offset[i], take)});
      offset[i] += take;
      more = more || offset[i] < content[i].size();
    }
    store::md5_update_many_with(jobs.data(), jobs.size(), engine);
  }
  for (std::size_t i = 0; i < streams; ++i) {
    check(hashers[i].finish() == openssl_md5(content[i]));
  }

  // 2. Lane group members with two buffers each, filled and released in a fuzzer-chosen order.
  constexpr std::size_t buffer_size = 1024;
  struct upload {
    std::array<std::string, 2> buffers{std::string(buffer_size, '\0'),
                                       std::string(buffer_size, '\0')};
    int current = 0;
    std::size_t used = 0;
    std::size_t offset = 0;
    std::unique_ptr<store::md5_lane_group::member> md5;
  };
  store::md5_lane_group group;
  std::vector<upload> uploads(streams);
  for (auto& u : uploads) {
    u.md5 = std::make_unique<store::md5_lane_group::member>(group);
  }
  for (std::size_t left = streams, turn = 0; left > 0; ++turn) {
    upload& u = uploads[(turn + r.byte()) % streams];
    const std::size_t i = static_cast<std::size_t>(&u - uploads.data());
    if (!u.md5) {
      continue;
    }
    if (u.used == buffer_size) {
      u.current ^= 1;
      u.md5->release(u.buffers[static_cast<std::size_t>(u.current)]);
      u.used = 0;
    }
    const std::size_t take = std::min(
        {content[i].size() - u.offset, buffer_size - u.used, std::size_t{1} + 5u * r.byte()});
    std::string& buffer = u.buffers[static_cast<std::size_t>(u.current)];
    std::copy_n(content[i].data() + u.offset, take, buffer.data() + u.used);
    u.md5->defer(std::string_view(buffer).substr(u.used, take));
    u.used += take;
    u.offset += take;
    if (u.offset == content[i].size()) {
      check(u.md5->finish() == openssl_md5(content[i]));
      u.md5.reset();
      --left;
    }
  }
  return 0;
}

// Fuzzes upload tokens (api/upload_token.hpp), the ids that carry a pending upload:
//   - any input given to open(): no crash, no sanitizer report, and whatever it accepts is
//     canonical (issuing its claims again gives back exactly the input);
//   - claims built from the input: issue() then open() returns the same claims, and changing any
//     one byte of the token makes open() refuse it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/upload_token.hpp"
#include "fuzz_check.hpp"
#include "sigv4/encoding.hpp"

namespace api = onehop::api;

namespace {

const api::upload_token_signer& signer() {
  static const api::upload_token_signer s("fuzz-upload-token-secret-0123456789abcdef");
  return s;
}

bool same(const api::upload_claims& a, const api::upload_claims& b) {
  return a.body == b.body && a.user == b.user && a.content_type == b.content_type &&
         a.filename == b.filename && a.size == b.size && a.sha256 == b.sha256 && a.post == b.post &&
         a.expires == b.expires;
}

// Takes the next length-prefixed piece of the input (at most `limit` bytes).
std::string take(std::string_view& in, std::size_t limit) {
  if (in.empty()) {
    return {};
  }
  const std::size_t n =
      std::min<std::size_t>({static_cast<unsigned char>(in[0]), limit, in.size() - 1});
  std::string out(in.substr(1, n));
  in.remove_prefix(1 + n);
  return out;
}

std::uint64_t take_u64(std::string_view& in) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8 && !in.empty(); ++i) {
    v = (v << 8) | static_cast<unsigned char>(in[0]);
    in.remove_prefix(1);
  }
  return v;
}

void round_trip(std::string_view in) {
  api::upload_claims c;
  static constexpr char base32[] = "abcdefghijklmnopqrstuvwxyz234567";
  c.body.resize(26);
  for (std::size_t i = 0; i < 26; ++i) {
    unsigned value = i < in.size() ? static_cast<unsigned char>(in[i]) % 32 : 0;
    if (i == 25) {
      value &= ~3u;  // 26 characters carry 128 bits: the last one's 2 spare bits are zero
    }
    c.body[i] = base32[value];
  }
  in.remove_prefix(std::min<std::size_t>(26, in.size()));
  c.post = !in.empty() && (in[0] & 1);
  c.size = take_u64(in);
  c.expires = std::chrono::sys_seconds{
      std::chrono::seconds{static_cast<std::int64_t>(take_u64(in) & 0x3fffffffffffffffull)}};
  c.user = take(in, 255);
  c.content_type = take(in, 255);
  const std::string sha = take(in, 32);
  if (sha.size() == 32) {
    c.sha256 = onehop::sigv4::base64_encode(sha);
  }
  c.filename = std::string(in.substr(0, std::min<std::size_t>(in.size(), 600)));

  std::string token;
  if (!signer().issue(token, c)) {
    return;  // too long for a token: refused, which is the documented outcome
  }
  check(token.size() <= api::max_token_size);
  check(api::plausible_upload_ref(token) && api::is_upload_token(token));
  auto opened = signer().open(token);
  check(opened.has_value() && same(*opened, c));

  // One changed byte anywhere: refused.
  const std::size_t at = c.size % token.size();
  std::string tampered = token;
  tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
  check(!signer().open(tampered));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  if (in.empty()) {
    return 0;
  }
  if (in[0] == 'u') {
    // As a token: whatever is accepted must be exactly what issue() makes of its claims.
    auto opened = signer().open(in);
    if (opened) {
      std::string again;
      check(signer().issue(again, *opened).has_value() && again == in);
    }
    return 0;
  }
  round_trip(in.substr(1));
  return 0;
}

// Fuzzes the aws-chunked decoder. Input layout:
//   byte 0: bits 0-1 mode (0 signed, 1 signed with trailer, 2-3 unsigned with trailer),
//           bits 2-4 trailer checksum (0-4, else none), bit 5 decoded length given,
//           bit 6 small limits
//   bytes 1-2: x-amz-decoded-content-length (big-endian), when bit 5 is set
//   byte 3: seed of the split points
//   rest: the body
// The body is decoded twice, whole and in pseudo-random pieces; both runs must agree on the
// outcome and the decoded bytes, and every decoded slice must lie inside the piece it came from.
// The hardware CRC32C and CRC64NVME must also agree with their table versions on the body.
// The signing inputs are those of the `small.txt` case of
// tests/data/sigv4-streaming/aws-chunked-signed.jsonl, so its body (a seed file) passes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "sigv4/chunked.hpp"
#include "sigv4/signing_key.hpp"

namespace {

using namespace onehop::sigv4;

struct outcome {
  bool ok = false;
  int error = 0;
  std::string decoded;
  std::uint64_t length = 0;
};

outcome decode(const chunked_params& params, const std::uint8_t* data, std::size_t size,
               std::uint32_t split_seed) {
  outcome o;
  result<chunked_decoder> created = chunked_decoder::create(params);
  if (!created) {
    o.error = created.error().value();
    return o;
  }
  chunked_decoder& d = *created;
  std::uint32_t state = split_seed;
  std::size_t pos = 0;
  while (pos < size) {
    std::size_t n = size - pos;
    if (split_seed != 0) {
      state = state * 1103515245u + 12345u;
      n = std::min<std::size_t>(n, 1 + (state >> 16) % 17);
    }
    const std::uint8_t* piece_begin = data + pos;
    const std::uint8_t* piece_end = piece_begin + n;
    const result<void> r =
        d.feed(std::span<const std::uint8_t>(piece_begin, n), [&](std::span<const std::uint8_t> s) {
          if (s.data() < piece_begin || s.data() + s.size() > piece_end) {
            __builtin_trap();
          }
          o.decoded.append(reinterpret_cast<const char*>(s.data()), s.size());
        });
    if (!r) {
      o.error = r.error().value();
      if (d.finish() || d.finish().error() != r.error()) {
        __builtin_trap();  // errors must be sticky
      }
      return o;
    }
    pos += n;
  }
  const result<chunked_summary> summary = d.finish();
  if (!summary) {
    o.error = summary.error().value();
    return o;
  }
  o.ok = true;
  o.length = summary->decoded_length;
  if (o.length != o.decoded.size() || o.length != d.decoded_length()) {
    __builtin_trap();
  }
  if (params.decoded_content_length && *params.decoded_content_length != o.length) {
    __builtin_trap();
  }
  if (params.trailer.has_value() != summary->checksum.has_value()) {
    __builtin_trap();
  }
  if (summary->checksum && !(*summary->checksum == compute_checksum(*params.trailer, o.decoded))) {
    __builtin_trap();
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) {
    return 0;
  }
  static const hmac_sha256_key key(
      derive_signing_key("S3RVER", credential_scope{"20240229", "us-east-1", "s3"}));

  const std::uint8_t flags = data[0];
  chunked_params params;
  switch (flags & 3) {
    case 0:
      params.mode = chunked_mode::signed_payload;
      break;
    case 1:
      params.mode = chunked_mode::signed_payload_trailer;
      break;
    default:
      params.mode = chunked_mode::unsigned_payload_trailer;
      break;
  }
  if (params.mode != chunked_mode::unsigned_payload_trailer) {
    params.signing.emplace(
        chunk_signing_params{key, "20240229T235959Z", "20240229/us-east-1/s3/aws4_request",
                             "daffe4f5f37cd992b94771c87c940100d49b1715ff873715f13741bee69eca24"});
  }
  const unsigned algorithm = (flags >> 2) & 7;
  if (algorithm < 5) {
    params.trailer = static_cast<checksum_algorithm>(algorithm);
  }
  if (flags & 0x20) {
    params.decoded_content_length = (std::uint64_t{data[1]} << 8) | data[2];
  }
  if (flags & 0x40) {
    params.limits.max_line_bytes = 96;
    params.limits.max_chunk_size = 1024;
    params.limits.min_chunk_size = 8;
    params.limits.max_trailer_bytes = 128;
  }
  const std::uint32_t split_seed = data[3] | 1u;
  const std::uint8_t* body = data + 4;
  const std::size_t body_size = size - 4;

  // The hardware CRC paths against the portable tables, on the same bytes.
  const std::span<const std::uint8_t> all(body, body_size);
  if (crc32c_update(0, all) != detail::crc32c_update_table(0, all) ||
      crc64nvme_update(0, all) != detail::crc64nvme_update_table(0, all)) {
    __builtin_trap();
  }

  const outcome whole = decode(params, body, body_size, 0);
  const outcome split = decode(params, body, body_size, split_seed);
  if (whole.ok != split.ok || whole.error != split.error) {
    __builtin_trap();
  }
  if (whole.ok && (whole.decoded != split.decoded || whole.length != split.length)) {
    __builtin_trap();
  }
  return 0;
}

#pragma once
// Decoder for `Content-Encoding: aws-chunked` request bodies (S3 streaming uploads). It never
// touches a socket: the caller feeds the transport body's bytes as they arrive and receives the
// decoded object bytes as slices of its own input (no copy).
//
// Accepted grammar (x-amz-content-sha256 selects the mode):
//
//   body          = *data-chunk final-chunk trailer-section
//   data-chunk    = chunk-line data CRLF              ; data is chunk-size bytes, chunk-size > 0
//   final-chunk   = chunk-line                        ; chunk-size = 0
//   chunk-line    = chunk-size [ ";chunk-signature=" signature ] CRLF
//   chunk-size    = 1*HEXDIG                          ; either case, leading zeros allowed
//   signature     = 64 lower-case hex digits
//   trailer-section = [ CRLF ] *( trailer-line ) CRLF
//   trailer-line  = name ":" *WSP value *WSP CRLF
//
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD          every chunk-line has a signature; no trailers
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER  signatures, then the declared checksum trailer and
//                                               an `x-amz-trailer-signature` line, in that order
//   STREAMING-UNSIGNED-PAYLOAD-TRAILER          no signatures; the declared checksum trailer
//
// The optional CRLF opening the trailer section (an empty line right after the final chunk-line)
// is accepted only when a trailer is declared: some clients send one. A body whose declared
// trailer arrived complete (and, when signed, verified) may also end without the closing CRLF.
// Any other deviation fails: lines end in CRLF exactly, nothing may follow the trailer section.
//
// Chunk signatures (AWS "Transferring Payload in Multiple Chunks"): chunk i is signed over
//   AWS4-HMAC-SHA256-PAYLOAD \n <amz-date> \n <scope> \n <signature i-1> \n <sha256("") hex> \n
//   <sha256(chunk data) hex>
// with signature 0 = the seed (the Authorization header's signature). The trailer signature is
//   AWS4-HMAC-SHA256-TRAILER \n <amz-date> \n <scope> \n <final chunk's signature> \n
//   <sha256 hex of "name:value\n" for the checksum trailer>
// All signatures are compared in constant time.
//
// RELEASE CONTRACT. A chunk's bytes are handed out as they arrive, before the chunk's signature
// (which covers the whole chunk) or the trailer checksum (which covers the whole body) can be
// checked. Decoded bytes are therefore PROVISIONAL: the consumer writes them to a temporary
// location and commits the object only if finish() succeeds; after any error it discards
// everything. This is what the store's durable-write protocol does anyway (temp file, rename on
// success), and it keeps memory bounded without buffering up to a chunk (or 5 GiB) per request.
// The seed signature has been verified before the first body byte, so only a holder of the key
// (or a tampering middlebox) can make the store write bytes that are later discarded.
//
// Errors (sticky: once a call fails, every later call returns the same error):
//   signature_does_not_match     a chunk or trailer signature is wrong or absent
//   bad_digest                   the trailer checksum differs from the decoded data
//   invalid_digest               the trailer checksum is not canonical base64 of the right size
//   incomplete_body              the body ended early, or the decoded length differs from
//                                x-amz-decoded-content-length (detected as soon as it is certain)
//   max_message_length_exceeded  a line, chunk or the trailer section exceeds its limit
//   invalid_request              any other malformed framing; a trailer that was not declared
//                                or is repeated; the declared trailer missing when the trailer
//                                section closes (incomplete_body if the body simply ends); a
//                                short non-final chunk (if min_chunk_size is set)
//   invalid_argument             (create) inconsistent parameters

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sigv4/checksum.hpp"
#include "sigv4/crypto.hpp"
#include "sigv4/errors.hpp"

namespace onehop::sigv4 {

enum class chunked_mode {
  signed_payload,            // STREAMING-AWS4-HMAC-SHA256-PAYLOAD
  signed_payload_trailer,    // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
  unsigned_payload_trailer,  // STREAMING-UNSIGNED-PAYLOAD-TRAILER
};

// Maps an `x-amz-content-sha256` value to a mode. Other STREAMING-* values (the ECDSA SigV4a
// ones) are errc::unsupported_algorithm; anything else is errc::invalid_argument.
result<chunked_mode> parse_chunked_mode(std::string_view x_amz_content_sha256) noexcept;

// The x-amz-content-sha256 spelling of a mode.
std::string_view chunked_mode_name(chunked_mode m) noexcept;

// Byte limits. The defaults accept every client we know of: SDKs send 64 KiB (aws-sdk-js v3,
// aws-sdk-go-v2 buffered), 128 KiB (aws-sdk-java) or 1 MiB (botocore) chunks, and aws-sdk-go-v2
// sends a body of known length as a single chunk, so the largest chunk is as large as the largest
// single PUT (5 GiB). A chunk is never buffered, so a big chunk costs no memory.
struct chunked_limits {
  // Longest chunk-line or trailer-line, counting its CRLF. MinIO uses the same 4 KiB.
  std::size_t max_line_bytes = 4096;
  // Largest chunk-size.
  std::uint64_t max_chunk_size = std::uint64_t{5} << 30;
  // Smallest data chunk other than the last one; 0 disables the check. S3 documents 8 KiB for
  // signed chunks, but clients and MinIO do not enforce it, so neither do we by default.
  std::uint64_t min_chunk_size = 0;
  // Total bytes of all trailer lines (each counted with its CRLF, the closing CRLF excluded).
  std::size_t max_trailer_bytes = 1024;
};

// What the verifier derived from the request's Authorization header, for signed modes.
struct chunk_signing_params {
  hmac_sha256_key key;              // the day's signing key (copied into the decoder)
  std::string_view amz_date;        // x-amz-date, "YYYYMMDDTHHMMSSZ"
  std::string_view scope;           // "YYYYMMDD/<region>/<service>/aws4_request"
  std::string_view seed_signature;  // the Authorization header's Signature= (64 hex)
};

struct chunked_params {
  chunked_mode mode = chunked_mode::unsigned_payload_trailer;
  // Required for the two signed modes, ignored otherwise.
  std::optional<chunk_signing_params> signing;
  // The checksum named by `x-amz-trailer`. Required for signed_payload_trailer; optional for
  // unsigned_payload_trailer (then no trailer line is accepted); must be empty for
  // signed_payload. Exactly one trailer line of this name must then arrive.
  std::optional<checksum_algorithm> trailer;
  // x-amz-decoded-content-length, when the request has one.
  std::optional<std::uint64_t> decoded_content_length;
  chunked_limits limits;
};

// What one decode_some() call did.
struct chunked_step {
  // Input bytes used, always > 0 when the input was non-empty and no error was returned.
  std::size_t consumed = 0;
  // Decoded (provisional) bytes: a slice of the input, possibly empty.
  std::span<const std::uint8_t> data;
  // A chunk ended in this step (for a signed mode: its signature was verified). The step stops
  // there, so last_string_to_sign() and last_signature() describe exactly that chunk.
  bool chunk_ended = false;
};

struct chunked_summary {
  std::uint64_t decoded_length = 0;
  // The trailer's checksum, verified against the decoded data; empty if no trailer was declared.
  std::optional<checksum_value> checksum;
};

class chunked_decoder {
 public:
  // Validates the parameters (errc::invalid_argument: signing missing or its seed signature not
  // 64 characters in a signed mode, trailer missing for signed_payload_trailer or present for
  // signed_payload).
  static result<chunked_decoder> create(const chunked_params& params);

  // Decodes from the front of `input` until it has decoded some data, ended a chunk, or used all
  // of `input`. Slices in the result point into `input`.
  result<chunked_step> decode_some(std::span<const std::uint8_t> input) noexcept;
  result<chunked_step> decode_some(std::string_view input) noexcept;

  // Feeds all of `input`, calling sink(std::span<const std::uint8_t>) with each non-empty
  // decoded slice in order. Stops at the first error.
  template <class Sink>
  result<void> feed(std::span<const std::uint8_t> input, Sink&& sink) {
    while (!input.empty()) {
      result<chunked_step> step = decode_some(input);
      if (!step) {
        return step.error();
      }
      if (!step->data.empty()) {
        sink(step->data);
      }
      input = input.subspan(step->consumed);
    }
    return {};
  }
  template <class Sink>
  result<void> feed(std::string_view input, Sink&& sink) {
    return feed(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(input.data()),
                                              input.size()),
                static_cast<Sink&&>(sink));
  }

  // Call when the transport body has ended. Succeeds only if the body was complete and every
  // check passed; only then may the decoded bytes be committed.
  result<chunked_summary> finish() noexcept;

  // Decoded bytes so far.
  std::uint64_t decoded_length() const noexcept { return decoded_; }
  // True once the whole aws-chunked body (trailer section included) has been read.
  bool done() const noexcept { return state_ == state::done; }

  // The string to sign of the most recently verified chunk or trailer signature, and that
  // signature (the seed before the first chunk). For tests and debugging: they describe a live
  // request, so they must not be logged in production.
  std::string_view last_string_to_sign() const noexcept { return string_to_sign_; }
  std::string_view last_signature() const noexcept { return {previous_signature_.data(), 64}; }

  // A short fixed English reason for the failure (empty if none), for the server's log; the
  // client gets only the S3 error code.
  std::string_view failure_reason() const noexcept { return failure_reason_; }

 private:
  enum class state {
    chunk_line,  // reading a chunk-line into line_
    chunk_data,  // chunk_remaining_ bytes of data to go
    data_cr,     // expecting the CR after chunk data
    data_lf,     // expecting the LF after chunk data
    trailer,     // reading trailer lines into line_
    done,
    failed,
  };

  explicit chunked_decoder(const chunked_params& params);

  bool is_signed() const noexcept { return mode_ != chunked_mode::unsigned_payload_trailer; }
  errc fail(errc e, std::string_view reason) noexcept;
  // Appends input up to and including the next LF to line_; returns bytes used. Sets
  // line_complete to true when the LF was found.
  result<std::size_t> take_line(std::span<const std::uint8_t> input, bool& line_complete) noexcept;
  result<void> on_chunk_line(std::string_view line) noexcept;
  result<void> on_trailer_line(std::string_view line) noexcept;
  result<void> on_trailer_end() noexcept;
  // Signs the chunk whose data hashed to `data_hash` and checks pending_signature_.
  result<void> verify_chunk(const sha256_digest& data_hash) noexcept;
  result<void> verify_trailer_signature(std::string_view given) noexcept;

  chunked_mode mode_;
  chunked_limits limits_;
  std::optional<checksum_algorithm> trailer_algorithm_;
  std::optional<std::uint64_t> expected_length_;
  std::optional<hmac_sha256_key> key_;

  state state_ = state::chunk_line;
  errc error_ = errc::invalid_request;
  std::string_view failure_reason_;

  std::string line_;  // the line being assembled, CRLF included
  std::uint64_t chunk_remaining_ = 0;
  std::uint64_t decoded_ = 0;
  bool short_chunk_seen_ = false;  // a data chunk below min_chunk_size was seen

  sha256_hasher chunk_hasher_;
  std::optional<checksum_hasher> body_checksum_;

  // Signing chain.
  std::string string_to_sign_prefix_;  // "AWS4-HMAC-SHA256-PAYLOAD\n<date>\n<scope>\n"
  std::string trailer_prefix_;         // "AWS4-HMAC-SHA256-TRAILER\n<date>\n<scope>\n"
  std::string string_to_sign_;
  std::array<char, 64> previous_signature_{};
  std::array<char, 64> pending_signature_{};

  // Trailer section.
  std::size_t trailer_bytes_ = 0;
  bool trailer_section_started_ = false;  // a trailer line (or the opening CRLF) was read
  std::optional<checksum_value> received_checksum_;
  std::string canonical_trailer_;  // "name:value\n" of the checksum trailer, for its signature
  bool trailer_signature_verified_ = false;
  std::optional<checksum_value> verified_checksum_;
};

}  // namespace onehop::sigv4

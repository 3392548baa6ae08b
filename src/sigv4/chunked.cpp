#include "sigv4/chunked.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

namespace onehop::sigv4 {

namespace {

constexpr std::string_view signature_extension = ";chunk-signature=";
constexpr std::string_view trailer_signature_name = "x-amz-trailer-signature";

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    };
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

std::string_view trim_wsp(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

result<chunked_mode> parse_chunked_mode(std::string_view value) noexcept {
  for (chunked_mode m : {chunked_mode::signed_payload, chunked_mode::signed_payload_trailer,
                         chunked_mode::unsigned_payload_trailer}) {
    if (value == chunked_mode_name(m)) {
      return m;
    }
  }
  if (value == "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD" ||
      value == "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER") {
    return errc::unsupported_algorithm;
  }
  return errc::invalid_argument;
}

std::string_view chunked_mode_name(chunked_mode m) noexcept {
  switch (m) {
    case chunked_mode::signed_payload:
      return "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    case chunked_mode::signed_payload_trailer:
      return "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    case chunked_mode::unsigned_payload_trailer:
      return "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
  }
  return {};
}

result<chunked_decoder> chunked_decoder::create(const chunked_params& params) {
  const bool is_signed_mode = params.mode != chunked_mode::unsigned_payload_trailer;
  if (is_signed_mode && (!params.signing || params.signing->seed_signature.size() != 64)) {
    return errc::invalid_argument;
  }
  if (params.mode == chunked_mode::signed_payload_trailer && !params.trailer) {
    return errc::invalid_argument;
  }
  if (params.mode == chunked_mode::signed_payload && params.trailer) {
    return errc::invalid_argument;
  }
  return chunked_decoder(params);
}

chunked_decoder::chunked_decoder(const chunked_params& params)
    : mode_(params.mode),
      limits_(params.limits),
      trailer_algorithm_(params.trailer),
      expected_length_(params.decoded_content_length) {
  if (is_signed()) {
    const chunk_signing_params& s = *params.signing;
    key_.emplace(s.key);
    string_to_sign_prefix_.append("AWS4-HMAC-SHA256-PAYLOAD\n")
        .append(s.amz_date)
        .append("\n")
        .append(s.scope)
        .append("\n");
    trailer_prefix_.append("AWS4-HMAC-SHA256-TRAILER\n")
        .append(s.amz_date)
        .append("\n")
        .append(s.scope)
        .append("\n");
    std::memcpy(previous_signature_.data(), s.seed_signature.data(), 64);
    string_to_sign_.reserve(string_to_sign_prefix_.size() + 3 * 64 + 3);
  }
  if (trailer_algorithm_) {
    body_checksum_.emplace(*trailer_algorithm_);
  }
  line_.reserve(std::min<std::size_t>(limits_.max_line_bytes, 256));
}

errc chunked_decoder::fail(errc e, std::string_view reason) noexcept {
  state_ = state::failed;
  error_ = e;
  failure_reason_ = reason;
  return e;
}

result<chunked_step> chunked_decoder::decode_some(std::string_view input) noexcept {
  return decode_some(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(input.data()), input.size()));
}

result<chunked_step> chunked_decoder::decode_some(std::span<const std::uint8_t> input) noexcept {
  if (state_ == state::failed) {
    return error_;
  }
  std::size_t pos = 0;
  while (pos < input.size()) {
    switch (state_) {
      case state::chunk_line:
      case state::trailer: {
        bool complete = false;
        result<std::size_t> used = take_line(input.subspan(pos), complete);
        if (!used) {
          return used.error();
        }
        pos += *used;
        if (!complete) {
          break;
        }
        const std::string_view line(line_.data(), line_.size() - 2);
        if (state_ == state::chunk_line) {
          if (result<void> r = on_chunk_line(line); !r) {
            return r.error();
          }
          line_.clear();
          if (state_ == state::trailer) {
            // The final chunk (its signature, if any, verified): a chunk boundary.
            return chunked_step{pos, {}, true};
          }
        } else {
          if (result<void> r = on_trailer_line(line); !r) {
            return r.error();
          }
          line_.clear();
        }
        break;
      }
      case state::chunk_data: {
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(chunk_remaining_, input.size() - pos));
        const std::span<const std::uint8_t> data = input.subspan(pos, n);
        if (is_signed()) {
          chunk_hasher_.update(data);
        }
        if (body_checksum_) {
          body_checksum_->update(data);
        }
        decoded_ += n;
        chunk_remaining_ -= n;
        pos += n;
        bool ended = false;
        if (chunk_remaining_ == 0) {
          if (is_signed()) {
            if (result<void> r = verify_chunk(chunk_hasher_.finish()); !r) {
              return r.error();
            }
          }
          state_ = state::data_cr;
          ended = true;
        }
        return chunked_step{pos, data, ended};
      }
      case state::data_cr:
        if (input[pos] != '\r') {
          return fail(errc::invalid_request, "chunk data not followed by CRLF");
        }
        ++pos;
        state_ = state::data_lf;
        break;
      case state::data_lf:
        if (input[pos] != '\n') {
          return fail(errc::invalid_request, "chunk data not followed by CRLF");
        }
        ++pos;
        state_ = state::chunk_line;
        break;
      case state::done:
        return fail(errc::invalid_request, "bytes after the end of the aws-chunked body");
      case state::failed:
        return error_;
    }
  }
  return chunked_step{pos, {}, false};
}

result<std::size_t> chunked_decoder::take_line(std::span<const std::uint8_t> input,
                                               bool& line_complete) noexcept {
  const std::size_t room =
      limits_.max_line_bytes > line_.size() ? limits_.max_line_bytes - line_.size() : 0;
  const std::size_t scan = std::min(input.size(), room);
  const void* lf = scan > 0 ? std::memchr(input.data(), '\n', scan) : nullptr;
  if (lf == nullptr && input.size() > room) {
    return fail(errc::max_message_length_exceeded, "chunk or trailer line over the limit");
  }
  const std::size_t n =
      lf != nullptr
          ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(lf) - input.data()) + 1
          : input.size();
  line_.append(reinterpret_cast<const char*>(input.data()), n);
  line_complete = lf != nullptr;
  if (line_complete && (line_.size() < 2 || line_[line_.size() - 2] != '\r')) {
    return fail(errc::invalid_request, "line not terminated by CRLF");
  }
  return n;
}

result<void> chunked_decoder::on_chunk_line(std::string_view line) noexcept {
  std::size_t i = 0;
  std::uint64_t size = 0;
  for (; i < line.size(); ++i) {
    const int d = hex_digit(line[i]);
    if (d < 0) {
      break;
    }
    // Checked before the shift, so no overflow even with the largest configurable limit.
    if (size > (limits_.max_chunk_size >> 4)) {
      return fail(errc::max_message_length_exceeded, "chunk size over the limit");
    }
    size = (size << 4) | static_cast<std::uint64_t>(d);
    if (size > limits_.max_chunk_size) {
      return fail(errc::max_message_length_exceeded, "chunk size over the limit");
    }
  }
  if (i == 0) {
    return fail(errc::invalid_request, "chunk size missing");
  }
  const std::string_view rest = line.substr(i);
  if (is_signed()) {
    if (!rest.starts_with(signature_extension)) {
      return fail(errc::signature_does_not_match, "chunk signature missing");
    }
    const std::string_view signature = rest.substr(signature_extension.size());
    if (signature.size() != pending_signature_.size()) {
      return fail(errc::signature_does_not_match, "chunk signature has the wrong length");
    }
    std::memcpy(pending_signature_.data(), signature.data(), signature.size());
  } else if (!rest.empty()) {
    return fail(errc::invalid_request, "unexpected chunk extension");
  }

  if (size == 0) {
    if (expected_length_ && decoded_ != *expected_length_) {
      return fail(errc::incomplete_body, "fewer bytes than x-amz-decoded-content-length");
    }
    if (is_signed()) {
      if (result<void> r = verify_chunk(sha256(std::string_view{})); !r) {
        return r;
      }
    }
    state_ = state::trailer;
    return {};
  }
  if (limits_.min_chunk_size > 0) {
    if (short_chunk_seen_) {
      return fail(errc::invalid_request, "a chunk other than the last is below the minimum size");
    }
    short_chunk_seen_ = size < limits_.min_chunk_size;
  }
  if (expected_length_ && size > *expected_length_ - decoded_) {
    return fail(errc::incomplete_body, "more bytes than x-amz-decoded-content-length");
  }
  if (size > std::numeric_limits<std::uint64_t>::max() - decoded_) {
    return fail(errc::max_message_length_exceeded, "decoded length overflows");
  }
  chunk_remaining_ = size;
  if (is_signed()) {
    chunk_hasher_.reset();
  }
  state_ = state::chunk_data;
  return {};
}

result<void> chunked_decoder::verify_chunk(const sha256_digest& data_hash) noexcept {
  string_to_sign_.assign(string_to_sign_prefix_);
  string_to_sign_.append(previous_signature_.data(), previous_signature_.size());
  string_to_sign_.push_back('\n');
  string_to_sign_.append(empty_sha256_hex);
  string_to_sign_.push_back('\n');
  append_hex(string_to_sign_, data_hash);
  std::array<char, 64> expected;
  hex_encode(key_->sign(string_to_sign_), expected.data());
  if (!constant_time_equal({expected.data(), expected.size()},
                           {pending_signature_.data(), pending_signature_.size()})) {
    return fail(errc::signature_does_not_match, "chunk signature mismatch");
  }
  previous_signature_ = expected;
  return {};
}

result<void> chunked_decoder::on_trailer_line(std::string_view line) noexcept {
  if (line.empty()) {
    if (!trailer_section_started_ && trailer_algorithm_) {
      // The optional empty line between the final chunk and the trailers.
      trailer_section_started_ = true;
      return {};
    }
    return on_trailer_end();
  }
  trailer_section_started_ = true;
  trailer_bytes_ += line.size() + 2;
  if (trailer_bytes_ > limits_.max_trailer_bytes) {
    return fail(errc::max_message_length_exceeded, "trailer section over the limit");
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return fail(errc::invalid_request, "malformed trailer line");
  }
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = trim_wsp(line.substr(colon + 1));

  if (iequals(name, trailer_signature_name)) {
    if (mode_ != chunked_mode::signed_payload_trailer) {
      return fail(errc::invalid_request, "trailer signature in an unsigned-trailer body");
    }
    if (trailer_signature_verified_) {
      return fail(errc::invalid_request, "repeated trailer signature");
    }
    if (!received_checksum_) {
      return fail(errc::invalid_request, "trailer signature before the checksum trailer");
    }
    return verify_trailer_signature(value);
  }
  if (trailer_signature_verified_) {
    return fail(errc::invalid_request, "trailer after the trailer signature");
  }
  const result<checksum_algorithm> algorithm = parse_checksum_header_name(name);
  if (!algorithm || !trailer_algorithm_ || *algorithm != *trailer_algorithm_) {
    return fail(errc::invalid_request, "trailer not declared in x-amz-trailer");
  }
  if (received_checksum_) {
    return fail(errc::invalid_request, "repeated checksum trailer");
  }
  const result<checksum_value> received = parse_checksum_base64(*algorithm, value);
  if (!received) {
    return fail(errc::invalid_digest, "checksum trailer is not valid base64 of its size");
  }
  received_checksum_ = *received;
  // The signed form uses the lower-case name whatever case was sent, as SigV4 canonical headers
  // do.
  canonical_trailer_.assign(checksum_header_name(*algorithm))
      .append(":")
      .append(value)
      .append("\n");
  return {};
}

result<void> chunked_decoder::verify_trailer_signature(std::string_view given) noexcept {
  string_to_sign_.assign(trailer_prefix_);
  string_to_sign_.append(previous_signature_.data(), previous_signature_.size());
  string_to_sign_.push_back('\n');
  append_hex(string_to_sign_, sha256(canonical_trailer_));
  std::array<char, 64> expected;
  hex_encode(key_->sign(string_to_sign_), expected.data());
  if (!constant_time_equal({expected.data(), expected.size()}, given)) {
    return fail(errc::signature_does_not_match, "trailer signature mismatch");
  }
  previous_signature_ = expected;
  trailer_signature_verified_ = true;
  return {};
}

result<void> chunked_decoder::on_trailer_end() noexcept {
  if (trailer_algorithm_) {
    if (!received_checksum_) {
      return fail(errc::invalid_request, "declared checksum trailer missing");
    }
    if (mode_ == chunked_mode::signed_payload_trailer && !trailer_signature_verified_) {
      return fail(errc::signature_does_not_match, "trailer signature missing");
    }
    // Compared only now, after the trailer signature (if any) authenticated the claimed value.
    const checksum_value computed = body_checksum_->value();
    if (!(computed == *received_checksum_)) {
      return fail(errc::bad_digest, "checksum trailer differs from the data");
    }
    verified_checksum_ = computed;
  }
  state_ = state::done;
  return {};
}

result<chunked_summary> chunked_decoder::finish() noexcept {
  if (state_ == state::failed) {
    return error_;
  }
  // A complete (and, if signed, authenticated) trailer without the closing empty line: the
  // checksum still decides, so accepting it loses nothing.
  if (state_ == state::trailer && line_.empty() && trailer_algorithm_ && received_checksum_ &&
      (mode_ != chunked_mode::signed_payload_trailer || trailer_signature_verified_)) {
    if (result<void> r = on_trailer_end(); !r) {
      return r.error();
    }
  }
  if (state_ != state::done) {
    return fail(errc::incomplete_body, "body ended before the aws-chunked encoding did");
  }
  return chunked_summary{decoded_, verified_checksum_};
}

}  // namespace onehop::sigv4

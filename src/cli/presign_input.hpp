#pragma once
// The `onehop presign` command's inputs, parsed once from command-line text into typed values.
// Pure: no environment, no clock, no I/O. Every error is one line of text meant for the user.
//
// Grammars and limits:
//   --header   `Name: value`, at most max_header_arg_bytes. Name: 1*tchar (RFC 9110), lower-cased;
//              not `host` (it comes from the endpoint), `authorization`,
//              `x-amz-date`, `x-amz-content-sha256` nor `x-amz-security-token` (query auth
//              carries them). Value: leading and trailing spaces/tabs removed; no control bytes
//              other than tab. Valid UTF-8.
//   --query    `name=value` or `name` (empty value), at most max_query_arg_bytes, valid UTF-8,
//              name not empty and not one of the X-Amz-* query-auth parameters (any case).
//              Name and value are raw text: the signer percent-encodes them.
//   --date     `YYYYMMDDTHHMMSSZ` (sigv4::parse_amz_date).
//   --expires  1..max_expires seconds (S3's limit for SigV4 presigned URLs: 7 days).
//   keys       1..max_key_bytes bytes of valid UTF-8 (S3's limit).
//   --max-size 0..max_post_object_bytes (S3's limit for a POST upload: 5 GiB).
//   --region   1..max_region_bytes of `A-Za-z0-9-` (it becomes part of the credential scope and,
//              for AWS's default endpoint, of a host name).

#include <boost/system/result.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sigv4/signer.hpp"

namespace onehop::cli {

inline constexpr std::size_t max_key_bytes = 1024;
inline constexpr std::size_t max_header_arg_bytes = 8192;
inline constexpr std::size_t max_query_arg_bytes = 8192;
inline constexpr std::int64_t min_expires = 1;
inline constexpr std::int64_t max_expires = 604800;
inline constexpr std::uint64_t max_post_object_bytes = 5ULL * 1024 * 1024 * 1024;
inline constexpr std::size_t max_region_bytes = 64;

// A message for the user, without the `onehop presign: ` prefix.
struct input_error {
  std::string message;
};

// boost::system::result throws through this on value() of an error: a bug in the caller.
[[noreturn]] void throw_exception_from_error(const input_error& e,
                                             const boost::source_location& loc);

template <class T>
using input_result = boost::system::result<T, input_error>;

struct header_arg {
  std::string name;  // lower case
  std::string value;
};

struct query_arg {
  std::string name;
  std::string value;
};

input_result<header_arg> parse_header_arg(std::string_view text);
input_result<query_arg> parse_query_arg(std::string_view text);

// Also rejects a name given twice (headers compare case-insensitively, already lower-cased).
input_result<void> check_unique_headers(std::span<const header_arg> headers);
input_result<void> check_unique_queries(std::span<const query_arg> queries);

input_result<std::chrono::sys_seconds> parse_date_arg(std::string_view text);
input_result<void> check_expires(std::int64_t seconds);
input_result<void> check_max_size(std::uint64_t bytes);
input_result<void> check_region(std::string_view region);

// Empty, over max_key_bytes, or not valid UTF-8. The message names the key's size, never its
// bytes (they may not be printable).
input_result<void> check_key(std::string_view key);

// True for AWS's S3 hosts: `amazonaws.com` and its subdomains (also `amazonaws.com.cn`).
bool is_aws_host(std::string_view host) noexcept;

// The addressing style when neither --path-style nor --virtual-hosted is given, as botocore
// chooses for AWS: virtual-hosted for an AWS endpoint and a bucket valid in a host name (no '.'),
// path style otherwise (every self-hosted store, IP addresses, localhost, dotted buckets).
sigv4::addressing_style default_addressing(const sigv4::s3_endpoint& endpoint,
                                           std::string_view bucket) noexcept;

}  // namespace onehop::cli

#pragma once
// The single-value rules of onehop.toml keys (format and allowed values). Each takes the value
// already converted to its kind, may normalize it, and returns why it is refused, or nullopt.
// Rules that involve two keys are in validate.cpp.

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "config/schema.hpp"

namespace onehop::config::checks {

inline constexpr std::size_t min_jwt_secret_bytes = 32;  // RFC 7518 3.2: at least the hash size
inline constexpr double max_rate = 1e6;
inline constexpr std::size_t min_access_key_bytes = 3;
inline constexpr std::size_t min_store_secret_bytes =
    8;  // as MinIO: a guessable secret is no secret

// The only formats onehop can verify by their magic bytes on completion.
inline constexpr std::array<std::string_view, 5> verifiable_types{
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"};

std::optional<std::string> listen_address(value& v);
std::optional<std::string> endpoint(value& v);           // sigv4::parse_endpoint
std::optional<std::string> optional_endpoint(value& v);  // empty or endpoint
std::optional<std::string> optional_url(value& v);       // empty or http(s)://host[:port][/path]
std::optional<std::string> region(value& v);
std::optional<std::string> bucket(value& v);       // S3 rules, path style
std::optional<std::string> bucket_list(value& v);  // each a bucket, no repeats
std::optional<std::string> host_list(value& v);
std::optional<std::string> access_key(value& v);    // empty or 3+ bytes, no space or '/'
std::optional<std::string> store_secret(value& v);  // empty or 8+ bytes
std::optional<std::string> secret_text(value& v);   // no control characters
std::optional<std::string> plain_text(value& v);    // no control characters
std::optional<std::string> origin_list(value& v);
std::optional<std::string> content_types(value& v);
std::optional<std::string> key_prefix(value& v);
std::optional<std::string> upload_method(value& v);
std::optional<std::string> rate(value& v);
std::optional<std::string> burst(value& v);
std::optional<std::string> log_level(value& v);
std::optional<std::string> log_format(value& v);
std::optional<std::string> database_url(value& v);
std::optional<std::string> cookie_name(value& v);
std::optional<std::string> jwt_secret(value& v);
std::optional<std::string> api_keys(value& v);

}  // namespace onehop::config::checks

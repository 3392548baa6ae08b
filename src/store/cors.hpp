#pragma once
// Bucket CORS: the PutBucketCors document, its rendering for GetBucketCors, and S3's evaluation
// of preflight (OPTIONS) and actual cross-origin requests. Pure.
//
// Accepted document (64 KiB at most, parse_errc::max_message_length_exceeded above):
//   <CORSConfiguration> 1..100 <CORSRule>, each with
//     <ID> at most one, <= 255 bytes
//     <AllowedOrigin> one or more; at most one '*' wildcard each ("*", "https://*.example.com")
//     <AllowedMethod> one or more of GET PUT POST DELETE HEAD (case-sensitive, as S3)
//     <AllowedHeader> any number; at most one '*' each; matched case-insensitively
//     <ExposeHeader> any number; no wildcard
//     <MaxAgeSeconds> at most one, a non-negative integer
// Not well-formed, a wrong root, an unknown element in a rule, a rule without origin or method,
// zero rules -> parse_errc::malformed_xml; an unsupported method, a second wildcard, a wildcard
// ExposeHeader, more than 100 rules, a bad MaxAgeSeconds -> parse_errc::invalid_request.
//
// Evaluation follows S3: the first rule whose AllowedOrigin matches the Origin, whose
// AllowedMethod contains the (requested) method and, for a preflight, whose AllowedHeaders cover
// every header in Access-Control-Request-Headers, decides. The response echoes the origin
// (Access-Control-Allow-Credentials: true) unless the matching AllowedOrigin was exactly "*",
// in which case Access-Control-Allow-Origin is "*".

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/parse_errors.hpp"

namespace onehop::store {

inline constexpr std::size_t max_cors_configuration_bytes = 64 * 1024;
inline constexpr std::size_t max_cors_rules = 100;
inline constexpr std::size_t max_cors_rule_id_bytes = 255;

struct cors_rule {
  std::string id;
  std::vector<std::string> allowed_origins;
  std::vector<std::string> allowed_methods;
  std::vector<std::string> allowed_headers;  // lowercased
  std::vector<std::string> expose_headers;
  std::optional<std::uint32_t> max_age_seconds;
};

struct cors_configuration {
  std::vector<cors_rule> rules;
};

result<cors_configuration> parse_cors_configuration(std::string_view xml);

// The GetBucketCors document (S3 namespace).
std::string render_cors_configuration(const cors_configuration& config);

struct http_header {
  std::string name;
  std::string value;

  friend bool operator==(const http_header&, const http_header&) = default;
};

struct preflight_request {
  std::optional<std::string_view> origin;          // Origin
  std::optional<std::string_view> request_method;  // Access-Control-Request-Method
  std::string_view request_headers;                // Access-Control-Request-Headers (may be "")
};

enum class preflight_outcome {
  allowed,      // 200 with `headers`
  forbidden,    // 403 AccessForbidden, `message` as S3 words it
  bad_request,  // 400 BadRequest (no Origin, or no/invalid Access-Control-Request-Method)
};

struct preflight_result {
  preflight_outcome outcome = preflight_outcome::forbidden;
  std::vector<http_header> headers;
  std::string_view message;
};

// `config` is nullptr when the bucket has no CORS configuration (S3 then answers 403).
preflight_result evaluate_preflight(const cors_configuration* config,
                                    const preflight_request& request);

// Headers to add to the response of an actual (non-OPTIONS) request carrying `origin`; empty when
// there is no configuration, no Origin or no matching rule (only Vary is added for a
// configured bucket whose rules do not match, so caches keep responses per origin).
std::vector<http_header> actual_request_headers(const cors_configuration* config,
                                                std::optional<std::string_view> origin,
                                                std::string_view method);

// True when `value` matches `pattern` with at most one '*' standing for any run of bytes.
bool wildcard_match(std::string_view pattern, std::string_view value) noexcept;

}  // namespace onehop::store

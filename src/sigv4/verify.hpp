#pragma once
// SigV4 verification for the S3 store: Authorization-header requests, presigned URLs and browser
// POST forms. Pure: the request, the clock (`now`) and the credential lookup are parameters.
//
// The store calls verify() on the request head BEFORE reading any body byte. On success it gets
// a verified_request telling it how to treat the body: compare its SHA-256 with payload_sha256,
// accept it unsigned, or hand seed_signature and signing_key to the aws-chunked decoder.
//
// Checks, in order (header auth / presigned):
//  1. exactly one scheme: an Authorization header or X-Amz-* query parameters (both ->
//     invalid_argument; neither -> missing_authentication, i.e. an anonymous request);
//  2. the claims parse (auth_parse.hpp errors);
//  3. header auth: x-amz-content-sha256 present (missing_security_header) and one of 64 hex
//     digits, UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD,
//     STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
//     (invalid_argument); X-Amz-Date present and valid (access_denied); |now - date| <=
//     max_clock_skew (request_time_too_skewed);
//     presigned: date <= now + max_clock_skew (request_not_yet_valid) and now <= date + expires
//     (request_expired);
//  4. the credential scope: date equal to X-Amz-Date's date, the server's region and service,
//     "aws4_request" (authorization_header_malformed / authorization_query_parameters_error);
//  5. `host` signed; every signed header present in the request; every x-amz-* request header
//     signed except x-amz-date and x-amz-content-sha256, which the string to sign binds anyway
//     (access_denied);
//  6. the access key known to the lookup (its error is returned, normally invalid_access_key_id);
//  7. the session token: when the credentials have one, the request carries the same one, signed;
//     a long-term key refuses any token (access_denied);
//  8. the signature, recomputed with canonical.hpp and compared in constant time
//     (signature_does_not_match; `details` then receives what we computed).

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sigv4/auth_parse.hpp"
#include "sigv4/canonical.hpp"
#include "sigv4/crypto.hpp"
#include "sigv4/errors.hpp"
#include "sigv4/post_policy.hpp"
#include "sigv4/signing_key.hpp"

namespace onehop::sigv4 {

// The head of an HTTP request as received. Views: the caller keeps the bytes alive.
struct http_request_view {
  std::string_view method;  // "PUT"
  std::string_view path;    // the request-target's path as sent (percent-encoded), no query
  std::string_view query;   // the raw query string after '?', without it; empty if none
  std::span<const header_field> headers;  // in the order received, names in any case
  // Used only when options.require_content_sha256 is false and the request has no
  // x-amz-content-sha256 header (generic SigV4, as in AWS's test suite): the lower-case hex
  // SHA-256 of the body, which the caller must then already hold.
  std::string_view generic_payload_hash;
};

// Returns the credentials of an access key, or an error (normally errc::invalid_access_key_id)
// that verification returns as is.
using credentials_lookup = std::function<result<credentials_view>(std::string_view access_key_id)>;

struct verifier_options {
  std::string region = "us-east-1";
  std::string service = "s3";
  std::chrono::seconds max_clock_skew{15 * 60};
  // S3 requires x-amz-content-sha256 on header-authenticated requests. False only to verify
  // generic SigV4 requests (AWS's test suite), with http_request_view::generic_payload_hash.
  bool require_content_sha256 = true;
  // S3 refuses unsigned x-amz-* headers; see check 5 above.
  bool require_signed_amz_headers = true;
  parse_limits limits;
  policy_limits policy;
};

enum class auth_kind { header, presigned, post_form };

// GCC's -Wshadow flags an enumerator named like a namespace-scope variable (canonical.hpp's
// `unsigned_payload` string), although a scoped enumerator can never be confused with it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
enum class payload_mode {
  sha256,                      // x-amz-content-sha256 is the body's hex SHA-256
  unsigned_payload,            // UNSIGNED-PAYLOAD (the usual case for presigned URLs)
  streaming_signed,            // STREAMING-AWS4-HMAC-SHA256-PAYLOAD
  streaming_unsigned_trailer,  // STREAMING-UNSIGNED-PAYLOAD-TRAILER
  streaming_signed_trailer,    // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
};
#pragma GCC diagnostic pop

// Parses an x-amz-content-sha256 value. Errors: invalid_argument.
result<payload_mode> parse_payload_mode(std::string_view value, sha256_digest* digest = nullptr);

// What a successful verification established. Holds the signing key: never log it.
struct verified_request {
  auth_kind kind = auth_kind::header;
  std::string access_key_id;
  std::string amz_date;  // X-Amz-Date as signed, "YYYYMMDDTHHMMSSZ"
  std::chrono::sys_seconds request_time{};
  std::string scope;                                   // "<date>/<region>/<service>/aws4_request"
  std::optional<std::chrono::sys_seconds> expires_at;  // presigned only
  payload_mode payload = payload_mode::unsigned_payload;
  sha256_digest payload_sha256{};  // the body must hash to this when payload == sha256
  // The request's signature in lower-case hex: the chain start of aws-chunked signatures.
  std::string seed_signature;
  // The day's signing key, ready to sign chunk strings to sign.
  hmac_sha256_key signing_key{std::string_view{}};
};

// On signature_does_not_match, what we computed (S3 returns these in its error body; they are
// not secrets). Left untouched on other outcomes.
struct signature_mismatch_details {
  std::string access_key_id;
  std::string canonical_request;  // empty for a POST form (its signature covers the policy)
  std::string string_to_sign;
};

// What a successful POST form verification established.
struct verified_post {
  std::string access_key_id;
  std::string amz_date;
  std::string scope;
  post_policy policy;
  post_policy_decision decision;  // the key to write and the allowed file size
};

// Verifies requests for one region and service. Keeps working memory between calls, so it is
// not thread-safe: keep one per thread (or per connection).
class verifier {
 public:
  verifier(verifier_options options, credentials_lookup lookup);

  const verifier_options& options() const noexcept { return options_; }

  // Chooses header or presigned verification from the request (check 1 above).
  result<verified_request> verify(const http_request_view& request, std::chrono::sys_seconds now,
                                  signature_mismatch_details* details = nullptr);
  result<verified_request> verify_header(const http_request_view& request,
                                         std::chrono::sys_seconds now,
                                         signature_mismatch_details* details = nullptr);
  result<verified_request> verify_presigned(const http_request_view& request,
                                            std::chrono::sys_seconds now,
                                            signature_mismatch_details* details = nullptr);

  // Verifies a browser POST form: its fields (those before `file`, any case), the bucket of the
  // request URL and the file part's filename. Checks the claims (parse_post_form), the scope
  // (date equal to x-amz-date's, region, service: invalid_argument), the access key, the session
  // token (access_denied), the signature over the policy's base64 text
  // (signature_does_not_match), then parses and evaluates the policy (post_policy.hpp errors).
  result<verified_post> verify_post(std::span<const form_field> fields, std::string_view bucket,
                                    std::string_view filename, std::chrono::sys_seconds now,
                                    signature_mismatch_details* details = nullptr);

 private:
  verifier_options options_;
  credentials_lookup lookup_;
  canonical_scratch scratch_;
  signing_key_cache keys_;  // one derivation per key and day, not per request
};

}  // namespace onehop::sigv4

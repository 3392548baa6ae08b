#pragma once
// The SigV4 signer for S3: presigned URLs (query authentication) and Authorization-header
// signing, byte-identical to botocore's S3 signers.
//
// Pure: no clock, no I/O. `now` is a parameter; the caller owns every input buffer.
//
// A `presigner` keeps the credentials, the endpoint, the region, its working buffers and the
// current UTC day's signing key (derived once per day, four HMACs; a signature then costs one
// SHA-256 of the canonical request and one HMAC with precomputed pads). Not thread-safe: keep one
// per thread.
//
// Presigned URL layout (botocore's order): `<scheme>://<host><path>?<extra params in the order
// given>&X-Amz-Algorithm=..&X-Amz-Credential=..&X-Amz-Date=..&X-Amz-Expires=..
// &X-Amz-SignedHeaders=..[&X-Amz-Security-Token=..]&X-Amz-Signature=..`. Every name and value is
// URI-encoded (`/` too); a parameter with an empty value is written `name=`.
//
// Addressing: path style signs `/<bucket>/<key>` against the endpoint's host; virtual-hosted
// style signs `/<key>` against `<bucket>.<host>`. The key is raw bytes (never pre-encoded) and is
// encoded once with `/` kept, never normalized (`a/../b`, `//`, a leading `/` stay as they are).
// An empty bucket addresses the endpoint root: the path is `/<key>` and the key may be empty.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sigv4/canonical.hpp"
#include "sigv4/crypto.hpp"
#include "sigv4/errors.hpp"

namespace onehop::sigv4 {

// Secret material: deliberately no operator<<. An empty session_token means long-term keys.
struct credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
};

enum class addressing_style { path, virtual_hosted };

// Where requests go. `host` is lower-case; an IPv6 literal keeps its brackets (`[::1]`).
struct s3_endpoint {
  std::string scheme;      // "http" or "https"
  std::string host;        // no port
  std::uint16_t port = 0;  // 0 when the URL gave none or gave the scheme's default

  // `host` or `host:port`: the Host header value and the URL authority.
  std::string authority() const;
};

// Parses an endpoint URL. Grammar (case-insensitive scheme and host):
//   ("http" | "https") "://" host [":" port] ["/"]
//   host = 1*253( ALPHA / DIGIT / "-" / "." / "_" ) | "[" IPv6 address "]"
//   port = 1..65535, at most 5 digits
// No userinfo, path (beyond one `/`), query or fragment; at most 2048 bytes.
// A port equal to the scheme's default (80, 443) is dropped, as botocore does for the Host header.
// Errors: errc::invalid_argument.
inline constexpr std::size_t max_endpoint_url_size = 2048;
result<s3_endpoint> parse_endpoint(std::string_view url);

// botocore 1.29's default endpoint for a region: `https://s3.amazonaws.com` for us-east-1 (the
// global endpoint, as in tests/data/presign), `https://s3.<region>.amazonaws.com` otherwise.
s3_endpoint aws_endpoint(std::string_view region);

inline constexpr std::size_t max_key_size = 1024;
inline constexpr std::chrono::seconds min_presign_expiry{1};
inline constexpr std::chrono::seconds max_presign_expiry{604800};  // 7 days, S3's limit

// An object key: 1..1024 bytes of valid UTF-8. Errors: errc::invalid_argument.
result<void> validate_key(std::string_view key);

// A bucket name by S3's rules: 3..63 bytes of `a-z0-9.-`, starting and ending with a letter or
// digit; virtual-hosted style also refuses `.` (it breaks TLS wildcard certificates).
// Errors: errc::invalid_argument.
result<void> validate_bucket(std::string_view bucket, addressing_style style);

// A presigned request. Views: the caller keeps the bytes alive during the call.
struct presign_request {
  std::string_view method = "GET";
  std::string_view bucket;  // empty: endpoint root (then `key` may be empty)
  std::string_view key;     // raw bytes, 1..1024 of UTF-8 when `bucket` is set
  // Extra (operation) parameters, decoded, in URL order: partNumber, uploadId, uploads (empty
  // value), response-content-disposition, ... Names must not be X-Amz-* auth parameters.
  std::span<const query_param> query;
  // Headers the uploader must send, signed besides `host` (any name case; values as sent).
  // Must not include host, authorization, x-amz-date, x-amz-content-sha256, x-amz-security-token.
  std::span<const header_field> headers;
  std::chrono::seconds expires{900};  // min_presign_expiry..max_presign_expiry
  // UNSIGNED-PAYLOAD for S3; a hex SHA-256 for the generic test suites.
  std::string_view payload_hash = unsigned_payload;
};

// A request to sign with an Authorization header.
struct sign_request {
  std::string_view method = "GET";
  std::string_view bucket;
  std::string_view key;
  std::span<const query_param> query;     // decoded, in the order they will be sent
  std::span<const header_field> headers;  // signed besides the ones the signer adds
  // Hex SHA-256 of the body, unsigned_payload, or streaming_payload (aws-chunked).
  std::string_view payload_hash = empty_sha256_hex;
  // S3 requires a signed x-amz-content-sha256 header; generic SigV4 (the AWS suites) omits it.
  bool send_content_sha256 = true;
};

// What to add to a header-signed request. Holds the signing key: never log it.
struct header_auth {
  std::string target;           // encoded path, plus `?query` (the order given) when any
  std::string host;             // Host
  std::string amz_date;         // x-amz-date
  std::string content_sha256;   // x-amz-content-sha256 (empty when not sent)
  std::string security_token;   // x-amz-security-token (empty without a session token)
  std::string authorization;    // Authorization
  std::string signature;        // hex; the seed signature of an aws-chunked body
  std::string scope;            // <date>/<region>/<service>/aws4_request
  sha256_digest signing_key{};  // kSigning, to sign aws-chunked chunk signatures
};

struct signer_config {
  credentials creds;
  s3_endpoint endpoint;
  std::string region;
  addressing_style style = addressing_style::path;
  std::string service = "s3";
};

class presigner {
 public:
  explicit presigner(signer_config config);

  // Writes the presigned URL into `out_url` (cleared first). Errors (errc::invalid_argument):
  // bad key or bucket, expiry out of range, a forbidden or malformed header or parameter name,
  // a header value with control characters, `now` outside years 0000..9999.
  result<void> presign(std::string& out_url, const presign_request& request,
                       std::chrono::sys_seconds now);

  // Signs with an Authorization header. Same errors as presign (expiry aside).
  result<void> sign(header_auth& out, const sign_request& request, std::chrono::sys_seconds now);

  // Intermediate strings of the last successful call (for tests and debugging; valid until the
  // next call). The signature is not secret once the URL is handed out, but do not log live ones.
  std::string_view canonical_request() const noexcept { return canonical_request_; }
  std::string_view string_to_sign() const noexcept { return string_to_sign_; }
  std::string_view signature() const noexcept { return std::string_view(signature_, 64); }

  const signer_config& config() const noexcept { return config_; }

 private:
  result<void> prepare(std::string_view method, std::string_view bucket, std::string_view key,
                       std::span<const query_param> query, std::span<const header_field> headers,
                       std::string_view payload_hash, std::chrono::sys_seconds now);
  void ensure_day(std::chrono::sys_days day);
  void finish_signature();

  signer_config config_;
  std::string authority_;
  std::string encoded_token_;

  // Per-day state.
  std::optional<std::chrono::sys_days> day_;
  sha256_digest signing_key_{};
  std::optional<hmac_sha256_key> key_;
  std::string scope_;               // date/region/service/aws4_request
  std::string credential_;          // AKID/scope
  std::string encoded_credential_;  // AKID%2Fscope

  // Per-call buffers, reused.
  char amz_date_[16] = {};
  char signature_[64] = {};
  std::string host_;
  std::string path_;  // encoded path: canonical URI and URL path
  std::vector<header_field> fields_;
  std::vector<query_param> params_;
  std::string canonical_headers_;
  std::string signed_headers_;
  std::string encoded_signed_headers_;
  std::string canonical_query_;
  std::string canonical_request_;
  std::string string_to_sign_;
  canonical_scratch scratch_;
  sha256_hasher hasher_;
};

// One-shot presign (builds a presigner: derives the key, allocates). For tools and tests.
struct presigned_url {
  std::string url;
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
};
result<presigned_url> presign_url(const signer_config& config, const presign_request& request,
                                  std::chrono::sys_seconds now);

}  // namespace onehop::sigv4

#pragma once
// Parsers of the three places a SigV4 request carries its claims: the Authorization header, the
// presigned query string and the fields of a browser POST form. Each parser reads untrusted
// bytes once, under a byte cap, into a typed value; it checks only the grammar. Whether the
// claims are true (scope, time, signature) is decided by verify.hpp.

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sigv4/canonical.hpp"
#include "sigv4/crypto.hpp"
#include "sigv4/errors.hpp"

namespace onehop::sigv4 {

// The credential scope's last element. The only algorithm accepted is `algorithm`
// (canonical.hpp).
inline constexpr std::string_view scope_terminator = "aws4_request";

// What a credentials lookup returns for an access key. Views: they must stay valid until the
// verify call that asked for them returns. Holds a secret: never log it.
struct credentials_view {
  std::string_view access_key_id;
  std::string_view secret_access_key;
  // Empty for a long-term key. Otherwise the request must carry exactly this token.
  std::string_view session_token;
};

// Byte caps of the parsers. Input longer than a cap is refused with
// errc::max_message_length_exceeded before any other check.
struct parse_limits {
  std::size_t authorization_header_bytes = 8 * 1024;  // the Authorization header's value
  std::size_t presigned_query_bytes = 16 * 1024;      // the whole raw query string
  std::size_t post_form_bytes = 20 * 1024;  // sum of names and values of the fields before `file`
  std::size_t post_form_fields = 128;       // number of those fields
  std::size_t signed_headers = 64;          // entries in a SignedHeaders list
};

// "<access key>/<YYYYMMDD>/<region>/<service>/aws4_request", split and checked for shape only:
// the access key is 1..128 visible ASCII characters other than '/' and ',', the date 8 digits,
// region and service 1..64 characters of [A-Za-z0-9._-], and the terminator is exactly
// "aws4_request".
struct credential_claim {
  std::string access_key_id;
  std::string date;
  std::string region;
  std::string service;

  // "<date>/<region>/<service>/aws4_request": the scope line of the string to sign.
  std::string scope() const;
};

// Parses the value of X-Amz-Credential (already percent-decoded) or of Credential=.
// Errors: errc::invalid_argument on any shape error (callers map it to their own code).
result<credential_claim> parse_credential(std::string_view value);

// Parses a SignedHeaders list: ';'-separated, non-empty names of lower-case token characters,
// strictly ascending (so no duplicates), at most `max_entries`. Errors: errc::invalid_argument.
result<std::vector<std::string>> parse_signed_headers(std::string_view value,
                                                      std::size_t max_entries);

// The Authorization header, as real clients send it:
//   AWS4-HMAC-SHA256 SP+ Credential=<credential> "," OWS SignedHeaders=<list> "," OWS
//   Signature=<64 hex>
// The three components may come in any order, each exactly once; OWS is spaces or tabs.
struct authorization_claims {
  credential_claim credential;
  std::string signed_headers;                    // the list as sent ("host;x-amz-date")
  std::vector<std::string> signed_header_names;  // the same, split
  sha256_digest signature{};
};

// Errors: max_message_length_exceeded (over limits.authorization_header_bytes),
// unsupported_algorithm (another scheme, e.g. "AWS " (SigV2) or SigV4a),
// authorization_header_malformed (anything else wrong: missing, duplicate or unknown
// component, bad credential, bad list, signature not 64 hex digits).
result<authorization_claims> parse_authorization_header(std::string_view value,
                                                        const parse_limits& limits = {});

// The X-Amz-* parameters of a presigned URL. Parameter names are case-sensitive, as in S3.
struct presigned_claims {
  credential_claim credential;
  std::string amz_date;  // X-Amz-Date as sent, "YYYYMMDDTHHMMSSZ"
  std::chrono::sys_seconds date{};
  std::chrono::seconds expires{};  // min_presign_expiry..max_presign_expiry (signer.hpp)
  std::string signed_headers;
  std::vector<std::string> signed_header_names;
  sha256_digest signature{};
  std::optional<std::string> security_token;  // X-Amz-Security-Token, percent-decoded
  std::optional<std::string> content_sha256;  // X-Amz-Content-Sha256, rarely sent, signed if so
};

// True when the raw query carries an X-Amz-Signature, X-Amz-Algorithm or X-Amz-Credential
// parameter (names as written, not decoded), i.e. the
// request claims presigned authentication (used to choose the verifier, not to trust anything).
bool has_presigned_parameters(std::string_view raw_query) noexcept;

// Parses the raw query string (without '?'). Errors: max_message_length_exceeded (over
// limits.presigned_query_bytes), unsupported_algorithm (X-Amz-Algorithm not AWS4-HMAC-SHA256),
// authorization_query_parameters_error (a required parameter missing or repeated, bad
// percent-encoding, bad credential, date, list or signature, expiry outside 1..604800).
result<presigned_claims> parse_presigned_query(std::string_view raw_query,
                                               const parse_limits& limits = {});

// One field of a multipart/form-data POST, in the order received. Only the fields before `file`
// are given to the parsers (S3 ignores the ones after it).
struct form_field {
  std::string_view name;
  std::string_view value;
};

// The authentication fields of a browser POST; field names are case-insensitive.
struct post_form_claims {
  credential_claim credential;
  std::string amz_date;
  std::chrono::sys_seconds date{};
  sha256_digest signature{};
  std::string policy;  // the base64 text, as received (the signature covers exactly this)
  std::optional<std::string> security_token;
};

// Errors: max_message_length_exceeded (more than limits.post_form_fields fields or
// limits.post_form_bytes bytes), unsupported_algorithm (x-amz-algorithm other than
// AWS4-HMAC-SHA256, or a SigV2 form with AWSAccessKeyId), invalid_argument (a field repeated,
// a required field missing, or a malformed credential, date or signature).
result<post_form_claims> parse_post_form(std::span<const form_field> fields,
                                         const parse_limits& limits = {});

// ASCII case-insensitive equality, for header and form field names.
bool ascii_iequals(std::string_view a, std::string_view b) noexcept;

// The value of the form field named `name` (ASCII case-insensitive), if there is one.
std::optional<std::string_view> find_form_field(std::span<const form_field> fields,
                                                std::string_view name) noexcept;

// True when two fields share a name (ASCII case-insensitive): S3 refuses such forms.
bool has_repeated_form_field(std::span<const form_field> fields) noexcept;

}  // namespace onehop::sigv4

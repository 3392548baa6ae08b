#pragma once
// SigV4 canonicalization for S3, shared by the signer and the verifier so that both build the
// canonical request the same way. Every function appends into a caller's buffer; working memory
// lives in a reusable `canonical_scratch`, so steady-state calls do not allocate.
//
// S3's rules (differences from the generic SigV4 algorithm are marked [S3]):
// - Canonical URI: the decoded path, URI-encoded once with `/` kept. [S3] No path normalization:
//   `.`, `..`, `//`, leading and trailing `/` are signed as they are; no second encoding.
// - Canonical query: every parameter's decoded name and value URI-encoded (`/` encoded too),
//   sorted by encoded name, then encoded value (bytewise), joined as `name=value` with `&`.
//   A parameter without `=` is `name=`. `X-Amz-Signature` is left out when canonicalizing a
//   presigned request as received.
// - Canonical headers: names lower-cased; values with leading/trailing spaces and tabs removed and
//   every inner run of spaces/tabs replaced by one space; repeated names joined with `,` in the
//   order given; sorted by name; one `name:value\n` line each. SignedHeaders is the sorted names
//   joined with `;`.
// - String to sign: `AWS4-HMAC-SHA256\n<amz date>\n<scope>\n<hex sha256(canonical request)>`.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sigv4/crypto.hpp"
#include "sigv4/errors.hpp"
#include "sigv4/signing_key.hpp"

namespace onehop::sigv4 {

inline constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view unsigned_payload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view streaming_payload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";

// One header as received or to be sent. Views: the caller keeps the bytes alive.
struct header_field {
  std::string_view name;
  std::string_view value;
};

// One query parameter, decoded (not percent-encoded). A parameter written without `=` has an
// empty value.
struct query_param {
  std::string_view name;
  std::string_view value;
};

// Reusable working memory. Keep one per thread (or per signer/verifier); not thread-safe.
class canonical_scratch {
 private:
  friend struct canonical_detail;
  struct entry {
    std::uint32_t name_offset;
    std::uint32_t name_size;
    std::uint32_t value_offset;  // for headers: index of the header in the caller's span
    std::uint32_t value_size;
  };
  std::string bytes_;
  std::string decoded_;
  std::vector<entry> entries_;
};

// Canonical URI of a decoded path (`/bucket/key`, `/key`). An empty path becomes `/`.
void append_canonical_uri(std::string& out, std::string_view decoded_path);

// Canonical URI of a path as received on the wire (percent-encoded, possibly more than needed,
// in either hex case): decoded strictly (`+` is a literal plus in a path), then encoded once.
// Errors: errc::invalid_argument for a bad `%` escape (`out` then holds a partial result).
result<void> append_canonical_uri_from_wire(std::string& out, std::string_view raw_path,
                                            canonical_scratch& scratch);

// Canonical query of decoded parameters (any order).
void append_canonical_query(std::string& out, std::span<const query_param> params,
                            canonical_scratch& scratch);

// The same, merged with parameters whose names and values are already URI-encoded (the signer's
// own X-Amz-* parameters, encoded once per call or per day).
void append_canonical_query(std::string& out, std::span<const query_param> params,
                            std::span<const query_param> encoded_params,
                            canonical_scratch& scratch);

// Canonical query of a raw query string as received (after `?`, without it). Split on `&`
// (empty segments are skipped), each segment on its first `=`, name and value percent-decoded
// strictly; `+` decodes to a space when `plus_is_space` (S3 reads a `+` in a query as a space)
// and stays `+` otherwise. When `drop_signature`, parameters named exactly `X-Amz-Signature`
// are left out. Errors: errc::invalid_argument for a bad `%` escape.
result<void> append_canonical_query_from_wire(std::string& out, std::string_view raw_query,
                                              canonical_scratch& scratch,
                                              bool drop_signature = true,
                                              bool plus_is_space = true);

// Canonical header block (`name:value\n` per distinct name, sorted) into `headers_out` and the
// SignedHeaders list (`a;b;c`) into `signed_out`. `headers` are exactly the headers to sign, in
// the order received (that order decides how repeated names are joined).
void append_canonical_headers(std::string& headers_out, std::string& signed_out,
                              std::span<const header_field> headers, canonical_scratch& scratch);

// Appends a header value in canonical form (trimmed, inner runs of SP/HTAB collapsed to one SP).
void append_canonical_header_value(std::string& out, std::string_view value);

// Appends `method\nuri\nquery\nheaders\nsigned\npayload`, where `canonical_headers` is the block
// of `name:value\n` lines (so a blank line follows it, as the algorithm requires).
void append_canonical_request(std::string& out, std::string_view method,
                              std::string_view canonical_uri, std::string_view canonical_query,
                              std::string_view canonical_headers, std::string_view signed_headers,
                              std::string_view payload_hash);

// Appends `<date>/<region>/<service>/aws4_request`.
void append_scope(std::string& out, const credential_scope& scope);

// Appends the string to sign for a canonical request given by its SHA-256.
void append_string_to_sign(std::string& out, std::string_view amz_date, std::string_view scope,
                           const sha256_digest& canonical_request_hash);

}  // namespace onehop::sigv4

#pragma once
// The pure half of JWT verification: the compact form's structure, the JOSE header and the
// claims, parsed into types and checked, with no key and no signature. The signature itself is
// checked by libjwt (auth.cpp) between parse_jose_header and parse_jwt_claims.
//
// Accepted grammar (RFC 7515 section 7.1, RFC 7519): `header.payload.signature`, exactly two
// dots, each part non-empty canonical base64url (auth_base64url.hpp). The header is a JSON
// object whose "alg" is "HS256", "RS256" or "ES256"; "typ", if present, is "JWT" (any case);
// "kid", if present, is a string of at most max_kid_bytes; "crit" is refused (no extension is
// understood). The payload is a JSON object. All errors are errc::unauthorized.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/errors.hpp"

namespace onehop::api {

inline constexpr std::size_t max_kid_bytes = 256;

enum class jwt_alg : std::uint8_t { hs256, rs256, es256 };

std::string_view jwt_alg_name(jwt_alg a) noexcept;

struct jwt_parts {
  std::string_view header;         // base64url
  std::string_view payload;        // base64url
  std::string_view signature;      // base64url
  std::string_view signing_input;  // header '.' payload
};

result<jwt_parts> split_jwt(std::string_view token);

struct jose_header {
  jwt_alg alg = jwt_alg::hs256;
  std::optional<std::string> kid;
};

// `header_b64` is the first part of split_jwt. Decodes without heap allocation for headers up
// to a few KiB (the token cap bounds them).
result<jose_header> parse_jose_header(std::string_view header_b64);

// The registered claims onehop reads, as found in the payload (not yet checked).
struct jwt_claims {
  std::optional<std::string> sub;
  bool sub_is_string = true;             // false: "sub" present but not a string
  std::optional<std::int64_t> exp, nbf;  // NumericDate, seconds (fractions dropped)
  bool exp_malformed = false, nbf_malformed = false;
  std::optional<std::string> iss;  // absent or not a string: nullopt
  std::vector<std::string> aud;    // a string claim becomes one element
};

// NumericDates outside [0, max_numeric_date] (year 9999) are malformed.
inline constexpr std::int64_t max_numeric_date = 253402300799;

result<jwt_claims> parse_jwt_claims(std::string_view payload_b64);

struct claim_rules {
  std::string_view issuer;    // empty: not checked
  std::string_view audience;  // empty: not checked
  std::chrono::seconds leeway{0};
};

struct checked_claims {
  std::string user;
  std::chrono::sys_seconds expires;     // exp
  std::chrono::sys_seconds not_before;  // nbf - leeway, or sys_seconds::min() without nbf
};

// exp is required: the token is expired once now >= exp + leeway; with nbf it is not yet valid
// while now < nbf - leeway. Then iss, aud, and sub (which must satisfy valid_user_name).
result<checked_claims> check_claims(jwt_claims claims, const claim_rules& rules,
                                    std::chrono::sys_seconds now);

}  // namespace onehop::api

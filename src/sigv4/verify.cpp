#include "sigv4/verify.hpp"

#include <algorithm>
#include <utility>

#include "sigv4/signing_key.hpp"
#include "sigv4/time.hpp"

namespace onehop::sigv4 {

namespace {

// The x-amz-content-sha256 values S3 accepts besides a hex SHA-256.
constexpr std::string_view unsigned_payload_value = "UNSIGNED-PAYLOAD";
constexpr std::string_view streaming_payload_value = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
constexpr std::string_view streaming_unsigned_trailer_payload =
    "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
constexpr std::string_view streaming_signed_trailer_payload =
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";

std::string_view as_chars(const sha256_digest& d) noexcept {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

// The value of a header that must appear at most once. nullopt when absent; `repeated` is set
// when it appears more than once (S3 reads such a request as malformed).
std::optional<std::string_view> single_header(std::span<const header_field> headers,
                                              std::string_view name, bool& repeated) noexcept {
  std::optional<std::string_view> found;
  for (const header_field& h : headers) {
    if (ascii_iequals(h.name, name)) {
      if (found) {
        repeated = true;
      }
      found = h.value;
    }
  }
  return found;
}

bool has_header(std::span<const header_field> headers, std::string_view name) noexcept {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const header_field& h) { return ascii_iequals(h.name, name); });
}

bool is_signed(const std::vector<std::string>& signed_names, std::string_view name) noexcept {
  return std::any_of(signed_names.begin(), signed_names.end(),
                     [&](const std::string& s) { return ascii_iequals(s, name); });
}

bool starts_with_ci(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && ascii_iequals(s.substr(0, prefix.size()), prefix);
}

// Claims common to the header and presigned forms, gathered so one code path checks them.
struct common_claims {
  const credential_claim* credential = nullptr;
  const std::vector<std::string>* signed_names = nullptr;
  std::string_view signed_list;
  const sha256_digest* signature = nullptr;
  std::string_view amz_date;
  std::chrono::sys_seconds date{};
  std::optional<std::string_view> security_token;
  std::string_view payload_line;
  bool presigned = false;
};

}  // namespace

result<payload_mode> parse_payload_mode(std::string_view value, sha256_digest* digest) {
  if (value == unsigned_payload_value) {
    return payload_mode::unsigned_payload;
  }
  if (value == streaming_payload_value) {
    return payload_mode::streaming_signed;
  }
  if (value == streaming_unsigned_trailer_payload) {
    return payload_mode::streaming_unsigned_trailer;
  }
  if (value == streaming_signed_trailer_payload) {
    return payload_mode::streaming_signed_trailer;
  }
  sha256_digest d{};
  if (value.size() != 2 * sha256_size || !hex_decode(value, d)) {
    return errc::invalid_argument;
  }
  if (digest != nullptr) {
    *digest = d;
  }
  return payload_mode::sha256;
}

verifier::verifier(verifier_options options, credentials_lookup lookup)
    : options_(std::move(options)), lookup_(std::move(lookup)) {}

result<verified_request> verifier::verify(const http_request_view& request,
                                          std::chrono::sys_seconds now,
                                          signature_mismatch_details* details) {
  const bool header_auth = has_header(request.headers, "authorization");
  const bool query_auth = has_presigned_parameters(request.query);
  if (header_auth && query_auth) {
    return errc::invalid_argument;
  }
  if (header_auth) {
    return verify_header(request, now, details);
  }
  if (query_auth) {
    return verify_presigned(request, now, details);
  }
  return errc::missing_authentication;
}

namespace {

// Steps 5 to 8 of verify.hpp, shared by both forms. `out` already holds the payload fields.
class signature_check {
 public:
  signature_check(const verifier_options& options, const credentials_lookup& lookup,
                  canonical_scratch& scratch, signing_key_cache& keys)
      : options_(options), lookup_(lookup), scratch_(scratch), keys_(keys) {}

  result<void> run(const http_request_view& request, const common_claims& c, verified_request& out,
                   signature_mismatch_details* details) {
    const std::vector<std::string>& names = *c.signed_names;
    if (!is_signed(names, "host")) {
      return errc::access_denied;
    }
    std::vector<header_field> to_sign;
    to_sign.reserve(names.size() + 2);
    for (const header_field& h : request.headers) {
      if (is_signed(names, h.name)) {
        to_sign.push_back(h);
      } else if (options_.require_signed_amz_headers && starts_with_ci(h.name, "x-amz-") &&
                 !ascii_iequals(h.name, "x-amz-date") &&
                 !ascii_iequals(h.name, "x-amz-content-sha256")) {
        return errc::access_denied;
      }
    }
    for (const std::string& name : names) {
      if (!has_header(request.headers, name)) {
        return errc::access_denied;
      }
    }
    if (!c.presigned && has_header(request.headers, "x-amz-security-token") &&
        !is_signed(names, "x-amz-security-token")) {
      return errc::access_denied;
    }

    auto creds = lookup_(c.credential->access_key_id);
    if (!creds) {
      return creds.error();
    }
    if (creds->session_token.empty()
            ? c.security_token.has_value()
            : !c.security_token || !constant_time_equal(*c.security_token, creds->session_token)) {
      return errc::access_denied;
    }

    std::string uri;
    if (!append_canonical_uri_from_wire(uri, request.path, scratch_)) {
      return errc::invalid_argument;
    }
    std::string query;
    if (!append_canonical_query_from_wire(query, request.query, scratch_,
                                          /*drop_signature=*/c.presigned)) {
      return errc::invalid_argument;
    }
    std::string headers_block;
    std::string signed_list;
    append_canonical_headers(headers_block, signed_list, to_sign, scratch_);
    if (signed_list != c.signed_list) {
      // Cannot differ once every name is present, sorted and unique; kept as a guard.
      return errc::access_denied;
    }
    std::string canonical;
    append_canonical_request(canonical, request.method, uri, query, headers_block, signed_list,
                             c.payload_line);
    std::string scope = c.credential->scope();
    std::string string_to_sign;
    append_string_to_sign(string_to_sign, c.amz_date, scope, sha256(canonical));

    const credential_scope key_scope{c.credential->date, c.credential->region,
                                     c.credential->service};
    const hmac_sha256_key& key = keys_.get(creds->secret_access_key, key_scope);
    const sha256_digest computed = key.sign(string_to_sign);
    if (!constant_time_equal(as_chars(computed), as_chars(*c.signature))) {
      if (details != nullptr) {
        details->access_key_id = c.credential->access_key_id;
        details->canonical_request = std::move(canonical);
        details->string_to_sign = std::move(string_to_sign);
      }
      return errc::signature_does_not_match;
    }

    out.access_key_id = c.credential->access_key_id;
    out.amz_date = std::string(c.amz_date);
    out.request_time = c.date;
    out.scope = std::move(scope);
    out.seed_signature = to_hex(computed);
    out.signing_key = key;
    return {};
  }

 private:
  const verifier_options& options_;
  const credentials_lookup& lookup_;
  canonical_scratch& scratch_;
  signing_key_cache& keys_;
};

}  // namespace

result<verified_request> verifier::verify_header(const http_request_view& request,
                                                 std::chrono::sys_seconds now,
                                                 signature_mismatch_details* details) {
  bool repeated = false;
  const auto authorization = single_header(request.headers, "authorization", repeated);
  if (!authorization) {
    return errc::missing_authentication;
  }
  if (repeated) {
    return errc::authorization_header_malformed;
  }
  auto claims = parse_authorization_header(*authorization, options_.limits);
  if (!claims) {
    return claims.error();
  }

  verified_request out;
  out.kind = auth_kind::header;
  std::string_view payload_line;
  const auto content_sha = single_header(request.headers, "x-amz-content-sha256", repeated);
  if (repeated) {
    return errc::invalid_argument;
  }
  if (content_sha) {
    auto mode = parse_payload_mode(*content_sha, &out.payload_sha256);
    if (!mode) {
      return mode.error();
    }
    out.payload = *mode;
    payload_line = *content_sha;
  } else if (options_.require_content_sha256) {
    return errc::missing_security_header;
  } else {
    auto mode = parse_payload_mode(request.generic_payload_hash, &out.payload_sha256);
    if (!mode || *mode != payload_mode::sha256) {
      return errc::missing_security_header;
    }
    out.payload = *mode;
    payload_line = request.generic_payload_hash;
  }

  const auto amz_date = single_header(request.headers, "x-amz-date", repeated);
  if (!amz_date || repeated) {
    return errc::access_denied;
  }
  auto date = parse_amz_date(*amz_date);
  if (!date) {
    return errc::access_denied;
  }
  if (*date > now + options_.max_clock_skew || *date < now - options_.max_clock_skew) {
    return errc::request_time_too_skewed;
  }

  const credential_claim& cred = claims->credential;
  if (cred.date != amz_date->substr(0, date_stamp_size) || cred.region != options_.region ||
      cred.service != options_.service) {
    return errc::authorization_header_malformed;
  }

  const auto token = single_header(request.headers, "x-amz-security-token", repeated);
  if (repeated) {
    return errc::access_denied;
  }
  common_claims c;
  c.credential = &cred;
  c.signed_names = &claims->signed_header_names;
  c.signed_list = claims->signed_headers;
  c.signature = &claims->signature;
  c.amz_date = *amz_date;
  c.date = *date;
  c.security_token = token;
  c.payload_line = payload_line;
  c.presigned = false;
  signature_check check(options_, lookup_, scratch_, keys_);
  if (auto r = check.run(request, c, out, details); !r) {
    return r.error();
  }
  return out;
}

result<verified_request> verifier::verify_presigned(const http_request_view& request,
                                                    std::chrono::sys_seconds now,
                                                    signature_mismatch_details* details) {
  auto claims = parse_presigned_query(request.query, options_.limits);
  if (!claims) {
    return claims.error();
  }
  const credential_claim& cred = claims->credential;
  if (cred.date != std::string_view(claims->amz_date).substr(0, date_stamp_size) ||
      cred.region != options_.region || cred.service != options_.service) {
    return errc::authorization_query_parameters_error;
  }
  if (claims->date > now + options_.max_clock_skew) {
    return errc::request_not_yet_valid;
  }
  if (now > claims->date + claims->expires) {
    return errc::request_expired;
  }

  verified_request out;
  out.kind = auth_kind::presigned;
  out.expires_at = claims->date + claims->expires;
  std::string_view payload_line = unsigned_payload_value;
  bool repeated = false;
  const auto header_sha = single_header(request.headers, "x-amz-content-sha256", repeated);
  if (claims->content_sha256) {
    payload_line = *claims->content_sha256;
  } else if (header_sha && !repeated &&
             is_signed(claims->signed_header_names, "x-amz-content-sha256")) {
    payload_line = *header_sha;
  }
  auto mode = parse_payload_mode(payload_line, &out.payload_sha256);
  if (!mode) {
    return mode.error();
  }
  out.payload = *mode;

  common_claims c;
  c.credential = &cred;
  c.signed_names = &claims->signed_header_names;
  c.signed_list = claims->signed_headers;
  c.signature = &claims->signature;
  c.amz_date = claims->amz_date;
  c.date = claims->date;
  if (claims->security_token) {
    c.security_token = *claims->security_token;
  }
  c.payload_line = payload_line;
  c.presigned = true;
  signature_check check(options_, lookup_, scratch_, keys_);
  if (auto r = check.run(request, c, out, details); !r) {
    return r.error();
  }
  return out;
}

result<verified_post> verifier::verify_post(std::span<const form_field> fields,
                                            std::string_view bucket, std::string_view filename,
                                            std::chrono::sys_seconds now,
                                            signature_mismatch_details* details) {
  auto claims = parse_post_form(fields, options_.limits);
  if (!claims) {
    return claims.error();
  }
  const credential_claim& cred = claims->credential;
  if (cred.date != std::string_view(claims->amz_date).substr(0, date_stamp_size) ||
      cred.region != options_.region || cred.service != options_.service) {
    return errc::invalid_argument;
  }
  auto creds = lookup_(cred.access_key_id);
  if (!creds) {
    return creds.error();
  }
  const auto& token = claims->security_token;
  if (creds->session_token.empty() ? token.has_value()
                                   : !token || !constant_time_equal(*token, creds->session_token)) {
    return errc::access_denied;
  }
  const hmac_sha256_key& key =
      keys_.get(creds->secret_access_key, {cred.date, cred.region, cred.service});
  const sha256_digest computed = key.sign(claims->policy);
  if (!constant_time_equal(as_chars(computed), as_chars(claims->signature))) {
    if (details != nullptr) {
      details->access_key_id = cred.access_key_id;
      details->canonical_request.clear();
      details->string_to_sign = claims->policy;
    }
    return errc::signature_does_not_match;
  }

  auto policy = parse_post_policy(claims->policy, options_.policy);
  if (!policy) {
    return policy.error();
  }
  auto decision = evaluate_post_policy(*policy, fields, bucket, filename, now);
  if (!decision) {
    return decision.error();
  }
  verified_post out;
  out.access_key_id = cred.access_key_id;
  out.amz_date = claims->amz_date;
  out.scope = cred.scope();
  out.policy = std::move(*policy);
  out.decision = std::move(*decision);
  return out;
}

}  // namespace onehop::sigv4

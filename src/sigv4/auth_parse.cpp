#include "sigv4/auth_parse.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "sigv4/encoding.hpp"
#include "sigv4/signer.hpp"
#include "sigv4/time.hpp"

namespace onehop::sigv4 {

namespace {

constexpr std::size_t max_access_key_bytes = 128;
constexpr std::size_t max_scope_part_bytes = 64;
constexpr std::size_t signature_hex_bytes = 2 * sha256_size;

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

bool is_scope_char(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' ||
         c == '.';
}

// RFC 9110 tchar, lower-case only: canonical header names are lower-cased by the signer.
bool is_lower_tchar(char c) noexcept {
  if (is_digit(c) || (c >= 'a' && c <= 'z')) {
    return true;
  }
  constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return extra.find(c) != std::string_view::npos;
}

bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_ows(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// Signatures are sent as lower-case hex; accepting upper case would make two spellings of one
// signature valid, which the tamper tests (and S3) treat as a different signature.
bool parse_signature_hex(std::string_view hex, sha256_digest& out) noexcept {
  if (hex.size() != signature_hex_bytes) {
    return false;
  }
  for (char c : hex) {
    if (!is_digit(c) && !(c >= 'a' && c <= 'f')) {
      return false;
    }
  }
  return hex_decode(hex, out);
}

bool valid_scope_part(std::string_view s) noexcept {
  return !s.empty() && s.size() <= max_scope_part_bytes &&
         std::all_of(s.begin(), s.end(), is_scope_char);
}

}  // namespace

bool ascii_iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') {
      x = static_cast<char>(x - 'A' + 'a');
    }
    if (y >= 'A' && y <= 'Z') {
      y = static_cast<char>(y - 'A' + 'a');
    }
    if (x != y) {
      return false;
    }
  }
  return true;
}

std::optional<std::string_view> find_form_field(std::span<const form_field> fields,
                                                std::string_view name) noexcept {
  for (const form_field& f : fields) {
    if (ascii_iequals(f.name, name)) {
      return f.value;
    }
  }
  return std::nullopt;
}

bool has_repeated_form_field(std::span<const form_field> fields) noexcept {
  // Quadratic, but forms are capped at parse_limits::post_form_fields fields.
  for (std::size_t i = 0; i < fields.size(); ++i) {
    for (std::size_t j = i + 1; j < fields.size(); ++j) {
      if (ascii_iequals(fields[i].name, fields[j].name)) {
        return true;
      }
    }
  }
  return false;
}

std::string credential_claim::scope() const {
  std::string s;
  s.reserve(date.size() + region.size() + service.size() + scope_terminator.size() + 3);
  s.append(date).append("/").append(region).append("/").append(service).append("/");
  s.append(scope_terminator);
  return s;
}

result<credential_claim> parse_credential(std::string_view value) {
  std::array<std::string_view, 5> parts;
  std::size_t n = 0;
  while (true) {
    const std::size_t slash = value.find('/');
    if (n == parts.size()) {
      return errc::invalid_argument;
    }
    parts[n++] = value.substr(0, slash);
    if (slash == std::string_view::npos) {
      break;
    }
    value.remove_prefix(slash + 1);
  }
  if (n != parts.size()) {
    return errc::invalid_argument;
  }
  const std::string_view key = parts[0];
  const bool key_ok =
      !key.empty() && key.size() <= max_access_key_bytes &&
      std::all_of(key.begin(), key.end(), [](char c) { return c > ' ' && c < 0x7f && c != ','; });
  const std::string_view date = parts[1];
  const bool date_ok = date.size() == 8 && std::all_of(date.begin(), date.end(), is_digit);
  if (!key_ok || !date_ok || !valid_scope_part(parts[2]) || !valid_scope_part(parts[3]) ||
      parts[4] != scope_terminator) {
    return errc::invalid_argument;
  }
  return credential_claim{std::string(key), std::string(date), std::string(parts[2]),
                          std::string(parts[3])};
}

result<std::vector<std::string>> parse_signed_headers(std::string_view value,
                                                      std::size_t max_entries) {
  std::vector<std::string> names;
  while (true) {
    const std::size_t semi = value.find(';');
    const std::string_view name = value.substr(0, semi);
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_lower_tchar)) {
      return errc::invalid_argument;
    }
    if (!names.empty() && !(names.back() < name)) {
      return errc::invalid_argument;
    }
    if (names.size() == max_entries) {
      return errc::invalid_argument;
    }
    names.emplace_back(name);
    if (semi == std::string_view::npos) {
      break;
    }
    value.remove_prefix(semi + 1);
  }
  return names;
}

result<authorization_claims> parse_authorization_header(std::string_view value,
                                                        const parse_limits& limits) {
  if (value.size() > limits.authorization_header_bytes) {
    return errc::max_message_length_exceeded;
  }
  const std::size_t sp = value.find_first_of(" \t");
  if (value.substr(0, sp) != algorithm) {
    return errc::unsupported_algorithm;
  }
  if (sp == std::string_view::npos) {
    return errc::authorization_header_malformed;
  }
  std::string_view rest = value.substr(sp);

  std::optional<std::string_view> credential;
  std::optional<std::string_view> signed_headers;
  std::optional<std::string_view> signature;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view part = trim_ows(rest.substr(0, comma));
    const std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      return errc::authorization_header_malformed;
    }
    const std::string_view name = part.substr(0, eq);
    const std::string_view component = part.substr(eq + 1);
    std::optional<std::string_view>* slot = nullptr;
    if (name == "Credential") {
      slot = &credential;
    } else if (name == "SignedHeaders") {
      slot = &signed_headers;
    } else if (name == "Signature") {
      slot = &signature;
    } else {
      return errc::authorization_header_malformed;
    }
    if (slot->has_value()) {
      return errc::authorization_header_malformed;
    }
    *slot = component;
    if (comma == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(comma + 1);
  }
  if (!credential || !signed_headers || !signature) {
    return errc::authorization_header_malformed;
  }

  authorization_claims claims;
  auto cred = parse_credential(*credential);
  if (!cred) {
    return errc::authorization_header_malformed;
  }
  claims.credential = std::move(*cred);
  auto names = parse_signed_headers(*signed_headers, limits.signed_headers);
  if (!names) {
    return errc::authorization_header_malformed;
  }
  claims.signed_headers = std::string(*signed_headers);
  claims.signed_header_names = std::move(*names);
  if (!parse_signature_hex(*signature, claims.signature)) {
    return errc::authorization_header_malformed;
  }
  return claims;
}

namespace {

// Percent-decodes a query name or value the way append_canonical_query_from_wire does (a '+'
// is a space), so the token we compare is the one the signature covered.
std::optional<std::string> decode_query_component(std::string_view s) {
  auto decoded = percent_decode(s, /*plus_is_space=*/true);
  if (!decoded) {
    return std::nullopt;
  }
  return std::move(*decoded);
}

struct query_param_slot {
  std::string_view name;
  std::optional<std::string> value;
};

}  // namespace

bool has_presigned_parameters(std::string_view raw_query) noexcept {
  while (!raw_query.empty()) {
    const std::size_t amp = raw_query.find('&');
    const std::string_view param = raw_query.substr(0, amp);
    const std::string_view name = param.substr(0, param.find('='));
    if (name == "X-Amz-Signature" || name == "X-Amz-Algorithm" || name == "X-Amz-Credential") {
      return true;
    }
    if (amp == std::string_view::npos) {
      break;
    }
    raw_query.remove_prefix(amp + 1);
  }
  return false;
}

result<presigned_claims> parse_presigned_query(std::string_view raw_query,
                                               const parse_limits& limits) {
  if (raw_query.size() > limits.presigned_query_bytes) {
    return errc::max_message_length_exceeded;
  }
  enum slot_index : std::size_t {
    algorithm_slot,
    credential,
    date,
    expires,
    signed_headers,
    signature,
    token,
    content_sha256,
    slot_count
  };
  std::array<query_param_slot, slot_count> slots{{
      {"X-Amz-Algorithm", {}},
      {"X-Amz-Credential", {}},
      {"X-Amz-Date", {}},
      {"X-Amz-Expires", {}},
      {"X-Amz-SignedHeaders", {}},
      {"X-Amz-Signature", {}},
      {"X-Amz-Security-Token", {}},
      {"X-Amz-Content-Sha256", {}},
  }};

  std::string_view rest = raw_query;
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view param = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (param.empty()) {
      continue;
    }
    const std::size_t eq = param.find('=');
    auto name = decode_query_component(param.substr(0, eq));
    if (!name) {
      return errc::authorization_query_parameters_error;
    }
    for (query_param_slot& slot : slots) {
      if (*name != slot.name) {
        continue;
      }
      if (slot.value) {
        return errc::authorization_query_parameters_error;
      }
      auto value = decode_query_component(eq == std::string_view::npos ? std::string_view{}
                                                                       : param.substr(eq + 1));
      if (!value) {
        return errc::authorization_query_parameters_error;
      }
      slot.value = std::move(*value);
      break;
    }
  }

  if (slots[algorithm_slot].value && *slots[algorithm_slot].value != algorithm) {
    return errc::unsupported_algorithm;
  }
  for (std::size_t i = 0; i < token; ++i) {
    if (!slots[i].value) {
      return errc::authorization_query_parameters_error;
    }
  }

  presigned_claims claims;
  auto cred = parse_credential(*slots[credential].value);
  if (!cred) {
    return errc::authorization_query_parameters_error;
  }
  claims.credential = std::move(*cred);

  auto when = parse_amz_date(*slots[date].value);
  if (!when) {
    return errc::authorization_query_parameters_error;
  }
  claims.amz_date = std::move(*slots[date].value);
  claims.date = *when;

  const std::string& exp = *slots[expires].value;
  // Seven digits bound the value well below overflow; the range check does the rest.
  if (exp.empty() || exp.size() > 7 || !std::all_of(exp.begin(), exp.end(), is_digit)) {
    return errc::authorization_query_parameters_error;
  }
  std::int64_t seconds = 0;
  for (char c : exp) {
    seconds = seconds * 10 + (c - '0');
  }
  if (seconds < min_presign_expiry.count() || seconds > max_presign_expiry.count()) {
    return errc::authorization_query_parameters_error;
  }
  claims.expires = std::chrono::seconds{seconds};

  auto names = parse_signed_headers(*slots[signed_headers].value, limits.signed_headers);
  if (!names) {
    return errc::authorization_query_parameters_error;
  }
  claims.signed_headers = std::move(*slots[signed_headers].value);
  claims.signed_header_names = std::move(*names);

  if (!parse_signature_hex(*slots[signature].value, claims.signature)) {
    return errc::authorization_query_parameters_error;
  }
  claims.security_token = std::move(slots[token].value);
  claims.content_sha256 = std::move(slots[content_sha256].value);
  return claims;
}

result<post_form_claims> parse_post_form(std::span<const form_field> fields,
                                         const parse_limits& limits) {
  if (fields.size() > limits.post_form_fields) {
    return errc::max_message_length_exceeded;
  }
  std::size_t total = 0;
  for (const form_field& f : fields) {
    total += f.name.size() + f.value.size();
  }
  if (total > limits.post_form_bytes) {
    return errc::max_message_length_exceeded;
  }
  if (has_repeated_form_field(fields)) {
    return errc::invalid_argument;
  }
  auto find = [&](std::string_view name) { return find_form_field(fields, name); };

  const auto algorithm_field = find("x-amz-algorithm");
  if (!algorithm_field) {
    // A SigV2 form (AWSAccessKeyId + signature) is a known scheme we do not accept.
    return find("awsaccesskeyid") ? errc::unsupported_algorithm : errc::invalid_argument;
  }
  if (*algorithm_field != algorithm) {
    return errc::unsupported_algorithm;
  }
  const auto credential = find("x-amz-credential");
  const auto date = find("x-amz-date");
  const auto signature = find("x-amz-signature");
  const auto policy = find("policy");
  if (!credential || !date || !signature || !policy || policy->empty()) {
    return errc::invalid_argument;
  }

  post_form_claims claims;
  auto cred = parse_credential(*credential);
  if (!cred) {
    return errc::invalid_argument;
  }
  claims.credential = std::move(*cred);
  auto when = parse_amz_date(*date);
  if (!when) {
    return errc::invalid_argument;
  }
  claims.amz_date = std::string(*date);
  claims.date = *when;
  if (!parse_signature_hex(*signature, claims.signature)) {
    return errc::invalid_argument;
  }
  claims.policy = std::string(*policy);
  if (const auto token = find("x-amz-security-token")) {
    claims.security_token = std::string(*token);
  }
  return claims;
}

}  // namespace onehop::sigv4

#include "api/auth_jwt.hpp"

#include <array>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <span>
#include <utility>

#include "api/auth.hpp"
#include "api/auth_base64url.hpp"
#include "api/auth_text.hpp"

namespace onehop::api {
namespace {

namespace json = boost::json;

api_error unauthorized(std::string message) {
  return make_error(errc::unauthorized, std::move(message));
}

// Enough for the JSON of any part of a token within max_bearer_bytes, so the common case parses
// from stack memory; the monotonic resource falls back to the heap beyond it.
constexpr std::size_t max_part_bytes = base64url_decoded_size(max_bearer_bytes);
constexpr std::size_t json_arena_bytes = 16384;

// Decodes one base64url part and parses it as a JSON object, calling `use` with it while the
// stack arena is alive. `what` names the part in errors.
template <class F>
auto with_json_object(std::string_view part_b64, std::string_view what, F&& use)
    -> decltype(use(std::declval<const json::object&>())) {
  std::array<char, max_part_bytes> text;
  const auto n = base64url_decode(part_b64, std::span<char>(text));
  if (!n) {
    return unauthorized("malformed token");
  }
  alignas(std::max_align_t) std::array<unsigned char, json_arena_bytes> arena;
  json::monotonic_resource mr(arena.data(), arena.size());
  boost::system::error_code ec;
  const json::value v = json::parse(std::string_view(text.data(), *n), ec, &mr);
  if (ec || !v.is_object()) {
    return unauthorized(concat({"malformed token ", what}));
  }
  return use(v.get_object());
}

bool iequals_ascii(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

// A NumericDate (RFC 7519 section 2): a JSON number of seconds, possibly with a fraction.
std::optional<std::int64_t> numeric_date(const json::value& v) noexcept {
  if (v.is_int64()) {
    const auto s = v.get_int64();
    return s >= 0 && s <= max_numeric_date ? std::optional(s) : std::nullopt;
  }
  if (v.is_uint64()) {
    const auto s = v.get_uint64();
    return s <= static_cast<std::uint64_t>(max_numeric_date)
               ? std::optional(static_cast<std::int64_t>(s))
               : std::nullopt;
  }
  if (v.is_double()) {
    const double d = v.get_double();
    // The range test also refuses NaN; only then is the conversion defined.
    if (d >= 0.0 && d <= static_cast<double>(max_numeric_date)) {
      return static_cast<std::int64_t>(std::floor(d));
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view jwt_alg_name(jwt_alg a) noexcept {
  switch (a) {
    case jwt_alg::hs256:
      return "HS256";
    case jwt_alg::rs256:
      return "RS256";
    case jwt_alg::es256:
      return "ES256";
  }
  return "unknown";
}

result<jwt_parts> split_jwt(std::string_view token) {
  const auto first = token.find('.');
  if (first == std::string_view::npos) {
    return unauthorized("malformed token");
  }
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return unauthorized("malformed token");
  }
  jwt_parts p;
  p.header = token.substr(0, first);
  p.payload = token.substr(first + 1, second - first - 1);
  p.signature = token.substr(second + 1);
  p.signing_input = token.substr(0, second);
  if (p.header.empty() || p.payload.empty()) {
    return unauthorized("malformed token");
  }
  if (p.signature.empty()) {
    // An unsigned token: whatever its header says, it is the `none` algorithm in effect.
    return unauthorized("algorithm none refused");
  }
  if (!is_base64url(p.header) || !is_base64url(p.payload) || !is_base64url(p.signature)) {
    return unauthorized("malformed token");
  }
  return p;
}

result<jose_header> parse_jose_header(std::string_view header_b64) {
  return with_json_object(header_b64, "header", [](const json::object& o) -> result<jose_header> {
    if (o.contains("crit")) {
      return unauthorized("token uses unsupported critical header parameters");
    }
    const auto* alg = o.if_contains("alg");
    if (alg == nullptr || !alg->is_string()) {
      return unauthorized("malformed token header");
    }
    const std::string_view name = alg->get_string();
    jose_header h;
    if (name == "HS256") {
      h.alg = jwt_alg::hs256;
    } else if (name == "RS256") {
      h.alg = jwt_alg::rs256;
    } else if (name == "ES256") {
      h.alg = jwt_alg::es256;
    } else if (iequals_ascii(name, "none")) {
      return unauthorized("algorithm none refused");
    } else {
      return unauthorized("token algorithm not supported");
    }
    if (const auto* typ = o.if_contains("typ")) {
      // libjwt refuses any other type; saying so here keeps its refusal from reading as a bad
      // signature.
      if (!typ->is_string() || !iequals_ascii(typ->get_string(), "JWT")) {
        return unauthorized("token type not supported");
      }
    }
    if (const auto* kid = o.if_contains("kid")) {
      if (!kid->is_string() || kid->get_string().size() > max_kid_bytes) {
        return unauthorized("malformed token header");
      }
      h.kid = std::string(kid->get_string());
    }
    return h;
  });
}

result<jwt_claims> parse_jwt_claims(std::string_view payload_b64) {
  return with_json_object(payload_b64, "payload", [](const json::object& o) -> result<jwt_claims> {
    jwt_claims c;
    if (const auto* sub = o.if_contains("sub")) {
      if (sub->is_string()) {
        c.sub = std::string(sub->get_string());
      } else {
        c.sub_is_string = false;
      }
    }
    if (const auto* exp = o.if_contains("exp")) {
      c.exp = numeric_date(*exp);
      c.exp_malformed = !c.exp;
    }
    if (const auto* nbf = o.if_contains("nbf")) {
      c.nbf = numeric_date(*nbf);
      c.nbf_malformed = !c.nbf;
    }
    if (const auto* iss = o.if_contains("iss"); iss != nullptr && iss->is_string()) {
      c.iss = std::string(iss->get_string());
    }
    if (const auto* aud = o.if_contains("aud")) {
      if (aud->is_string()) {
        c.aud.emplace_back(aud->get_string());
      } else if (aud->is_array()) {
        for (const auto& a : aud->get_array()) {
          if (a.is_string()) {
            c.aud.emplace_back(a.get_string());
          }
        }
      }
    }
    return c;
  });
}

result<checked_claims> check_claims(jwt_claims claims, const claim_rules& rules,
                                    std::chrono::sys_seconds now) {
  using std::chrono::seconds;
  using std::chrono::sys_seconds;
  if (claims.exp_malformed) {
    return unauthorized("token expiry is not a valid date");
  }
  if (!claims.exp) {
    return unauthorized("token has no expiry");
  }
  const sys_seconds exp{seconds{*claims.exp}};
  if (now >= exp + rules.leeway) {
    return unauthorized("token expired");
  }
  sys_seconds not_before = sys_seconds::min();
  if (claims.nbf_malformed) {
    return unauthorized("token not-before is not a valid date");
  }
  if (claims.nbf) {
    not_before = sys_seconds{seconds{*claims.nbf}} - rules.leeway;
    if (now < not_before) {
      return unauthorized("token not yet valid");
    }
  }
  if (!rules.issuer.empty() && claims.iss != rules.issuer) {
    return unauthorized("token issuer does not match");
  }
  if (!rules.audience.empty()) {
    bool found = false;
    for (const auto& a : claims.aud) {
      found = found || a == rules.audience;
    }
    if (!found) {
      return unauthorized("token audience does not match");
    }
  }
  if (!claims.sub_is_string ||
      (claims.sub && !claims.sub->empty() && !valid_user_name(*claims.sub))) {
    return unauthorized("token subject is not a valid user name");
  }
  if (!claims.sub || claims.sub->empty()) {
    return unauthorized("token has no subject");
  }
  return checked_claims{std::move(*claims.sub), exp, not_before};
}

}  // namespace onehop::api

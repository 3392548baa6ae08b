#include "sigv4/signer.hpp"

#include <charconv>

#include "sigv4/encoding.hpp"
#include "sigv4/signing_key.hpp"
#include "sigv4/time.hpp"

namespace onehop::sigv4 {

namespace {

using namespace std::chrono;

char to_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) {
      return false;
    }
  }
  return true;
}

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// RFC 9110 token: the only bytes a header name or method may hold.
bool is_token(std::string_view s) noexcept {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (is_alpha(c) || is_digit(c)) {
      continue;
    }
    switch (c) {
      case '!':
      case '#':
      case '$':
      case '%':
      case '&':
      case '\'':
      case '*':
      case '+':
      case '-':
      case '.':
      case '^':
      case '_':
      case '`':
      case '|':
      case '~':
        continue;
      default:
        return false;
    }
  }
  return true;
}

// A value sent on the wire: no CR/LF/NUL or other control bytes (HTAB is allowed).
bool is_header_value(std::string_view s) noexcept {
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if ((b < 0x20 && c != '\t') || b == 0x7f) {
      return false;
    }
  }
  return true;
}

// Headers the signer adds itself; a caller passing them would sign a second, conflicting copy.
bool is_reserved_header(std::string_view name) noexcept {
  return iequals(name, "host") || iequals(name, "authorization") || iequals(name, "x-amz-date") ||
         iequals(name, "x-amz-content-sha256") || iequals(name, "x-amz-security-token");
}

bool is_auth_param(std::string_view name) noexcept {
  return iequals(name, "X-Amz-Algorithm") || iequals(name, "X-Amz-Credential") ||
         iequals(name, "X-Amz-Date") || iequals(name, "X-Amz-Expires") ||
         iequals(name, "X-Amz-SignedHeaders") || iequals(name, "X-Amz-Security-Token") ||
         iequals(name, "X-Amz-Signature");
}

bool is_payload_hash(std::string_view s) noexcept {
  if (s.empty() || s.size() > 128) {
    return false;
  }
  for (char c : s) {
    if (!is_alpha(c) && !is_digit(c) && c != '-') {
      return false;
    }
  }
  return true;
}

bool is_ipv6_literal(std::string_view s) noexcept {
  // Hex digits, ':' and '.' (embedded IPv4); at least one ':'. A full check belongs to the
  // connector; this only keeps the Host header and URL well-formed.
  if (s.empty() || s.size() > 45 || s.find(':') == std::string_view::npos) {
    return false;
  }
  for (char c : s) {
    if (!is_digit(c) && !((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) && c != ':' &&
        c != '.') {
      return false;
    }
  }
  return true;
}

void append_decimal(std::string& out, std::int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace

std::string s3_endpoint::authority() const {
  std::string out = host;
  if (port != 0) {
    out.push_back(':');
    append_decimal(out, port);
  }
  return out;
}

result<s3_endpoint> parse_endpoint(std::string_view url) {
  if (url.size() > max_endpoint_url_size) {
    return errc::invalid_argument;
  }
  s3_endpoint ep;
  const std::size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    return errc::invalid_argument;
  }
  const std::string_view scheme = url.substr(0, sep);
  std::uint16_t default_port = 0;
  if (iequals(scheme, "http")) {
    ep.scheme = "http";
    default_port = 80;
  } else if (iequals(scheme, "https")) {
    ep.scheme = "https";
    default_port = 443;
  } else {
    return errc::invalid_argument;
  }
  std::string_view rest = url.substr(sep + 3);
  if (!rest.empty() && rest.back() == '/') {
    rest.remove_suffix(1);
  }
  std::string_view host;
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos || !is_ipv6_literal(rest.substr(1, close - 1))) {
      return errc::invalid_argument;
    }
    host = rest.substr(0, close + 1);
    rest = rest.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return errc::invalid_argument;
      }
      port = rest.substr(1);
      if (port.empty()) {
        return errc::invalid_argument;
      }
    }
  } else {
    const std::size_t colon = rest.find(':');
    host = rest.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
      if (port.empty()) {
        return errc::invalid_argument;
      }
    }
    if (host.empty() || host.size() > 253) {
      return errc::invalid_argument;
    }
    for (char c : host) {
      if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.' && c != '_') {
        return errc::invalid_argument;  // also rejects '/', '?', '#', '@' (path, userinfo)
      }
    }
  }
  if (!port.empty()) {
    if (port.size() > 5) {
      return errc::invalid_argument;
    }
    unsigned value = 0;
    for (char c : port) {
      if (!is_digit(c)) {
        return errc::invalid_argument;
      }
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) {
      return errc::invalid_argument;
    }
    ep.port = value == default_port ? 0 : static_cast<std::uint16_t>(value);
  }
  ep.host.reserve(host.size());
  for (char c : host) {
    ep.host.push_back(to_lower(c));
  }
  return ep;
}

s3_endpoint aws_endpoint(std::string_view region) {
  s3_endpoint ep;
  ep.scheme = "https";
  if (region == "us-east-1") {
    ep.host = "s3.amazonaws.com";
  } else {
    ep.host = "s3.";
    ep.host.append(region);
    ep.host.append(".amazonaws.com");
  }
  return ep;
}

result<void> validate_key(std::string_view key) {
  if (key.empty() || key.size() > max_key_size || !is_valid_utf8(key)) {
    return errc::invalid_argument;
  }
  return {};
}

result<void> validate_bucket(std::string_view bucket, addressing_style style) {
  if (bucket.size() < 3 || bucket.size() > 63) {
    return errc::invalid_argument;
  }
  for (char c : bucket) {
    const bool ok = (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' ||
                    (c == '.' && style == addressing_style::path);
    if (!ok) {
      return errc::invalid_argument;
    }
  }
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || is_digit(c); };
  if (!alnum(bucket.front()) || !alnum(bucket.back())) {
    return errc::invalid_argument;
  }
  return {};
}

presigner::presigner(signer_config config) : config_(std::move(config)) {
  authority_ = config_.endpoint.authority();
  uri_encode_append(encoded_token_, config_.creds.session_token, false);
}

void presigner::ensure_day(sys_days day) {
  if (day_ == day) {
    return;
  }
  char stamp[date_stamp_size];
  format_date_stamp(sys_seconds{day}, stamp);
  const std::string_view date(stamp, sizeof stamp);
  const credential_scope scope{date, config_.region, config_.service};
  signing_key_ = derive_signing_key(config_.creds.secret_access_key, scope);
  key_.emplace(std::span<const std::uint8_t>(signing_key_));
  scope_.clear();
  append_scope(scope_, scope);
  credential_ = config_.creds.access_key_id;
  credential_.push_back('/');
  credential_.append(scope_);
  encoded_credential_.clear();
  uri_encode_append(encoded_credential_, credential_, false);
  day_ = day;
}

result<void> presigner::prepare(std::string_view method, std::string_view bucket,
                                std::string_view key, std::span<const query_param> query,
                                std::span<const header_field> headers,
                                std::string_view payload_hash, sys_seconds now) {
  if (!is_token(method) || !is_payload_hash(payload_hash) || !is_formattable(now)) {
    return errc::invalid_argument;
  }
  if (bucket.empty()) {
    if (key.size() > max_key_size || !is_valid_utf8(key)) {
      return errc::invalid_argument;
    }
  } else {
    if (auto r = validate_bucket(bucket, config_.style); !r) {
      return r;
    }
    if (config_.style == addressing_style::virtual_hosted &&
        config_.endpoint.host.starts_with('[')) {
      return errc::invalid_argument;  // no `bucket.[::1]`: an IP literal has no subdomains
    }
    if (auto r = validate_key(key); !r) {
      return r;
    }
  }
  for (const header_field& h : headers) {
    if (!is_token(h.name) || is_reserved_header(h.name) || !is_header_value(h.value)) {
      return errc::invalid_argument;
    }
  }
  for (const query_param& p : query) {
    if (p.name.empty() || is_auth_param(p.name)) {
      return errc::invalid_argument;
    }
  }

  ensure_day(floor<days>(now));
  format_amz_date(now, amz_date_);

  host_.clear();
  path_.clear();
  path_.push_back('/');
  if (!bucket.empty() && config_.style == addressing_style::virtual_hosted) {
    host_.append(bucket);
    host_.push_back('.');
  } else if (!bucket.empty()) {
    path_.append(bucket);  // validated: nothing to encode
    path_.push_back('/');
  }
  host_.append(authority_);
  uri_encode_append(path_, key, true);
  return {};
}

void presigner::finish_signature() {
  // The low-level hasher: OpenSSL 3's one-shot SHA256() goes through EVP (a provider fetch under a
  // read-write lock), which costs more than hashing the few blocks of a canonical request.
  hasher_.reset();
  hasher_.update(canonical_request_);
  const sha256_digest request_hash = hasher_.finish();
  string_to_sign_.clear();
  append_string_to_sign(string_to_sign_, std::string_view(amz_date_, sizeof amz_date_), scope_,
                        request_hash);
  const sha256_digest sig = key_->sign(string_to_sign_);
  hex_encode(sig, signature_);
}

result<void> presigner::presign(std::string& out_url, const presign_request& request,
                                sys_seconds now) {
  if (request.expires < min_presign_expiry || request.expires > max_presign_expiry) {
    return errc::invalid_argument;
  }
  if (auto r = prepare(request.method, request.bucket, request.key, request.query, request.headers,
                       request.payload_hash, now);
      !r) {
    return r;
  }
  const std::string_view amz_date(amz_date_, sizeof amz_date_);

  fields_.clear();
  fields_.push_back({"host", host_});
  fields_.insert(fields_.end(), request.headers.begin(), request.headers.end());
  canonical_headers_.clear();
  signed_headers_.clear();
  append_canonical_headers(canonical_headers_, signed_headers_, fields_, scratch_);
  encoded_signed_headers_.clear();
  uri_encode_append(encoded_signed_headers_, signed_headers_, false);

  char expires_buf[24];
  const auto expires_end =
      std::to_chars(expires_buf, expires_buf + sizeof expires_buf, request.expires.count()).ptr;
  const std::string_view expires(expires_buf, static_cast<std::size_t>(expires_end - expires_buf));
  const bool has_token = !config_.creds.session_token.empty();

  canonical_query_.clear();
  if (request.query.empty()) {
    // Already in canonical (sorted) order: no sort, no second encoding pass.
    canonical_query_.append("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=");
    canonical_query_.append(encoded_credential_);
    canonical_query_.append("&X-Amz-Date=");
    canonical_query_.append(amz_date);
    canonical_query_.append("&X-Amz-Expires=");
    canonical_query_.append(expires);
    if (has_token) {
      canonical_query_.append("&X-Amz-Security-Token=");
      canonical_query_.append(encoded_token_);
    }
    canonical_query_.append("&X-Amz-SignedHeaders=");
    canonical_query_.append(encoded_signed_headers_);
  } else {
    // The operation parameters are encoded here; our own are already encoded.
    params_.clear();
    params_.push_back({"X-Amz-Algorithm", algorithm});
    params_.push_back({"X-Amz-Credential", encoded_credential_});
    params_.push_back({"X-Amz-Date", amz_date});
    params_.push_back({"X-Amz-Expires", expires});
    if (has_token) {
      params_.push_back({"X-Amz-Security-Token", encoded_token_});
    }
    params_.push_back({"X-Amz-SignedHeaders", encoded_signed_headers_});
    append_canonical_query(canonical_query_, request.query, params_, scratch_);
  }

  canonical_request_.clear();
  append_canonical_request(canonical_request_, request.method, path_, canonical_query_,
                           canonical_headers_, signed_headers_, request.payload_hash);
  finish_signature();

  out_url.clear();
  out_url.reserve(config_.endpoint.scheme.size() + host_.size() + path_.size() +
                  canonical_query_.size() + 120);
  out_url.append(config_.endpoint.scheme);
  out_url.append("://");
  out_url.append(host_);
  out_url.append(path_);
  out_url.push_back('?');
  for (const query_param& p : request.query) {
    uri_encode_append(out_url, p.name, false);
    out_url.push_back('=');
    uri_encode_append(out_url, p.value, false);
    out_url.push_back('&');
  }
  out_url.append("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=");
  out_url.append(encoded_credential_);
  out_url.append("&X-Amz-Date=");
  out_url.append(amz_date);
  out_url.append("&X-Amz-Expires=");
  out_url.append(expires);
  out_url.append("&X-Amz-SignedHeaders=");
  out_url.append(encoded_signed_headers_);
  if (has_token) {
    out_url.append("&X-Amz-Security-Token=");
    out_url.append(encoded_token_);
  }
  out_url.append("&X-Amz-Signature=");
  out_url.append(signature_, sizeof signature_);
  return {};
}

result<void> presigner::sign(header_auth& out, const sign_request& request, sys_seconds now) {
  if (auto r = prepare(request.method, request.bucket, request.key, request.query, request.headers,
                       request.payload_hash, now);
      !r) {
    return r;
  }
  const std::string_view amz_date(amz_date_, sizeof amz_date_);
  const bool has_token = !config_.creds.session_token.empty();

  fields_.clear();
  fields_.push_back({"host", host_});
  fields_.push_back({"x-amz-date", amz_date});
  if (request.send_content_sha256) {
    fields_.push_back({"x-amz-content-sha256", request.payload_hash});
  }
  if (has_token) {
    fields_.push_back({"x-amz-security-token", config_.creds.session_token});
  }
  fields_.insert(fields_.end(), request.headers.begin(), request.headers.end());
  canonical_headers_.clear();
  signed_headers_.clear();
  append_canonical_headers(canonical_headers_, signed_headers_, fields_, scratch_);

  canonical_query_.clear();
  append_canonical_query(canonical_query_, request.query, scratch_);

  canonical_request_.clear();
  append_canonical_request(canonical_request_, request.method, path_, canonical_query_,
                           canonical_headers_, signed_headers_, request.payload_hash);
  finish_signature();

  out.target = path_;
  if (!request.query.empty()) {
    char sep = '?';
    for (const query_param& p : request.query) {
      out.target.push_back(sep);
      sep = '&';
      uri_encode_append(out.target, p.name, false);
      out.target.push_back('=');
      uri_encode_append(out.target, p.value, false);
    }
  }
  out.host = host_;
  out.amz_date.assign(amz_date);
  out.content_sha256.assign(request.send_content_sha256 ? request.payload_hash
                                                        : std::string_view{});
  out.security_token = config_.creds.session_token;
  out.signature.assign(signature_, sizeof signature_);
  out.scope = scope_;
  out.signing_key = signing_key_;
  out.authorization.clear();
  out.authorization.append(algorithm);
  out.authorization.append(" Credential=");
  out.authorization.append(credential_);
  out.authorization.append(", SignedHeaders=");
  out.authorization.append(signed_headers_);
  out.authorization.append(", Signature=");
  out.authorization.append(signature_, sizeof signature_);
  return {};
}

result<presigned_url> presign_url(const signer_config& config, const presign_request& request,
                                  sys_seconds now) {
  presigner p(config);
  presigned_url out;
  if (auto r = p.presign(out.url, request, now); !r) {
    return r.error();
  }
  out.canonical_request = p.canonical_request();
  out.string_to_sign = p.string_to_sign();
  out.signature = p.signature();
  return out;
}

}  // namespace onehop::sigv4

#include "api/from_config.hpp"

#include <fstream>
#include <sstream>

#include "api/log.hpp"
#include "http/endpoint.hpp"
#include "sigv4/crypto.hpp"

namespace onehop::api {
namespace {

using config_result = boost::system::result<app_config, std::string>;

}  // namespace

config_result app_config_from(const config::onehop_config& c) {
  app_config a;

  auto listen = http::parse_listen_address(c.api.listen);
  if (!listen) {
    return std::string("[api] listen: expected HOST:PORT with an IP address, got '" + c.api.listen +
                       "'");
  }
  a.http.listen = *listen;
  a.http.threads = c.api.threads;
  a.max_body_bytes = c.api.max_body_bytes;
  a.static_dir = c.api.static_dir;
  a.allowed_origins = c.api.allowed_origins;
  // Empty: cookie-authenticated changes must come from the API's own origin (Origin = Host).
  if (a.allowed_origins.empty() && !c.api.public_url.empty()) {
    std::string origin = c.api.public_url;
    while (!origin.empty() && origin.back() == '/')
      origin.pop_back();
    a.allowed_origins.push_back(origin);
  }

  const auto& u = c.uploads;
  a.policy.allowed_types = u.allowed_types;
  a.policy.max_size = u.max_size;
  a.policy.multipart_threshold = u.multipart_threshold;
  a.policy.part_size = u.part_size;
  a.policy.pending_lifetime = u.pending_lifetime;
  a.policy.prefix = u.prefix;
  a.policy.checksum_required = u.checksum_required;
  a.policy.quota_bytes = u.quota_bytes;
  a.policy.quota_count = u.quota_count;
  a.policy.default_post = u.default_method == "POST";  // config checks allow "PUT" or "POST"

  a.auth.hs256_secret = c.auth.jwt_secret;
  a.auth.issuer = c.auth.issuer;
  a.auth.audience = c.auth.audience;
  a.auth.leeway = c.auth.leeway;
  for (const auto& k : c.auth.api_keys) {
    a.auth.api_keys.push_back({k.sha256, k.user});
  }
  if (!c.auth.jwks_file.empty()) {
    std::ifstream in(c.auth.jwks_file, std::ios::binary);
    if (!in) {
      return std::string("[auth] jwks_file: cannot read '" + c.auth.jwks_file + "'");
    }
    std::ostringstream text;
    text << in.rdbuf();
    a.auth.jwks_json = text.str();
  }
  a.cookie_name = c.auth.cookie_name;

  a.rate_limits.enabled = c.rate_limit.enabled;
  a.rate_limits.user_rate = c.rate_limit.user_rate;
  a.rate_limits.user_burst = c.rate_limit.user_burst;
  a.rate_limits.ip_rate = c.rate_limit.ip_rate;
  a.rate_limits.ip_burst = c.rate_limit.ip_burst;

  const auto& s = c.storage;
  auto endpoint = sigv4::parse_endpoint(s.endpoint);
  if (!endpoint) {
    return std::string("[storage] endpoint: expected http(s)://host[:port], got '" + s.endpoint +
                       "'");
  }
  auto public_endpoint =
      sigv4::parse_endpoint(s.public_endpoint.empty() ? s.endpoint : s.public_endpoint);
  if (!public_endpoint) {
    return std::string("[storage] public_endpoint: expected http(s)://host[:port]");
  }
  if (s.access_key_id.empty() || s.secret_access_key.empty()) {
    return std::string(
        "[storage] access_key_id and secret_access_key are required (or AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY)");
  }
  a.storage.signer.creds = {s.access_key_id, s.secret_access_key, s.session_token};
  a.storage.signer.endpoint = *endpoint;
  a.storage.signer.region = s.region;
  a.storage.signer.style =
      s.path_style ? sigv4::addressing_style::path : sigv4::addressing_style::virtual_hosted;
  a.storage.bucket = s.bucket;
  a.storage.request_timeout = s.timeout;
  a.storage.retry.max_attempts = s.max_attempts;
  a.storage.ca_file = s.ca_file;
  a.public_endpoint = *public_endpoint;
  a.public_read = s.public_read;
  a.public_base_url = s.public_base_url;
  a.view_url_ttl = s.view_url_ttl;

  if (!c.database.url.empty()) {
    return std::string(
        "[database] url: PostgreSQL is not supported yet; use [database] path (SQLite)");
  }
  a.database_file = c.database.path;
  {
    // Every instance shares the storage secret already; a keyed derivation of it gives them the
    // same token secret without another setting, and reveals nothing about it.
    const auto derived = sigv4::hmac_sha256(
        std::span(reinterpret_cast<const std::uint8_t*>(s.secret_access_key.data()),
                  s.secret_access_key.size()),
        "onehop upload token secret v1");
    a.upload_token_secret = sigv4::to_hex(derived);
  }
  return a;
}

boost::system::result<void, std::string> logging_from(const config::log_section& log) {
  log_level level = log_level::info;
  if (log.level == "trace")
    level = log_level::trace;
  else if (log.level == "debug")
    level = log_level::debug;
  else if (log.level == "info")
    level = log_level::info;
  else if (log.level == "warn")
    level = log_level::warn;
  else if (log.level == "error")
    level = log_level::error;
  else
    return std::string("[log] level: one of trace, debug, info, warn, error");
  if (log.format != "json" && log.format != "text") {
    return std::string("[log] format: \"json\" or \"text\"");
  }
  configure_logging(level, log.format == "json");
  return {};
}

}  // namespace onehop::api

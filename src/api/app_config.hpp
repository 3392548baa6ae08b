#pragma once
// Everything the upload API needs at run time, already validated and typed. `onehop serve` and
// `onehop dev` build it from onehop.toml (config module); tests build it directly.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "api/auth.hpp"
#include "api/policy.hpp"
#include "http/server.hpp"
#include "s3client/client.hpp"
#include "sigv4/signer.hpp"

namespace onehop::api {

struct rate_limit_settings {
  bool enabled = true;
  double user_rate = 5;  // requests per second, sustained
  double user_burst = 20;
  double ip_rate = 20;
  double ip_burst = 60;
};

struct app_config {
  http::server_config http;  // listen address, threads, limits
  upload_policy policy;
  auth_config auth;
  rate_limit_settings rate_limits;

  // The storage as the API reaches it (HEAD, GET, DELETE, multipart calls).
  s3client::client_config storage;
  // The storage as browsers reach it: the endpoint in every signed URL handed out. Usually the
  // same as storage.signer.endpoint; differs behind NAT, in containers, or with a CDN in front.
  sigv4::s3_endpoint public_endpoint;
  bool public_read = false;     // images are served by public URL instead of signed GETs
  std::string public_base_url;  // e.g. https://cdn.example.com (key appended); empty: endpoint
  std::chrono::seconds view_url_ttl{300};

  // Browsers: Origins allowed to make cookie-authenticated state changes. Empty: only the API's
  // own origin (Origin must be http(s):// + the Host header).
  std::vector<std::string> allowed_origins;
  std::string cookie_name = "onehop_token";
  std::size_t max_body_bytes = 64 * 1024;
  std::filesystem::path static_dir;  // the web app; empty: no static files

  // `onehop dev` only: POST /api/dev/token issues tokens for any user name.
  bool dev_mode = false;
  std::chrono::seconds dev_token_ttl{std::chrono::hours(24 * 7)};

  // Authenticates the upload ids of single PUT/POST uploads (upload_token.hpp). Instances
  // behind one load balancer need the same value: from_config derives it from the storage secret.
  std::string upload_token_secret;

  std::filesystem::path database_file;
  std::chrono::seconds sweep_interval{60};

  std::function<std::chrono::system_clock::time_point()> clock = [] {
    return std::chrono::system_clock::now();
  };
};

}  // namespace onehop::api

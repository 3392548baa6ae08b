#pragma once
// onehop.toml: one file for every command (`store`, `serve`, `dev`), with environment overrides.
//
// The result is plain structs with defaults; each command maps the sections it needs onto its
// components. Every key, its type, default, limits and environment name is documented in
// docs/configuration.md; onehop.example.toml sets every key to its default.
//
// Layers, later wins: built-in defaults < the TOML file < the environment. A command's explicit
// flags win over all three (the command applies them).
//
// Environment: every key is `ONEHOP_<SECTION>_<KEY>` in upper case (ONEHOP_UPLOADS_MAX_SIZE,
// ONEHOP_RATE_LIMIT_USER_RATE); lists are comma-separated; [auth] api_keys is
// `user:sha256hex,...`. Aliases, consulted after the ONEHOP_ name, in this order:
//   storage.access_key_id      AWS_ACCESS_KEY_ID
//   storage.secret_access_key  AWS_SECRET_ACCESS_KEY
//   storage.session_token      AWS_SESSION_TOKEN
//   storage.region             AWS_REGION, then AWS_DEFAULT_REGION
//   storage.endpoint           AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL
//   auth.jwt_secret            ONEHOP_JWT_SECRET
// (store.access_key and store.secret_key are ONEHOP_STORE_ACCESS_KEY / ONEHOP_STORE_SECRET_KEY.)
//
// Value grammar:
//   size     = TOML integer (bytes) | string: 1*DIGIT *SP [unit]
//              unit = "B" | "KB" | "kB" | "MB" | "GB" | "TB" (powers of 1000)
//                   | "KiB" | "MiB" | "GiB" | "TiB" (powers of 1024)
//   duration = TOML integer (seconds) | string: 1*( *SP 1*DIGIT *SP unit ), e.g. "1h30m"
//              unit = "ms" | "s" | "m" | "h" | "d"; keys in whole seconds refuse a remainder of ms
//   boolean  = TOML boolean; in the environment "true" | "false" | "1" | "0"
//   number   = TOML float or integer; in the environment a decimal number
//
// Errors: the first problem found, as one line `<where>: [section] key: <what>`, where <where> is
// `<file>:<line>`, `environment variable NAME`, or `<file>` for a default that conflicts with
// another key. Unknown sections and keys are errors (typo protection). Secret values (keys,
// tokens, passwords, the database URL) are never repeated in a message.

#include <boost/system/result.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onehop::config {

inline constexpr std::uint64_t kib = 1024;
inline constexpr std::uint64_t mib = 1024 * kib;
inline constexpr std::uint64_t gib = 1024 * mib;
inline constexpr std::uint64_t tib = 1024 * gib;

// A config file (or text) larger than this is refused before parsing.
inline constexpr std::size_t max_config_bytes = 1024 * 1024;

// `onehop store`: the embedded S3-compatible store.
struct store_section {
  std::string listen = "127.0.0.1:9000";  // HOST:PORT (http::parse_listen_address)
  std::string data = "./data/store";      // data folder
  std::vector<std::string> buckets;       // created at start if missing
  std::string region = "us-east-1";       // region clients sign for
  std::string access_key, secret_key;     // both or neither; neither: generated at start
  unsigned threads = 0;                   // I/O threads; 0: one per core
  unsigned sync_threads = 16;             // blocking disk work (fdatasync, renames)
  std::uint64_t max_object_size = 5 * gib;
  std::size_t max_connections = 4096;
  std::chrono::seconds idle_timeout{60};
  std::vector<std::string> hosts{"localhost"};  // names for virtual-hosted-style requests

  friend bool operator==(const store_section&, const store_section&) = default;
};

// `onehop serve`: the upload API.
struct api_section {
  std::string listen = "127.0.0.1:8080";
  unsigned threads = 0;
  std::vector<std::string>
      allowed_origins;     // `scheme://host[:port]`, for cookie-authenticated calls
  std::string static_dir;  // web app files; empty: none
  std::size_t max_body_bytes = 64 * kib;
  std::string public_url;  // how browsers reach the API; empty: derived from listen

  friend bool operator==(const api_section&, const api_section&) = default;
};

// The S3-compatible storage the API signs URLs for.
struct storage_section {
  std::string endpoint = "http://127.0.0.1:9000";  // as the API reaches it
  std::string public_endpoint;                     // what browsers use; empty: endpoint
  std::string region = "us-east-1";
  std::string bucket = "onehop";
  bool path_style = true;
  std::string access_key_id, secret_access_key, session_token;
  bool public_read = false;
  std::string public_base_url;  // CDN/public URL base when public_read; empty: endpoint
  std::chrono::seconds view_url_ttl{300};
  std::chrono::milliseconds timeout{15000};
  unsigned max_attempts = 4;
  std::string ca_file;  // PEM bundle for https; empty: the system's

  friend bool operator==(const storage_section&, const storage_section&) = default;
};

// A server-to-server API key: only its SHA-256 is configured, bound to one user.
struct api_key {
  std::string sha256;  // 64 lower-case hex digits
  std::string user;

  friend bool operator==(const api_key&, const api_key&) = default;
};

struct auth_section {
  std::string jwt_secret;        // HS256 key, at least 32 bytes; empty: no HS256
  std::string jwks_file;         // RS256/ES256 public keys; empty: none
  std::string issuer, audience;  // checked when set
  std::chrono::seconds leeway{30};
  std::vector<api_key> api_keys;
  std::string cookie_name = "onehop_token";

  friend bool operator==(const auth_section&, const auth_section&) = default;
};

struct uploads_section {
  std::string prefix = "uploads";  // keys are <prefix>/<user>/<id>.<ext>
  std::vector<std::string> allowed_types{"image/jpeg", "image/png", "image/gif", "image/webp",
                                         "image/avif"};
  std::uint64_t max_size = 10 * mib;
  std::uint64_t multipart_threshold = 16 * mib;
  std::uint64_t part_size = 8 * mib;
  std::chrono::seconds pending_lifetime{900};
  bool checksum_required = false;
  std::uint64_t quota_bytes = 1 * gib;  // per user; 0: unlimited
  std::uint64_t quota_count = 10000;    // images per user; 0: unlimited
  std::string default_method = "PUT";   // "PUT" or "POST"

  friend bool operator==(const uploads_section&, const uploads_section&) = default;
};

struct rate_limit_section {
  bool enabled = true;
  double user_rate = 5;  // requests per second, sustained
  double user_burst = 20;
  double ip_rate = 20;
  double ip_burst = 60;

  friend bool operator==(const rate_limit_section&, const rate_limit_section&) = default;
};

struct database_section {
  std::string path = "./data/onehop.db";  // SQLite
  std::string url;                        // postgres://...: refused for now ("not supported yet")

  friend bool operator==(const database_section&, const database_section&) = default;
};

struct log_section {
  std::string level = "info";   // trace, debug, info, warn, error
  std::string format = "json";  // or "text"

  friend bool operator==(const log_section&, const log_section&) = default;
};

struct onehop_config {
  store_section store;
  api_section api;
  storage_section storage;
  auth_section auth;
  uploads_section uploads;
  rate_limit_section rate_limit;
  database_section database;
  log_section log;

  friend bool operator==(const onehop_config&, const onehop_config&) = default;
};

struct config_error {
  std::string message;  // one line, e.g. "onehop.toml:12: [uploads] max_size: ..."
};

// For result<T, config_error>::value(): throws std::runtime_error with the message.
[[noreturn]] void throw_exception_from_error(const config_error& e,
                                             const boost::source_location& loc);

template <class T>
using result = boost::system::result<T, config_error>;

// Looks up one environment variable; nullopt when unset.
using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;

// Pure: parses the text, applies environment overrides, validates. `source` names the file in
// messages. Text above max_config_bytes is refused.
result<onehop_config> parse(std::string_view toml_text, std::string_view source,
                            const env_lookup& env);

// Reads the file (a missing or unreadable file is an error naming it), then parse().
result<onehop_config> load(const std::filesystem::path& file, const env_lookup& env);

// No file: the defaults with environment overrides, validated.
result<onehop_config> defaults_with_env(const env_lookup& env);

// The process environment (getenv). An empty variable counts as unset.
env_lookup process_env();

}  // namespace onehop::config

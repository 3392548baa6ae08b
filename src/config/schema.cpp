#include "config/schema.hpp"

#include <charconv>
#include <type_traits>

#include "config/checks.hpp"

namespace onehop::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using k = value_kind;
namespace c = checks;

constexpr std::uint64_t ms_of(seconds s) {
  return static_cast<std::uint64_t>(s.count()) * 1000;
}

// Stores a checked value into its field; the kind in the table decides the alternative.
template <auto Section, auto Field>
void assign(onehop_config& config, value&& v) {
  auto& field = (config.*Section).*Field;
  using T = std::remove_cvref_t<decltype(field)>;
  if constexpr (std::is_same_v<T, bool>) {
    field = std::get<bool>(v);
  } else if constexpr (std::is_integral_v<T>) {
    // The table's bounds keep the value within T.
    field = static_cast<T>(std::get<std::uint64_t>(v));
  } else if constexpr (std::is_same_v<T, double>) {
    field = std::get<double>(v);
  } else if constexpr (std::is_same_v<T, seconds>) {
    field = std::chrono::duration_cast<seconds>(std::get<milliseconds>(v));
  } else if constexpr (std::is_same_v<T, milliseconds>) {
    field = std::get<milliseconds>(v);
  } else {
    field = std::move(std::get<T>(v));
  }
}

#define ONEHOP_FIELD(section, key) &assign<&onehop_config::section, &section##_section::key>

constexpr std::uint64_t unbounded = std::numeric_limits<std::uint64_t>::max();

const std::array<key_spec, 58> keys{{
    // [store]
    {"store",
     "listen",
     k::string,
     1,
     256,
     false,
     {},
     c::listen_address,
     ONEHOP_FIELD(store, listen)},
    {"store", "data", k::string, 1, 4096, false, {}, c::plain_text, ONEHOP_FIELD(store, data)},
    {"store",
     "buckets",
     k::string_list,
     0,
     100,
     false,
     {},
     c::bucket_list,
     ONEHOP_FIELD(store, buckets)},
    {"store", "region", k::string, 1, 64, false, {}, c::region, ONEHOP_FIELD(store, region)},
    {"store",
     "access_key",
     k::string,
     0,
     128,
     true,
     {},
     c::access_key,
     ONEHOP_FIELD(store, access_key)},
    {"store",
     "secret_key",
     k::string,
     0,
     128,
     true,
     {},
     c::store_secret,
     ONEHOP_FIELD(store, secret_key)},
    {"store", "threads", k::integer, 0, 1024, false, {}, nullptr, ONEHOP_FIELD(store, threads)},
    {"store",
     "sync_threads",
     k::integer,
     1,
     1024,
     false,
     {},
     nullptr,
     ONEHOP_FIELD(store, sync_threads)},
    {"store",
     "max_object_size",
     k::size,
     1,
     5 * gib,
     false,
     {},
     nullptr,
     ONEHOP_FIELD(store, max_object_size)},
    {"store",
     "max_connections",
     k::integer,
     1,
     1'000'000,
     false,
     {},
     nullptr,
     ONEHOP_FIELD(store, max_connections)},
    {"store",
     "idle_timeout",
     k::seconds,
     ms_of(seconds(1)),
     ms_of(seconds(3600)),
     false,
     {},
     nullptr,
     ONEHOP_FIELD(store, idle_timeout)},
    {"store", "hosts", k::string_list, 0, 100, false, {}, c::host_list, ONEHOP_FIELD(store, hosts)},
    // [api]
    {"api", "listen", k::string, 1, 256, false, {}, c::listen_address, ONEHOP_FIELD(api, listen)},
    {"api", "threads", k::integer, 0, 1024, false, {}, nullptr, ONEHOP_FIELD(api, threads)},
    {"api",
     "allowed_origins",
     k::string_list,
     0,
     100,
     false,
     {},
     c::origin_list,
     ONEHOP_FIELD(api, allowed_origins)},
    {"api",
     "static_dir",
     k::string,
     0,
     4096,
     false,
     {},
     c::plain_text,
     ONEHOP_FIELD(api, static_dir)},
    {"api",
     "max_body_bytes",
     k::size,
     1 * kib,
     16 * mib,
     false,
     {},
     nullptr,
     ONEHOP_FIELD(api, max_body_bytes)},
    {"api",
     "public_url",
     k::string,
     0,
     2048,
     false,
     {},
     c::optional_url,
     ONEHOP_FIELD(api, public_url)},
    // [storage]
    {"storage",
     "endpoint",
     k::string,
     1,
     2048,
     false,
     {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"},
     c::endpoint,
     ONEHOP_FIELD(storage, endpoint)},
    {"storage",
     "public_endpoint",
     k::string,
     0,
     2048,
     false,
     {},
     c::optional_endpoint,
     ONEHOP_FIELD(storage, public_endpoint)},
    {"storage",
     "region",
     k::string,
     1,
     64,
     false,
     {"AWS_REGION", "AWS_DEFAULT_REGION"},
     c::region,
     ONEHOP_FIELD(storage, region)},
    {"storage", "bucket", k::string, 3, 63, false, {}, c::bucket, ONEHOP_FIELD(storage, bucket)},
    {"storage",
     "path_style",
     k::boolean,
     0,
     unbounded,
     false,
     {},
     nullptr,
     ONEHOP_FIELD(storage, path_style)},
    {"storage",
     "access_key_id",
     k::string,
     0,
     128,
     true,
     {"AWS_ACCESS_KEY_ID"},
     c::access_key,
     ONEHOP_FIELD(storage, access_key_id)},
    {"storage",
     "secret_access_key",
     k::string,
     0,
     256,
     true,
     {"AWS_SECRET_ACCESS_KEY"},
     c::secret_text,
     ONEHOP_FIELD(storage, secret_access_key)},
    {"storage",
     "session_token",
     k::string,
     0,
     8192,
     true,
     {"AWS_SESSION_TOKEN"},
     c::secret_text,
     ONEHOP_FIELD(storage, session_token)},
    {"storage",
     "public_read",
     k::boolean,
     0,
     unbounded,
     false,
     {},
     nullptr,
     ONEHOP_FIELD(storage, public_read)},
    {"storage",
     "public_base_url",
     k::string,
     0,
     2048,
     false,
     {},
     c::optional_url,
     ONEHOP_FIELD(storage, public_base_url)},
    {"storage",
     "view_url_ttl",
     k::seconds,
     ms_of(seconds(1)),
     ms_of(seconds(604800)),
     false,
     {},
     nullptr,
     ONEHOP_FIELD(storage, view_url_ttl)},
    {"storage",
     "timeout",
     k::milliseconds,
     100,
     ms_of(seconds(300)),
     false,
     {},
     nullptr,
     ONEHOP_FIELD(storage, timeout)},
    {"storage",
     "max_attempts",
     k::integer,
     1,
     10,
     false,
     {},
     nullptr,
     ONEHOP_FIELD(storage, max_attempts)},
    {"storage",
     "ca_file",
     k::string,
     0,
     4096,
     false,
     {},
     c::plain_text,
     ONEHOP_FIELD(storage, ca_file)},
    // [auth]
    {"auth",
     "jwt_secret",
     k::string,
     0,
     4096,
     true,
     {"ONEHOP_JWT_SECRET"},
     c::jwt_secret,
     ONEHOP_FIELD(auth, jwt_secret)},
    {"auth",
     "jwks_file",
     k::string,
     0,
     4096,
     false,
     {},
     c::plain_text,
     ONEHOP_FIELD(auth, jwks_file)},
    {"auth", "issuer", k::string, 0, 1024, false, {}, c::plain_text, ONEHOP_FIELD(auth, issuer)},
    {"auth",
     "audience",
     k::string,
     0,
     1024,
     false,
     {},
     c::plain_text,
     ONEHOP_FIELD(auth, audience)},
    {"auth",
     "leeway",
     k::seconds,
     0,
     ms_of(seconds(600)),
     false,
     {},
     nullptr,
     ONEHOP_FIELD(auth, leeway)},
    {"auth", "api_keys", k::api_keys, 0, 1000, true, {}, c::api_keys, ONEHOP_FIELD(auth, api_keys)},
    {"auth",
     "cookie_name",
     k::string,
     1,
     64,
     false,
     {},
     c::cookie_name,
     ONEHOP_FIELD(auth, cookie_name)},
    // [uploads]
    {"uploads",
     "prefix",
     k::string,
     1,
     256,
     false,
     {},
     c::key_prefix,
     ONEHOP_FIELD(uploads, prefix)},
    {"uploads",
     "allowed_types",
     k::string_list,
     1,
     5,
     false,
     {},
     c::content_types,
     ONEHOP_FIELD(uploads, allowed_types)},
    {"uploads",
     "max_size",
     k::size,
     1,
     5 * tib,
     false,
     {},
     nullptr,
     ONEHOP_FIELD(uploads, max_size)},
    {"uploads",
     "multipart_threshold",
     k::size,
     1,
     5 * gib,
     false,
     {},
     nullptr,
     ONEHOP_FIELD(uploads, multipart_threshold)},
    {"uploads",
     "part_size",
     k::size,
     5 * mib,
     5 * gib,
     false,
     {},
     nullptr,
     ONEHOP_FIELD(uploads, part_size)},
    {"uploads",
     "pending_lifetime",
     k::seconds,
     ms_of(seconds(1)),
     ms_of(seconds(604800)),
     false,
     {},
     nullptr,
     ONEHOP_FIELD(uploads, pending_lifetime)},
    {"uploads",
     "checksum_required",
     k::boolean,
     0,
     unbounded,
     false,
     {},
     nullptr,
     ONEHOP_FIELD(uploads, checksum_required)},
    {"uploads",
     "quota_bytes",
     k::size,
     0,
     unbounded,
     false,
     {},
     nullptr,
     ONEHOP_FIELD(uploads, quota_bytes)},
    {"uploads",
     "quota_count",
     k::integer,
     0,
     unbounded,
     false,
     {},
     nullptr,
     ONEHOP_FIELD(uploads, quota_count)},
    {"uploads",
     "default_method",
     k::string,
     0,
     16,
     false,
     {},
     c::upload_method,
     ONEHOP_FIELD(uploads, default_method)},
    // [rate_limit]
    {"rate_limit",
     "enabled",
     k::boolean,
     0,
     unbounded,
     false,
     {},
     nullptr,
     ONEHOP_FIELD(rate_limit, enabled)},
    {"rate_limit",
     "user_rate",
     k::number,
     0,
     unbounded,
     false,
     {},
     c::rate,
     ONEHOP_FIELD(rate_limit, user_rate)},
    {"rate_limit",
     "user_burst",
     k::number,
     0,
     unbounded,
     false,
     {},
     c::burst,
     ONEHOP_FIELD(rate_limit, user_burst)},
    {"rate_limit",
     "ip_rate",
     k::number,
     0,
     unbounded,
     false,
     {},
     c::rate,
     ONEHOP_FIELD(rate_limit, ip_rate)},
    {"rate_limit",
     "ip_burst",
     k::number,
     0,
     unbounded,
     false,
     {},
     c::burst,
     ONEHOP_FIELD(rate_limit, ip_burst)},
    // [database]
    {"database",
     "path",
     k::string,
     1,
     4096,
     false,
     {},
     c::plain_text,
     ONEHOP_FIELD(database, path)},
    {"database", "url", k::string, 0, 4096, true, {}, c::database_url, ONEHOP_FIELD(database, url)},
    // [log]
    {"log", "level", k::string, 0, 16, false, {}, c::log_level, ONEHOP_FIELD(log, level)},
    {"log", "format", k::string, 0, 16, false, {}, c::log_format, ONEHOP_FIELD(log, format)},
}};

#undef ONEHOP_FIELD

constexpr std::array<std::string_view, 8> sections{"store",   "api",        "storage",  "auth",
                                                   "uploads", "rate_limit", "database", "log"};

std::string bound_text(value_kind kind, std::uint64_t n) {
  switch (kind) {
    case k::size:
      return format_size(n);
    case k::seconds:
    case k::milliseconds:
      return format_duration(milliseconds(static_cast<milliseconds::rep>(n)));
    default:
      return std::to_string(n);
  }
}

std::optional<std::string> check_bounds(const key_spec& key, std::uint64_t n,
                                        std::string_view unit) {
  if (n >= key.min && n <= key.max) {
    return std::nullopt;
  }
  if (!unit.empty() && key.min == 1 && n == 0) {
    return std::string("must not be empty");
  }
  std::string range;
  if (key.max == unbounded) {
    range = std::string("at least ") + bound_text(key.kind, key.min);
  } else if (key.min == 0) {
    range = std::string("at most ") + bound_text(key.kind, key.max);
  } else {
    range = std::string("from ") + bound_text(key.kind, key.min) + " to " +
            bound_text(key.kind, key.max);
  }
  return "must be " + range + std::string(unit) + ", got " + bound_text(key.kind, n);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') {
    s.remove_prefix(1);
  }
  while (!s.empty() && s.back() == ' ') {
    s.remove_suffix(1);
  }
  return s;
}

reason_result<std::vector<std::string>> split_list(std::string_view text) {
  std::vector<std::string> items;
  if (trim(text).empty()) {
    return items;
  }
  std::size_t start = 0;
  for (;;) {
    const auto comma = text.find(',', start);
    const std::string_view item = trim(text.substr(start, comma - start));
    if (item.empty()) {
      return reason_result<std::vector<std::string>>(
          boost::system::in_place_error, "expected a comma-separated list without empty items");
    }
    items.emplace_back(item);
    if (comma == std::string_view::npos) {
      return items;
    }
    start = comma + 1;
  }
}

}  // namespace

std::span<const key_spec> all_keys() {
  return keys;
}

std::span<const std::string_view> section_names() {
  return sections;
}

std::optional<std::size_t> find_key(std::string_view section, std::string_view name) {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].section == section && keys[i].name == name) {
      return i;
    }
  }
  return std::nullopt;
}

std::string env_name(const key_spec& key) {
  std::string name = "ONEHOP_";
  name += key.section;
  name += '_';
  name += key.name;
  for (char& ch : name) {
    if (ch >= 'a' && ch <= 'z') {
      ch = static_cast<char>(ch - 'a' + 'A');
    }
  }
  return name;
}

std::string key_label(const key_spec& key) {
  return std::string("[") + std::string(key.section) + "] " + std::string(key.name);
}

std::string_view expected_text(value_kind kind) {
  switch (kind) {
    case k::string:
      return "a string";
    case k::boolean:
      return "a boolean (true or false)";
    case k::integer:
      return "a whole number";
    case k::size:
      return "a size (a whole number of bytes, or a string such as \"10MiB\")";
    case k::seconds:
      return "a duration (whole seconds, or a string such as \"15m\")";
    case k::milliseconds:
      return "a duration (whole seconds, or a string such as \"500ms\")";
    case k::number:
      return "a number";
    case k::string_list:
      return "an array of strings";
    case k::api_keys:
      return "an array of tables with sha256 and user ([[auth.api_keys]])";
  }
  return "a value";
}

std::optional<std::string> check_value(const key_spec& key, value& v) {
  std::optional<std::string> why;
  switch (key.kind) {
    case k::string:
      // Only the length is reported, so this is safe for secrets too.
      why = check_bounds(key, std::get<std::string>(v).size(), " bytes long");
      break;
    case k::integer:
    case k::size:
      why = check_bounds(key, std::get<std::uint64_t>(v), "");
      break;
    case k::seconds:
      if (std::get<milliseconds>(v).count() % 1000 != 0) {
        return std::string("is in whole seconds, got ") +
               format_duration(std::get<milliseconds>(v));
      }
      [[fallthrough]];
    case k::milliseconds:
      why = check_bounds(key, static_cast<std::uint64_t>(std::get<milliseconds>(v).count()), "");
      break;
    case k::string_list:
      why = check_bounds(key, std::get<std::vector<std::string>>(v).size(), " items");
      break;
    case k::api_keys:
      why = check_bounds(key, std::get<std::vector<api_key>>(v).size(), " items");
      break;
    case k::boolean:
    case k::number:
      break;
  }
  if (why) {
    return why;
  }
  if (key.check != nullptr) {
    return key.check(v);
  }
  return std::nullopt;
}

reason_result<value> from_env_text(const key_spec& key, std::string_view text) {
  using R = reason_result<value>;
  const auto fail = [&](std::string why) {
    return R(boost::system::in_place_error, std::move(why));
  };
  switch (key.kind) {
    case k::string:
      return value(std::string(text));
    case k::boolean:
      if (text == "true" || text == "1") {
        return value(true);
      }
      if (text == "false" || text == "0") {
        return value(false);
      }
      return fail(std::string("expected true, false, 1 or 0, got ") + show(text));
    case k::integer: {
      std::uint64_t n = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        return fail(std::string("expected a whole number, got ") + show(text));
      }
      return value(n);
    }
    case k::size: {
      auto n = parse_size(text);
      if (!n) {
        return fail(n.error() + ", got " + show(text));
      }
      return value(*n);
    }
    case k::seconds:
    case k::milliseconds: {
      auto d = parse_duration(text);
      if (!d) {
        return fail(d.error() + ", got " + show(text));
      }
      return value(*d);
    }
    case k::number: {
      double d = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        return fail(std::string("expected a number, got ") + show(text));
      }
      return value(d);
    }
    case k::string_list: {
      auto items = split_list(text);
      if (!items) {
        return fail(items.error());
      }
      return value(std::move(*items));
    }
    case k::api_keys: {
      auto items = split_list(text);
      if (!items) {
        return fail(items.error());
      }
      std::vector<api_key> parsed;
      for (const auto& item : *items) {
        const auto colon = item.rfind(':');
        if (colon == std::string::npos) {
          return fail("expected user:sha256hex items (value not shown)");
        }
        parsed.push_back({item.substr(colon + 1), item.substr(0, colon)});
      }
      return value(std::move(parsed));
    }
  }
  return fail("unsupported kind");
}

std::string show(std::string_view text) {
  constexpr std::size_t max_shown = 80;
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < max_shown; ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    if (u < 0x20 || u == 0x7f) {
      constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 0xf];
    } else {
      out += text[i];
    }
  }
  if (text.size() > max_shown) {
    out += "...";
  }
  out += "'";
  return out;
}

}  // namespace onehop::config

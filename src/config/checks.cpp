#include "config/checks.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "http/endpoint.hpp"
#include "sigv4/signer.hpp"

namespace onehop::config::checks {
namespace {

using reason = std::optional<std::string>;

bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), is_control);
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    if (c != prefix[i]) {
      return false;
    }
  }
  return true;
}

template <class F>
reason each(std::vector<std::string>& items, F&& one) {
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (auto why = one(items[i])) {
      return std::string("item ") + std::to_string(i + 1) + ": " + *why;
    }
    if (!seen.insert(items[i]).second) {
      return show(items[i]) + " is listed twice";
    }
  }
  return std::nullopt;
}

reason one_bucket(const std::string& name) {
  if (!sigv4::validate_bucket(name, sigv4::addressing_style::path)) {
    return std::string(
               "expected an S3 bucket name (3..63 of a-z 0-9 . -, starting and ending with a "
               "letter "
               "or digit), got ") +
           show(name);
  }
  return std::nullopt;
}

}  // namespace

reason listen_address(value& v) {
  const auto& text = std::get<std::string>(v);
  if (!http::parse_listen_address(text)) {
    return std::string(
               "expected HOST:PORT with an IP address (\"127.0.0.1:9000\", \"[::1]:9000\", "
               "\":9000\" for every interface; port 0 picks a free one), got ") +
           show(text);
  }
  return std::nullopt;
}

reason endpoint(value& v) {
  const auto& text = std::get<std::string>(v);
  if (!sigv4::parse_endpoint(text)) {
    return std::string(
               "expected an http:// or https:// URL with a host and an optional port and nothing "
               "after it (\"https://s3.eu-west-1.amazonaws.com\"), got ") +
           show(text);
  }
  return std::nullopt;
}

reason optional_endpoint(value& v) {
  if (std::get<std::string>(v).empty()) {
    return std::nullopt;
  }
  return endpoint(v);
}

reason optional_url(value& v) {
  const auto& text = std::get<std::string>(v);
  if (text.empty()) {
    return std::nullopt;
  }
  const std::string_view scheme = starts_with_ci(text, "https://")  ? "https://"
                                  : starts_with_ci(text, "http://") ? "http://"
                                                                    : "";
  const bool clean = !scheme.empty() && std::none_of(text.begin(), text.end(), [](char c) {
    return is_control(c) || c == ' ' || c == '?' || c == '#';
  });
  if (clean) {
    const std::string_view rest = std::string_view(text).substr(scheme.size());
    const auto slash = rest.find('/');
    const std::string origin = std::string(scheme) + std::string(rest.substr(0, slash));
    if (sigv4::parse_endpoint(origin)) {
      return std::nullopt;
    }
  }
  return std::string(
             "expected an http:// or https:// URL with a host, an optional port and path, no "
             "query "
             "(\"https://cdn.example.com/images\"), got ") +
         show(text);
}

reason region(value& v) {
  const auto& text = std::get<std::string>(v);
  const bool ok = std::all_of(text.begin(), text.end(),
                              [](char c) { return is_alnum(c) || c == '-' || c == '_'; });
  if (!ok) {
    return std::string(
               "expected a region name of letters, digits, - and _ (\"us-east-1\", \"auto\"), "
               "got ") +
           show(text);
  }
  return std::nullopt;
}

reason bucket(value& v) {
  return one_bucket(std::get<std::string>(v));
}

reason bucket_list(value& v) {
  return each(std::get<std::vector<std::string>>(v), one_bucket);
}

reason host_list(value& v) {
  return each(std::get<std::vector<std::string>>(v), [](const std::string& host) -> reason {
    bool ok = !host.empty() && host.size() <= 253 && host.front() != '.' && host.back() != '.' &&
              host.find("..") == std::string::npos;
    ok = ok && std::all_of(host.begin(), host.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
         });
    if (!ok) {
      return std::string(
                 "expected a lower-case DNS name (\"localhost\", \"s3.example.com\"), got ") +
             show(host);
    }
    return std::nullopt;
  });
}

reason access_key(value& v) {
  const auto& text = std::get<std::string>(v);
  if (!text.empty() && text.size() < min_access_key_bytes) {
    return std::string("must be empty or at least ") + std::to_string(min_access_key_bytes) +
           " bytes (value not shown)";
  }
  const bool ok = std::none_of(text.begin(), text.end(),
                               [](char c) { return is_control(c) || c == ' ' || c == '/'; });
  if (!ok) {
    return std::string("must not contain spaces, control characters or '/' (value not shown)");
  }
  return std::nullopt;
}

reason secret_text(value& v) {
  if (has_control(std::get<std::string>(v))) {
    return std::string("must not contain control characters (value not shown)");
  }
  return std::nullopt;
}

reason store_secret(value& v) {
  const auto& text = std::get<std::string>(v);
  if (!text.empty() && text.size() < min_store_secret_bytes) {
    return std::string("must be empty or at least ") + std::to_string(min_store_secret_bytes) +
           " bytes (value not shown)";
  }
  return secret_text(v);
}

reason plain_text(value& v) {
  const auto& text = std::get<std::string>(v);
  if (has_control(text)) {
    return std::string("must not contain control characters, got ") + show(text);
  }
  return std::nullopt;
}

reason origin_list(value& v) {
  return each(std::get<std::vector<std::string>>(v), [](const std::string& origin) -> reason {
    if (origin == "*") {
      return std::string(
          "\"*\" is not accepted: cookie-authenticated requests need the exact origins of your "
          "web app");
    }
    auto parsed = sigv4::parse_endpoint(origin);
    if (!parsed) {
      return std::string(
                 "expected an origin, scheme://host[:port] (\"https://app.example.com\"), got ") +
             show(origin);
    }
    // Browsers send the origin in one canonical form; anything else would never match.
    const std::string canonical = parsed->scheme + "://" + parsed->authority();
    if (canonical != origin) {
      return std::string("write the origin as browsers send it, ") + show(canonical) + ", not " +
             show(origin);
    }
    return std::nullopt;
  });
}

reason content_types(value& v) {
  return each(std::get<std::vector<std::string>>(v), [](const std::string& type) -> reason {
    if (std::find(verifiable_types.begin(), verifiable_types.end(), type) ==
        verifiable_types.end()) {
      return show(type) +
             " cannot be allowed: onehop can only verify image/jpeg, image/png, image/gif, "
             "image/webp and image/avif";
    }
    return std::nullopt;
  });
}

reason key_prefix(value& v) {
  const auto& text = std::get<std::string>(v);
  const bool chars_ok = std::all_of(text.begin(), text.end(), [](char c) {
    return is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '/';
  });
  bool segments_ok = !text.empty() && text.front() != '/' && text.back() != '/';
  std::size_t start = 0;
  while (segments_ok && start <= text.size()) {
    const auto end = std::min(text.find('/', start), text.size());
    const std::string_view segment = std::string_view(text).substr(start, end - start);
    segments_ok = !segment.empty() && segment != "." && segment != "..";
    start = end + 1;
  }
  if (!chars_ok || !segments_ok) {
    return std::string(
               "expected path segments of A-Z a-z 0-9 - _ . separated by single '/', no '.' or "
               "'..' "
               "segment, no leading or trailing '/' (\"uploads\", \"app/images\"), got ") +
           show(text);
  }
  return std::nullopt;
}

reason upload_method(value& v) {
  const auto& text = std::get<std::string>(v);
  if (text != "PUT" && text != "POST") {
    return std::string("expected \"PUT\" or \"POST\", got ") + show(text);
  }
  return std::nullopt;
}

reason rate(value& v) {
  const double d = std::get<double>(v);
  if (!std::isfinite(d) || d <= 0 || d > max_rate) {
    return std::string(
               "expected a number of requests per second above 0 and at most 1000000, got ") +
           std::to_string(d);
  }
  return std::nullopt;
}

reason burst(value& v) {
  const double d = std::get<double>(v);
  if (!std::isfinite(d) || d < 1 || d > max_rate) {
    return std::string("expected a number of requests from 1 to 1000000, got ") + std::to_string(d);
  }
  return std::nullopt;
}

reason log_level(value& v) {
  const auto& text = std::get<std::string>(v);
  for (std::string_view level : {"trace", "debug", "info", "warn", "error"}) {
    if (text == level) {
      return std::nullopt;
    }
  }
  return std::string("expected one of trace, debug, info, warn, error, got ") + show(text);
}

reason log_format(value& v) {
  const auto& text = std::get<std::string>(v);
  if (text != "json" && text != "text") {
    return std::string("expected \"json\" or \"text\", got ") + show(text);
  }
  return std::nullopt;
}

reason database_url(value& v) {
  const auto& text = std::get<std::string>(v);
  if (text.empty()) {
    return std::nullopt;
  }
  // The URL may hold a password: never repeat it.
  if (starts_with_ci(text, "postgres://") || starts_with_ci(text, "postgresql://")) {
    return std::string(
        "PostgreSQL is not supported yet; leave url empty to use SQLite at [database] path");
  }
  return std::string(
      "expected a postgres:// URL (not supported yet) or nothing (value not shown); leave url "
      "empty to use SQLite at [database] path");
}

reason cookie_name(value& v) {
  const auto& text = std::get<std::string>(v);
  // RFC 6265 cookie-name = token (RFC 7230): visible ASCII except separators.
  const std::string_view separators = "()<>@,;:\\\"/[]?={}";
  const bool ok = std::all_of(text.begin(), text.end(), [&](char c) {
    return c > 0x20 && c < 0x7f && separators.find(c) == std::string_view::npos;
  });
  if (!ok) {
    return std::string(
               "expected a cookie name of visible ASCII without ()<>@,;:\\\"/[]?={}, got ") +
           show(text);
  }
  return std::nullopt;
}

reason jwt_secret(value& v) {
  const auto& text = std::get<std::string>(v);
  if (!text.empty() && text.size() < min_jwt_secret_bytes) {
    return std::string("must be empty or at least ") + std::to_string(min_jwt_secret_bytes) +
           std::string(" bytes (HS256 needs a 256-bit key); got ") + std::to_string(text.size()) +
           " bytes (value not shown)";
  }
  return secret_text(v);
}

reason api_keys(value& v) {
  auto& keys = std::get<std::vector<api_key>>(v);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto& key = keys[i];
    const std::string item = std::string("item ") + std::to_string(i + 1) + ": ";
    bool hex = key.sha256.size() == 64;
    for (char& c : key.sha256) {
      if (c >= 'A' && c <= 'F') {
        c = static_cast<char>(c - 'A' + 'a');
      }
      hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }
    if (!hex) {
      return item + "sha256 must be the SHA-256 of the key as 64 hex digits (value not shown)";
    }
    const bool user_ok =
        !key.user.empty() && key.user.size() <= 64 && key.user != "." && key.user != ".." &&
        std::all_of(key.user.begin(), key.user.end(),
                    [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
    if (!user_ok) {
      return item +
             std::string(
                 "user must be 1..64 of A-Z a-z 0-9 - _ . (it becomes part of object keys), got ") +
             show(key.user);
    }
    if (!seen.insert(key.sha256).second) {
      return item + "the same key hash is listed twice";
    }
  }
  return std::nullopt;
}

}  // namespace onehop::config::checks

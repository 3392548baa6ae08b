#include "api/static_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <memory>
#include <utility>

namespace onehop::api {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// Owns one open descriptor until the response that sends from it is done.
class fd_owner {
 public:
  explicit fd_owner(int fd) noexcept : fd_(fd) {}
  fd_owner(const fd_owner&) = delete;
  fd_owner& operator=(const fd_owner&) = delete;
  ~fd_owner() { ::close(fd_); }

 private:
  int fd_;
};

bool has_extension(std::string_view relative) {
  const auto slash = relative.rfind('/');
  const std::string_view last =
      slash == std::string_view::npos ? relative : relative.substr(slash + 1);
  return last.find('.') != std::string_view::npos;
}

}  // namespace

static_files::static_files(std::filesystem::path root, std::string storage_origin)
    : root_(std::move(root)) {
  csp_ =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
      "img-src 'self' blob: data:";
  if (!storage_origin.empty()) {
    csp_ += " " + storage_origin;
  }
  csp_ += "; connect-src 'self'";
  if (!storage_origin.empty()) {
    csp_ += " " + storage_origin;
  }
  csp_ += "; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
}

std::optional<std::string> static_files::safe_relative_path(std::string_view raw_path) {
  if (raw_path.empty() || raw_path.front() != '/' || raw_path.size() > 1024) {
    return std::nullopt;
  }
  std::string decoded;
  decoded.reserve(raw_path.size());
  for (std::size_t i = 1; i < raw_path.size(); ++i) {
    char c = raw_path[i];
    if (c == '%') {
      if (i + 2 >= raw_path.size()) {
        return std::nullopt;
      }
      const int hi = hex_value(raw_path[i + 1]);
      const int lo = hex_value(raw_path[i + 2]);
      if (hi < 0 || lo < 0) {
        return std::nullopt;
      }
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0' || c == '\\') {
      return std::nullopt;
    }
    decoded.push_back(c);
  }
  if (decoded.empty()) {
    return std::string("index.html");
  }
  if (decoded.back() == '/') {
    decoded += "index.html";
  }
  // Every segment must be a plain name.
  std::string_view rest = decoded;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment.empty() || segment == "." || segment == "..") {
      return std::nullopt;
    }
    if (slash == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(slash + 1);
  }
  return decoded;
}

std::string_view static_files::content_type_for(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> types{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".woff2", "font/woff2"},
      {".webmanifest", "application/manifest+json"},
  }};
  for (const auto& [ext, type] : types) {
    if (name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext) {
      return type;
    }
  }
  return "application/octet-stream";
}

std::optional<http::response> static_files::open_file(const std::string& relative,
                                                      bool head) const {
  const std::filesystem::path full = root_ / relative;
  const int fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return std::nullopt;
  }
  auto owner = std::make_shared<fd_owner>(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return std::nullopt;
  }
  http::response res;
  res.message.result(http::bhttp::status::ok);
  const std::string_view type = content_type_for(relative);
  res.message.set(http::bhttp::field::content_type, type);
  res.message.set("X-Content-Type-Options", "nosniff");
  res.message.set("Referrer-Policy", "no-referrer");
  const bool hashed_asset = relative.rfind("assets/", 0) == 0;
  res.message.set(http::bhttp::field::cache_control,
                  hashed_asset ? "public, max-age=31536000, immutable" : "no-cache");
  if (type.rfind("text/html", 0) == 0) {
    res.message.set("Content-Security-Policy", csp_);
    res.message.set("X-Frame-Options", "DENY");
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (head || size == 0) {
    res.message.content_length(size);
  } else {
    res.file = http::file_region{fd, 0, size, owner};
  }
  return res;
}

std::optional<http::response> static_files::serve(std::string_view path, bool head) const {
  if (!enabled()) {
    return std::nullopt;
  }
  auto relative = safe_relative_path(path);
  if (!relative) {
    return std::nullopt;
  }
  if (auto res = open_file(*relative, head)) {
    return res;
  }
  // A directory (`/examples/uppy`) or an app route (`/gallery`): its index.html, then the app's.
  if (!has_extension(*relative)) {
    if (auto res = open_file(*relative + "/index.html", head)) {
      return res;
    }
    return open_file("index.html", head);
  }
  return std::nullopt;
}

}  // namespace onehop::api

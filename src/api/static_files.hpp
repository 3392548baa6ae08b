#pragma once
// The web app's built files (web/dist), served by the API on its own origin.
//
// Paths are decoded once and checked segment by segment (no empty, `.`, `..`, backslash or NUL
// segments), then opened with O_NOFOLLOW below the root, so no request reaches outside it.
// A path without a file extension that names no file gets index.html (the single-page app's
// routes); a missing asset is 404. Files go out with sendfile. HTML gets a Content-Security-Policy
// that lets the page talk to the API's origin and to the storage's origin only.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "http/server.hpp"

namespace onehop::api {

class static_files {
 public:
  // `root` empty: nothing is served (every path is 404). `storage_origin`: scheme://host[:port]
  // of the signed URLs, allowed in the page's connect-src and img-src.
  static_files(std::filesystem::path root, std::string storage_origin);

  bool enabled() const noexcept { return !root_.empty(); }

  // The response for GET/HEAD `path` (raw, percent-encoded), or nullopt for 404.
  std::optional<http::response> serve(std::string_view path, bool head) const;

  // Pure: the decoded relative path for a request path, or nullopt when it is unsafe.
  static std::optional<std::string> safe_relative_path(std::string_view raw_path);
  static std::string_view content_type_for(std::string_view file_name);

 private:
  std::optional<http::response> open_file(const std::string& relative, bool head) const;

  std::filesystem::path root_;
  std::string csp_;
};

}  // namespace onehop::api

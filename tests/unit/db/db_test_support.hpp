#pragma once
// Shared by the db tests: a temp folder, and records with every field set to something
// distinct, so a field swapped or dropped on the way through SQLite shows.

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "db/records.hpp"

namespace onehop::db::testing {

class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "onehop-db-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// prefix + decimal i. (Spelled with +=: g++ 12 at -O3 reports a false -Wrestrict for
// `"literal" + std::to_string(i)`.)
inline std::string numbered(std::string_view prefix, long long i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

inline std::chrono::sys_seconds at(long long seconds) {
  return std::chrono::sys_seconds(std::chrono::seconds(seconds));
}

// The fixed "now" of the tests (2026-01-01T00:00:00Z).
inline const std::chrono::sys_seconds t0 = at(1'767'225'600);

inline pending_upload make_pending(const std::string& user, const std::string& id,
                                   std::uint64_t size = 1'000, long long ttl_seconds = 900) {
  pending_upload p;
  p.id = id;
  p.user = user;
  p.key = "uploads/" + user + "/" + id + ".png";
  p.filename = "photo " + id + ".png";
  p.content_type = "image/png";
  p.size = size;
  p.sha256 = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=";
  p.method = "PUT";
  p.multipart_upload_id = "";
  p.part_size = 0;
  p.created_at = t0;
  p.expires_at = t0 + std::chrono::seconds(ttl_seconds);
  return p;
}

// The image that completing `p` records.
inline image image_of(const pending_upload& p, std::chrono::sys_seconds created_at = t0) {
  image i;
  i.id = p.id;
  i.user = p.user;
  i.key = p.key;
  i.filename = p.filename;
  i.content_type = p.content_type;
  i.size = p.size;
  i.width = 640;
  i.height = 480;
  i.sha256 = p.sha256;
  i.etag = "\"etag-" + p.id + "\"";
  i.created_at = created_at;
  return i;
}

}  // namespace onehop::db::testing

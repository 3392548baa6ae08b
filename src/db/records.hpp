#pragma once
// The two kinds of records the upload API keeps, as plain values. Times are whole seconds since
// the Unix epoch (stored as integers); sizes are below 2^63 (SQLite integers are signed).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace onehop::db {

// A signed upload that has not been completed yet. `id` is unique across pending uploads and
// images (the API generates it at random); `key` is unique across both too.
struct pending_upload {
  std::string id, user, key, filename, content_type;
  std::uint64_t size = 0;
  std::string sha256;               // base64, empty when not declared
  std::string method;               // "PUT", "POST" or "MULTIPART"
  std::string multipart_upload_id;  // storage's UploadId, multipart only
  std::uint64_t part_size = 0;
  std::chrono::sys_seconds created_at, expires_at;

  friend bool operator==(const pending_upload&, const pending_upload&) = default;
};

// A completed, verified upload. Its id is the id of the pending upload it came from.
struct image {
  std::string id, user, key, filename, content_type;
  std::uint64_t size = 0;
  std::uint32_t width = 0, height = 0;
  std::string sha256;  // base64 or empty
  std::string etag;
  std::chrono::sys_seconds created_at;

  friend bool operator==(const image&, const image&) = default;
};

// What a user occupies: completed images plus unexpired pending uploads.
struct usage {
  std::uint64_t bytes = 0, count = 0;

  friend bool operator==(const usage&, const usage&) = default;
};

struct image_page {
  std::vector<image> images;
  std::string next_cursor;  // empty: no more pages
};

}  // namespace onehop::db

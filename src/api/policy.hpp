#pragma once
// The upload policy: which files a user may upload, where they go, and how they are sent. Pure
// functions of the configuration and the request's declared metadata; no I/O.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/errors.hpp"

namespace onehop::api {

// Amazon S3's documented limits, which the multipart protocol is built around.
inline constexpr std::uint64_t s3_min_part_size = 5ull << 20;    // every part but the last
inline constexpr std::uint64_t s3_max_part_size = 5ull << 30;    // one part, and one PUT
inline constexpr std::uint64_t s3_max_object_size = 5ull << 40;  // 5 TiB
inline constexpr unsigned s3_max_part_count = 10000;
inline constexpr std::chrono::seconds max_presign_lifetime{7 * 24 * 3600};  // SigV4 cap

// The content types completion can verify by their magic bytes. Other types (SVG above all,
// which is script) are refused at start-up rather than accepted unverified.
inline constexpr std::string_view verifiable_types[] = {"image/jpeg", "image/png", "image/gif",
                                                        "image/webp", "image/avif"};

// Key segments (prefix parts, user segments) are at most this long.
inline constexpr std::size_t max_segment_length = 64;

struct upload_policy {
  std::vector<std::string> allowed_types{"image/jpeg", "image/png", "image/gif", "image/webp",
                                         "image/avif"};
  std::uint64_t max_size = 10 << 20;
  std::uint64_t multipart_threshold = 16 << 20;  // size above this -> multipart
  std::uint64_t part_size = 8 << 20;             // >= 5 MiB; part count <= 10000
  std::chrono::seconds pending_lifetime{900};    // URLs never outlive it
  std::string prefix = "uploads";                // key prefix: segments joined by '/'
  bool checksum_required = false;                // sha256 must be declared
  std::uint64_t quota_bytes = 1ull << 30;        // per user; 0 = unlimited
  std::uint64_t quota_count = 10000;             // per user; 0 = unlimited
  // PUT or POST for a request that names no method ([uploads] default_method). Never multipart:
  // that follows from the size.
  bool default_post = false;
};

// Start-up check. The error (invalid_request) names the setting and the accepted range:
// allowed_types non-empty, no duplicates, each one of verifiable_types; 1 <= max_size <= 5 TiB;
// 1 <= multipart_threshold <= 5 GiB; 5 MiB <= part_size <= 5 GiB; when max_size is above the
// threshold, max_size fits in 10000 parts; 1 s <= pending_lifetime <= 7 days; prefix is 1 or more
// segments of [A-Za-z0-9._-]{1,64} joined by '/', none "." or "..".
result<void> validate(const upload_policy& policy);

// A user name as one key path segment. [A-Za-z0-9._-]{1,64} that is not ".", "..", and does not
// start with "h-" is returned as is (a view of `user`); anything else becomes "h-" followed by
// the first 32 hex digits of SHA-256(user), written into `scratch` (the view points into it).
// Hashed and kept names cannot collide: kept names never start with "h-".
std::string_view user_segment(std::string_view user, std::string& scratch);

// Writes "<prefix>/<user_segment>/<name>.<ext>" into `out` (cleared first; its capacity is
// reused). `name` is the object's name within the user's folder, e.g. id_body(upload id).
void make_key(std::string& out, std::string_view prefix, std::string_view user_segment,
              std::string_view name, std::string_view ext);

// True when `key` is "<prefix>/<user_segment>/<name>" with `name` one non-empty segment (no '/',
// no '\\', not "." or "..", no control characters). Defence in depth before any storage call
// with a key that came back from a record or a client.
bool key_belongs_to(std::string_view key, std::string_view prefix,
                    std::string_view user_segment) noexcept;

enum class upload_method { put, post, multipart };

struct upload_plan {
  upload_method method = upload_method::put;
  std::uint64_t part_size = 0;  // multipart only
  unsigned part_count = 0;      // multipart only
};

// Decides how a declared upload is sent, or why it is refused. Checked in this order:
//   method is "PUT", "POST" or "" (= PUT)           else 400 invalid_request
//   content_type is one of allowed_types (exact)    else 415 unsupported_type, listing them
//   size >= 1                                       else 400 invalid_request
//   size <= max_size                                else 413 too_large
//   has_sha256 when checksum_required               else 400 invalid_request
// Sizes above multipart_threshold are multipart whatever `method` says.
result<upload_plan> plan_upload(const upload_policy& policy, std::string_view content_type,
                                std::uint64_t size, bool has_sha256, std::string_view method);

}  // namespace onehop::api

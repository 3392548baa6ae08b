#pragma once
// The values the storage client returns and takes (no I/O here).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace onehop::s3client {

// HEAD object. `etag` is verbatim, quotes included (`"<hex>"` or `"<hex>-<parts>"`).
struct object_info {
  std::uint64_t size = 0;
  std::string etag;
  std::string content_type;
  std::string checksum_sha256;  // base64, when the store returns it (x-amz-checksum-sha256)
  std::chrono::sys_seconds last_modified{};
};

// ListParts. `etag` verbatim, as CompleteMultipartUpload wants it back.
struct part_info {
  unsigned part_number = 0;
  std::string etag;
  std::uint64_t size = 0;
};

struct listed_object {
  std::string key;
  std::uint64_t size = 0;
  std::chrono::sys_seconds last_modified{};
};

// One ListObjectsV2 page; `next_token` is empty on the last page.
struct object_page {
  std::vector<listed_object> objects;
  std::string next_token;
};

struct multipart_entry {
  std::string key;
  std::string upload_id;
  std::chrono::sys_seconds initiated{};
};

struct completed_part {
  unsigned part_number = 0;
  std::string etag;
};

}  // namespace onehop::s3client

#pragma once
// The signed requests the Uppy routes hand out (docs/uppy.md). Pure: offline SigV4, `now` given.
//
// Unlike POST /api/uploads, the size of an Uppy upload is unknown when it is signed: Companion's
// protocol never sends it, and Uppy picks its own part sizes. So:
// - a part URL signs only `host` (UNSIGNED-PAYLOAD, no Content-Length, no Content-Type: Uppy
//   PUTs a sliced Blob, which has no type), and carries no checksum parameters (Companion 6.2.2's
//   CRC32 of an empty body makes every real part fail);
// - a POST form caps the file with content-length-range 1..max_size and fixes the key and the
//   Content-Type.
// Completion then checks the stored object's size against the limit (uppy.cpp).
//
// One instance per thread: the presigner reuses its buffers (not thread-safe).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/app_config.hpp"
#include "api/errors.hpp"
#include "sigv4/post_policy.hpp"
#include "sigv4/signer.hpp"

namespace onehop::api {

class uppy_signer {
 public:
  explicit uppy_signer(const app_config& config);

  // A presigned UploadPart URL (`?partNumber=N&uploadId=U`) into `out`, signed for `host` only.
  result<void> part_url(std::string& out, std::string_view key, std::string_view upload_id,
                        unsigned part_number, std::chrono::seconds lifetime,
                        std::chrono::sys_seconds now);

  // A browser POST form for `key`: fields key, Content-Type, success_action_status (201, as
  // Companion sends), then the signature fields; the policy holds content-length-range
  // 1..max_size and an exact condition for every field.
  result<sigv4::presigned_post> post_form(std::string_view key, std::string_view content_type,
                                          std::uint64_t max_size, std::chrono::seconds lifetime,
                                          std::chrono::sys_seconds now) const;

 private:
  const app_config& config_;
  sigv4::presigner presigner_;
};

// S3's Location of an object: the bucket URL, '/', then the key URI-encoded with '/' kept (as S3
// writes <Location> and as Uppy builds it after a POST upload).
std::string object_location(std::string_view bucket_url, std::string_view key);

}  // namespace onehop::api

#pragma once
// The signed requests the API hands to clients, written straight into a JSON response: the
// single PUT (Content-Type, Content-Length and the declared SHA-256 signed, so the storage
// refuses any other type, size or body), the browser POST form (content-length-range exactly the
// declared size, key and Content-Type fixed), one multipart part (its exact length signed), and
// the URL an image is viewed with.
//
// Signing is offline. One instance per thread: the presigner reuses its buffers (not thread-safe).

#include <chrono>
#include <string>
#include <string_view>

#include "api/app_config.hpp"
#include "api/errors.hpp"
#include "sigv4/signer.hpp"

namespace onehop::api {

class upload_urls {
 public:
  explicit upload_urls(const app_config& config);

  // What the signature fixes about one object.
  struct object_terms {
    std::string_view key;
    std::string_view content_type;
    std::uint64_t size = 0;
    std::string_view sha256;  // base64; empty: not signed
  };

  // Each appends `,"url":...` and `,"headers":{...}` (or `,"fields":{...}` for POST) to `out`.
  result<void> append_put(std::string& out, const object_terms& object,
                          std::chrono::seconds lifetime, std::chrono::sys_seconds now);
  result<void> append_post(std::string& out, const object_terms& object,
                           std::chrono::seconds lifetime, std::chrono::sys_seconds now);
  // One part of a multipart upload: only its length is signed (and the upload it belongs to).
  result<void> append_part(std::string& out, std::string_view key, std::string_view upload_id,
                           unsigned part_number, std::uint64_t part_length,
                           std::chrono::seconds lifetime, std::chrono::sys_seconds now);

  // Appends `,"url":...` and, for a signed URL, `,"urlExpiresAt":...`: a public URL when the bucket
  // is public, otherwise a GET signed for view_url_ttl that makes the browser show the image
  // inline under its original file name.
  void append_view(std::string& out, std::string_view key, std::string_view filename,
                   std::chrono::sys_seconds now);

  // scheme://authority[/bucket]: where a POST form goes.
  const std::string& bucket_url() const noexcept { return bucket_url_; }

 private:
  const app_config& config_;
  sigv4::presigner presigner_;
  std::string bucket_url_;
  std::string url_;
  std::string length_;
  std::string disposition_;
};

// `inline; filename="<ascii fallback>"; filename*=UTF-8''<percent-encoded>`: safe for any name
// (quotes, backslashes, control characters and non-ASCII never reach the quoted form).
std::string inline_content_disposition(std::string_view filename);

}  // namespace onehop::api

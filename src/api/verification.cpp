#include "api/verification.hpp"

#include <algorithm>
#include <span>

#include "api/image_probe.hpp"
#include "sigv4/encoding.hpp"

namespace onehop::api {

namespace {

// The first read of an object's head for probe_image; probe_bytes only when it is not enough.
constexpr std::uint64_t first_probe_bytes = 16 * 1024;

using failure_result = boost::system::result<verified_object, verification_failure>;

verification_failure reject(std::string message) {
  return {make_error(errc::verification_failed, std::move(message)), true};
}

verification_failure retry_later(api_error e) {
  return {std::move(e), false};
}

std::string_view media_type(std::string_view content_type) {
  std::string_view m = content_type.substr(0, content_type.find(';'));
  while (!m.empty() && m.back() == ' ')
    m.remove_suffix(1);
  return m;
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

api_error storage_error(const s3client::s3_error& e) {
  if (e.code == s3client::errc::unavailable) {
    return make_error(errc::storage_unavailable, "storage is unavailable: " + e.message);
  }
  return make_error(errc::internal,
                    "storage error: " + (e.s3_code.empty() ? e.message : e.s3_code));
}

boost::asio::awaitable<failure_result> verify_stored_object(s3client::client& storage,
                                                            const db::pending_upload& upload) {
  auto head = co_await storage.head_object(upload.key);
  if (!head) {
    if (head.error().code == s3client::errc::not_found) {
      co_return verification_failure{
          make_error(errc::verification_failed,
                     "the object is not in storage: upload the file before completing"),
          false};
    }
    co_return retry_later(storage_error(head.error()));
  }
  if (head->size != upload.size) {
    co_return reject("size mismatch: declared " + std::to_string(upload.size) + " bytes, stored " +
                     std::to_string(head->size));
  }
  if (!iequal(media_type(head->content_type), upload.content_type)) {
    co_return reject("content type mismatch: declared " + upload.content_type + ", stored " +
                     std::string(media_type(head->content_type)));
  }
  if (!upload.sha256.empty()) {
    std::string actual;
    if (!head->checksum_sha256.empty() && head->checksum_sha256.find('-') == std::string::npos) {
      actual = head->checksum_sha256;  // the storage verified it against the body it received
    } else {
      auto digest = co_await storage.sha256_of(upload.key, upload.size);
      if (!digest) {
        co_return retry_later(storage_error(digest.error()));
      }
      actual = sigv4::base64_encode(
          std::string_view(reinterpret_cast<const char*>(digest->data()), digest->size()));
    }
    if (actual != upload.sha256) {
      co_return reject("checksum mismatch: the stored bytes' SHA-256 is not the declared one");
    }
  }
  const auto format = format_for_content_type(upload.content_type);
  if (!format) {
    co_return reject("content type " + upload.content_type + " cannot be verified");
  }
  // Most headers sit in the first few KiB: read those, and all of probe_bytes only when they do
  // not suffice (a JPEG with a large EXIF or ICC segment first) or the bytes are not an image.
  std::uint64_t wanted = std::min(first_probe_bytes, upload.size);
  for (;;) {
    auto bytes = co_await storage.get_range(upload.key, 0, wanted - 1);
    if (!bytes) {
      co_return retry_later(storage_error(bytes.error()));
    }
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes->data());
    auto info = probe_image(*format, std::span(data, bytes->size()), wanted == upload.size);
    if (info) {
      co_return verified_object{info->width, info->height, head->etag};
    }
    const std::uint64_t most = std::min<std::uint64_t>(probe_bytes, upload.size);
    if (wanted == most) {
      co_return reject(info.error().message);
    }
    wanted = most;
  }
}

boost::asio::awaitable<result<void>> remove_stored(s3client::client& storage,
                                                   const db::pending_upload& upload) {
  if (!upload.multipart_upload_id.empty()) {
    auto aborted = co_await storage.abort_multipart(upload.key, upload.multipart_upload_id);
    if (!aborted) {
      co_return storage_error(aborted.error());
    }
  }
  // A completed multipart upload, a PUT or a POST leaves an object (or nothing: 404 is success).
  auto deleted = co_await storage.delete_object(upload.key);
  if (!deleted) {
    co_return storage_error(deleted.error());
  }
  co_return result<void>{};
}

}  // namespace onehop::api

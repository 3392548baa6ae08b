#include "s3client/client.hpp"

#include <openssl/evp.h>

#include <array>
#include <charconv>

#include "s3client/client_impl.hpp"
#include "sigv4/encoding.hpp"

namespace onehop::s3client {

namespace {

s3_error argument_error(std::string_view operation, std::string_view what) {
  return s3_error{errc::bad_request, 0, "InvalidArgument",
                  std::string(operation) + ": " + std::string(what)};
}

s3_error protocol_error(std::string_view operation, std::string_view what) {
  return s3_error{errc::protocol, 0, {}, std::string(operation) + ": " + std::string(what)};
}

std::string_view header(const reply& r, std::string_view name) {
  const auto it = r.header.find(name);
  return it == r.header.end() ? std::string_view{} : std::string_view(it->value());
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

std::string content_md5(std::string_view body) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned size = 0;
  EVP_Digest(body.data(), body.size(), md.data(), &size, EVP_md5(), nullptr);
  return sigv4::base64_encode(std::span<const std::uint8_t>(md.data(), size));
}

}  // namespace

client::client(client_config config) : impl_(std::make_unique<impl>(std::move(config))) {}
client::~client() = default;

const client_config& client::config() const noexcept {
  return impl_->config;
}

asio::awaitable<result<object_info>> client::head_object(std::string_view key) {
  call c;
  c.operation = "HeadObject";
  c.method = bhttp::verb::head;
  c.key = key;
  c.headers = {{"x-amz-checksum-mode", "ENABLED"}};
  auto r = co_await impl_->perform(c);
  if (!r) {
    co_return r.error();
  }
  object_info info;
  const auto size = parse_u64(header(*r, "content-length"));
  if (!size) {
    co_return protocol_error(c.operation, "no Content-Length");
  }
  info.size = *size;
  info.etag = std::string(header(*r, "etag"));
  info.content_type = std::string(header(*r, "content-type"));
  info.checksum_sha256 = std::string(header(*r, "x-amz-checksum-sha256"));
  if (const auto modified = xml::parse_http_date(header(*r, "last-modified"))) {
    info.last_modified = *modified;
  }
  co_return info;
}

asio::awaitable<result<std::string>> client::get_range(std::string_view key, std::uint64_t first,
                                                       std::uint64_t last) {
  if (last < first || last - first >= max_range_size) {
    co_return argument_error("GetObject",
                             "range must be 1.." + std::to_string(max_range_size) + " bytes");
  }
  call c;
  c.operation = "GetObject";
  c.key = key;
  c.headers = {{"range", "bytes=" + std::to_string(first) + "-" + std::to_string(last)}};
  c.max_body = max_range_size;
  auto r = co_await impl_->perform(c);
  if (!r) {
    co_return r.error();
  }
  const std::uint64_t wanted = last - first + 1;
  if (r->status == 200) {
    // The server ignored the range and sent the whole (small) object: cut the range out.
    if (first >= r->body.size()) {
      co_return s3_error{errc::bad_request, 416, "InvalidRange",
                         "GetObject: the range starts after the end of the object"};
    }
    co_return r->body.substr(first, wanted);
  }
  if (r->body.size() > wanted) {
    co_return protocol_error(c.operation, "more bytes than the range asked for");
  }
  co_return std::move(r->body);
}

asio::awaitable<result<sigv4::sha256_digest>> client::sha256_of(std::string_view key,
                                                                std::uint64_t max_bytes) {
  call c;
  c.operation = "GetObject";
  c.key = key;
  c.max_body = max_bytes;
  c.over_limit = errc::too_large;
  sigv4::sha256_hasher hasher;
  c.start = [&hasher] { hasher.reset(); };
  c.sink = [&hasher](std::string_view data) {
    hasher.update(data);
    return sink_action::more;
  };
  auto r = co_await impl_->perform(c);
  if (!r) {
    co_return r.error();
  }
  co_return hasher.finish();
}

asio::awaitable<result<void>> client::delete_object(std::string_view key) {
  call c;
  c.operation = "DeleteObject";
  c.method = bhttp::verb::delete_;
  c.key = key;
  auto r = co_await impl_->perform(c);
  if (!r && r.error().code != errc::not_found) {
    co_return r.error();
  }
  co_return result<void>{};
}

asio::awaitable<result<void>> client::put_object(std::string_view key, std::string_view body,
                                                 std::string_view content_type) {
  call c;
  c.operation = "PutObject";
  c.method = bhttp::verb::put;
  c.key = key;
  c.body = body;
  if (!content_type.empty()) {
    c.headers.emplace_back("content-type", std::string(content_type));
  }
  // Stored with the object, so a later HEAD (checksum mode) can prove what was written.
  c.headers.emplace_back("x-amz-checksum-sha256", sigv4::base64_encode(sigv4::sha256(body)));
  auto r = co_await impl_->perform(c);
  if (!r) {
    co_return r.error();
  }
  co_return result<void>{};
}

asio::awaitable<result<std::string>> client::create_multipart(std::string_view key,
                                                              std::string_view content_type) {
  call c;
  c.operation = "CreateMultipartUpload";
  c.method = bhttp::verb::post;
  c.key = key;
  c.query = {{"uploads", ""}};
  c.idempotent = false;
  if (!content_type.empty()) {
    c.headers.emplace_back("content-type", std::string(content_type));
  }
  auto r = co_await impl_->perform(c);
  if (!r) {
    co_return r.error();
  }
  co_return xml::parse_initiate(r->body);
}

asio::awaitable<result<std::string>> client::upload_part(std::string_view key,
                                                         std::string_view upload_id,
                                                         unsigned part_number,
                                                         std::string_view body) {
  call c;
  c.operation = "UploadPart";
  c.method = bhttp::verb::put;
  c.key = key;
  c.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", std::string(upload_id)}};
  c.body = body;
  auto r = co_await impl_->perform(c);
  if (!r) {
    co_return r.error();
  }
  const std::string_view etag = header(*r, "etag");
  if (etag.empty()) {
    co_return protocol_error(c.operation, "no ETag");
  }
  co_return std::string(etag);
}

asio::awaitable<result<std::string>> client::complete_multipart(
    std::string_view key, std::string_view upload_id, std::span<const completed_part> parts) {
  const std::string body = xml::render_complete(parts);
  call c;
  c.operation = "CompleteMultipartUpload";
  c.method = bhttp::verb::post;
  c.key = key;
  c.query = {{"uploadId", std::string(upload_id)}};
  c.headers = {{"content-type", "application/xml"}};
  c.body = body;
  c.idempotent = false;
  c.error_in_200 = true;
  auto r = co_await impl_->perform(c);
  if (!r) {
    co_return r.error();
  }
  auto outcome = xml::parse_complete(r->body);
  if (!outcome) {
    co_return outcome.error();
  }
  co_return std::move(outcome->etag);
}

asio::awaitable<result<void>> client::abort_multipart(std::string_view key,
                                                      std::string_view upload_id) {
  call c;
  c.operation = "AbortMultipartUpload";
  c.method = bhttp::verb::delete_;
  c.key = key;
  c.query = {{"uploadId", std::string(upload_id)}};
  auto r = co_await impl_->perform(c);
  if (!r && r.error().code != errc::not_found) {
    co_return r.error();
  }
  co_return result<void>{};
}

asio::awaitable<result<std::vector<part_info>>> client::list_parts(std::string_view key,
                                                                   std::string_view upload_id) {
  std::vector<part_info> parts;
  unsigned marker = 0;
  for (;;) {
    call c;
    c.operation = "ListParts";
    c.key = key;
    c.query = {{"uploadId", std::string(upload_id)}};
    if (marker != 0) {
      c.query.emplace_back("part-number-marker", std::to_string(marker));
    }
    auto r = co_await impl_->perform(c);
    if (!r) {
      co_return r.error();
    }
    auto page = xml::parse_list_parts(r->body);
    if (!page) {
      co_return page.error();
    }
    parts.insert(parts.end(), page->parts.begin(), page->parts.end());
    if (!page->truncated) {
      co_return parts;
    }
    if (page->next_marker <= marker) {  // a marker that does not advance would loop forever
      co_return protocol_error(c.operation, "NextPartNumberMarker does not advance");
    }
    marker = page->next_marker;
  }
}

asio::awaitable<result<object_page>> client::list_objects(std::string_view prefix,
                                                          std::string_view continuation_token,
                                                          unsigned max_keys) {
  if (max_keys == 0 || max_keys > default_max_keys) {
    co_return argument_error("ListObjectsV2", "max_keys must be 1..1000");
  }
  call c;
  c.operation = "ListObjectsV2";
  c.bucket_level = true;
  c.query = {{"list-type", "2"}, {"encoding-type", "url"}};
  if (!prefix.empty()) {
    c.query.emplace_back("prefix", std::string(prefix));
  }
  if (!continuation_token.empty()) {
    c.query.emplace_back("continuation-token", std::string(continuation_token));
  }
  c.query.emplace_back("max-keys", std::to_string(max_keys));
  auto r = co_await impl_->perform(c);
  if (!r) {
    co_return r.error();
  }
  co_return xml::parse_list_objects(r->body);
}

asio::awaitable<result<std::vector<multipart_entry>>> client::list_multipart_uploads(
    std::string_view prefix) {
  std::vector<multipart_entry> uploads;
  std::string key_marker;
  std::string upload_id_marker;
  for (;;) {
    call c;
    c.operation = "ListMultipartUploads";
    c.bucket_level = true;
    c.query = {{"uploads", ""}, {"encoding-type", "url"}};
    if (!prefix.empty()) {
      c.query.emplace_back("prefix", std::string(prefix));
    }
    if (!key_marker.empty()) {
      c.query.emplace_back("key-marker", key_marker);
      if (!upload_id_marker.empty()) {
        c.query.emplace_back("upload-id-marker", upload_id_marker);
      }
    }
    auto r = co_await impl_->perform(c);
    if (!r) {
      co_return r.error();
    }
    auto page = xml::parse_list_uploads(r->body);
    if (!page) {
      co_return page.error();
    }
    uploads.insert(uploads.end(), page->uploads.begin(), page->uploads.end());
    if (!page->truncated) {
      co_return uploads;
    }
    if (page->next_key_marker == key_marker && page->next_upload_id_marker == upload_id_marker) {
      co_return protocol_error(c.operation, "the next markers do not advance");
    }
    key_marker = std::move(page->next_key_marker);
    upload_id_marker = std::move(page->next_upload_id_marker);
  }
}

asio::awaitable<result<void>> client::create_bucket() {
  std::string body;
  const std::string& region = impl_->config.signer.region;
  if (!region.empty() && region != "us-east-1") {
    body = "<CreateBucketConfiguration><LocationConstraint>" + region +
           "</LocationConstraint></CreateBucketConfiguration>";
  }
  call c;
  c.operation = "CreateBucket";
  c.method = bhttp::verb::put;
  c.bucket_level = true;
  c.body = body;
  auto r = co_await impl_->perform(c);
  if (!r && r.error().s3_code != "BucketAlreadyOwnedByYou") {
    co_return r.error();
  }
  co_return result<void>{};
}

asio::awaitable<result<void>> client::head_bucket() {
  call c;
  c.operation = "HeadBucket";
  c.method = bhttp::verb::head;
  c.bucket_level = true;
  auto r = co_await impl_->perform(c);
  if (!r) {
    co_return r.error();
  }
  co_return result<void>{};
}

asio::awaitable<result<void>> client::put_bucket_cors(std::string_view cors_xml) {
  call c;
  c.operation = "PutBucketCors";
  c.method = bhttp::verb::put;
  c.bucket_level = true;
  c.query = {{"cors", ""}};
  c.headers = {{"content-md5", content_md5(cors_xml)}, {"content-type", "application/xml"}};
  c.body = cors_xml;
  auto r = co_await impl_->perform(c);
  if (!r) {
    co_return r.error();
  }
  co_return result<void>{};
}

}  // namespace onehop::s3client

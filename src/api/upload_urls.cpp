#include "api/upload_urls.hpp"

#include <array>

#include "api/json_out.hpp"
#include "sigv4/post_policy.hpp"

namespace onehop::api {
namespace {

sigv4::signer_config browser_signer(const app_config& config) {
  sigv4::signer_config s = config.storage.signer;
  s.endpoint = config.public_endpoint;
  return s;
}

std::string make_bucket_url(const app_config& config) {
  const auto& e = config.public_endpoint;
  const auto& bucket = config.storage.bucket;
  if (config.storage.signer.style == sigv4::addressing_style::virtual_hosted) {
    return e.scheme + "://" + bucket + "." + e.authority();
  }
  return e.scheme + "://" + e.authority() + "/" + bucket;
}

api_error signing_error(const boost::system::error_code& ec) {
  return make_error(errc::internal, "could not sign the upload: " + ec.message());
}

}  // namespace

upload_urls::upload_urls(const app_config& config)
    : config_(config), presigner_(browser_signer(config)), bucket_url_(make_bucket_url(config)) {}

result<void> upload_urls::append_put(std::string& out, const object_terms& upload,
                                     std::chrono::seconds lifetime, std::chrono::sys_seconds now) {
  length_ = std::to_string(upload.size);
  std::array<sigv4::header_field, 3> headers{{
      {"content-type", upload.content_type},
      {"content-length", length_},
      {"x-amz-checksum-sha256", upload.sha256},
  }};
  sigv4::presign_request request;
  request.method = "PUT";
  request.bucket = config_.storage.bucket;
  request.key = upload.key;
  request.headers = std::span(headers.data(), upload.sha256.empty() ? 2 : 3);
  request.expires = lifetime;
  if (auto ok = presigner_.presign(url_, request, now); !ok) {
    return signing_error(ok.error());
  }
  out += R"(,"url":)";
  append_json_string(out, url_);
  out += R"(,"headers":{"Content-Type":)";
  append_json_string(out, upload.content_type);
  if (!upload.sha256.empty()) {
    out += R"(,"x-amz-checksum-sha256":)";
    append_json_string(out, upload.sha256);
  }
  out += "}";
  return {};
}

result<void> upload_urls::append_post(std::string& out, const object_terms& upload,
                                      std::chrono::seconds lifetime, std::chrono::sys_seconds now) {
  const auto& creds = config_.storage.signer.creds;
  std::array<sigv4::form_field, 1> fields{{{"Content-Type", upload.content_type}}};
  // Every form field needs a condition, or the storage refuses the form; this one also fixes the
  // type the object is stored with.
  std::array<sigv4::policy_condition, 2> conditions{
      sigv4::field_condition{sigv4::condition_op::eq, "Content-Type",
                             std::string(upload.content_type), false},
      sigv4::content_length_range{upload.size, upload.size}};
  sigv4::post_form_request request;
  request.bucket = config_.storage.bucket;
  request.key = upload.key;
  request.region = config_.storage.signer.region;
  request.credentials = {creds.access_key_id, creds.secret_access_key, creds.session_token};
  request.now = now;
  request.expires = lifetime;
  request.fields = fields;
  request.conditions = conditions;
  auto signed_form = sigv4::presign_post(request);
  if (!signed_form) {
    return signing_error(signed_form.error());
  }
  out += R"(,"url":)";
  append_json_string(out, bucket_url_);
  out += R"(,"fields":{)";
  bool first = true;
  for (const auto& f : signed_form->fields) {
    if (!first)
      out += ",";
    first = false;
    append_json_string(out, f.name);
    out += ":";
    append_json_string(out, f.value);
  }
  out += "}";
  return {};
}

result<void> upload_urls::append_part(std::string& out, std::string_view key,
                                      std::string_view upload_id, unsigned part_number,
                                      std::uint64_t part_length, std::chrono::seconds lifetime,
                                      std::chrono::sys_seconds now) {
  length_ = std::to_string(part_length);
  const std::string part = std::to_string(part_number);
  std::array<sigv4::header_field, 1> headers{{{"content-length", length_}}};
  std::array<sigv4::query_param, 2> query{{{"partNumber", part}, {"uploadId", upload_id}}};
  sigv4::presign_request request;
  request.method = "PUT";
  request.bucket = config_.storage.bucket;
  request.key = key;
  request.query = query;
  request.headers = headers;
  request.expires = lifetime;
  if (auto ok = presigner_.presign(url_, request, now); !ok) {
    return signing_error(ok.error());
  }
  out += R"(,"url":)";
  append_json_string(out, url_);
  out += R"(,"headers":{})";
  return {};
}

void upload_urls::append_view(std::string& out, std::string_view key, std::string_view filename,
                              std::chrono::sys_seconds now) {
  if (config_.public_read) {
    std::string url = config_.public_base_url.empty() ? bucket_url_ : config_.public_base_url;
    while (!url.empty() && url.back() == '/')
      url.pop_back();
    url += "/";
    url += key;  // keys the API makes are [A-Za-z0-9._/-]: nothing to encode
    out += R"(,"url":)";
    append_json_string(out, url);
    return;
  }
  disposition_ = inline_content_disposition(filename);
  std::array<sigv4::query_param, 1> query{{{"response-content-disposition", disposition_}}};
  sigv4::presign_request request;
  request.method = "GET";
  request.bucket = config_.storage.bucket;
  request.key = key;
  request.query = query;
  request.expires = config_.view_url_ttl;
  if (auto ok = presigner_.presign(url_, request, now); !ok) {
    out += R"(,"url":null)";
    return;
  }
  out += R"(,"url":)";
  append_json_string(out, url_);
  out += R"(,"urlExpiresAt":")";
  append_rfc3339(out, now + config_.view_url_ttl);
  out += '"';
}

std::string inline_content_disposition(std::string_view filename) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string ascii;
  std::string encoded;
  for (unsigned char c : filename) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '-' || c == '_';
    ascii += plain || c == ' ' ? static_cast<char>(c) : '_';
    if (plain) {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += hex[c >> 4];
      encoded += hex[c & 15];
    }
  }
  if (ascii.empty()) {
    ascii = "image";
  }
  return "inline; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

}  // namespace onehop::api

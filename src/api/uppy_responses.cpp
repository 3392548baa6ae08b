#include "api/uppy_responses.hpp"

#include "api/json_out.hpp"

namespace onehop::api {

std::string uppy_error_body(const api_error& e) {
  std::string out = R"({"error":{"code":")";
  out += to_wire(e.code).code;
  out += R"(","message":)";
  append_json_string(out, e.message);
  out += R"(},"message":)";
  append_json_string(out, e.message);
  out += '}';
  return out;
}

std::string params_response(std::string_view bucket_url, const sigv4::presigned_post& form,
                            std::chrono::seconds expires, std::string_view upload_id) {
  std::string out = R"({"method":"POST","url":)";
  append_json_string(out, bucket_url);
  out += R"(,"fields":{)";
  bool first = true;
  for (const auto& f : form.fields) {
    if (!first)
      out += ',';
    first = false;
    append_json_key(out, f.name);
    append_json_string(out, f.value);
  }
  out += R"(},"expires":)";
  append_json_number(out, static_cast<std::int64_t>(expires.count()));
  out += R"(,"uploadId":)";
  append_json_string(out, upload_id);
  out += '}';
  return out;
}

std::string create_response(std::string_view key, std::string_view upload_id,
                            std::string_view bucket) {
  std::string out = "{";
  append_json_key(out, "key");
  append_json_string(out, key);
  out += ',';
  append_json_key(out, "uploadId");
  append_json_string(out, upload_id);
  out += ',';
  append_json_key(out, "bucket");
  append_json_string(out, bucket);
  out += '}';
  return out;
}

std::string sign_part_response(std::string_view url, std::chrono::seconds expires) {
  std::string out = "{";
  append_json_key(out, "url");
  append_json_string(out, url);
  out += ',';
  append_json_key(out, "expires");
  append_json_number(out, static_cast<std::int64_t>(expires.count()));
  out += '}';
  return out;
}

std::string batch_response(std::span<const unsigned> numbers, std::span<const std::string> urls) {
  std::string out = R"({"presignedUrls":{)";
  for (std::size_t i = 0; i < numbers.size() && i < urls.size(); ++i) {
    if (i != 0)
      out += ',';
    append_json_key(out, std::to_string(numbers[i]));
    append_json_string(out, urls[i]);
  }
  out += "}}";
  return out;
}

std::string list_parts_response(std::span<const s3client::part_info> parts) {
  std::string out = "[";
  bool first = true;
  for (const auto& p : parts) {
    if (!first)
      out += ',';
    first = false;
    out += '{';
    append_json_key(out, "PartNumber");
    append_json_number(out, p.part_number);
    out += ',';
    append_json_key(out, "ETag");
    append_json_string(out, p.etag);
    out += ',';
    append_json_key(out, "Size");
    append_json_number(out, p.size);
    out += '}';
  }
  out += ']';
  return out;
}

std::string complete_response(std::string_view location, std::string_view key,
                              std::string_view bucket, std::string_view image_json) {
  std::string out = "{";
  append_json_key(out, "location");
  append_json_string(out, location);
  out += ',';
  append_json_key(out, "key");
  append_json_string(out, key);
  out += ',';
  append_json_key(out, "bucket");
  append_json_string(out, bucket);
  out += ',';
  append_json_key(out, "image");
  out += image_json;
  out += '}';
  return out;
}

}  // namespace onehop::api

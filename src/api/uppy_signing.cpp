#include "api/uppy_signing.hpp"

#include <array>

#include "sigv4/encoding.hpp"

namespace onehop::api {
namespace {

sigv4::signer_config browser_signer(const app_config& config) {
  sigv4::signer_config s = config.storage.signer;
  s.endpoint = config.public_endpoint;  // the URL goes to the browser
  return s;
}

api_error signing_error(const boost::system::error_code& ec) {
  return make_error(errc::internal, "could not sign the upload: " + ec.message());
}

constexpr std::string_view created_status = "201";

}  // namespace

uppy_signer::uppy_signer(const app_config& config)
    : config_(config), presigner_(browser_signer(config)) {}

result<void> uppy_signer::part_url(std::string& out, std::string_view key,
                                   std::string_view upload_id, unsigned part_number,
                                   std::chrono::seconds lifetime, std::chrono::sys_seconds now) {
  const std::string part = std::to_string(part_number);
  const std::array<sigv4::query_param, 2> query{{{"partNumber", part}, {"uploadId", upload_id}}};
  sigv4::presign_request request;
  request.method = "PUT";
  request.bucket = config_.storage.bucket;
  request.key = key;
  request.query = query;
  request.expires = lifetime;  // headers: none besides host; payload: UNSIGNED-PAYLOAD
  if (auto ok = presigner_.presign(out, request, now); !ok) {
    return signing_error(ok.error());
  }
  return {};
}

result<sigv4::presigned_post> uppy_signer::post_form(std::string_view key,
                                                     std::string_view content_type,
                                                     std::uint64_t max_size,
                                                     std::chrono::seconds lifetime,
                                                     std::chrono::sys_seconds now) const {
  const auto& creds = config_.storage.signer.creds;
  const std::array<sigv4::form_field, 2> fields{
      {{"Content-Type", content_type}, {"success_action_status", created_status}}};
  // Every field the browser sends must be named by a condition, or S3 refuses the form.
  const std::array<sigv4::policy_condition, 3> conditions{
      sigv4::content_length_range{1, max_size},
      sigv4::field_condition{sigv4::condition_op::eq, "Content-Type", std::string(content_type),
                             true},
      sigv4::field_condition{sigv4::condition_op::eq, "success_action_status",
                             std::string(created_status), true}};
  sigv4::post_form_request request;
  request.bucket = config_.storage.bucket;
  request.key = key;
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
  return std::move(*signed_form);
}

std::string object_location(std::string_view bucket_url, std::string_view key) {
  std::string out(bucket_url);
  while (!out.empty() && out.back() == '/') {
    out.pop_back();
  }
  out.push_back('/');
  sigv4::uri_encode_append(out, key, true);
  return out;
}

}  // namespace onehop::api

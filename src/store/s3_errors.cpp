#include "store/s3_errors.hpp"

#include <string>

#include "http/errors.hpp"
#include "sigv4/errors.hpp"
#include "store/parse_errors.hpp"
#include "store/xml.hpp"

namespace onehop::store {

namespace {

class front_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "onehop.store.front"; }
  std::string message(int ev) const override {
    const auto info = to_s3_error(make_error_code(static_cast<front_errc>(ev)));
    return std::string(info.code) + ": " + std::string(info.message);
  }
};

s3_error_info front_error(front_errc e) noexcept {
  switch (e) {
    case front_errc::not_implemented:
      return {"NotImplemented", 501,
              "A header you provided implies functionality that is not implemented."};
    case front_errc::method_not_allowed:
      return {"MethodNotAllowed", 405,
              "The specified method is not allowed against this resource."};
    case front_errc::missing_content_length:
      return {"MissingContentLength", 411, "You must provide the Content-Length HTTP header."};
    case front_errc::request_timeout:
      return {"RequestTimeout", 400,
              "Your socket connection to the server was not read from or written to within the "
              "timeout period."};
    case front_errc::invalid_request:
      return {"InvalidRequest", 400, "Invalid request."};
    case front_errc::invalid_digest:
      return {"InvalidDigest", 400, "The Content-MD5 you specified was invalid."};
    case front_errc::access_denied:
      return {"AccessDenied", 403, "Access Denied"};
    case front_errc::internal_error:
      return {"InternalError", 500, "We encountered an internal error. Please try again."};
    case front_errc::invalid_argument:
      return {"InvalidArgument", 400, "Invalid argument."};
    case front_errc::entity_too_large:
      return {"EntityTooLarge", 400,
              "Your proposed upload exceeds the maximum allowed object size."};
    case front_errc::cors_forbidden:
      return {"AccessForbidden", 403, "CORSResponse: This CORS request is not allowed."};
    case front_errc::request_header_section_too_large:
      return {"RequestHeaderSectionTooLarge", 400,
              "Your request header section exceeds the maximum allowed size."};
  }
  return {"InternalError", 500, "We encountered an internal error. Please try again."};
}

s3_error_info http_error(http::errc e) noexcept {
  switch (e) {
    case http::errc::body_too_large:
      return front_error(front_errc::entity_too_large);
    case http::errc::timeout:
      return front_error(front_errc::request_timeout);
    case http::errc::incomplete_body:
      return to_s3_error(make_error_code(sigv4::errc::incomplete_body));
    case http::errc::bad_request:
    case http::errc::invalid_address:
      return front_error(front_errc::invalid_request);
    case http::errc::connection_error:
      break;
  }
  return front_error(front_errc::internal_error);
}

}  // namespace

const boost::system::error_category& front_category() noexcept {
  static const front_category_impl instance;
  return instance;
}

s3_error_info to_s3_error(const boost::system::error_code& ec) noexcept {
  const auto& cat = ec.category();
  if (cat == sigv4::sigv4_category()) {
    const auto info = sigv4::to_s3_error(static_cast<sigv4::errc>(ec.value()));
    return {info.code, info.http_status, info.message};
  }
  if (cat == store_category()) {
    return to_s3_error(static_cast<errc>(ec.value()));
  }
  if (cat == parse_category()) {
    return to_s3_error(static_cast<parse_errc>(ec.value()));
  }
  if (cat == http::http_category()) {
    return http_error(static_cast<http::errc>(ec.value()));
  }
  if (cat == front_category()) {
    return front_error(static_cast<front_errc>(ec.value()));
  }
  return front_error(front_errc::internal_error);
}

http::response make_error_response(const boost::system::error_code& ec, const error_context& ctx) {
  const s3_error_info info = to_s3_error(ec);
  http::response res;
  auto& msg = res.message;
  msg.result(info.http_status);
  msg.set(http::bhttp::field::server, "onehop");
  msg.set("x-amz-request-id", ctx.request_id);
  if (info.http_status == 304) {
    return res;
  }
  msg.set(http::bhttp::field::content_type, "application/xml");
  xml::error_document doc;
  doc.code = info.code;
  doc.message = info.message;
  doc.resource = ctx.resource;
  doc.request_id = ctx.request_id;
  doc.aws_access_key_id = ctx.access_key_id;
  doc.string_to_sign = ctx.string_to_sign;
  doc.canonical_request = ctx.canonical_request;
  std::string body = xml::error(doc);
  if (ctx.head) {
    msg.content_length(body.size());
  } else {
    msg.body() = std::move(body);
  }
  return res;
}

}  // namespace onehop::store

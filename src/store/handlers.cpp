#include "store/handlers.hpp"

#include <array>
#include <boost/beast/core/string.hpp>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <utility>

#include "sigv4/encoding.hpp"
#include "store/bucket_policy.hpp"
#include "store/handlers_internal.hpp"
#include "store/md5.hpp"
#include "store/xml.hpp"

namespace onehop::store {

namespace {

constexpr xml::owner store_owner{"onehop", "onehop"};

std::string random_hex(std::size_t bytes) {
  std::string token = random_token(bytes);
  std::string out;
  static constexpr char digits[] = "0123456789ABCDEF";
  for (const char c : token) {
    out.push_back(digits[static_cast<unsigned char>(c) & 0x0f]);
  }
  return out;
}

// An x-amz-server-side-encryption* header (SSE-S3, SSE-KMS or SSE-C) on a write. S3 would encrypt
// the object; storing it in clear while answering success would silently drop what the client
// asked for, so such writes are refused as not implemented.
bool asks_server_side_encryption(const http::request& req, operation op) {
  if (op != operation::put_object && op != operation::create_multipart_upload &&
      op != operation::upload_part) {
    return false;
  }
  constexpr std::string_view prefix = "x-amz-server-side-encryption";
  for (const auto& field : req.header()) {
    const std::string_view name = field.name_string();
    if (name.size() >= prefix.size() &&
        boost::beast::iequals(name.substr(0, prefix.size()), prefix)) {
      return true;
    }
  }
  return false;
}

}  // namespace

namespace front {

std::optional<std::string_view> header(const http::request& req, std::string_view name) {
  const auto& fields = req.header();
  const auto it = fields.find(name);
  if (it == fields.end()) {
    return std::nullopt;
  }
  return it->value();
}

http::response empty(s3_handler::context& ctx, bhttp::status status) {
  http::response res;
  res.message.result(status);
  res.message.set(bhttp::field::server, "onehop");
  res.message.set("x-amz-request-id", ctx.request_id);
  for (const auto& h : ctx.cors_headers) {
    res.message.set(h.name, h.value);
  }
  return res;
}

http::response xml(s3_handler::context& ctx, std::string document, bhttp::status status) {
  http::response res = empty(ctx, status);
  res.message.set(bhttp::field::content_type, "application/xml");
  res.message.body() = std::move(document);
  return res;
}

http::response error(s3_handler::context& ctx, const boost::system::error_code& ec) {
  error_context ectx;
  ectx.resource = ctx.resource;
  ectx.request_id = ctx.request_id;
  ectx.head = ctx.req.method() == bhttp::verb::head;
  http::response res = make_error_response(ec, ectx);
  for (const auto& h : ctx.cors_headers) {
    res.message.set(h.name, h.value);
  }
  return res;
}

std::string quote_etag(std::string_view etag) {
  std::string out;
  out.reserve(etag.size() + 2);
  out.push_back('"');
  out.append(etag);
  out.push_back('"');
  return out;
}

result<body_plan> plan_body(const s3_handler::context& ctx, std::uint64_t max_size) {
  body_plan plan;
  const http::request& req = ctx.req;
  if (ctx.auth) {
    plan.mode = ctx.auth->payload;
  }
  const bool streaming = plan.mode == sigv4::payload_mode::streaming_signed ||
                         plan.mode == sigv4::payload_mode::streaming_signed_trailer ||
                         plan.mode == sigv4::payload_mode::streaming_unsigned_trailer;
  if (streaming) {
    if (const auto decoded = header(req, "x-amz-decoded-content-length")) {
      std::uint64_t value = 0;
      const auto [end, ec] =
          std::from_chars(decoded->data(), decoded->data() + decoded->size(), value);
      if (ec != std::errc{} || end != decoded->data() + decoded->size()) {
        return front_errc::invalid_argument;
      }
      plan.expected_size = value;
    }
    if (const auto trailer = header(req, "x-amz-trailer")) {
      auto algorithm = sigv4::parse_checksum_header_name(*trailer);
      if (!algorithm) {
        return algorithm.error();
      }
      plan.trailer = *algorithm;
    }
  } else {
    plan.expected_size = req.content_length();
    if (!plan.expected_size && !req.has_body()) {
      return front_errc::missing_content_length;
    }
  }
  if (plan.expected_size && *plan.expected_size > max_size) {
    return errc::entity_too_large;
  }
  for (const auto& field : req.header()) {
    const std::string_view name = field.name_string();
    if (name.size() > 15 && boost::beast::iequals(name.substr(0, 15), "x-amz-checksum-")) {
      auto algorithm = sigv4::parse_checksum_header_name(name);
      if (!algorithm) {
        continue;  // x-amz-checksum-type, x-amz-checksum-algorithm, ...
      }
      if (plan.header_checksum) {
        return front_errc::invalid_request;  // S3 accepts one checksum per request
      }
      auto value = sigv4::parse_checksum_base64(*algorithm, field.value());
      if (!value) {
        return value.error();
      }
      plan.header_checksum = *value;
    }
  }
  if (const auto md5 = header(req, "content-md5")) {
    auto decoded = sigv4::base64_decode(*md5);
    if (!decoded || decoded->size() != 16) {
      return front_errc::invalid_digest;
    }
    md5_digest digest{};
    std::memcpy(digest.data(), decoded->data(), digest.size());
    plan.content_md5 = digest;
  }
  return plan;
}

boost::asio::awaitable<result<std::string>> read_small_body(s3_handler::context& ctx,
                                                            std::size_t limit) {
  auto plan = plan_body(ctx, limit);
  if (!plan) {
    if (plan.error() == make_error_code(errc::entity_too_large)) {
      co_return parse_errc::max_message_length_exceeded;
    }
    co_return plan.error();
  }
  std::string body;
  auto summary = co_await pump_body(ctx, *plan, [&](std::string_view data) -> result<void> {
    if (body.size() + data.size() > limit) {
      return parse_errc::max_message_length_exceeded;
    }
    body.append(data);
    return {};
  });
  if (!summary) {
    co_return summary.error();
  }
  if (plan->content_md5) {
    md5_hasher md5;
    md5.update(body);
    if (md5.finish() != *plan->content_md5) {
      co_return errc::bad_digest;
    }
  }
  co_return body;
}

object_headers object_headers_from(const http::request& req) {
  object_headers h;
  const auto& fields = req.header();
  auto get = [&](bhttp::field f) { return std::string(fields[f]); };
  h.content_type = get(bhttp::field::content_type);
  h.content_disposition = get(bhttp::field::content_disposition);
  h.cache_control = get(bhttp::field::cache_control);
  h.content_language = get(bhttp::field::content_language);
  h.expires = get(bhttp::field::expires);
  // aws-chunked is how this request was framed, not how the object is encoded.
  std::string encoding;
  for (auto token : bhttp::token_list(fields[bhttp::field::content_encoding])) {
    if (boost::beast::iequals(token, "aws-chunked")) {
      continue;
    }
    if (!encoding.empty()) {
      encoding.append(",");
    }
    encoding.append(token);
  }
  h.content_encoding = std::move(encoding);
  for (const auto& field : fields) {
    const std::string_view name = field.name_string();
    if (name.size() > 11 && boost::beast::iequals(name.substr(0, 11), "x-amz-meta-")) {
      std::string key(name.substr(11));
      for (char& c : key) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      h.user_metadata.emplace_back(std::move(key), std::string(field.value()));
    }
  }
  return h;
}

}  // namespace front

s3_handler::s3_handler(front_config config, object_store& store)
    : config_(std::move(config)),
      store_(store),
      request_id_prefix_(random_hex(4)),
      configs_(store) {}

s3_handler::~s3_handler() = default;

std::string s3_handler::next_request_id() {
  const std::uint64_t n = request_counter_.fetch_add(1, std::memory_order_relaxed);
  char counter[17];
  std::snprintf(counter, sizeof(counter), "%08llX",
                static_cast<unsigned long long>(n & 0xffffffffull));
  return request_id_prefix_ + counter;
}

std::unique_ptr<sigv4::verifier> s3_handler::borrow_verifier() {
  {
    std::lock_guard lock(verifiers_mutex_);
    if (!verifiers_.empty()) {
      auto v = std::move(verifiers_.back());
      verifiers_.pop_back();
      return v;
    }
  }
  sigv4::verifier_options options;
  options.region = config_.region;
  options.service = "s3";
  // The lookup copies nothing: views into config_, which outlives every verifier.
  return std::make_unique<sigv4::verifier>(
      options, [this](std::string_view id) -> sigv4::result<sigv4::credentials_view> {
        for (const auto& key : config_.keys) {
          if (key.id == id) {
            return sigv4::credentials_view{key.id, key.secret, {}};
          }
        }
        return sigv4::errc::invalid_access_key_id;
      });
}

void s3_handler::return_verifier(std::unique_ptr<sigv4::verifier> v) {
  std::lock_guard lock(verifiers_mutex_);
  verifiers_.push_back(std::move(v));
}

http::response s3_handler::protocol_error(http::bhttp::status status) {
  error_context ectx;
  ectx.resource = "/";
  const std::string id = next_request_id();
  ectx.request_id = id;
  if (status == bhttp::status::request_header_fields_too_large) {
    // S3 answers an oversized header with this 400 document, which its SDKs recognise.
    return make_error_response(front_errc::request_header_section_too_large, ectx);
  }
  return make_error_response(front_errc::invalid_request, ectx);
}

boost::asio::awaitable<http::response> s3_handler::handle(http::request& req) {
  context ctx{req, {}, next_request_id(), {}, {}, {}, {}, {}};
  const std::string_view target = req.target();
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  ctx.resource = std::string(path);
  const auto clock_now = config_.clock();
  ctx.now = std::chrono::floor<std::chrono::seconds>(clock_now);
  ctx.now_ms = std::chrono::floor<std::chrono::milliseconds>(clock_now);

  request_head head;
  head.method = req.header().method_string();
  head.target = target;
  head.host = front::header(req, "host").value_or("");
  head.has_copy_source = front::header(req, "x-amz-copy-source").has_value();
  auto classified = classify(head, config_.endpoint_hosts);
  if (!classified) {
    co_return front::error(ctx, classified.error());
  }
  ctx.s3 = std::move(*classified);

  const auto origin = front::header(req, "origin");
  if (origin && !ctx.s3.bucket.empty() && ctx.s3.op != operation::options_preflight) {
    const auto config = configs_.get(ctx.s3.bucket);
    if (config->cors) {
      ctx.cors_headers = actual_request_headers(&*config->cors, origin, head.method);
    }
  }
  if (ctx.s3.op == operation::options_preflight) {
    co_return co_await preflight(ctx);
  }
  if (ctx.s3.op == operation::not_implemented || asks_server_side_encryption(req, ctx.s3.op)) {
    co_return front::error(ctx, front_errc::not_implemented);
  }
  if (ctx.s3.op == operation::post_object) {
    co_return co_await post_object(ctx);
  }

  std::vector<sigv4::header_field> fields;
  fields.reserve(16);
  for (const auto& field : req.header()) {
    fields.push_back({field.name_string(), field.value()});
  }
  sigv4::http_request_view view;
  view.method = head.method;
  view.path = path;
  view.query = query;
  view.headers = fields;
  sigv4::signature_mismatch_details details;
  auto verifier = borrow_verifier();
  auto verified = verifier->verify(view, ctx.now, &details);
  return_verifier(std::move(verifier));
  if (!verified) {
    if (verified.error() == sigv4::errc::signature_does_not_match) {
      error_context ectx;
      ectx.resource = ctx.resource;
      ectx.request_id = ctx.request_id;
      ectx.head = req.method() == bhttp::verb::head;
      ectx.access_key_id = details.access_key_id;
      ectx.string_to_sign = details.string_to_sign;
      ectx.canonical_request = details.canonical_request;
      co_return make_error_response(verified.error(), ectx);
    }
    if (verified.error() == sigv4::errc::missing_authentication &&
        (ctx.s3.op == operation::get_object || ctx.s3.op == operation::head_object) &&
        anonymous_read_allowed(ctx)) {
      co_return co_await dispatch(ctx);
    }
    co_return front::error(ctx, verified.error());
  }
  ctx.auth = std::move(*verified);
  co_return co_await dispatch(ctx);
}

boost::asio::awaitable<http::response> s3_handler::dispatch(context& ctx) {
  switch (ctx.s3.op) {
    case operation::list_buckets:
      co_return co_await list_buckets(ctx);
    case operation::create_bucket:
      co_return co_await create_bucket(ctx);
    case operation::head_bucket:
      co_return co_await head_bucket(ctx);
    case operation::delete_bucket:
      co_return co_await delete_bucket(ctx);
    case operation::get_bucket_location:
      co_return co_await get_bucket_location(ctx);
    case operation::put_bucket_cors:
      co_return co_await put_bucket_cors(ctx);
    case operation::get_bucket_cors:
      co_return co_await get_bucket_cors(ctx);
    case operation::delete_bucket_cors:
      co_return co_await delete_bucket_cors(ctx);
    case operation::list_objects_v2:
      co_return co_await list_objects(ctx, true);
    case operation::list_objects_v1:
      co_return co_await list_objects(ctx, false);
    case operation::put_object:
      co_return co_await put_object(ctx);
    case operation::get_object:
      co_return co_await get_object(ctx, false);
    case operation::head_object:
      co_return co_await get_object(ctx, true);
    case operation::delete_object:
      co_return co_await delete_object(ctx);
    case operation::delete_objects:
      co_return co_await delete_objects(ctx);
    case operation::create_multipart_upload:
      co_return co_await create_multipart_upload(ctx);
    case operation::upload_part:
      co_return co_await upload_part(ctx);
    case operation::list_parts:
      co_return co_await list_parts(ctx);
    case operation::complete_multipart_upload:
      co_return co_await complete_multipart_upload(ctx);
    case operation::abort_multipart_upload:
      co_return co_await abort_multipart_upload(ctx);
    case operation::list_multipart_uploads:
      co_return co_await list_multipart_uploads(ctx);
    case operation::options_preflight:
      co_return co_await preflight(ctx);
    case operation::put_bucket_policy:
      co_return co_await put_bucket_policy(ctx);
    case operation::get_bucket_policy:
      co_return co_await get_bucket_policy(ctx);
    case operation::delete_bucket_policy:
      co_return co_await delete_bucket_policy(ctx);
    case operation::post_object:
      co_return co_await post_object(ctx);
    case operation::not_implemented:
      break;
  }
  co_return front::error(ctx, front_errc::not_implemented);
}

// ---- service and buckets

s3_handler::awaitable_response s3_handler::list_buckets(context& ctx) {
  const auto buckets = store_.list_buckets();
  std::vector<xml::bucket_entry> entries;
  entries.reserve(buckets.size());
  for (const auto& b : buckets) {
    entries.push_back({b.name, b.created});
  }
  co_return front::xml(ctx, xml::list_all_my_buckets(entries, store_owner));
}

s3_handler::awaitable_response s3_handler::create_bucket(context& ctx) {
  auto body = co_await front::read_small_body(ctx, xml::max_create_bucket_bytes);
  if (!body) {
    co_return front::error(ctx, body.error());
  }
  auto location = xml::parse_create_bucket_configuration(*body);
  if (!location) {
    co_return front::error(ctx, location.error());
  }
  auto created = co_await ctx.req.run_blocking(
      [&] { return store_.create_bucket(ctx.s3.bucket, ctx.now_ms); });
  configs_.invalidate(ctx.s3.bucket);
  if (!created) {
    co_return front::error(ctx, created.error());
  }
  http::response res = front::empty(ctx);
  res.message.set(bhttp::field::location, "/" + ctx.s3.bucket);
  co_return res;
}

s3_handler::awaitable_response s3_handler::head_bucket(context& ctx) {
  auto info = store_.head_bucket(ctx.s3.bucket);
  if (!info) {
    co_return front::error(ctx, info.error());
  }
  http::response res = front::empty(ctx);
  res.message.set("x-amz-bucket-region", config_.region);
  co_return res;
}

s3_handler::awaitable_response s3_handler::delete_bucket(context& ctx) {
  auto deleted = co_await ctx.req.run_blocking([&] { return store_.delete_bucket(ctx.s3.bucket); });
  // A bucket created again under this name must not inherit the old one's rules.
  configs_.invalidate(ctx.s3.bucket);
  if (!deleted) {
    co_return front::error(ctx, deleted.error());
  }
  co_return front::empty(ctx, bhttp::status::no_content);
}

s3_handler::awaitable_response s3_handler::get_bucket_location(context& ctx) {
  auto info = store_.head_bucket(ctx.s3.bucket);
  if (!info) {
    co_return front::error(ctx, info.error());
  }
  co_return front::xml(ctx, xml::location_constraint(config_.region));
}

s3_handler::awaitable_response s3_handler::put_bucket_cors(context& ctx) {
  auto body = co_await front::read_small_body(ctx, max_cors_configuration_bytes);
  if (!body) {
    co_return front::error(ctx, body.error());
  }
  auto parsed = parse_cors_configuration(*body);
  if (!parsed) {
    co_return front::error(ctx, parsed.error());
  }
  auto stored = co_await ctx.req.run_blocking(
      [&] { return store_.put_bucket_config(ctx.s3.bucket, bucket_config::cors, *body); });
  configs_.invalidate(ctx.s3.bucket);
  if (!stored) {
    co_return front::error(ctx, stored.error());
  }
  co_return front::empty(ctx);
}

s3_handler::awaitable_response s3_handler::get_bucket_cors(context& ctx) {
  auto blob = store_.get_bucket_config(ctx.s3.bucket, bucket_config::cors);
  if (!blob) {
    co_return front::error(ctx, blob.error());
  }
  auto parsed = parse_cors_configuration(*blob);
  if (!parsed) {
    co_return front::error(ctx, front_errc::internal_error);
  }
  co_return front::xml(ctx, render_cors_configuration(*parsed));
}

s3_handler::awaitable_response s3_handler::delete_bucket_cors(context& ctx) {
  auto deleted = co_await ctx.req.run_blocking(
      [&] { return store_.delete_bucket_config(ctx.s3.bucket, bucket_config::cors); });
  configs_.invalidate(ctx.s3.bucket);
  if (!deleted) {
    co_return front::error(ctx, deleted.error());
  }
  co_return front::empty(ctx, bhttp::status::no_content);
}

s3_handler::awaitable_response s3_handler::put_bucket_policy(context& ctx) {
  auto body = co_await front::read_small_body(ctx, max_bucket_policy_bytes);
  if (!body) {
    if (body.error() == make_error_code(parse_errc::max_message_length_exceeded)) {
      co_return front::error(ctx, parse_errc::policy_too_large);
    }
    co_return front::error(ctx, body.error());
  }
  if (auto bucket = store_.head_bucket(ctx.s3.bucket); !bucket) {
    co_return front::error(ctx, bucket.error());
  }
  auto parsed = parse_bucket_policy(*body, ctx.s3.bucket);
  if (!parsed) {
    co_return front::error(ctx, parsed.error());
  }
  auto stored = co_await ctx.req.run_blocking(
      [&] { return store_.put_bucket_config(ctx.s3.bucket, bucket_config::policy, *body); });
  configs_.invalidate(ctx.s3.bucket);
  if (!stored) {
    co_return front::error(ctx, stored.error());
  }
  co_return front::empty(ctx, bhttp::status::no_content);
}

s3_handler::awaitable_response s3_handler::get_bucket_policy(context& ctx) {
  auto blob = store_.get_bucket_config(ctx.s3.bucket, bucket_config::policy);
  if (!blob) {
    co_return front::error(ctx, blob.error());
  }
  http::response res = front::empty(ctx);
  res.message.set(bhttp::field::content_type, "application/json");
  res.message.body() = std::move(*blob);
  co_return res;
}

s3_handler::awaitable_response s3_handler::delete_bucket_policy(context& ctx) {
  auto deleted = co_await ctx.req.run_blocking(
      [&] { return store_.delete_bucket_config(ctx.s3.bucket, bucket_config::policy); });
  configs_.invalidate(ctx.s3.bucket);
  if (!deleted) {
    co_return front::error(ctx, deleted.error());
  }
  co_return front::empty(ctx, bhttp::status::no_content);
}

bool s3_handler::anonymous_read_allowed(const context& ctx) {
  const auto config = configs_.get(ctx.s3.bucket);
  return config->policy && allows_anonymous_read(*config->policy, ctx.s3.key);
}

s3_handler::awaitable_response s3_handler::preflight(context& ctx) {
  std::shared_ptr<const parsed_bucket_config> config;
  if (!ctx.s3.bucket.empty()) {
    config = configs_.get(ctx.s3.bucket);
  }
  preflight_request pre;
  pre.origin = front::header(ctx.req, "origin");
  pre.request_method = front::header(ctx.req, "access-control-request-method");
  pre.request_headers = front::header(ctx.req, "access-control-request-headers").value_or("");
  const preflight_result decided =
      evaluate_preflight(config && config->cors ? &*config->cors : nullptr, pre);
  switch (decided.outcome) {
    case preflight_outcome::allowed: {
      http::response res = front::empty(ctx);
      for (const auto& h : decided.headers) {
        res.message.set(h.name, h.value);
      }
      co_return res;
    }
    case preflight_outcome::forbidden:
      co_return front::error(ctx, front_errc::cors_forbidden);
    case preflight_outcome::bad_request:
      break;
  }
  co_return front::error(ctx, front_errc::invalid_request);
}

}  // namespace onehop::store

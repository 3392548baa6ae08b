// Uppy's Companion-style S3 routes (docs/uppy.md): the calls @uppy/aws-s3 makes in its
// `companionEndpoint` mode, answered in Companion's shapes, with onehop's policy, keys and
// records. Authentication happened before (handler.cpp): ctx.who is the user.
//
// What differs from POST /api/uploads: Companion's protocol never tells the size, and Uppy picks
// its own part sizes. So an Uppy upload reserves the policy's max_size of quota when it starts,
// part URLs sign no length, and completion reads the stored size (HEAD), refuses it above the
// reservation (the object goes, 422), then verifies the object like /api/uploads/{id}/complete
// and records the image with its real size (the quota keeps only that).

#include <memory>

#include "api/handler.hpp"
#include "api/handler_internal.hpp"
#include "api/ids.hpp"
#include "api/image_probe.hpp"
#include "api/json_out.hpp"
#include "api/policy.hpp"
#include "api/responses.hpp"
#include "api/upload_urls.hpp"
#include "api/uppy_requests.hpp"
#include "api/uppy_responses.hpp"
#include "api/uppy_signing.hpp"
#include "api/verification.hpp"

namespace onehop::api {
namespace {

using awaitable_response = boost::asio::awaitable<http::response>;
using context = api_handler::context;

constexpr std::string_view multipart_method = "MULTIPART";
constexpr std::string_view post_method = "POST";

uppy_signer& signer_for(const api_components& parts) {
  thread_local const api_components* owner = nullptr;
  thread_local std::unique_ptr<uppy_signer> signer;
  if (owner != &parts) {
    signer = std::make_unique<uppy_signer>(parts.config);
    owner = &parts;
  }
  return *signer;
}

// The API's error response with Uppy's body (uppy_error_body).
http::response uppy_error(const api_error& e, const context& ctx) {
  http::response res = error_response(e, ctx.request_id);
  res.message.body() = uppy_error_body(e);
  return res;
}

api_error from_db(const db::db_error& e) {
  return make_error(errc::internal, "database error: " + e.message);
}

std::chrono::seconds url_lifetime(std::chrono::sys_seconds expires_at,
                                  std::chrono::sys_seconds now) {
  return std::max(std::chrono::seconds(1), expires_at - now);
}

// Uploads started here (the size unknown): pending.size is the quota reserved, an upper bound of
// the file's size. POST /api/uploads declares exact sizes (its POST forms allow exactly that
// size, its multipart uploads sign every part's length), so "at most" is exact for them.
bool size_is_a_limit(const db::pending_upload& p) {
  return p.method == post_method || (p.method == multipart_method && p.part_size == 0);
}

// The image id shares the upload id's random part (as in uploads.cpp), so completing twice finds
// the same image.
std::string image_id_for(std::string_view upload_id) {
  return "i_" + std::string(id_body(upload_id));
}

// The `key` query parameter, required on every route with an upload id (as in Companion).
result<std::string> key_param(const context& ctx) {
  auto key = uppy_query_param(ctx.route.query, "key");
  if (!key) {
    return key.error();
  }
  if (!key->has_value() || (*key)->empty()) {
    return make_error(errc::invalid_request,
                      "the object key must be passed as a query parameter, e.g. ?key=abc.jpg");
  }
  return std::move(**key);
}

// A new upload's policy checks, in /api/uploads' order, for a file of unknown size: the type
// must be allowed (415), a checksum must not be required (Uppy cannot send one), and the user
// rate limit and quota (the policy's max_size) must admit one more upload.
struct admitted_upload {
  std::string id, key, filename, content_type;
};

result<admitted_upload> admit_upload(api_components& parts, const context& ctx,
                                     std::string_view filename, std::string_view content_type) {
  const auto& policy = parts.config.policy;
  auto name = uppy_filename(filename);
  if (!name) {
    return name.error();
  }
  if (auto plan = plan_upload(policy, content_type, policy.max_size, false, ""); !plan) {
    return plan.error();
  }
  const auto format = format_for_content_type(content_type);
  if (!format) {  // plan_upload admits only verifiable types; keep the two in step
    return make_error(errc::unsupported_type, "content type not verifiable");
  }
  if (auto ok = parts.quota.reserve(ctx.who.user, policy.max_size); !ok) {
    return ok.error();
  }
  admitted_upload out;
  out.id = new_upload_id();
  std::string segment_scratch;
  const std::string_view segment = user_segment(ctx.who.user, segment_scratch);
  make_key(out.key, policy.prefix, segment, id_body(out.id), extension_for(*format));
  out.filename = std::move(*name);
  out.content_type = std::string(content_type);
  return out;
}

db::pending_upload pending_for(const admitted_upload& a, const context& ctx, const app_config& cfg,
                               std::string_view method) {
  db::pending_upload p;
  p.id = a.id;
  p.user = ctx.who.user;
  p.key = a.key;
  p.filename = a.filename;
  p.content_type = a.content_type;
  p.size = cfg.policy.max_size;  // the reservation; the real size is known at completion
  p.method = std::string(method);
  p.part_size = 0;  // Uppy chooses
  p.created_at = ctx.now;
  p.expires_at = ctx.now + cfg.policy.pending_lifetime;
  return p;
}

result<void> check_user_rate(api_components& parts, const context& ctx) {
  auto ok =
      parts.user_limiter.check(user_limit_key(ctx.who.user), std::chrono::steady_clock::now());
  if (!ok) {
    parts.metrics.rate_limited(rate_scope::user);
  }
  return ok;
}

void count_rejection(api_components& parts, const api_error& e) {
  parts.metrics.upload_rejected(reject_reason_for(e.code));
}

// ---- GET /s3/params ----

awaitable_response route_params(api_components& parts, context& ctx) {
  if (auto ok = check_user_rate(parts, ctx); !ok) {
    co_return uppy_error(ok.error(), ctx);
  }
  auto filename = uppy_query_param(ctx.route.query, "filename");
  auto type = uppy_query_param(ctx.route.query, "type");
  if (!filename || !type) {
    count_rejection(parts, (!filename ? filename : type).error());
    co_return uppy_error((!filename ? filename : type).error(), ctx);
  }
  if (!filename->has_value() || (*filename)->empty()) {
    co_return uppy_error(
        make_error(errc::invalid_request,
                   "the \"filename\" query parameter is required and must be a non-empty string"),
        ctx);
  }
  std::string content_type = type->value_or("");
  for (char& c : content_type) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  }
  auto admitted = admit_upload(parts, ctx, **filename, content_type);
  if (!admitted) {
    count_rejection(parts, admitted.error());
    co_return uppy_error(admitted.error(), ctx);
  }
  db::pending_upload pending = pending_for(*admitted, ctx, parts.config, post_method);
  const auto lifetime = url_lifetime(pending.expires_at, ctx.now);
  auto form = signer_for(parts).post_form(pending.key, pending.content_type, pending.size, lifetime,
                                          ctx.now);
  if (!form) {
    parts.quota.release(pending.user, pending.size);
    co_return uppy_error(form.error(), ctx);
  }
  std::string body =
      params_response(image_urls_for(parts).bucket_url(), *form, lifetime, pending.id);
  const std::string user = pending.user;
  const std::uint64_t size = pending.size;
  if (auto queued = parts.db.enqueue_pending(std::move(pending)); !queued) {
    parts.quota.release(user, size);
    co_return uppy_error(
        make_error(errc::storage_unavailable, "too many uploads at once; retry shortly"), ctx);
  }
  parts.metrics.upload_started(upload_method::post);
  co_return json_response(200, std::move(body), ctx.request_id);
}

// ---- POST /s3/multipart ----

awaitable_response route_create(api_components& parts, context& ctx) {
  if (auto ok = check_user_rate(parts, ctx); !ok) {
    co_return uppy_error(ok.error(), ctx);
  }
  auto body = co_await read_json_body(ctx, parts.config.max_body_bytes);
  if (!body) {
    count_rejection(parts, body.error());
    co_return uppy_error(body.error(), ctx);
  }
  auto request = parse_uppy_create(*body);
  if (!request) {
    count_rejection(parts, request.error());
    co_return uppy_error(request.error(), ctx);
  }
  auto admitted = admit_upload(parts, ctx, request->filename, request->content_type);
  if (!admitted) {
    count_rejection(parts, admitted.error());
    co_return uppy_error(admitted.error(), ctx);
  }
  db::pending_upload pending = pending_for(*admitted, ctx, parts.config, multipart_method);
  auto upload_id = co_await parts.storage.create_multipart(pending.key, pending.content_type);
  if (!upload_id) {
    parts.quota.release(pending.user, pending.size);
    co_return uppy_error(storage_error(upload_id.error()), ctx);
  }
  pending.multipart_upload_id = std::move(*upload_id);
  std::string out = create_response(pending.key, pending.id, parts.config.storage.bucket);
  const std::string key = pending.key, storage_upload = pending.multipart_upload_id;
  const std::string user = pending.user;
  const std::uint64_t size = pending.size;
  if (auto queued = parts.db.enqueue_pending(std::move(pending)); !queued) {
    (void)co_await parts.storage.abort_multipart(key, storage_upload);
    parts.quota.release(user, size);
    co_return uppy_error(
        make_error(errc::storage_unavailable, "too many uploads at once; retry shortly"), ctx);
  }
  parts.metrics.upload_started(upload_method::multipart);
  co_return json_response(200, std::move(out), ctx.request_id);
}

// The user's pending upload named by the path, whose key is the `key` parameter (404 otherwise:
// another user's id, an unknown id and a wrong key are indistinguishable).
boost::asio::awaitable<result<db::pending_upload>> find_upload(api_components& parts, context& ctx,
                                                               std::string_view key) {
  auto pending = co_await find_pending_upload(parts, ctx.req, ctx.who.user, ctx.route.id);
  if (!pending) {
    co_return pending.error();
  }
  if (pending->key != key) {
    co_return make_error(errc::not_found, "no such upload");
  }
  co_return std::move(*pending);
}

// A multipart upload that can still take parts.
result<void> check_open_multipart(const db::pending_upload& p, const context& ctx) {
  if (p.method != multipart_method) {
    return make_error(errc::conflict, "not a multipart upload");
  }
  if (p.expires_at <= ctx.now) {
    return make_error(errc::conflict, "the upload has expired; start a new one");
  }
  return {};
}

// ---- GET /s3/multipart/{id}/{n} and GET /s3/multipart/{id}/batch ----

awaitable_response route_sign(api_components& parts, context& ctx, bool batch) {
  auto key = key_param(ctx);
  if (!key) {
    co_return uppy_error(key.error(), ctx);
  }
  std::optional<std::string> numbers_text;
  if (batch) {
    auto raw = uppy_query_param(ctx.route.query, "partNumbers");
    if (!raw) {
      co_return uppy_error(raw.error(), ctx);
    }
    if (!raw->has_value()) {
      co_return uppy_error(make_error(errc::invalid_request,
                                      "the part numbers must be passed as a comma separated "
                                      "query parameter, e.g. ?partNumbers=4,6,7,21"),
                           ctx);
    }
    numbers_text = std::move(**raw);
  }
  auto pending = co_await find_upload(parts, ctx, *key);
  if (!pending) {
    co_return uppy_error(pending.error(), ctx);
  }
  if (auto ok = check_open_multipart(*pending, ctx); !ok) {
    co_return uppy_error(ok.error(), ctx);
  }
  const unsigned limit = uppy_part_limit(pending->size);
  std::vector<unsigned> numbers;
  if (batch) {
    auto parsed = parse_part_numbers(*numbers_text, limit);
    if (!parsed) {
      co_return uppy_error(parsed.error(), ctx);
    }
    numbers = std::move(*parsed);
  } else {
    auto n = parse_part_number(ctx.route.part, limit);
    if (!n) {
      co_return uppy_error(n.error(), ctx);
    }
    numbers.push_back(*n);
  }
  const auto lifetime = url_lifetime(pending->expires_at, ctx.now);
  std::vector<std::string> urls(numbers.size());
  uppy_signer& signer = signer_for(parts);
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    if (auto ok = signer.part_url(urls[i], pending->key, pending->multipart_upload_id, numbers[i],
                                  lifetime, ctx.now);
        !ok) {
      co_return uppy_error(ok.error(), ctx);
    }
  }
  co_return json_response(
      200, batch ? batch_response(numbers, urls) : sign_part_response(urls.front(), lifetime),
      ctx.request_id);
}

// ---- GET /s3/multipart/{id} ----

awaitable_response route_list(api_components& parts, context& ctx) {
  auto key = key_param(ctx);
  if (!key) {
    co_return uppy_error(key.error(), ctx);
  }
  auto pending = co_await find_upload(parts, ctx, *key);
  if (!pending) {
    co_return uppy_error(pending.error(), ctx);
  }
  if (pending->method != multipart_method) {
    co_return uppy_error(make_error(errc::conflict, "not a multipart upload"), ctx);
  }
  auto stored = co_await parts.storage.list_parts(pending->key, pending->multipart_upload_id);
  if (!stored) {
    co_return uppy_error(storage_error(stored.error()), ctx);
  }
  co_return json_response(200, list_parts_response(*stored), ctx.request_id);
}

// ---- DELETE /s3/multipart/{id} ----

awaitable_response route_abort(api_components& parts, context& ctx) {
  auto key = key_param(ctx);
  if (!key) {
    co_return uppy_error(key.error(), ctx);
  }
  auto pending = co_await find_upload(parts, ctx, *key);
  if (!pending) {
    co_return uppy_error(pending.error(), ctx);
  }
  if (auto ok = co_await discard_pending(parts, ctx.req, *pending); !ok) {
    co_return uppy_error(ok.error(), ctx);
  }
  co_return json_response(200, "{}", ctx.request_id);
}

// ---- POST /s3/multipart/{id}/complete ----

std::string completed_body(api_components& parts, const context& ctx, const db::image& img) {
  std::string image_json;
  append_image_json(image_json, img, image_urls_for(parts), ctx.now);
  const std::string& bucket = parts.config.storage.bucket;
  return complete_response(object_location(image_urls_for(parts).bucket_url(), img.key), img.key,
                           bucket, image_json);
}

// Assembles the parts (multipart) or checks that none were sent (a POST form upload).
boost::asio::awaitable<result<void>> assemble(api_components& parts, const db::pending_upload& p,
                                              const std::vector<complete_part>& sent) {
  if (p.method != multipart_method) {
    if (!sent.empty()) {
      co_return make_error(errc::invalid_request, "parts: only for multipart uploads");
    }
    co_return result<void>{};
  }
  if (sent.empty()) {
    co_return make_error(errc::invalid_request, "parts: at least one part is needed");
  }
  const unsigned limit = uppy_part_limit(p.size);
  std::vector<s3client::completed_part> list;
  list.reserve(sent.size());
  for (const auto& part : sent) {
    if (part.part_number > limit) {
      co_return make_error(errc::invalid_request, "parts: PartNumber " +
                                                      std::to_string(part.part_number) +
                                                      " is above " + std::to_string(limit));
    }
    list.push_back({part.part_number, quoted_etag(part.etag)});
  }
  auto assembled = co_await parts.storage.complete_multipart(p.key, p.multipart_upload_id, list);
  if (!assembled) {
    const auto& e = assembled.error();
    if (e.code == s3client::errc::not_found) {
      // NoSuchUpload: assembled by an earlier call whose answer was lost (or aborted behind our
      // back). The object's check that follows tells which.
      co_return result<void>{};
    }
    if (e.code == s3client::errc::bad_request) {
      co_return make_error(
          errc::verification_failed,
          "the storage refused to assemble the parts: " + e.s3_code + " " + e.message);
    }
    co_return storage_error(e);
  }
  co_return result<void>{};
}

awaitable_response route_complete(api_components& parts, context& ctx) {
  auto body = co_await read_json_body(ctx, max_uppy_complete_body);
  if (!body) {
    co_return uppy_error(body.error(), ctx);
  }
  auto sent = parse_uppy_complete(*body);
  if (!sent) {
    co_return uppy_error(sent.error(), ctx);
  }
  auto key = key_param(ctx);
  if (!key) {
    co_return uppy_error(key.error(), ctx);
  }
  auto pending = co_await find_upload(parts, ctx, *key);
  if (!pending) {
    // Completing twice answers the same image.
    if (pending.error().code == errc::not_found) {
      const std::string image_id = image_id_for(ctx.route.id);
      const std::string user = ctx.who.user;
      auto image = co_await ctx.req.run_blocking(
          [&parts, user, image_id] { return parts.db.find_image(user, image_id); });
      if (image && image->has_value() && (*image)->key == *key) {
        co_return json_response(200, completed_body(parts, ctx, **image), ctx.request_id);
      }
    }
    co_return uppy_error(pending.error(), ctx);
  }
  if (pending->expires_at <= ctx.now) {
    co_return uppy_error(make_error(errc::conflict, "the upload has expired; start a new one"),
                         ctx);
  }
  if (auto ok = co_await assemble(parts, *pending, *sent); !ok) {
    co_return uppy_error(ok.error(), ctx);
  }

  // The declared object: for an upload of unknown size, the stored size, if within the limit.
  db::pending_upload declared = *pending;
  if (size_is_a_limit(*pending)) {
    auto head = co_await parts.storage.head_object(pending->key);
    if (!head) {
      if (head.error().code == s3client::errc::not_found) {
        co_return uppy_error(make_error(errc::verification_failed,
                                        "the object is not in storage: upload the file before "
                                        "completing"),
                             ctx);
      }
      co_return uppy_error(storage_error(head.error()), ctx);
    }
    if (head->size == 0 || head->size > pending->size) {
      (void)co_await discard_pending(parts, ctx.req, *pending);
      parts.metrics.upload_rejected(reject_reason::verification_failed);
      const api_error e =
          make_error(errc::verification_failed,
                     "the file is " + std::to_string(head->size) + " bytes; the limit is 1 to " +
                         std::to_string(pending->size) + " bytes (the upload was deleted)");
      ctx.log_detail = e.message;
      co_return uppy_error(e, ctx);
    }
    declared.size = head->size;
  }
  auto verified = co_await verify_stored_object(parts.storage, declared);
  if (!verified) {
    const verification_failure& failure = verified.error();
    if (failure.discard) {
      // Nothing is recorded: the object goes, and so does the pending upload and its quota.
      (void)co_await discard_pending(parts, ctx.req, *pending);
      parts.metrics.upload_rejected(reject_reason::verification_failed);
    }
    ctx.log_detail = failure.error.message;
    co_return uppy_error(failure.error, ctx);
  }

  db::image img;
  img.id = image_id_for(pending->id);
  img.user = pending->user;
  img.key = pending->key;
  img.filename = pending->filename;
  img.content_type = pending->content_type;
  img.size = declared.size;
  img.width = verified->width;
  img.height = verified->height;
  img.sha256 = pending->sha256;
  img.etag = verified->etag;
  img.created_at = ctx.now;
  const std::string user = pending->user;
  const std::string pending_id = pending->id;
  auto recorded = co_await ctx.req.run_blocking(
      [&parts, user, pending_id, img] { return parts.db.complete(user, pending_id, img); });
  if (!recorded) {
    co_return uppy_error(from_db(recorded.error()), ctx);
  }
  if (declared.size < pending->size) {
    // The reservation shrinks to the real size: one object out, one in. Between the two another
    // upload of this user may take the room; then the usage undercounts until the next start-up
    // (which sums the records).
    parts.quota.release(user, pending->size);
    if (auto ok = parts.quota.reserve(user, declared.size); !ok) {
      ctx.log_detail = "quota: " + ok.error().message;
    }
  }
  parts.metrics.upload_completed();
  co_return json_response(200, completed_body(parts, ctx, *recorded), ctx.request_id);
}

}  // namespace

boost::asio::awaitable<http::response> api_handler::uppy(context& ctx) {
  switch (ctx.route.which) {
    case route::uppy_params:
      co_return co_await route_params(parts_, ctx);
    case route::uppy_create:
      co_return co_await route_create(parts_, ctx);
    case route::uppy_sign_part:
      co_return co_await route_sign(parts_, ctx, false);
    case route::uppy_sign_batch:
      co_return co_await route_sign(parts_, ctx, true);
    case route::uppy_list_parts:
      co_return co_await route_list(parts_, ctx);
    case route::uppy_complete:
      co_return co_await route_complete(parts_, ctx);
    case route::uppy_abort:
      co_return co_await route_abort(parts_, ctx);
    default:
      break;
  }
  co_return uppy_error(make_error(errc::not_found, "no such route"), ctx);
}

}  // namespace onehop::api

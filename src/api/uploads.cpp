// The upload routes: create (the hot path), sign parts, list parts, abort, complete.

#include <boost/asio/this_coro.hpp>
#include <memory>

#include "api/handler.hpp"
#include "api/handler_internal.hpp"
#include "api/ids.hpp"
#include "api/image_probe.hpp"
#include "api/json_out.hpp"
#include "api/policy.hpp"
#include "api/requests.hpp"
#include "api/responses.hpp"
#include "api/upload_urls.hpp"
#include "api/verification.hpp"

namespace onehop::api {
namespace {

using awaitable_response = boost::asio::awaitable<http::response>;

// Per-thread working memory for the hot path. A coroutine uses it only between suspension
// points: another request on the same thread may run while this one waits.
struct hot_path_scratch {
  const api_components* owner = nullptr;
  std::unique_ptr<upload_urls> urls;
  upload_request request;
  upload_claims claims;
  std::string id, key, segment, body;
};

hot_path_scratch& scratch_for(const api_components& parts) {
  thread_local hot_path_scratch scratch;
  if (scratch.owner != &parts) {
    scratch.urls = std::make_unique<upload_urls>(parts.config);
    scratch.owner = &parts;
  }
  return scratch;
}

upload_method method_of(const db::pending_upload& p) {
  if (p.method == "POST")
    return upload_method::post;
  if (p.method == "MULTIPART")
    return upload_method::multipart;
  return upload_method::put;
}

unsigned part_count_of(const db::pending_upload& p) {
  return p.part_size == 0 ? 0 : static_cast<unsigned>((p.size + p.part_size - 1) / p.part_size);
}

std::uint64_t part_length(const db::pending_upload& p, unsigned part_number) {
  const std::uint64_t first = static_cast<std::uint64_t>(part_number - 1) * p.part_size;
  return std::min<std::uint64_t>(p.part_size, p.size - first);
}

std::chrono::seconds url_lifetime(std::chrono::sys_seconds expires_at,
                                  std::chrono::sys_seconds now) {
  return std::max(std::chrono::seconds(1), expires_at - now);
}

// The image id shares the upload id's random part, so completing twice finds the same image.
std::string image_id_for(std::string_view upload_id) {
  return "i_" + std::string(upload_id.substr(2, id_body_length));
}

api_error from_db(const db::db_error& e) {
  return make_error(errc::internal, "database error: " + e.message);
}

// The record queue is full: the database cannot keep up. Worth a retry, like a 503 from storage.
api_error busy_error(const db::db_error& e) {
  api_error out = make_error(errc::storage_unavailable, "too many uploads at once; retry shortly");
  (void)e;
  return out;
}

}  // namespace

// ---- POST /api/uploads ----

awaitable_response api_handler::create_upload(context& ctx) {
  const auto& cfg = parts_.config;
  if (auto ok =
          parts_.user_limiter.check(user_limit_key(ctx.who.user), std::chrono::steady_clock::now());
      !ok) {
    parts_.metrics.rate_limited(rate_scope::user);
    co_return error_response(ok.error(), ctx.request_id);
  }
  auto body = co_await read_json_body(ctx, cfg.max_body_bytes);
  if (!body) {
    parts_.metrics.upload_rejected(reject_reason::invalid_request);
    co_return error_response(body.error(), ctx.request_id);
  }
  auto begun = begin_upload(ctx, *body);
  if (auto* answer = std::get_if<http::response>(&begun)) {
    co_return std::move(*answer);
  }
  const auto start = std::get<multipart_start>(begun);
  co_return co_await create_multipart_upload(ctx, start.plan, start.expires_at);
}

std::variant<http::response, api_handler::multipart_start> api_handler::begin_upload(
    context& ctx, std::string_view body) {
  const auto& cfg = parts_.config;
  // Nothing here suspends, so the per-thread scratch is ours alone (create_multipart_upload
  // copies what it needs from it before its first suspension).
  hot_path_scratch& s = scratch_for(parts_);
  if (auto ok = parse_upload_request(body, s.request); !ok) {
    parts_.metrics.upload_rejected(reject_reason::invalid_request);
    return error_response(ok.error(), ctx.request_id);
  }
  const upload_request& r = s.request;
  auto plan = plan_upload(cfg.policy, r.content_type, r.size, !r.sha256.empty(), r.method);
  if (!plan) {
    parts_.metrics.upload_rejected(reject_reason_for(plan.error().code));
    return error_response(plan.error(), ctx.request_id);
  }
  const auto format = format_for_content_type(r.content_type);
  if (!format) {  // plan_upload admits only types onehop can verify; keep the two in step
    return error_response(make_error(errc::unsupported_type, "content type not verifiable"),
                          ctx.request_id);
  }
  if (auto ok = parts_.quota.reserve(ctx.who.user, r.size); !ok) {
    parts_.metrics.upload_rejected(reject_reason::quota_exceeded);
    return error_response(ok.error(), ctx.request_id);
  }

  s.id.resize(id_length);
  new_id(upload_id_prefix, std::span<char, id_length>(s.id.data(), id_length));
  const std::string_view segment = user_segment(ctx.who.user, s.segment);
  make_key(s.key, cfg.policy.prefix, segment, id_body(s.id), extension_for(*format));
  const auto expires_at = ctx.now + cfg.policy.pending_lifetime;

  if (plan->method == upload_method::multipart) {
    return multipart_start{*plan, expires_at};
  }

  // A single PUT or POST: the upload id is a signed token; nothing is recorded until completion.
  upload_claims& claims = s.claims;
  claims.body.assign(id_body(s.id));
  claims.user.assign(ctx.who.user);
  claims.content_type.assign(r.content_type);
  claims.filename.assign(r.filename);
  claims.size = r.size;
  claims.sha256.assign(r.sha256);
  claims.post = plan->method == upload_method::post;
  claims.expires = expires_at;

  std::string& out = s.body;
  out.clear();
  out += R"({"uploadId":")";
  if (auto ok = parts_.tokens.issue(out, claims); !ok) {
    parts_.quota.release(ctx.who.user, r.size);
    return error_response(ok.error(), ctx.request_id);
  }
  out += R"(","key":)";
  append_json_string(out, s.key);
  out += claims.post ? R"(,"method":"POST")" : R"(,"method":"PUT")";
  const upload_urls::object_terms terms{s.key, r.content_type, r.size, r.sha256};
  const auto lifetime = url_lifetime(expires_at, ctx.now);
  auto ok = claims.post ? s.urls->append_post(out, terms, lifetime, ctx.now)
                        : s.urls->append_put(out, terms, lifetime, ctx.now);
  if (!ok) {
    parts_.quota.release(ctx.who.user, r.size);
    return error_response(ok.error(), ctx.request_id);
  }
  out += R"(,"expiresAt":")";
  append_rfc3339(out, expires_at);
  out += "\"}";
  if (parts_.quota.limited()) {  // only a limited quota needs the reservation given back later
    parts_.held.add(claims.body, claims.user, claims.size, expires_at);
  }
  parts_.metrics.upload_started(plan->method);
  return json_response(201, out, ctx.request_id);
}

// The multipart branch of create: the storage names the upload (a network round trip), and the
// pending upload is recorded (group commit) so parts can be signed, listed and resumed.
awaitable_response api_handler::create_multipart_upload(context& ctx, const upload_plan& plan,
                                                        std::chrono::sys_seconds expires_at) {
  hot_path_scratch& s = scratch_for(parts_);
  db::pending_upload pending;
  pending.id = s.id;
  pending.user = ctx.who.user;
  pending.key = s.key;
  pending.filename = s.request.filename;
  pending.content_type = s.request.content_type;
  pending.size = s.request.size;
  pending.sha256 = s.request.sha256;
  pending.method = "MULTIPART";
  pending.part_size = plan.part_size;
  pending.created_at = ctx.now;
  pending.expires_at = expires_at;

  auto upload_id = co_await parts_.storage.create_multipart(pending.key, pending.content_type);
  if (!upload_id) {
    parts_.quota.release(pending.user, pending.size);
    co_return error_response(storage_error(upload_id.error()), ctx.request_id);
  }
  pending.multipart_upload_id = std::move(*upload_id);
  std::string out = R"({"uploadId":")";
  out += pending.id;
  out += R"(","key":)";
  append_json_string(out, pending.key);
  out += R"(,"method":"MULTIPART","multipart":{"partSize":)";
  out += std::to_string(pending.part_size);
  out += R"(,"partCount":)";
  out += std::to_string(part_count_of(pending));
  out += R"(},"expiresAt":")";
  append_rfc3339(out, pending.expires_at);
  out += "\"}";
  const std::string key = pending.key, upload = pending.multipart_upload_id, user = pending.user;
  const std::uint64_t size = pending.size;
  if (auto queued = parts_.db.enqueue_pending(std::move(pending)); !queued) {
    (void)co_await parts_.storage.abort_multipart(key, upload);
    parts_.quota.release(user, size);
    co_return error_response(busy_error(queued.error()), ctx.request_id);
  }
  parts_.metrics.upload_started(upload_method::multipart);
  co_return json_response(201, std::move(out), ctx.request_id);
}

// Looks the pending upload up for this user: from its token, or from the records (a create whose
// record is still queued for the group commit is found after one flush).
boost::asio::awaitable<result<db::pending_upload>> find_pending_upload(api_components& parts,
                                                                       http::request& req,
                                                                       std::string_view user,
                                                                       std::string_view id) {
  if (is_upload_token(id)) {
    auto claims = parts.tokens.open(id);
    if (!claims || claims->user != user) {
      co_return make_error(errc::not_found, "no such upload");
    }
    db::pending_upload p;
    p.id = std::string(id);
    p.user = std::move(claims->user);
    std::string scratch;
    const std::string_view segment = user_segment(p.user, scratch);
    const auto format = format_for_content_type(claims->content_type);
    if (!format) {
      co_return make_error(errc::not_found, "no such upload");
    }
    make_key(p.key, parts.config.policy.prefix, segment, claims->body, extension_for(*format));
    p.filename = std::move(claims->filename);
    p.content_type = std::move(claims->content_type);
    p.size = claims->size;
    p.sha256 = std::move(claims->sha256);
    p.method = claims->post ? "POST" : "PUT";
    p.expires_at = claims->expires;
    p.created_at = claims->expires - parts.config.policy.pending_lifetime;
    co_return p;
  }
  std::string u(user), i(id);
  auto found =
      co_await req.run_blocking([&parts, u, i]() -> db::result<std::optional<db::pending_upload>> {
        auto first = parts.db.find_pending(u, i);
        if (!first || first->has_value()) {
          return first;
        }
        if (auto flushed = parts.db.flush(); !flushed) {
          return flushed.error();
        }
        return parts.db.find_pending(u, i);
      });
  if (!found) {
    co_return from_db(found.error());
  }
  if (!found->has_value()) {
    co_return make_error(errc::not_found, "no such upload");
  }
  co_return std::move(**found);
}

// ---- POST /api/uploads/{id}/parts ----

awaitable_response api_handler::sign_parts(context& ctx) {
  if (auto ok =
          parts_.user_limiter.check(user_limit_key(ctx.who.user), std::chrono::steady_clock::now());
      !ok) {
    parts_.metrics.rate_limited(rate_scope::user);
    co_return error_response(ok.error(), ctx.request_id);
  }
  auto body = co_await read_json_body(ctx, parts_.config.max_body_bytes);
  if (!body) {
    co_return error_response(body.error(), ctx.request_id);
  }
  auto request = parse_parts_request(*body);
  if (!request) {
    co_return error_response(request.error(), ctx.request_id);
  }
  auto pending = co_await find_pending_upload(parts_, ctx.req, ctx.who.user, ctx.route.id);
  if (!pending) {
    co_return error_response(pending.error(), ctx.request_id);
  }
  if (method_of(*pending) != upload_method::multipart) {
    co_return error_response(make_error(errc::conflict, "not a multipart upload"), ctx.request_id);
  }
  if (pending->expires_at <= ctx.now) {
    co_return error_response(make_error(errc::conflict, "the upload has expired; start a new one"),
                             ctx.request_id);
  }
  const unsigned count = part_count_of(*pending);
  for (unsigned n : request->part_numbers) {
    if (n < 1 || n > count) {
      co_return error_response(
          make_error(errc::invalid_request, "partNumbers: " + std::to_string(n) +
                                                " is outside 1.." + std::to_string(count)),
          ctx.request_id);
    }
  }
  hot_path_scratch& s = scratch_for(parts_);
  std::string out = R"({"parts":[)";
  const auto lifetime = url_lifetime(pending->expires_at, ctx.now);
  bool first = true;
  for (unsigned n : request->part_numbers) {
    if (!first)
      out += ",";
    first = false;
    out += R"({"partNumber":)" + std::to_string(n) + R"(,"size":)" +
           std::to_string(part_length(*pending, n));
    if (auto ok = s.urls->append_part(out, pending->key, pending->multipart_upload_id, n,
                                      part_length(*pending, n), lifetime, ctx.now);
        !ok) {
      co_return error_response(ok.error(), ctx.request_id);
    }
    out += "}";
  }
  out += R"(],"expiresAt":")";
  append_rfc3339(out, pending->expires_at);
  out += "\"}";
  co_return json_response(200, std::move(out), ctx.request_id);
}

// ---- GET /api/uploads/{id}/parts ----

awaitable_response api_handler::list_parts(context& ctx) {
  auto pending = co_await find_pending_upload(parts_, ctx.req, ctx.who.user, ctx.route.id);
  if (!pending) {
    co_return error_response(pending.error(), ctx.request_id);
  }
  if (method_of(*pending) != upload_method::multipart) {
    co_return error_response(make_error(errc::conflict, "not a multipart upload"), ctx.request_id);
  }
  auto stored = co_await parts_.storage.list_parts(pending->key, pending->multipart_upload_id);
  if (!stored) {
    co_return error_response(storage_error(stored.error()), ctx.request_id);
  }
  std::string out = R"({"parts":[)";
  bool first = true;
  for (const auto& p : *stored) {
    if (!first)
      out += ",";
    first = false;
    out += R"({"partNumber":)" + std::to_string(p.part_number) + R"(,"etag":)";
    append_json_string(out, p.etag);
    out += R"(,"size":)" + std::to_string(p.size) + "}";
  }
  out += "]}";
  co_return json_response(200, std::move(out), ctx.request_id);
}

// ---- DELETE /api/uploads/{id} ----

awaitable_response api_handler::abort_upload(context& ctx) {
  auto pending = co_await find_pending_upload(parts_, ctx.req, ctx.who.user, ctx.route.id);
  if (!pending) {
    co_return error_response(pending.error(), ctx.request_id);
  }
  if (auto ok = co_await discard_pending(parts_, ctx.req, *pending); !ok) {
    co_return error_response(ok.error(), ctx.request_id);
  }
  co_return empty_response(204, ctx.request_id);
}

// ---- POST /api/uploads/{id}/complete ----

awaitable_response api_handler::complete_upload(context& ctx) {
  auto body = co_await read_json_body(ctx, parts_.config.max_body_bytes);
  if (!body) {
    co_return error_response(body.error(), ctx.request_id);
  }
  auto request = parse_complete_request(*body);
  if (!request) {
    co_return error_response(request.error(), ctx.request_id);
  }
  {
    // Completing twice answers the same image.
    const std::string image_id = image_id_for(ctx.route.id);
    std::string user = ctx.who.user;
    auto image = co_await ctx.req.run_blocking(
        [this, user, image_id] { return parts_.db.find_image(user, image_id); });
    if (!image) {
      co_return error_response(from_db(image.error()), ctx.request_id);
    }
    if (image->has_value()) {
      std::string out = R"({"image":)";
      append_image_json(out, **image, image_urls_for(parts_), ctx.now);
      out += "}";
      co_return json_response(200, std::move(out), ctx.request_id);
    }
  }
  auto pending = co_await find_pending_upload(parts_, ctx.req, ctx.who.user, ctx.route.id);
  if (!pending) {
    co_return error_response(pending.error(), ctx.request_id);
  }
  if (pending->expires_at <= ctx.now) {
    co_return error_response(make_error(errc::conflict, "the upload has expired; start a new one"),
                             ctx.request_id);
  }

  if (method_of(*pending) == upload_method::multipart) {
    if (request->parts.size() != part_count_of(*pending)) {
      co_return error_response(
          make_error(errc::invalid_request,
                     "parts: expected " + std::to_string(part_count_of(*pending)) + " parts, got " +
                         std::to_string(request->parts.size())),
          ctx.request_id);
    }
    std::vector<s3client::completed_part> parts;
    parts.reserve(request->parts.size());
    for (const auto& p : request->parts) {
      parts.push_back({p.part_number, p.etag});
    }
    auto assembled = co_await parts_.storage.complete_multipart(
        pending->key, pending->multipart_upload_id, parts);
    if (!assembled) {
      const auto& e = assembled.error();
      if (e.code == s3client::errc::bad_request || e.code == s3client::errc::not_found) {
        co_return error_response(
            make_error(errc::verification_failed,
                       "the storage refused to assemble the parts: " + e.s3_code + " " + e.message),
            ctx.request_id);
      }
      co_return error_response(storage_error(e), ctx.request_id);
    }
  } else if (!request->parts.empty()) {
    co_return error_response(make_error(errc::invalid_request, "parts: only for multipart uploads"),
                             ctx.request_id);
  }

  auto verified = co_await verify_stored_object(parts_.storage, *pending);
  if (!verified) {
    const verification_failure& failure = verified.error();
    if (failure.discard) {
      // Nothing is recorded: the object goes, and so does the pending upload and its quota.
      (void)co_await discard_pending(parts_, ctx.req, *pending);
      parts_.metrics.upload_rejected(reject_reason::verification_failed);
    }
    ctx.log_detail = failure.error.message;
    co_return error_response(failure.error, ctx.request_id);
  }

  db::image img;
  img.id = image_id_for(pending->id);
  img.user = pending->user;
  img.key = pending->key;
  img.filename = pending->filename;
  img.content_type = pending->content_type;
  img.size = pending->size;
  img.width = verified->width;
  img.height = verified->height;
  img.sha256 = pending->sha256;
  img.etag = verified->etag;
  img.created_at = ctx.now;
  std::string user = pending->user;
  const bool token = is_upload_token(pending->id);
  std::string pending_id = token ? std::string() : pending->id;
  auto recorded = co_await ctx.req.run_blocking(
      [this, user, pending_id, img] { return parts_.db.complete(user, pending_id, img); });
  if (!recorded) {
    co_return error_response(from_db(recorded.error()), ctx.request_id);
  }
  if (token) {
    parts_.held.settle(id_body(pending->id).substr(0, id_body_length));
  }
  parts_.metrics.upload_completed();
  std::string out = R"({"image":)";
  append_image_json(out, *recorded, image_urls_for(parts_), ctx.now);
  out += "}";
  co_return json_response(200, std::move(out), ctx.request_id);
}

}  // namespace onehop::api

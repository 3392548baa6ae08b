#include "api/handler.hpp"

#include <openssl/rand.h>

#include <boost/asio/this_coro.hpp>
#include <cstdio>
#include <cstring>

#include "api/credentials.hpp"
#include "api/handler_internal.hpp"
#include "api/json_out.hpp"
#include "api/log.hpp"
#include "api/requests.hpp"
#include "api/responses.hpp"

namespace onehop::api {

namespace {

rate_limiter_config limiter_config(double rate, double burst, bool enabled) {
  rate_limiter_config c;
  c.rate_per_second = rate;
  c.burst = burst;
  c.enabled = enabled;
  return c;
}

std::string storage_origin(const sigv4::s3_endpoint& endpoint) {
  return endpoint.scheme + "://" + endpoint.authority();
}

// An answer known without suspending, as an awaitable.
boost::asio::awaitable<http::response> ready(http::response res) {
  co_return res;
}

}  // namespace

api_components::api_components(const app_config& cfg, authenticator authn, db::repository& records)
    : config(cfg),
      auth(std::move(authn)),
      user_limiter(limiter_config(cfg.rate_limits.user_rate, cfg.rate_limits.user_burst,
                                  cfg.rate_limits.enabled)),
      ip_limiter(limiter_config(cfg.rate_limits.ip_rate, cfg.rate_limits.ip_burst,
                                cfg.rate_limits.enabled)),
      quota(cfg.policy),
      storage(cfg.storage),
      db(records),
      statics(cfg.static_dir, storage_origin(cfg.public_endpoint)),
      tokens(cfg.upload_token_secret) {}

api_handler::api_handler(api_components& parts) : parts_(parts) {
  unsigned char random[4];
  RAND_bytes(random, sizeof random);
  char prefix[16];
  std::snprintf(prefix, sizeof prefix, "%02x%02x%02x%02x-", random[0], random[1], random[2],
                random[3]);
  request_id_prefix_ = prefix;
}

api_handler::~api_handler() = default;

http::response api_handler::protocol_error(http::bhttp::status status) {
  const errc code = status == http::bhttp::status::request_header_fields_too_large
                        ? errc::too_large
                        : errc::invalid_request;
  return error_response(
      make_error(code, status == http::bhttp::status::request_header_fields_too_large
                           ? "request header too large"
                           : "malformed HTTP request"),
      {});
}

boost::asio::awaitable<http::response> api_handler::handle(http::request& req) {
  context ctx{req};
  ctx.started = std::chrono::steady_clock::now();
  ctx.now = std::chrono::time_point_cast<std::chrono::seconds>(parts_.config.clock());
  ctx.route = match_route(req.method(), req.target());
  ctx.request_id.reserve(request_id_prefix_.size() + 12);
  ctx.request_id = request_id_prefix_;
  ctx.request_id += std::to_string(request_counter_.fetch_add(1, std::memory_order_relaxed));

  http::response res = co_await dispatch(ctx);

  const auto elapsed = std::chrono::steady_clock::now() - ctx.started;
  const unsigned status = res.message.result_int();
  parts_.metrics.observe_request(ctx.route.which, req.method(), status, elapsed);
  if (status >= 500 || log_enabled(log_level::debug)) {
    log_request(ctx.request_id, route_name(ctx.route.which), req.header().method_string(), status,
                elapsed, ctx.who.user, ctx.log_detail);
  }
  co_return res;
}

result<principal> api_handler::authenticate(context& ctx) {
  const auto& h = ctx.req.header();
  if (!ctx.route.path_token.empty()) {
    return parts_.auth.authenticate(ctx.route.path_token, ctx.now);
  }
  const auto cred = find_credential(
      header_value(h, http::bhttp::field::authorization), header_value(h, "X-Api-Key"),
      header_value(h, http::bhttp::field::cookie), parts_.config.cookie_name);
  if (cred.source == credential_source::none) {
    return make_error(errc::unauthorized,
                      "missing credentials: send Authorization: Bearer <token> or an API key");
  }
  if (cred.source == credential_source::cookie) {
    const auto method = ctx.req.method();
    const bool state_change = method != http::bhttp::verb::get && method != http::bhttp::verb::head;
    const std::string_view origin = header_value(h, http::bhttp::field::origin);
    const bool allowed = parts_.config.allowed_origins.empty()
                             ? same_origin(origin, header_value(h, http::bhttp::field::host))
                             : origin_allowed(origin, parts_.config.allowed_origins);
    if (state_change && !allowed) {
      return make_error(errc::forbidden,
                        "cookie-authenticated requests that change state need an allowed Origin");
    }
  }
  if (cred.value.empty()) {
    return make_error(errc::unauthorized,
                      "malformed Authorization header: expected Bearer <token>");
  }
  return parts_.auth.authenticate(cred.value, ctx.now);
}

result<void> api_handler::admit(context& ctx) {
  // "ip:" and the address's bytes: a key without formatting or allocation.
  char key[3 + 16] = {'i', 'p', ':'};
  const auto address = ctx.req.remote().address();
  std::size_t length = 3;
  if (address.is_v4()) {
    const auto bytes = address.to_v4().to_bytes();
    std::memcpy(key + 3, bytes.data(), bytes.size());
    length += bytes.size();
  } else {
    // One host usually owns a whole /64: keying by it stops address spraying.
    const auto bytes = address.to_v6().to_bytes();
    std::memcpy(key + 3, bytes.data(), 8);
    length += 8;
  }
  const std::string_view ip_key(key, length);
  if (auto ok = parts_.ip_limiter.check(ip_key, std::chrono::steady_clock::now()); !ok) {
    parts_.metrics.rate_limited(rate_scope::ip);
    return ok.error();
  }
  return {};
}

// Not a coroutine: it returns the chosen route's coroutine (or a ready answer) for handle() to
// await, so a request pays for no frame of its own here. (Asio recycles coroutine frames only up
// to about 1 KiB; a frame holding every branch's temporaries is several times that, and would be
// a heap allocation per request.)
boost::asio::awaitable<http::response> api_handler::dispatch(context& ctx) {
  const auto& id = ctx.request_id;
  switch (ctx.route.which) {
    case route::healthz: {
      http::response res = empty_response(200, id, "text/plain");
      res.message.body() = "ok\n";
      return ready(std::move(res));
    }
    case route::metrics: {
      http::response res = empty_response(200, id, "text/plain; version=0.0.4");
      res.message.body() = parts_.metrics.render();
      return ready(std::move(res));
    }
    case route::readyz:
      return readyz(ctx);
    case route::config:
      return ready(config_document(ctx));
    case route::static_file: {
      if (auto res =
              parts_.statics.serve(ctx.route.path, ctx.req.method() == http::bhttp::verb::head)) {
        return ready(std::move(*res));
      }
      return ready(error_response(make_error(errc::not_found, "no such page"), id));
    }
    case route::not_found:
      return ready(error_response(make_error(errc::not_found, "no such route"), id));
    case route::method_not_allowed: {
      http::response res = json_response(
          405, error_body(make_error(errc::invalid_request, "method not allowed on this route")),
          id);
      res.message.set(http::bhttp::field::allow, ctx.route.allow);
      return ready(std::move(res));
    }
    default:
      break;
  }

  // Every other route is under /api/: per-address rate limit first, then credentials.
  if (auto ok = admit(ctx); !ok) {
    return ready(error_response(ok.error(), id));
  }
  if (ctx.route.which == route::dev_token) {
    if (!parts_.config.dev_mode) {
      return ready(error_response(make_error(errc::not_found, "no such route"), id));
    }
    return dev_token(ctx);
  }
  auto who = authenticate(ctx);
  if (!who) {
    return ready(error_response(who.error(), id));
  }
  ctx.who = std::move(*who);

  switch (ctx.route.which) {
    case route::create_upload:
      return create_upload(ctx);
    case route::sign_parts:
      return sign_parts(ctx);
    case route::list_parts:
      return list_parts(ctx);
    case route::complete:
      return complete_upload(ctx);
    case route::abort_upload:
      return abort_upload(ctx);
    case route::list_images:
      return list_images(ctx);
    case route::get_image:
      return get_image(ctx);
    case route::delete_image:
      return delete_image(ctx);
    default:
      if (is_uppy(ctx.route.which)) {
        return uppy(ctx);
      }
      break;
  }
  return ready(error_response(make_error(errc::not_found, "no such route"), id));
}

boost::asio::awaitable<http::response> api_handler::readyz(context& ctx) {
  auto db_ok = co_await ctx.req.run_blocking([this] { return parts_.db.ping(); });
  auto storage_ok = co_await parts_.storage.head_bucket();
  std::string body = R"({"database":)";
  body += db_ok ? R"("ok")" : R"("unavailable")";
  body += R"(,"storage":)";
  body += storage_ok ? R"("ok")" : R"("unavailable")";
  body += "}";
  co_return json_response(db_ok && storage_ok ? 200 : 503, std::move(body), ctx.request_id);
}

http::response api_handler::config_document(context& ctx) {
  const auto& p = parts_.config.policy;
  std::string body = "{";
  body += R"("maxSize":)" + std::to_string(p.max_size);
  body += R"(,"allowedTypes":[)";
  for (std::size_t i = 0; i < p.allowed_types.size(); ++i) {
    if (i != 0)
      body += ",";
    append_json_string(body, p.allowed_types[i]);
  }
  body += "]";
  body += R"(,"multipartThreshold":)" + std::to_string(p.multipart_threshold);
  body += R"(,"partSize":)" + std::to_string(p.part_size);
  body += R"(,"checksum":)";
  body += p.checksum_required ? R"("required")" : R"("optional")";
  body += R"(,"pendingLifetime":)" + std::to_string(p.pending_lifetime.count());
  body += R"(,"devMode":)";
  body += parts_.config.dev_mode ? "true" : "false";
  body += "}";
  return json_response(200, std::move(body), ctx.request_id, "no-cache");
}

boost::asio::awaitable<http::response> api_handler::dev_token(context& ctx) {
  auto body = co_await read_json_body(ctx, parts_.config.max_body_bytes);
  if (!body) {
    co_return error_response(body.error(), ctx.request_id);
  }
  auto parsed = parse_dev_token_request(*body);
  if (!parsed) {
    co_return error_response(parsed.error(), ctx.request_id);
  }
  if (!valid_user_name(parsed->user)) {
    co_return error_response(make_error(errc::invalid_request,
                                        "user: 1 to 128 bytes of UTF-8 without control characters"),
                             ctx.request_id);
  }
  auto token =
      issue_dev_token(parts_.config.auth, parsed->user, parts_.config.dev_token_ttl, ctx.now);
  if (!token) {
    co_return error_response(token.error(), ctx.request_id);
  }
  std::string out = R"({"token":)";
  append_json_string(out, *token);
  out += R"(,"user":)";
  append_json_string(out, parsed->user);
  out += R"(,"expiresAt":")";
  append_rfc3339(out, ctx.now + parts_.config.dev_token_ttl);
  out += "\"}";
  http::response res = json_response(200, std::move(out), ctx.request_id);
  res.message.set(http::bhttp::field::set_cookie,
                  session_cookie(parts_.config.cookie_name, *token,
                                 static_cast<long>(parts_.config.dev_token_ttl.count()), false));
  co_return res;
}

}  // namespace onehop::api

// The image routes: list (newest first, cursor paging), get, delete. Every lookup is scoped to the
// authenticated user: another user's id is "not found", never "forbidden".

#include "api/handler.hpp"
#include "api/handler_internal.hpp"
#include "api/json_out.hpp"
#include "api/responses.hpp"
#include "api/upload_urls.hpp"
#include "api/verification.hpp"

namespace onehop::api {
namespace {

constexpr std::size_t default_page = 50;
constexpr std::size_t max_page = 100;

result<std::size_t> parse_limit(std::optional<std::string_view> raw) {
  if (!raw) {
    return default_page;
  }
  std::size_t value = 0;
  if (raw->empty() || raw->size() > 3) {
    return make_error(errc::invalid_request, "limit: an integer from 1 to 100");
  }
  for (char c : *raw) {
    if (c < '0' || c > '9') {
      return make_error(errc::invalid_request, "limit: an integer from 1 to 100");
    }
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  if (value < 1 || value > max_page) {
    return make_error(errc::invalid_request, "limit: an integer from 1 to 100");
  }
  return value;
}

api_error from_db(const db::db_error& e) {
  if (e.code == db::errc::invalid_cursor) {
    return make_error(errc::invalid_request, "cursor: not a cursor this API returned");
  }
  return make_error(errc::internal, "database error: " + e.message);
}

}  // namespace

void append_image_json(std::string& out, const db::image& img, upload_urls& urls,
                       std::chrono::sys_seconds now) {
  out += R"({"id":)";
  append_json_string(out, img.id);
  out += R"(,"key":)";
  append_json_string(out, img.key);
  out += R"(,"filename":)";
  append_json_string(out, img.filename);
  out += R"(,"contentType":)";
  append_json_string(out, img.content_type);
  out += R"(,"size":)" + std::to_string(img.size);
  out += R"(,"width":)" + std::to_string(img.width);
  out += R"(,"height":)" + std::to_string(img.height);
  if (!img.sha256.empty()) {
    out += R"(,"sha256":)";
    append_json_string(out, img.sha256);
  }
  out += R"(,"createdAt":")";
  append_rfc3339(out, img.created_at);
  out += '"';
  urls.append_view(out, img.key, img.filename, now);
  out += "}";
}

boost::asio::awaitable<http::response> api_handler::list_images(context& ctx) {
  auto limit = parse_limit(query_value(ctx.route.query, "limit"));
  if (!limit) {
    co_return error_response(limit.error(), ctx.request_id);
  }
  std::string cursor(query_value(ctx.route.query, "cursor").value_or(""));
  if (cursor.size() > 256) {
    co_return error_response(make_error(errc::invalid_request, "cursor: too long"), ctx.request_id);
  }
  std::string user = ctx.who.user;
  const std::size_t n = *limit;
  auto page = co_await ctx.req.run_blocking(
      [this, user, n, cursor] { return parts_.db.list_images(user, n, cursor); });
  if (!page) {
    co_return error_response(from_db(page.error()), ctx.request_id);
  }
  upload_urls& urls = image_urls_for(parts_);
  std::string out = R"({"images":[)";
  bool first = true;
  for (const auto& img : page->images) {
    if (!first)
      out += ",";
    first = false;
    append_image_json(out, img, urls, ctx.now);
  }
  out += R"(],"nextCursor":)";
  if (page->next_cursor.empty()) {
    out += "null";
  } else {
    append_json_string(out, page->next_cursor);
  }
  out += "}";
  co_return json_response(200, std::move(out), ctx.request_id);
}

boost::asio::awaitable<http::response> api_handler::get_image(context& ctx) {
  std::string user = ctx.who.user;
  std::string id(ctx.route.id);
  auto found =
      co_await ctx.req.run_blocking([this, user, id] { return parts_.db.find_image(user, id); });
  if (!found) {
    co_return error_response(from_db(found.error()), ctx.request_id);
  }
  if (!found->has_value()) {
    co_return error_response(make_error(errc::not_found, "no such image"), ctx.request_id);
  }
  std::string out = R"({"image":)";
  append_image_json(out, **found, image_urls_for(parts_), ctx.now);
  out += "}";
  co_return json_response(200, std::move(out), ctx.request_id);
}

boost::asio::awaitable<http::response> api_handler::delete_image(context& ctx) {
  std::string user = ctx.who.user;
  std::string id(ctx.route.id);
  auto found =
      co_await ctx.req.run_blocking([this, user, id] { return parts_.db.find_image(user, id); });
  if (!found) {
    co_return error_response(from_db(found.error()), ctx.request_id);
  }
  if (!found->has_value()) {
    co_return error_response(make_error(errc::not_found, "no such image"), ctx.request_id);
  }
  // The object first: a record without its object would show a broken image; an object without
  // its record is found and removed by the sweeper's orphan scan.
  auto deleted = co_await parts_.storage.delete_object((*found)->key);
  if (!deleted) {
    co_return error_response(storage_error(deleted.error()), ctx.request_id);
  }
  auto removed =
      co_await ctx.req.run_blocking([this, user, id] { return parts_.db.delete_image(user, id); });
  if (!removed) {
    co_return error_response(from_db(removed.error()), ctx.request_id);
  }
  if (removed->has_value()) {
    parts_.quota.remove(user, (*removed)->size);
  }
  co_return empty_response(204, ctx.request_id);
}

}  // namespace onehop::api

// Object operations: PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects, ListObjects.

#include <boost/beast/core/string.hpp>
#include <charconv>
#include <memory>

#include "store/conditions.hpp"
#include "store/handlers_internal.hpp"
#include "store/names.hpp"
#include "store/range.hpp"
#include "store/xml.hpp"

namespace onehop::store {

namespace {

constexpr xml::owner store_owner{"onehop", "onehop"};

std::optional<std::string> optional_header(const http::request& req, std::string_view name) {
  if (auto v = front::header(req, name)) {
    return std::string(*v);
  }
  return std::nullopt;
}

// The response-* query parameters that override a stored header on an authenticated GET/HEAD.
struct header_override {
  std::string_view parameter;
  bhttp::field field;
};
constexpr std::array<header_override, 6> overrides{{
    {"response-content-type", bhttp::field::content_type},
    {"response-content-language", bhttp::field::content_language},
    {"response-expires", bhttp::field::expires},
    {"response-cache-control", bhttp::field::cache_control},
    {"response-content-disposition", bhttp::field::content_disposition},
    {"response-content-encoding", bhttp::field::content_encoding},
}};

void set_if(http::response& res, bhttp::field f, const std::string& value) {
  if (!value.empty()) {
    res.message.set(f, value);
  }
}

void set_object_headers(http::response& res, const object_meta& meta) {
  auto& msg = res.message;
  msg.set(bhttp::field::etag, front::quote_etag(meta.etag));
  msg.set(bhttp::field::last_modified,
          format_http_date(std::chrono::floor<std::chrono::seconds>(meta.last_modified)));
  msg.set(bhttp::field::accept_ranges, "bytes");
  // Stored objects are whatever users uploaded: never let a browser sniff them into HTML.
  msg.set("X-Content-Type-Options", "nosniff");
  msg.set(bhttp::field::content_type,
          meta.headers.content_type.empty() ? "binary/octet-stream" : meta.headers.content_type);
  set_if(res, bhttp::field::content_disposition, meta.headers.content_disposition);
  set_if(res, bhttp::field::cache_control, meta.headers.cache_control);
  set_if(res, bhttp::field::content_encoding, meta.headers.content_encoding);
  set_if(res, bhttp::field::content_language, meta.headers.content_language);
  set_if(res, bhttp::field::expires, meta.headers.expires);
  for (const auto& [name, value] : meta.headers.user_metadata) {
    msg.set("x-amz-meta-" + name, value);
  }
  if (meta.parts_count > 0) {
    msg.set("x-amz-mp-parts-count", std::to_string(meta.parts_count));
  }
}

result<std::size_t> parse_max(const std::string* text, std::size_t fallback) {
  if (text == nullptr) {
    return fallback;
  }
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec == std::errc::result_out_of_range && end == text->data() + text->size()) {
    return fallback;  // larger than anything: clamp
  }
  if (ec != std::errc{} || end != text->data() + text->size() || text->empty()) {
    return front_errc::invalid_argument;
  }
  return value;
}

bool checksum_mode_enabled(const http::request& req) {
  const auto mode = front::header(req, "x-amz-checksum-mode");
  return mode && boost::beast::iequals(*mode, "ENABLED");
}

}  // namespace

s3_handler::awaitable_response s3_handler::put_object(context& ctx) {
  auto plan = front::plan_body(ctx, store_.options().max_object_size);
  if (!plan) {
    co_return front::error(ctx, plan.error());
  }
  if (!ctx.req.content_length()) {
    ctx.req.body_limit(store_.options().max_object_size);
  }
  put_options options;
  options.headers = front::object_headers_from(ctx.req);
  options.expected_size = plan->expected_size;
  options.digests.md5 = false;  // write_and_commit hashes the body
  auto writer = store_.begin_put(ctx.s3.bucket, ctx.s3.key, std::move(options));
  if (!writer) {
    co_return front::error(ctx, writer.error());
  }
  commit_options commit;
  commit.now = ctx.now_ms;
  commit.content_md5 = plan->content_md5;
  commit.if_match = optional_header(ctx.req, "if-match");
  commit.if_none_match = optional_header(ctx.req, "if-none-match");
  auto written = co_await front::write_and_commit(ctx, *plan, *writer, std::move(commit));
  if (!written) {
    co_return front::error(ctx, written.error());
  }
  co_return front::stored_response(ctx, *written);
}

s3_handler::awaitable_response s3_handler::get_object(context& ctx, bool head) {
  // Stays on the I/O thread on purpose: open + fstat + two small preads (the fixed footer and
  // the metadata block at the file's end) are page-cache reads for any recently used object,
  // cheaper than two thread hops to the blocking pool. The body is never read here: it goes out
  // by sendfile from this descriptor. Deletes, commits and fsyncs do go to run_blocking.
  auto reader = store_.open_object(ctx.s3.bucket, ctx.s3.key);
  if (!reader) {
    co_return front::error(ctx, reader.error());
  }
  const object_meta& meta = reader->meta;
  conditional_headers conditions;
  conditions.if_match = front::header(ctx.req, "if-match");
  conditions.if_none_match = front::header(ctx.req, "if-none-match");
  conditions.if_modified_since = front::header(ctx.req, "if-modified-since");
  conditions.if_unmodified_since = front::header(ctx.req, "if-unmodified-since");
  switch (evaluate_read_conditions(conditions, meta.etag, meta.last_modified)) {
    case condition_outcome::proceed:
      break;
    case condition_outcome::not_modified: {
      http::response res = front::empty(ctx, bhttp::status::not_modified);
      res.message.set(bhttp::field::etag, front::quote_etag(meta.etag));
      res.message.set(
          bhttp::field::last_modified,
          format_http_date(std::chrono::floor<std::chrono::seconds>(meta.last_modified)));
      co_return res;
    }
    case condition_outcome::precondition_failed:
    case condition_outcome::no_such_key:
      co_return front::error(ctx, errc::precondition_failed);
  }

  range_decision range;
  if (const auto header = front::header(ctx.req, "range")) {
    range = evaluate_range(*header, meta.size);
  }
  if (range.kind == range_kind::unsatisfiable) {
    http::response res = front::error(ctx, errc::invalid_range);
    res.message.set(bhttp::field::content_range, unsatisfied_content_range(meta.size));
    co_return res;
  }

  http::response res = front::empty(ctx);
  set_object_headers(res, meta);
  // S3 honours response-* overrides only on signed requests.
  if (ctx.auth) {
    for (const auto& o : overrides) {
      if (const std::string* value = ctx.s3.query_value(o.parameter)) {
        res.message.set(o.field, *value);
      }
    }
  }
  std::uint64_t first = 0;
  std::uint64_t length = meta.size;
  if (range.kind == range_kind::partial) {
    res.message.result(bhttp::status::partial_content);
    res.message.set(bhttp::field::content_range, content_range(range.range, meta.size));
    first = range.range.first;
    length = range.range.length();
  } else if (checksum_mode_enabled(ctx.req)) {
    for (const auto& [name, value] : meta.headers.checksums) {
      res.message.set("x-amz-checksum-" + name, value);
    }
  }
  if (head) {
    res.message.content_length(length);
    co_return res;
  }
  auto owner = std::make_shared<object_reader>(std::move(*reader));
  res.file = http::file_region{owner->fd.get(), owner->data_offset + first, length, owner};
  co_return res;
}

s3_handler::awaitable_response s3_handler::delete_object(context& ctx) {
  auto deleted = co_await ctx.req.run_blocking(
      [&] { return store_.delete_object(ctx.s3.bucket, ctx.s3.key); });
  if (!deleted) {
    co_return front::error(ctx, deleted.error());
  }
  co_return front::empty(ctx, bhttp::status::no_content);
}

s3_handler::awaitable_response s3_handler::delete_objects(context& ctx) {
  auto body = co_await front::read_small_body(ctx, xml::max_delete_bytes);
  if (!body) {
    co_return front::error(ctx, body.error());
  }
  auto request = xml::parse_delete(*body);
  if (!request) {
    co_return front::error(ctx, request.error());
  }
  struct outcome {
    bool ok = true;
    s3_error_info error;
  };
  std::vector<outcome> outcomes(request->objects.size());
  co_await ctx.req.run_blocking([&] {
    for (std::size_t i = 0; i < request->objects.size(); ++i) {
      const std::string& key = request->objects[i].key;
      if (auto valid = validate_key(key); !valid) {
        outcomes[i] = {false, to_s3_error(valid.error())};
        continue;
      }
      if (auto r = store_.delete_object(ctx.s3.bucket, key); !r) {
        outcomes[i] = {false, to_s3_error(r.error())};
      }
    }
  });
  std::vector<xml::deleted_entry> deleted;
  std::vector<xml::delete_error_entry> errors;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    const std::string& key = request->objects[i].key;
    if (outcomes[i].ok) {
      if (!request->quiet) {
        deleted.push_back({key});
      }
    } else {
      errors.push_back({key, outcomes[i].error.code, outcomes[i].error.message});
    }
  }
  co_return front::xml(ctx, xml::delete_result(deleted, errors));
}

s3_handler::awaitable_response s3_handler::list_objects(context& ctx, bool v2) {
  const s3_request& s3 = ctx.s3;
  list_params params;
  auto value_or_empty = [&](std::string_view name) {
    const std::string* v = s3.query_value(name);
    return v ? *v : std::string();
  };
  params.prefix = value_or_empty("prefix");
  params.delimiter = value_or_empty("delimiter");
  auto max_keys = parse_max(s3.query_value("max-keys"), max_list_keys);
  if (!max_keys) {
    co_return front::error(ctx, max_keys.error());
  }
  params.max_keys = std::min(*max_keys, max_list_keys);
  const std::string* token = s3.query_value("continuation-token");
  if (v2) {
    params.start_after = value_or_empty("start-after");
    if (token != nullptr) {
      params.continuation_token = *token;
    }
  } else {
    params.start_after = value_or_empty("marker");
  }
  const std::string* encoding = s3.query_value("encoding-type");
  if (encoding != nullptr && *encoding != "url") {
    co_return front::error(ctx, front_errc::invalid_argument);
  }
  auto page = store_.list_objects(s3.bucket, params);
  if (!page) {
    co_return front::error(ctx, page.error());
  }
  std::vector<std::string> etags;
  etags.reserve(page->contents.size());
  std::vector<xml::object_entry> objects;
  objects.reserve(page->contents.size());
  for (const auto& entry : page->contents) {
    etags.push_back(front::quote_etag(entry.summary.etag));
  }
  for (std::size_t i = 0; i < page->contents.size(); ++i) {
    const auto& entry = page->contents[i];
    objects.push_back({entry.key, entry.summary.last_modified, etags[i], entry.summary.size});
  }
  std::vector<std::string_view> prefixes(page->common_prefixes.begin(),
                                         page->common_prefixes.end());
  const std::optional<std::string_view> delimiter =
      s3.query_value("delimiter") ? std::optional<std::string_view>(params.delimiter)
                                  : std::nullopt;
  if (v2) {
    xml::list_objects_v2_page doc;
    doc.bucket = s3.bucket;
    doc.prefix = params.prefix;
    doc.delimiter = delimiter;
    doc.max_keys = static_cast<std::uint32_t>(params.max_keys);
    doc.is_truncated = page->is_truncated;
    if (token != nullptr) {
      doc.continuation_token = *token;
    }
    if (page->is_truncated) {
      doc.next_continuation_token = page->next_continuation_token;
    }
    if (const std::string* start_after = s3.query_value("start-after")) {
      doc.start_after = *start_after;
    }
    doc.encoding_type_url = encoding != nullptr;
    const std::string* fetch_owner = s3.query_value("fetch-owner");
    if (fetch_owner != nullptr && *fetch_owner == "true") {
      doc.fetch_owner = store_owner;
    }
    doc.objects = objects;
    doc.common_prefixes = prefixes;
    co_return front::xml(ctx, xml::list_objects_v2(doc));
  }
  xml::list_objects_v1_page doc;
  doc.bucket = s3.bucket;
  doc.prefix = params.prefix;
  doc.marker = params.start_after;
  doc.delimiter = delimiter;
  std::string next_marker;
  if (page->is_truncated && delimiter) {
    next_marker = !page->contents.empty() ? page->contents.back().key : std::string();
    if (!page->common_prefixes.empty() &&
        (next_marker.empty() || page->common_prefixes.back() > next_marker)) {
      next_marker = page->common_prefixes.back();
    }
    doc.next_marker = next_marker;
  }
  doc.max_keys = static_cast<std::uint32_t>(params.max_keys);
  doc.is_truncated = page->is_truncated;
  doc.encoding_type_url = encoding != nullptr;
  doc.object_owner = store_owner;
  doc.objects = objects;
  doc.common_prefixes = prefixes;
  co_return front::xml(ctx, xml::list_objects_v1(doc));
}

}  // namespace onehop::store

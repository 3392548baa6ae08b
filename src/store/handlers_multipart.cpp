// Multipart uploads: Create, UploadPart, ListParts, Complete, Abort, ListMultipartUploads.

#include <charconv>

#include "store/handlers_internal.hpp"
#include "store/multipart.hpp"
#include "store/xml.hpp"

namespace onehop::store {

namespace {

constexpr xml::owner store_owner{"onehop", "onehop"};

result<std::uint64_t> parse_number(const std::string* text, std::uint64_t fallback) {
  if (text == nullptr) {
    return fallback;
  }
  std::uint64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [stop, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || stop != end || (ec != std::errc{} && ec != std::errc::result_out_of_range)) {
    return front_errc::invalid_argument;
  }
  return ec == std::errc::result_out_of_range ? UINT64_MAX : value;
}

std::optional<std::string> optional_header(const http::request& req, std::string_view name) {
  if (auto v = front::header(req, name)) {
    return std::string(*v);
  }
  return std::nullopt;
}

}  // namespace

s3_handler::awaitable_response s3_handler::create_multipart_upload(context& ctx) {
  const object_headers headers = front::object_headers_from(ctx.req);
  auto id = co_await ctx.req.run_blocking([&] {
    return store_.create_multipart_upload(ctx.s3.bucket, ctx.s3.key, headers, ctx.now_ms);
  });
  if (!id) {
    co_return front::error(ctx, id.error());
  }
  co_return front::xml(ctx, xml::initiate_multipart_upload_result(ctx.s3.bucket, ctx.s3.key, *id));
}

s3_handler::awaitable_response s3_handler::upload_part(context& ctx) {
  auto plan = front::plan_body(ctx, store_.options().max_part_size);
  if (!plan) {
    co_return front::error(ctx, plan.error());
  }
  if (!ctx.req.content_length()) {
    ctx.req.body_limit(store_.options().max_part_size);
  }
  put_options options;
  options.expected_size = plan->expected_size;
  options.digests.md5 = false;  // write_and_commit hashes the body
  auto writer = store_.begin_upload_part(ctx.s3.bucket, ctx.s3.key, ctx.s3.upload_id,
                                         ctx.s3.part_number.value_or(0), std::move(options));
  if (!writer) {
    co_return front::error(ctx, writer.error());
  }
  commit_options commit;
  commit.now = ctx.now_ms;
  commit.content_md5 = plan->content_md5;
  auto written = co_await front::write_and_commit(ctx, *plan, *writer, std::move(commit));
  if (!written) {
    co_return front::error(ctx, written.error());
  }
  co_return front::stored_response(ctx, *written);
}

s3_handler::awaitable_response s3_handler::list_parts(context& ctx) {
  list_parts_params params;
  auto max_parts = parse_number(ctx.s3.query_value("max-parts"), max_list_parts);
  auto marker = parse_number(ctx.s3.query_value("part-number-marker"), 0);
  if (!max_parts || !marker || *marker > UINT32_MAX) {
    co_return front::error(ctx, front_errc::invalid_argument);
  }
  params.max_parts = static_cast<std::size_t>(std::min<std::uint64_t>(*max_parts, max_list_parts));
  params.part_number_marker = static_cast<std::uint32_t>(*marker);
  auto page = store_.list_parts(ctx.s3.bucket, ctx.s3.key, ctx.s3.upload_id, params);
  if (!page) {
    co_return front::error(ctx, page.error());
  }
  std::vector<std::string> etags;
  etags.reserve(page->parts.size());
  for (const auto& p : page->parts) {
    etags.push_back(front::quote_etag(p.etag));
  }
  std::vector<xml::part_entry> parts;
  parts.reserve(page->parts.size());
  for (std::size_t i = 0; i < page->parts.size(); ++i) {
    const auto& p = page->parts[i];
    parts.push_back({p.part_number, p.last_modified, etags[i], p.size});
  }
  xml::list_parts_page doc;
  doc.bucket = ctx.s3.bucket;
  doc.key = ctx.s3.key;
  doc.upload_id = ctx.s3.upload_id;
  doc.part_number_marker = params.part_number_marker;
  doc.next_part_number_marker = page->next_part_number_marker;
  doc.max_parts = static_cast<std::uint32_t>(params.max_parts);
  doc.is_truncated = page->is_truncated;
  doc.initiator = store_owner;
  doc.parts = parts;
  co_return front::xml(ctx, xml::list_parts_result(doc));
}

s3_handler::awaitable_response s3_handler::complete_multipart_upload(context& ctx) {
  auto body = co_await front::read_small_body(ctx, xml::max_complete_multipart_bytes);
  if (!body) {
    co_return front::error(ctx, body.error());
  }
  auto parsed = xml::parse_complete_multipart_upload(*body);
  if (!parsed) {
    co_return front::error(ctx, parsed.error());
  }
  std::vector<completed_part> parts;
  parts.reserve(parsed->size());
  for (auto& p : *parsed) {
    parts.push_back({p.part_number, std::move(p.etag)});
  }
  commit_options commit;
  commit.now = ctx.now_ms;
  commit.if_match = optional_header(ctx.req, "if-match");
  commit.if_none_match = optional_header(ctx.req, "if-none-match");
  auto info = co_await ctx.req.run_blocking([&] {
    return store_.complete_multipart_upload(ctx.s3.bucket, ctx.s3.key, ctx.s3.upload_id, parts,
                                            commit);
  });
  if (!info) {
    co_return front::error(ctx, info.error());
  }
  const std::string etag = front::quote_etag(info->etag);
  const std::string location = "/" + ctx.s3.bucket + "/" + ctx.s3.key;
  xml::complete_result doc{location, ctx.s3.bucket, ctx.s3.key, etag};
  co_return front::xml(ctx, xml::complete_multipart_upload_result(doc));
}

s3_handler::awaitable_response s3_handler::abort_multipart_upload(context& ctx) {
  auto aborted = co_await ctx.req.run_blocking(
      [&] { return store_.abort_multipart_upload(ctx.s3.bucket, ctx.s3.key, ctx.s3.upload_id); });
  if (!aborted) {
    co_return front::error(ctx, aborted.error());
  }
  co_return front::empty(ctx, bhttp::status::no_content);
}

s3_handler::awaitable_response s3_handler::list_multipart_uploads(context& ctx) {
  const s3_request& s3 = ctx.s3;
  auto value_or_empty = [&](std::string_view name) {
    const std::string* v = s3.query_value(name);
    return v ? *v : std::string();
  };
  list_uploads_params params;
  params.prefix = value_or_empty("prefix");
  params.delimiter = value_or_empty("delimiter");
  params.key_marker = value_or_empty("key-marker");
  params.upload_id_marker = value_or_empty("upload-id-marker");
  auto max_uploads = parse_number(s3.query_value("max-uploads"), max_list_uploads);
  if (!max_uploads) {
    co_return front::error(ctx, max_uploads.error());
  }
  params.max_uploads =
      static_cast<std::size_t>(std::min<std::uint64_t>(*max_uploads, max_list_uploads));
  const std::string* encoding = s3.query_value("encoding-type");
  if (encoding != nullptr && *encoding != "url") {
    co_return front::error(ctx, front_errc::invalid_argument);
  }
  auto page = store_.list_multipart_uploads(s3.bucket, params);
  if (!page) {
    co_return front::error(ctx, page.error());
  }
  std::vector<xml::upload_entry> uploads;
  uploads.reserve(page->uploads.size());
  for (const auto& u : page->uploads) {
    uploads.push_back({u.key, u.upload_id, u.initiated});
  }
  std::vector<std::string_view> prefixes(page->common_prefixes.begin(),
                                         page->common_prefixes.end());
  xml::list_multipart_uploads_page doc;
  doc.bucket = s3.bucket;
  doc.key_marker = params.key_marker;
  doc.upload_id_marker = params.upload_id_marker;
  doc.next_key_marker = page->next_key_marker;
  doc.next_upload_id_marker = page->next_upload_id_marker;
  doc.prefix = params.prefix;
  if (s3.query_value("delimiter") != nullptr) {
    doc.delimiter = params.delimiter;
  }
  doc.max_uploads = static_cast<std::uint32_t>(params.max_uploads);
  doc.is_truncated = page->is_truncated;
  doc.encoding_type_url = encoding != nullptr;
  doc.initiator = store_owner;
  doc.uploads = uploads;
  doc.common_prefixes = prefixes;
  co_return front::xml(ctx, xml::list_multipart_uploads_result(doc));
}

}  // namespace onehop::store

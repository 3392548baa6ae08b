// POST object: a browser upload authenticated by the form's SigV4-signed policy.
//
// The multipart body is parsed as it streams. Everything before the file part (the fields) is
// checked first: the form's signature and policy are verified when the file part begins, and only
// then is a single byte stored. The file streams to the engine's writer like a PUT body; the
// policy's content-length-range is enforced while it streams (an upload stops as soon as it is
// too large) and once more at the end (too small).

#include <boost/beast/core/string.hpp>

#include "sigv4/encoding.hpp"
#include "store/handlers_internal.hpp"
#include "store/post_form.hpp"
#include "store/xml.hpp"

namespace onehop::store {

namespace {

// Form fields that become stored object headers, as S3 takes them from a POST.
object_headers headers_from_form(const post_form_parser& form) {
  object_headers h;
  auto get = [&](std::string_view name) {
    const std::string* v = form.field(name);
    return v ? *v : std::string();
  };
  h.content_type = get("content-type");
  if (h.content_type.empty()) {
    h.content_type = std::string(form.file_content_type());
  }
  h.content_disposition = get("content-disposition");
  h.cache_control = get("cache-control");
  h.content_encoding = get("content-encoding");
  h.content_language = get("content-language");
  h.expires = get("expires");
  for (const auto& f : form.fields()) {
    if (f.name.size() > 11 &&
        boost::beast::iequals(std::string_view(f.name).substr(0, 11), "x-amz-meta-")) {
      std::string key = f.name.substr(11);
      for (char& c : key) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      h.user_metadata.emplace_back(std::move(key), f.value);
    }
  }
  return h;
}

}  // namespace

s3_handler::awaitable_response s3_handler::post_object(context& ctx) {
  auto boundary = parse_multipart_boundary(front::header(ctx.req, "content-type").value_or(""));
  if (!boundary) {
    co_return front::error(ctx, boundary.error());
  }
  if (!ctx.req.content_length()) {
    ctx.req.body_limit(store_.options().max_object_size + post_form_limits{}.max_pre_data_bytes +
                       64 * 1024);
  }
  post_form_parser form(*boundary);
  std::optional<object_writer> writer;
  std::optional<sigv4::verified_post> verified;
  std::string key;
  std::uint64_t file_size = 0;
  bool ended = false;

  for (;;) {
    auto chunk = co_await ctx.req.read_some();
    if (!chunk) {
      co_return front::error(ctx, chunk.error());
    }
    if (chunk->empty()) {
      break;
    }
    std::string_view input = *chunk;
    for (;;) {
      auto event = form.next(input);
      if (!event) {
        co_return front::error(ctx, event.error());
      }
      if (event->kind == post_form_event_kind::need_more) {
        break;
      }
      if (event->kind == post_form_event_kind::end) {
        ended = true;
        continue;
      }
      if (event->kind == post_form_event_kind::file_begin) {
        std::vector<sigv4::form_field> fields;
        fields.reserve(form.fields().size());
        for (const auto& f : form.fields()) {
          fields.push_back({f.name, f.value});
        }
        sigv4::signature_mismatch_details details;
        auto verifier = borrow_verifier();
        auto checked =
            verifier->verify_post(fields, ctx.s3.bucket, form.file_name(), ctx.now, &details);
        return_verifier(std::move(verifier));
        if (!checked) {
          if (checked.error() == sigv4::errc::signature_does_not_match) {
            error_context ectx;
            ectx.resource = ctx.resource;
            ectx.request_id = ctx.request_id;
            ectx.access_key_id = details.access_key_id;
            ectx.string_to_sign = details.string_to_sign;
            co_return make_error_response(checked.error(), ectx);
          }
          co_return front::error(ctx, checked.error());
        }
        verified = std::move(*checked);
        key = verified->decision.key;
        put_options options;
        options.headers = headers_from_form(form);
        auto opened = store_.begin_put(ctx.s3.bucket, key, std::move(options));
        if (!opened) {
          co_return front::error(ctx, opened.error());
        }
        writer.emplace(std::move(*opened));
        continue;
      }
      // file_data: only after file_begin, which created the writer.
      file_size += event->data.size();
      if (file_size > verified->decision.length_range.max) {
        writer->abort();
        co_return front::error(ctx, sigv4::errc::entity_too_large);
      }
      if (auto written = writer->write(event->data); !written) {
        co_return front::error(ctx, written.error());
      }
    }
  }
  if (auto finished = form.finish(); !finished || !ended || !writer) {
    if (writer) {
      writer->abort();
    }
    co_return front::error(
        ctx, finished ? make_error_code(parse_errc::incorrect_number_of_files) : finished.error());
  }
  if (auto length = sigv4::check_content_length(verified->decision.length_range, file_size);
      !length) {
    writer->abort();
    co_return front::error(ctx, length.error());
  }
  commit_options commit;
  commit.now = ctx.now_ms;
  auto info = co_await ctx.req.run_blocking([&] { return writer->commit(commit); });
  if (!info) {
    co_return front::error(ctx, info.error());
  }

  const std::string etag = front::quote_etag(info->etag);
  const std::string location = "/" + ctx.s3.bucket + "/" + sigv4::uri_encode(key, true);
  const std::string* redirect = form.field("success_action_redirect");
  if (redirect != nullptr && !redirect->empty()) {
    http::response res = front::empty(ctx, bhttp::status::see_other);
    std::string target = *redirect;
    target += target.find('?') == std::string::npos ? '?' : '&';
    target += "bucket=" + sigv4::uri_encode(ctx.s3.bucket, false) +
              "&key=" + sigv4::uri_encode(key, false) + "&etag=" + sigv4::uri_encode(etag, false);
    res.message.set(bhttp::field::location, target);
    co_return res;
  }
  const std::string* status = form.field("success_action_status");
  http::response res;
  if (status != nullptr && *status == "201") {
    res = front::xml(ctx, xml::post_response_document({location, ctx.s3.bucket, key, etag}),
                     bhttp::status::created);
  } else {
    res = front::empty(
        ctx, status != nullptr && *status == "200" ? bhttp::status::ok : bhttp::status::no_content);
  }
  res.message.set(bhttp::field::etag, etag);
  res.message.set(bhttp::field::location, location);
  co_return res;
}

}  // namespace onehop::store

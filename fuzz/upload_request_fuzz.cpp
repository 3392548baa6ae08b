// Fuzzes the four request-body parsers of the upload API: no crash, no sanitizer report, every
// accepted body obeys the documented limits, parsing into a reused upload_request gives the same
// answer as into a fresh one, and every error message (which quotes the client's bytes) renders
// as valid JSON.

#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/json_out.hpp"
#include "api/requests.hpp"

namespace api = onehop::api;

namespace {

void check_renders(const api::api_error& e) {
  std::string out;
  api::append_json_string(out, e.message);
  boost::json::error_code ec;
  const auto v = boost::json::parse(out, ec);
  if (ec || !v.is_string() || e.message.empty()) {
    __builtin_trap();
  }
}

bool same(const api::upload_request& a, const api::upload_request& b) {
  return a.filename == b.filename && a.content_type == b.content_type && a.size == b.size &&
         a.sha256 == b.sha256 && a.method == b.method;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  // A reused request object, as the hot path keeps one per thread.
  static api::upload_request reused;
  api::upload_request fresh;
  const auto a = api::parse_upload_request(body, fresh);
  const auto b = api::parse_upload_request(body, reused);
  if (a.has_value() != b.has_value()) {
    __builtin_trap();
  }
  if (a) {
    if (!same(fresh, reused) || fresh.filename.empty() ||
        fresh.filename.size() > api::max_filename_bytes ||
        fresh.filename.find_first_of("/\\") != std::string::npos || fresh.size == 0 ||
        fresh.size > api::max_declared_size || fresh.content_type.find('/') == std::string::npos ||
        (!fresh.sha256.empty() && fresh.sha256.size() != 44) ||
        (!fresh.method.empty() && fresh.method != "PUT" && fresh.method != "POST")) {
      __builtin_trap();
    }
    for (char c : fresh.content_type) {
      if (c >= 'A' && c <= 'Z') {
        __builtin_trap();
      }
    }
  } else {
    if (a.error().message != b.error().message) {
      __builtin_trap();
    }
    check_renders(a.error());
  }

  if (const auto r = api::parse_parts_request(body); r) {
    if (r->part_numbers.empty() || r->part_numbers.size() > api::max_parts_per_request) {
      __builtin_trap();
    }
    for (unsigned n : r->part_numbers) {
      if (n < 1 || n > api::max_part_number) {
        __builtin_trap();
      }
    }
  } else {
    check_renders(r.error());
  }

  if (const auto r = api::parse_complete_request(body); r) {
    for (std::size_t i = 0; i < r->parts.size(); ++i) {
      const auto& p = r->parts[i];
      if (p.part_number < 1 || p.part_number > api::max_part_number || p.etag.empty() ||
          p.etag.size() > api::max_etag_bytes ||
          (i > 0 && !(r->parts[i - 1].part_number < p.part_number))) {
        __builtin_trap();
      }
    }
  } else {
    check_renders(r.error());
  }

  if (const auto r = api::parse_dev_token_request(body); r) {
    if (r->user.empty() || r->user.size() > api::max_user_bytes || r->user.front() == '.') {
      __builtin_trap();
    }
  } else {
    check_renders(r.error());
  }
  return 0;
}

// Fuzzes the parsers of what Uppy sends to the Companion-style routes (api/uppy_requests.hpp):
// query strings, part numbers, the create and complete bodies and file names. No crash, no
// sanitizer report, every accepted value obeys the documented limits, and every error message
// (which may quote the client's bytes) renders as valid JSON.

#include <algorithm>
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "api/json_out.hpp"
#include "api/uppy_requests.hpp"
#include "fuzz_check.hpp"
#include "sigv4/encoding.hpp"

namespace api = onehop::api;

namespace {

template <class T>
void check_error_renders(const api::result<T>& r) {
  if (r) {
    return;
  }
  std::string out;
  api::append_json_string(out, r.error().message);
  boost::json::error_code ec;
  const auto v = boost::json::parse(out, ec);
  check(!ec && v.is_string() && !r.error().message.empty());
}

bool visible_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // Query strings: a parameter found is the decoded form of one occurrence, within its limit.
  for (std::string_view name : {"key", "partNumbers", "uploadId"}) {
    const auto param = api::uppy_query_param(input, name);
    check_error_renders(param);
    if (param && *param) {
      check((*param)->size() <= api::max_uppy_query_value);
    }
  }
  if (const auto decoded = api::form_decode(input)) {
    check(decoded->size() <= input.size());
  }

  // Part numbers under a limit taken from the input's first byte.
  const unsigned limit = 1 + (size > 0 ? static_cast<unsigned char>(input[0]) * 40u : 0u);
  if (const auto n = api::parse_part_number(input, limit); n) {
    check(*n >= 1 && *n <= limit);
  } else {
    check_error_renders(n);
  }
  if (const auto list = api::parse_part_numbers(input, limit); list) {
    check(!list->empty() && list->size() <= api::max_uppy_batch_parts);
    std::set<unsigned> seen;
    for (unsigned n : *list) {
      check(n >= 1 && n <= limit && seen.insert(n).second);
    }
  } else {
    check_error_renders(list);
  }

  // The create body and the file name it carries.
  if (const auto created = api::parse_uppy_create(input); created) {
    check(!created->filename.empty());
    check(std::none_of(created->content_type.begin(), created->content_type.end(),
                       [](char c) { return c >= 'A' && c <= 'Z'; }));
  } else {
    check_error_renders(created);
  }
  if (const auto name = api::uppy_filename(input); name) {
    check(!name->empty() && name->size() <= api::max_filename_bytes);
    check(name->find_first_of("/\\") == std::string::npos && *name != "." && *name != "..");
    check(onehop::sigv4::is_valid_utf8(*name));
    check(std::none_of(name->begin(), name->end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return u < 0x20 || u == 0x7f;
    }));
  } else {
    check_error_renders(name);
  }

  // The complete body: sorted, distinct part numbers in 1..10000, ETags of visible ASCII.
  if (const auto parts = api::parse_uppy_complete(input); parts) {
    unsigned previous = 0;
    for (const auto& p : *parts) {
      check(p.part_number > previous && p.part_number <= 10000);
      previous = p.part_number;
      check(!p.etag.empty() && visible_ascii(p.etag));
    }
  } else {
    check_error_renders(parts);
  }
  return 0;
}

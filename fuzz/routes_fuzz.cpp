// Fuzzes the API's router (api/routes.hpp) with any method and request target: no crash, no
// sanitizer report, and what it returns holds: views into the target, ids that passed their
// shape check, an Allow value whenever the method is not allowed.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/ids.hpp"
#include "api/routes.hpp"
#include "api/upload_token.hpp"

namespace api = onehop::api;
namespace bhttp = onehop::http::bhttp;

namespace {

void check(bool ok) {
  if (!ok) {
    std::abort();
  }
}

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  static constexpr bhttp::verb methods[] = {
      bhttp::verb::get,     bhttp::verb::head,    bhttp::verb::post, bhttp::verb::put,
      bhttp::verb::delete_, bhttp::verb::options, bhttp::verb::patch};
  const bhttp::verb method = methods[data[0] % (sizeof methods / sizeof methods[0])];
  const std::string_view target(reinterpret_cast<const char*>(data) + 1, size - 1);
  const api::matched_route r = api::match_route(method, target);
  check(static_cast<std::size_t>(r.which) < api::route_count);
  check(!api::route_name(r.which).empty());
  for (const std::string_view part : {r.id, r.path, r.query, r.part, r.path_token}) {
    check(inside(part, target));
  }
  if (r.which == api::route::method_not_allowed) {
    check(!r.allow.empty());
  }
  if (!r.id.empty()) {
    check(api::plausible_upload_ref(r.id) || api::valid_id(r.id, 'i'));
  }
  (void)api::query_value(r.query, "limit");
  return 0;
}

#include "api/routes.hpp"

#include "api/ids.hpp"
#include "api/upload_token.hpp"

namespace onehop::api {
namespace {

using http::bhttp::verb;

constexpr std::string_view uploads_prefix = "/api/uploads/";
constexpr std::string_view images_prefix = "/api/images/";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

matched_route only(route r, verb method, verb allowed, std::string_view allow) {
  matched_route m;
  m.which = method == allowed ? r : route::method_not_allowed;
  m.allow = allow;
  return m;
}

matched_route match_uppy(verb method, std::string_view path);

}  // namespace

std::string_view route_name(route r) noexcept {
  switch (r) {
    case route::healthz:
      return "healthz";
    case route::readyz:
      return "readyz";
    case route::metrics:
      return "metrics";
    case route::config:
      return "config";
    case route::dev_token:
      return "dev_token";
    case route::create_upload:
      return "create_upload";
    case route::sign_parts:
      return "sign_parts";
    case route::list_parts:
      return "list_parts";
    case route::complete:
      return "complete";
    case route::abort_upload:
      return "abort_upload";
    case route::list_images:
      return "list_images";
    case route::get_image:
      return "get_image";
    case route::delete_image:
      return "delete_image";
    case route::uppy_params:
      return "uppy_params";
    case route::uppy_create:
      return "uppy_create";
    case route::uppy_sign_part:
      return "uppy_sign_part";
    case route::uppy_sign_batch:
      return "uppy_sign_batch";
    case route::uppy_list_parts:
      return "uppy_list_parts";
    case route::uppy_complete:
      return "uppy_complete";
    case route::uppy_abort:
      return "uppy_abort";
    case route::static_file:
      return "static";
    case route::not_found:
      return "not_found";
    case route::method_not_allowed:
      return "method_not_allowed";
  }
  return "unknown";
}

namespace {

matched_route match_uppy(verb method, std::string_view path) {
  // path starts with /s3/
  matched_route m;
  if (path == "/s3/params") {
    return only(route::uppy_params, method, verb::get, "GET");
  }
  if (path == "/s3/multipart") {
    return only(route::uppy_create, method, verb::post, "POST");
  }
  constexpr std::string_view multipart = "/s3/multipart/";
  if (!starts_with(path, multipart)) {
    return m;
  }
  std::string_view rest = path.substr(multipart.size());
  const auto slash = rest.find('/');
  const std::string_view id = rest.substr(0, slash);
  if (!plausible_upload_ref(id)) {
    return m;
  }
  if (slash == std::string_view::npos) {
    m.which = method == verb::get       ? route::uppy_list_parts
              : method == verb::delete_ ? route::uppy_abort
                                        : route::method_not_allowed;
    m.allow = "GET, DELETE";
  } else {
    const std::string_view tail = rest.substr(slash + 1);
    if (tail == "complete") {
      m = only(route::uppy_complete, method, verb::post, "POST");
    } else if (tail == "batch") {
      m = only(route::uppy_sign_batch, method, verb::get, "GET");
    } else if (!tail.empty() && tail.size() <= 5 &&
               tail.find_first_not_of("0123456789") == std::string_view::npos) {
      m = only(route::uppy_sign_part, method, verb::get, "GET");
      m.part = tail;
    } else {
      return matched_route{};
    }
  }
  m.id = id;
  return m;
}

}  // namespace

matched_route match_route(verb method, std::string_view target) {
  std::string_view path = target;
  std::string_view query;
  if (const auto q = target.find('?'); q != std::string_view::npos) {
    path = target.substr(0, q);
    query = target.substr(q + 1);
  }
  matched_route m;
  std::string_view path_token;
  if (starts_with(path, "/uppy/")) {
    const std::string_view rest = path.substr(6);
    const auto slash = rest.find('/');
    if (slash != std::string_view::npos && slash > 0 && starts_with(rest.substr(slash), "/s3/")) {
      path_token = rest.substr(0, slash);
      path = rest.substr(slash);
    }
  }
  if (starts_with(path, "/s3/")) {
    m = match_uppy(method, path);
    m.path_token = path_token;
  } else if (!path_token.empty()) {
    m.which = route::not_found;
  } else if (path == "/api/uploads") {
    m = only(route::create_upload, method, verb::post, "POST");
  } else if (starts_with(path, uploads_prefix)) {
    std::string_view rest = path.substr(uploads_prefix.size());
    const auto slash = rest.find('/');
    const std::string_view id = rest.substr(0, slash);
    const std::string_view tail = slash == std::string_view::npos ? "" : rest.substr(slash);
    if (!plausible_upload_ref(id)) {
      m.which = route::not_found;
    } else if (tail.empty()) {
      m = only(route::abort_upload, method, verb::delete_, "DELETE");
    } else if (tail == "/complete") {
      m = only(route::complete, method, verb::post, "POST");
    } else if (tail == "/parts") {
      m.which = method == verb::post  ? route::sign_parts
                : method == verb::get ? route::list_parts
                                      : route::method_not_allowed;
      m.allow = "GET, POST";
    }
    if (m.which != route::not_found) {
      m.id = id;
    }
  } else if (path == "/api/images") {
    m = only(route::list_images, method, verb::get, "GET");
  } else if (starts_with(path, images_prefix)) {
    const std::string_view id = path.substr(images_prefix.size());
    if (valid_id(id, 'i')) {
      m.which = method == verb::get       ? route::get_image
                : method == verb::delete_ ? route::delete_image
                                          : route::method_not_allowed;
      m.allow = "GET, DELETE";
      m.id = id;
    }
  } else if (path == "/api/config") {
    m = only(route::config, method, verb::get, "GET");
  } else if (path == "/api/dev/token") {
    m = only(route::dev_token, method, verb::post, "POST");
  } else if (path == "/healthz") {
    m = only(route::healthz, method, verb::get, "GET");
  } else if (path == "/readyz") {
    m = only(route::readyz, method, verb::get, "GET");
  } else if (path == "/metrics") {
    m = only(route::metrics, method, verb::get, "GET");
  } else if (!starts_with(path, "/api/") && path != "/api" && !starts_with(path, "/uppy/") &&
             starts_with(path, "/")) {
    m.which = method == verb::get || method == verb::head ? route::static_file
                                                          : route::method_not_allowed;
    m.allow = "GET, HEAD";
  }
  m.path = path;
  m.query = query;
  return m;
}

std::optional<std::string_view> query_value(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    }
    if (amp == std::string_view::npos) {
      break;
    }
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace onehop::api

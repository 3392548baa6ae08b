#pragma once
// The API's routing table, as pure functions of the request line: which route a method and path
// name, and the resource id in it. Ids are validated here (shape only), before any lookup.

#include <cstdint>
#include <optional>
#include <string_view>

#include "http/server.hpp"

namespace onehop::api {

enum class route : std::uint8_t {
  healthz,
  readyz,
  metrics,
  config,         // GET /api/config
  dev_token,      // POST /api/dev/token
  create_upload,  // POST /api/uploads
  sign_parts,     // POST /api/uploads/{id}/parts
  list_parts,     // GET /api/uploads/{id}/parts
  complete,       // POST /api/uploads/{id}/complete
  abort_upload,   // DELETE /api/uploads/{id}
  list_images,    // GET /api/images
  get_image,      // GET /api/images/{id}
  delete_image,   // DELETE /api/images/{id}
  // Uppy's Companion-style S3 routes (docs/uppy.md), also under /uppy/<token>/s3/...
  uppy_params,      // GET /s3/params
  uppy_create,      // POST /s3/multipart
  uppy_sign_part,   // GET /s3/multipart/{id}/{partNumber}
  uppy_sign_batch,  // GET /s3/multipart/{id}/batch
  uppy_list_parts,  // GET /s3/multipart/{id}
  uppy_complete,    // POST /s3/multipart/{id}/complete
  uppy_abort,       // DELETE /s3/multipart/{id}
  static_file,      // GET/HEAD anything else outside /api/ when static files are served
  not_found,        // no such path
  method_not_allowed,
};
inline constexpr std::size_t route_count = static_cast<std::size_t>(route::method_not_allowed) + 1;

// A stable label for logs and metrics.
std::string_view route_name(route r) noexcept;

struct matched_route {
  route which = route::not_found;
  std::string_view id;     // upload or image id (shape-checked), else empty
  std::string_view path;   // the target's path (no query)
  std::string_view query;  // after '?', raw
  std::string_view allow;  // for method_not_allowed: the Allow header value
  std::string_view part;   // uppy_sign_part: the part number as written
  // /uppy/<token>/s3/...: a bearer token carried in the path, for Uppy pages that cannot send
  // headers or cookies to the API (companionEndpoint = https://api.example/uppy/<token>).
  std::string_view path_token;
};

constexpr bool is_uppy(route r) noexcept {
  return r >= route::uppy_params && r <= route::uppy_abort;
}

matched_route match_route(http::bhttp::verb method, std::string_view target);

// One query parameter's raw (still percent-encoded) value, or nullopt. Duplicates: the first.
std::optional<std::string_view> query_value(std::string_view query, std::string_view name);

}  // namespace onehop::api

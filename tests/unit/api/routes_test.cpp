#include "api/routes.hpp"

#include <gtest/gtest.h>

namespace onehop::api {
namespace {

using http::bhttp::verb;

constexpr std::string_view upload_id = "u_abcdefghijklmnopqrstuvwxya";
constexpr std::string_view image_id = "i_abcdefghijklmnopqrstuvwxya";

std::string with(std::string_view a, std::string_view b, std::string_view c = "") {
  return std::string(a) + std::string(b) + std::string(c);
}

TEST(Routes, MatchesEveryApiRoute) {
  EXPECT_EQ(match_route(verb::post, "/api/uploads").which, route::create_upload);
  EXPECT_EQ(match_route(verb::get, "/api/config").which, route::config);
  EXPECT_EQ(match_route(verb::post, "/api/dev/token").which, route::dev_token);
  EXPECT_EQ(match_route(verb::get, "/healthz").which, route::healthz);
  EXPECT_EQ(match_route(verb::get, "/readyz").which, route::readyz);
  EXPECT_EQ(match_route(verb::get, "/metrics").which, route::metrics);
  EXPECT_EQ(match_route(verb::get, "/api/images?limit=2").which, route::list_images);

  const std::string complete_target = with("/api/uploads/", upload_id, "/complete");
  const auto complete = match_route(verb::post, complete_target);  // views into the target
  EXPECT_EQ(complete.which, route::complete);
  EXPECT_EQ(complete.id, upload_id);
  EXPECT_EQ(match_route(verb::post, with("/api/uploads/", upload_id, "/parts")).which,
            route::sign_parts);
  EXPECT_EQ(match_route(verb::get, with("/api/uploads/", upload_id, "/parts")).which,
            route::list_parts);
  EXPECT_EQ(match_route(verb::delete_, with("/api/uploads/", upload_id)).which,
            route::abort_upload);
  EXPECT_EQ(match_route(verb::get, with("/api/images/", image_id)).which, route::get_image);
  EXPECT_EQ(match_route(verb::delete_, with("/api/images/", image_id)).which, route::delete_image);
}

TEST(Routes, QueryIsSplitOff) {
  const auto m = match_route(verb::get, "/api/images?limit=2&cursor=abc");
  EXPECT_EQ(m.path, "/api/images");
  EXPECT_EQ(m.query, "limit=2&cursor=abc");
  EXPECT_EQ(query_value(m.query, "limit"), "2");
  EXPECT_EQ(query_value(m.query, "cursor"), "abc");
  EXPECT_FALSE(query_value(m.query, "lim").has_value());
  EXPECT_EQ(query_value("flag&x=1", "flag"), "");
}

TEST(Routes, MalformedIdsAreNotFound) {
  for (std::string_view id :
       {"u_short", "u_ABCDEFGHIJKLMNOPQRSTUVWXYZ", "i_abcdefghijklmnopqrstuvwxyz",
        "u_abcdefghijklmnopqrstuvwxyz0", "..", ""}) {
    EXPECT_EQ(match_route(verb::post, with("/api/uploads/", id, "/complete")).which,
              route::not_found)
        << id;
  }
  // An image id where an upload id belongs, and the other way round.
  EXPECT_EQ(match_route(verb::get, with("/api/images/", upload_id)).which, route::not_found);
  EXPECT_EQ(match_route(verb::post, with("/api/uploads/", upload_id, "/other")).which,
            route::not_found);
}

TEST(Routes, WrongMethodNamesTheAllowedOnes) {
  const auto m = match_route(verb::put, "/api/uploads");
  EXPECT_EQ(m.which, route::method_not_allowed);
  EXPECT_EQ(m.allow, "POST");
  const auto parts = match_route(verb::delete_, with("/api/uploads/", upload_id, "/parts"));
  EXPECT_EQ(parts.which, route::method_not_allowed);
  EXPECT_EQ(parts.allow, "GET, POST");
}

TEST(Routes, StaticFilesOutsideApi) {
  EXPECT_EQ(match_route(verb::get, "/").which, route::static_file);
  EXPECT_EQ(match_route(verb::head, "/assets/app.js").which, route::static_file);
  EXPECT_EQ(match_route(verb::post, "/index.html").which, route::method_not_allowed);
  EXPECT_EQ(match_route(verb::get, "/api/nothing").which, route::not_found);
  EXPECT_EQ(match_route(verb::get, "/api").which, route::not_found);
}

TEST(Routes, UppyRoutesWithAndWithoutPathToken) {
  EXPECT_EQ(match_route(verb::get, "/s3/params?filename=a.png&type=image/png").which,
            route::uppy_params);
  EXPECT_EQ(match_route(verb::post, "/s3/multipart").which, route::uppy_create);
  const std::string part_target = with("/s3/multipart/", upload_id, "/7?key=k");
  const auto part = match_route(verb::get, part_target);
  EXPECT_EQ(part.which, route::uppy_sign_part);
  EXPECT_EQ(part.part, "7");
  EXPECT_EQ(part.id, upload_id);
  EXPECT_EQ(match_route(verb::get, with("/s3/multipart/", upload_id, "/batch")).which,
            route::uppy_sign_batch);
  EXPECT_EQ(match_route(verb::get, with("/s3/multipart/", upload_id)).which,
            route::uppy_list_parts);
  EXPECT_EQ(match_route(verb::delete_, with("/s3/multipart/", upload_id)).which, route::uppy_abort);
  EXPECT_EQ(match_route(verb::post, with("/s3/multipart/", upload_id, "/complete")).which,
            route::uppy_complete);
  EXPECT_EQ(match_route(verb::get, with("/s3/multipart/", upload_id, "/x7")).which,
            route::not_found);

  const auto tokened = match_route(verb::post, "/uppy/tok.en.sig/s3/multipart");
  EXPECT_EQ(tokened.which, route::uppy_create);
  EXPECT_EQ(tokened.path_token, "tok.en.sig");
  EXPECT_EQ(match_route(verb::get, "/uppy/tok/api/images").which, route::not_found);
  EXPECT_EQ(match_route(verb::get, "/uppy//s3/params").which, route::not_found);
}

}  // namespace
}  // namespace onehop::api

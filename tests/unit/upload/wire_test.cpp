#include "upload/wire.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace onehop::upload {
namespace {

namespace json = boost::json;

TEST(wire, create_request_carries_the_declared_file) {
  const auto v = json::parse(render_create_request("cat \"1\".png", "image/png", 12345, "abc="));
  EXPECT_EQ(v.at("filename").as_string(), "cat \"1\".png");
  EXPECT_EQ(v.at("contentType").as_string(), "image/png");
  EXPECT_EQ(v.at("size").to_number<std::uint64_t>(), 12345U);
  EXPECT_EQ(v.at("sha256").as_string(), "abc=");
  EXPECT_FALSE(json::parse(render_create_request("a", "b", 1, "")).as_object().contains("sha256"));
}

TEST(wire, parts_and_complete_requests) {
  const auto parts = json::parse(render_parts_request({1, 2, 7}));
  ASSERT_EQ(parts.at("partNumbers").as_array().size(), 3U);
  EXPECT_EQ(parts.at("partNumbers").as_array()[2].to_number<int>(), 7);
  EXPECT_EQ(render_complete_request({}), "{}");
  const auto done = json::parse(render_complete_request({{1, "\"e1\""}, {2, "\"e2\""}}));
  ASSERT_EQ(done.at("parts").as_array().size(), 2U);
  EXPECT_EQ(done.at("parts").as_array()[1].at("etag").as_string(), "\"e2\"");
  EXPECT_EQ(done.at("parts").as_array()[1].at("partNumber").to_number<int>(), 2);
}

TEST(wire, put_answer_keeps_the_opaque_id_and_headers_in_order) {
  const auto a = parse_create_answer(
      R"({"uploadId":"u_abc.def.ghi-_","key":"uploads/dev/x.png","method":"PUT",)"
      R"("url":"http://127.0.0.1:9000/b/k?X-Amz-Signature=1","headers":{"Content-Type":"image/png",)"
      R"("x-amz-checksum-sha256":"q="},"expiresAt":"2026-01-01T00:00:00Z","future":1})");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->upload_id, "u_abc.def.ghi-_");
  EXPECT_EQ(a->method, upload_method::put);
  EXPECT_EQ(a->url, "http://127.0.0.1:9000/b/k?X-Amz-Signature=1");
  ASSERT_EQ(a->headers.size(), 2U);
  EXPECT_EQ(a->headers[0].first, "Content-Type");
  EXPECT_EQ(a->headers[1].second, "q=");
}

TEST(wire, post_answer_needs_fields) {
  const auto a = parse_create_answer(
      R"({"uploadId":"u1","method":"POST","url":"http://s/b","fields":{"key":"k","policy":"p"}})");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->method, upload_method::post);
  ASSERT_EQ(a->fields.size(), 2U);
  EXPECT_EQ(a->fields[1].first, "policy");
  EXPECT_FALSE(parse_create_answer(R"({"uploadId":"u1","method":"POST","url":"http://s/b"})"));
}

TEST(wire, multipart_answer) {
  const auto a = parse_create_answer(
      R"({"uploadId":"u2","key":"k","method":"MULTIPART","multipart":{"partSize":8388608,"partCount":5}})");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->method, upload_method::multipart);
  EXPECT_EQ(a->part_size, 8388608U);
  EXPECT_EQ(a->part_count, 5U);
  EXPECT_FALSE(parse_create_answer(R"({"uploadId":"u2","method":"MULTIPART"})"));
  EXPECT_FALSE(parse_create_answer(
      R"({"uploadId":"u2","method":"MULTIPART","multipart":{"partSize":0,"partCount":5}})"));
  EXPECT_FALSE(parse_create_answer(
      R"({"uploadId":"u2","method":"MULTIPART","multipart":{"partSize":5,"partCount":10001}})"));
}

TEST(wire, bad_create_answers_name_the_field) {
  EXPECT_FALSE(parse_create_answer("not json"));
  EXPECT_FALSE(parse_create_answer("[]"));
  const auto no_id = parse_create_answer(R"({"method":"PUT","url":"http://x/"})");
  ASSERT_FALSE(no_id);
  EXPECT_NE(no_id.error().message.find("uploadId"), std::string::npos);
  EXPECT_FALSE(parse_create_answer(R"({"uploadId":"u","method":"PUT"})"));
  EXPECT_FALSE(parse_create_answer(R"({"uploadId":"u","method":"GET","url":"http://x/"})"));
  EXPECT_FALSE(parse_create_answer(
      R"({"uploadId":"u","method":"PUT","url":"http://x/","headers":{"a":1}})"));
}

TEST(wire, parts_answer) {
  const auto p = parse_parts_answer(
      R"({"parts":[{"partNumber":1,"url":"http://s/1","headers":{}},{"partNumber":2,"url":"http://s/2"}],"expiresAt":"x"})");
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->size(), 2U);
  EXPECT_EQ((*p)[1].part_number, 2U);
  EXPECT_EQ((*p)[1].url, "http://s/2");
  EXPECT_FALSE(parse_parts_answer(R"({"parts":[{"partNumber":0,"url":"http://s/1"}]})"));
  EXPECT_FALSE(parse_parts_answer(R"({"parts":[{"partNumber":1}]})"));
  EXPECT_FALSE(parse_parts_answer(R"({"parts":{}})"));
}

TEST(wire, complete_answer_gives_the_image_id) {
  const auto id = parse_complete_answer(R"({"image":{"id":"i_1","key":"k"}})");
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "i_1");
  EXPECT_FALSE(parse_complete_answer(R"({"image":{}})"));
  EXPECT_FALSE(parse_complete_answer(R"({})"));
}

TEST(wire, reason_from_an_api_error) {
  EXPECT_EQ(
      failure_reason(
          415,
          R"({"error":{"code":"unsupported_type","message":"content type text/plain is not allowed"}})"),
      "content type text/plain is not allowed (unsupported_type)");
  EXPECT_EQ(failure_reason(401, R"({"error":{"code":"unauthorized"}})"), "unauthorized");
}

TEST(wire, reason_from_a_storage_error) {
  EXPECT_EQ(failure_reason(403,
                           "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code>"
                           "<Message>bad signature</Message></Error>"),
            "storage: SignatureDoesNotMatch: bad signature");
  EXPECT_EQ(failure_reason(400, "<Error><Code>BadDigest</Code></Error>"), "storage: BadDigest");
}

TEST(wire, reason_from_anything_else_quotes_the_start_of_the_body) {
  EXPECT_EQ(failure_reason(502, ""), "HTTP 502");
  EXPECT_EQ(failure_reason(500, "oops\r\nline"), "HTTP 500: oops  line");
  const std::string long_body(5000, 'x');
  EXPECT_LT(failure_reason(500, long_body).size(), 300U);
  // A JSON object that is not an API error is not mistaken for one.
  EXPECT_EQ(failure_reason(500, R"({"error":"x"})"), R"(HTTP 500: {"error":"x"})");
}

TEST(wire, path_segments_are_percent_encoded) {
  EXPECT_EQ(encode_path_segment("u_abc.DEF-1~_"), "u_abc.DEF-1~_");
  EXPECT_EQ(encode_path_segment("a/b?c#d e%"), "a%2Fb%3Fc%23d%20e%25");
  EXPECT_EQ(encode_path_segment("\xC3\xA9"), "%C3%A9");
}

}  // namespace
}  // namespace onehop::upload

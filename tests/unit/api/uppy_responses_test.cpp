#include "api/uppy_responses.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <vector>

namespace onehop::api {
namespace {

namespace json = boost::json;

json::value parsed(const std::string& text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  EXPECT_FALSE(ec) << text;
  return v;
}

TEST(UppyResponses, ErrorHasTheApiShapeAndATopLevelMessage) {
  const auto v = parsed(uppy_error_body(make_error(errc::not_found, "no such \"upload\"")));
  EXPECT_EQ(v.at("error").at("code").as_string(), "not_found");
  EXPECT_EQ(v.at("error").at("message").as_string(), "no such \"upload\"");
  EXPECT_EQ(v.at("message").as_string(), "no such \"upload\"");
  const auto limited = parsed(uppy_error_body(make_error(errc::verification_failed, "x")));
  EXPECT_EQ(limited.at("error").at("code").as_string(), "verification_failed");
}

TEST(UppyResponses, ParamsKeepsTheFieldOrder) {
  sigv4::presigned_post form;
  form.fields = {{"key", "uploads/alice/x.png"},
                 {"Content-Type", "image/png"},
                 {"success_action_status", "201"},
                 {"policy", "eyJ9"},
                 {"x-amz-signature", "abc"}};
  const std::string text =
      params_response("http://127.0.0.1:9000/onehop", form, std::chrono::seconds(900), "u_abc");
  const auto v = parsed(text);
  EXPECT_EQ(v.at("method").as_string(), "POST");
  EXPECT_EQ(v.at("url").as_string(), "http://127.0.0.1:9000/onehop");
  EXPECT_EQ(v.at("expires").as_int64(), 900);
  EXPECT_EQ(v.at("uploadId").as_string(), "u_abc");
  const auto& fields = v.at("fields").as_object();
  ASSERT_EQ(fields.size(), form.fields.size());
  std::size_t i = 0;
  for (const auto& member : fields) {  // Uppy appends them to the form in this order
    EXPECT_EQ(member.key(), form.fields[i].name);
    EXPECT_EQ(member.value().as_string(), form.fields[i].value);
    ++i;
  }
}

TEST(UppyResponses, CreateSignAndBatch) {
  const auto created = parsed(create_response("uploads/a/b.png", "u_1", "onehop"));
  EXPECT_EQ(created.at("key").as_string(), "uploads/a/b.png");
  EXPECT_EQ(created.at("uploadId").as_string(), "u_1");
  EXPECT_EQ(created.at("bucket").as_string(), "onehop");

  const auto signed_part =
      parsed(sign_part_response("http://s/p?a=1&b=%2F", std::chrono::seconds(42)));
  EXPECT_EQ(signed_part.at("url").as_string(), "http://s/p?a=1&b=%2F");
  EXPECT_EQ(signed_part.at("expires").as_int64(), 42);

  const std::vector<unsigned> numbers{3, 1};
  const std::vector<std::string> urls{"u3", "u1"};
  const auto batch = parsed(batch_response(numbers, urls));
  const auto& presigned = batch.at("presignedUrls").as_object();
  ASSERT_EQ(presigned.size(), 2u);
  EXPECT_EQ(presigned.at("3").as_string(), "u3");
  EXPECT_EQ(presigned.at("1").as_string(), "u1");
}

TEST(UppyResponses, ListPartsIsABareArrayWithS3Names) {
  const std::vector<s3client::part_info> parts{{1, "\"e1\"", 5242880}, {2, "\"e2\"", 17}};
  const auto v = parsed(list_parts_response(parts));
  ASSERT_TRUE(v.is_array());
  ASSERT_EQ(v.as_array().size(), 2u);
  EXPECT_EQ(v.as_array()[0].at("PartNumber").as_int64(), 1);
  EXPECT_EQ(v.as_array()[0].at("ETag").as_string(), "\"e1\"");
  EXPECT_EQ(v.as_array()[0].at("Size").as_int64(), 5242880);
  EXPECT_EQ(v.as_array()[1].at("Size").as_int64(), 17);
  EXPECT_EQ(parsed(list_parts_response({})).as_array().size(), 0u);
}

TEST(UppyResponses, CompleteCarriesTheImage) {
  const auto v = parsed(complete_response("http://s/onehop/uploads/a/b.png", "uploads/a/b.png",
                                          "onehop", R"({"id":"i_1","width":3})"));
  EXPECT_EQ(v.at("location").as_string(), "http://s/onehop/uploads/a/b.png");
  EXPECT_EQ(v.at("key").as_string(), "uploads/a/b.png");
  EXPECT_EQ(v.at("bucket").as_string(), "onehop");
  EXPECT_EQ(v.at("image").at("id").as_string(), "i_1");
}

TEST(UppyResponses, OddBytesStayValidJson) {
  const std::string odd("a\"b\\c\x01\xFF", 7);
  parsed(uppy_error_body(make_error(errc::invalid_request, odd)));
  parsed(create_response(odd, odd, odd));
  parsed(sign_part_response(odd, std::chrono::seconds(1)));
}

}  // namespace
}  // namespace onehop::api

#include "store/request.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/names.hpp"

namespace onehop::store {
namespace {

const std::vector<std::string> endpoints{"localhost", "s3.example.test"};

result<s3_request> run(std::string_view method, std::string_view target,
                       std::string_view host = "127.0.0.1:9000", bool copy = false,
                       const classify_limits& limits = {}) {
  return classify(request_head{method, target, host, copy}, endpoints, limits);
}

operation op_of(std::string_view method, std::string_view target) {
  auto r = run(method, target);
  EXPECT_TRUE(r) << method << " " << target << ": " << r.error().message();
  return r ? r->op : operation::not_implemented;
}

TEST(Classify, PathStyleBucketAndKey) {
  auto r = run("GET", "/photos/2024/cat.jpg");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->op, operation::get_object);
  EXPECT_EQ(r->bucket, "photos");
  EXPECT_EQ(r->key, "2024/cat.jpg");
  EXPECT_FALSE(r->virtual_hosted);
}

TEST(Classify, KeyIsDecodedOnceAndNeverNormalized) {
  struct {
    const char* target;
    const char* key;
  } cases[] = {
      {"/b1k/a//b", "a//b"},
      {"/b1k/../x", "../x"},
      {"/b1k/./x", "./x"},
      {"/b1k//lead", "/lead"},
      {"/b1k/trail/", "trail/"},
      {"/b1k/a%2Fb", "a/b"},
      {"/b1k/100%25", "100%"},
      {"/b1k/a+b", "a+b"},
      {"/b1k/a%2Bb", "a+b"},
      {"/b1k/sp%20ace", "sp ace"},
      {"/b1k/%E2%82%AC", "\xe2\x82\xac"},
      {"/b1k/%252F", "%2F"},  // decoded once only
  };
  for (const auto& c : cases) {
    auto r = run("PUT", c.target);
    ASSERT_TRUE(r) << c.target;
    EXPECT_EQ(r->key, c.key) << c.target;
    EXPECT_EQ(r->op, operation::put_object);
  }
}

TEST(Classify, VirtualHosted) {
  auto r = run("GET", "/a//b.txt", "photos.localhost:9000");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->virtual_hosted);
  EXPECT_EQ(r->bucket, "photos");
  EXPECT_EQ(r->key, "a//b.txt");

  // Host names are case-insensitive.
  auto dotted_lower = run("HEAD", "/", "My.Bucket.S3.Example.Test");
  ASSERT_TRUE(dotted_lower);
  EXPECT_EQ(dotted_lower->bucket, "my.bucket");
  EXPECT_EQ(dotted_lower->op, operation::head_bucket);

  // The endpoint itself, or an unknown host, is path-style.
  auto path = run("GET", "/photos/k", "localhost:9000");
  ASSERT_TRUE(path);
  EXPECT_FALSE(path->virtual_hosted);
  EXPECT_EQ(path->bucket, "photos");
  auto other = run("GET", "/photos/k", "photos.elsewhere.test");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->bucket, "photos");
  auto ipv6 = run("GET", "/photos/k", "[::1]:9000");
  ASSERT_TRUE(ipv6);
  EXPECT_EQ(ipv6->bucket, "photos");
}

TEST(Classify, ServiceLevel) {
  EXPECT_EQ(op_of("GET", "/"), operation::list_buckets);
  EXPECT_EQ(run("PUT", "/").error(), parse_errc::method_not_allowed);
  EXPECT_EQ(op_of("OPTIONS", "/"), operation::options_preflight);
}

TEST(Classify, BucketOperations) {
  EXPECT_EQ(op_of("PUT", "/bkt"), operation::create_bucket);
  EXPECT_EQ(op_of("PUT", "/bkt/"), operation::create_bucket);
  EXPECT_EQ(op_of("HEAD", "/bkt"), operation::head_bucket);
  EXPECT_EQ(op_of("DELETE", "/bkt"), operation::delete_bucket);
  EXPECT_EQ(op_of("GET", "/bkt?location"), operation::get_bucket_location);
  EXPECT_EQ(op_of("GET", "/bkt?location="), operation::get_bucket_location);
  EXPECT_EQ(op_of("PUT", "/bkt?cors"), operation::put_bucket_cors);
  EXPECT_EQ(op_of("GET", "/bkt?cors"), operation::get_bucket_cors);
  EXPECT_EQ(op_of("DELETE", "/bkt?cors"), operation::delete_bucket_cors);
  EXPECT_EQ(op_of("PUT", "/bkt?policy"), operation::put_bucket_policy);
  EXPECT_EQ(op_of("GET", "/bkt?policy"), operation::get_bucket_policy);
  EXPECT_EQ(op_of("DELETE", "/bkt?policy"), operation::delete_bucket_policy);
  EXPECT_EQ(op_of("GET", "/bkt?list-type=2&prefix=a%2Fb&delimiter=%2F"),
            operation::list_objects_v2);
  EXPECT_EQ(op_of("GET", "/bkt"), operation::list_objects_v1);
  EXPECT_EQ(op_of("GET", "/bkt?marker=x&max-keys=3"), operation::list_objects_v1);
  EXPECT_EQ(op_of("GET", "/bkt?uploads"), operation::list_multipart_uploads);
  EXPECT_EQ(op_of("POST", "/bkt?delete"), operation::delete_objects);
  EXPECT_EQ(op_of("POST", "/bkt"), operation::post_object);
  EXPECT_EQ(op_of("POST", "/bkt/"), operation::post_object);
  EXPECT_EQ(op_of("OPTIONS", "/bkt"), operation::options_preflight);
  EXPECT_EQ(run("PATCH", "/bkt").error(), parse_errc::method_not_allowed);
}

TEST(Classify, ObjectOperations) {
  EXPECT_EQ(op_of("PUT", "/bkt/k"), operation::put_object);
  EXPECT_EQ(op_of("GET", "/bkt/k?response-content-type=text%2Fplain"), operation::get_object);
  EXPECT_EQ(op_of("HEAD", "/bkt/k"), operation::head_object);
  EXPECT_EQ(op_of("DELETE", "/bkt/k"), operation::delete_object);
  EXPECT_EQ(op_of("POST", "/bkt/k?uploads"), operation::create_multipart_upload);
  EXPECT_EQ(op_of("PUT", "/bkt/k?partNumber=3&uploadId=abc"), operation::upload_part);
  EXPECT_EQ(op_of("GET", "/bkt/k?uploadId=abc"), operation::list_parts);
  EXPECT_EQ(op_of("POST", "/bkt/k?uploadId=abc"), operation::complete_multipart_upload);
  EXPECT_EQ(op_of("DELETE", "/bkt/k?uploadId=abc"), operation::abort_multipart_upload);
  EXPECT_EQ(op_of("OPTIONS", "/bkt/k"), operation::options_preflight);
  EXPECT_EQ(run("POST", "/bkt/k").error(), parse_errc::method_not_allowed);
}

TEST(Classify, PresignedQueryIsNotASubresource) {
  auto r = run("PUT",
               "/bkt/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20240101%2Fus-east-1"
               "%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=300"
               "&X-Amz-SignedHeaders=host&X-Amz-Signature=abcd");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->op, operation::put_object);
  ASSERT_NE(r->query_value("X-Amz-Credential"), nullptr);
  EXPECT_EQ(*r->query_value("X-Amz-Credential"), "AK/20240101/us-east-1/s3/aws4_request");
}

TEST(Classify, QueryDecoding) {
  auto r = run("GET", "/bkt?list-type=2&prefix=a+b%2B&start-after=&&fetch-owner=true");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->query_value("prefix"), "a b+");
  EXPECT_EQ(*r->query_value("start-after"), "");
  EXPECT_EQ(*r->query_value("fetch-owner"), "true");
  EXPECT_EQ(r->query_value("continuation-token"), nullptr);
  EXPECT_EQ(r->query.size(), 4u);
}

TEST(Classify, UploadPartArguments) {
  auto r = run("PUT", "/bkt/k?partNumber=10000&uploadId=u-1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->part_number, 10000u);
  EXPECT_EQ(r->upload_id, "u-1");
  EXPECT_EQ(run("PUT", "/bkt/k?partNumber=10001&uploadId=u").error(), parse_errc::invalid_argument);
  EXPECT_EQ(run("PUT", "/bkt/k?partNumber=0&uploadId=u").error(), parse_errc::invalid_argument);
  EXPECT_EQ(run("PUT", "/bkt/k?partNumber=1x&uploadId=u").error(), parse_errc::invalid_argument);
  EXPECT_EQ(run("PUT", "/bkt/k?partNumber=-1&uploadId=u").error(), parse_errc::invalid_argument);
  EXPECT_EQ(run("PUT", "/bkt/k?partNumber=1").error(), parse_errc::invalid_argument);
  EXPECT_EQ(run("PUT", "/bkt/k?partNumber=1&uploadId=").error(), parse_errc::invalid_argument);
  EXPECT_EQ(run("PUT", "/bkt/k?uploadId=u").error(), parse_errc::invalid_argument);
  EXPECT_EQ(run("GET", "/bkt/k?uploadId=").error(), parse_errc::invalid_argument);
}

TEST(Classify, UnimplementedSubresourcesAreNamed) {
  struct {
    const char* method;
    const char* target;
    bool copy;
    const char* name;
  } cases[] = {
      {"GET", "/bkt?acl", false, "GetBucketAcl"},
      {"PUT", "/bkt?versioning", false, "PutBucketVersioning"},
      {"GET", "/bkt?versions", false, "ListObjectVersions"},
      {"DELETE", "/bkt?lifecycle", false, "DeleteBucketLifecycle"},
      {"GET", "/bkt/k?tagging", false, "GetObjectTagging"},
      {"PUT", "/bkt/k?acl", false, "PutObjectAcl"},
      {"PUT", "/bkt/k", true, "CopyObject"},
      {"PUT", "/bkt/k?partNumber=1&uploadId=u", true, "UploadPartCopy"},
      {"GET", "/bkt/k?partNumber=1", false, "GetObject (partNumber)"},
      {"HEAD", "/bkt/k?partNumber=1", false, "GetObject (partNumber)"},
      {"POST", "/bkt/k?restore", false, "RestoreObject"},
      {"POST", "/bkt/k?select&select-type=2", false, "SelectObjectContent"},
  };
  for (const auto& c : cases) {
    auto r = run(c.method, c.target, "127.0.0.1", c.copy);
    ASSERT_TRUE(r) << c.target;
    EXPECT_EQ(r->op, operation::not_implemented) << c.target;
    EXPECT_EQ(r->not_implemented_name, c.name) << c.target;
  }
}

TEST(Classify, BadTargets) {
  EXPECT_EQ(run("GET", "").error(), parse_errc::invalid_uri);
  EXPECT_EQ(run("GET", "http://h/b/k").error(), parse_errc::invalid_uri);
  EXPECT_EQ(run("GET", "/bkt/a%2").error(), parse_errc::invalid_uri);
  EXPECT_EQ(run("GET", "/bkt/a%zz").error(), parse_errc::invalid_uri);
  EXPECT_EQ(run("GET", "/bkt?prefix=%g0").error(), parse_errc::invalid_uri);
  EXPECT_EQ(run("GET", "/bkt/%FF").error(), parse_errc::invalid_key);
  EXPECT_EQ(run("GET", "/Bad_Bucket/k").error(), parse_errc::invalid_bucket_name);
  EXPECT_EQ(run("GET", "/ab").error(), parse_errc::invalid_bucket_name);
}

TEST(Classify, KeyLengthAtNAndNPlusOne) {
  const std::string ok = "/bkt/" + std::string(max_key_bytes, 'k');
  EXPECT_TRUE(run("PUT", ok));
  const std::string too_long = "/bkt/" + std::string(max_key_bytes + 1, 'k');
  EXPECT_EQ(run("PUT", too_long).error(), parse_errc::key_too_long);
  // Measured after decoding: 1024 bytes written as 3072 escaped characters are fine.
  std::string escaped = "/bkt/";
  for (std::size_t i = 0; i < max_key_bytes; ++i) {
    escaped += "%41";
  }
  EXPECT_TRUE(run("PUT", escaped));
}

TEST(Classify, TargetCapsAtNAndNPlusOne) {
  classify_limits limits;
  limits.max_path_bytes = 16;
  limits.max_query_bytes = 12;
  limits.max_query_params = 2;
  EXPECT_TRUE(run("GET", "/bkt/" + std::string(11, 'k'), "h", false, limits));  // 16 bytes
  EXPECT_EQ(run("GET", "/bkt/" + std::string(12, 'k'), "h", false, limits).error(),
            parse_errc::invalid_uri);
  EXPECT_TRUE(run("GET", "/bkt?prefix=abcde", "h", false, limits));  // 12 bytes of query
  EXPECT_EQ(run("GET", "/bkt?prefix=abcdef", "h", false, limits).error(), parse_errc::invalid_uri);
  EXPECT_TRUE(run("GET", "/bkt?a&b", "h", false, limits));
  EXPECT_EQ(run("GET", "/bkt?a&b&c", "h", false, limits).error(), parse_errc::invalid_uri);
}

TEST(ParseErrors, MapToS3CodesAndStatuses) {
  struct {
    parse_errc e;
    std::string_view code;
    unsigned status;
  } table[] = {
      {parse_errc::malformed_xml, "MalformedXML", 400},
      {parse_errc::invalid_bucket_name, "InvalidBucketName", 400},
      {parse_errc::key_too_long, "KeyTooLongError", 400},
      {parse_errc::invalid_key, "InvalidArgument", 400},
      {parse_errc::invalid_uri, "InvalidURI", 400},
      {parse_errc::method_not_allowed, "MethodNotAllowed", 405},
      {parse_errc::malformed_policy, "MalformedPolicy", 400},
      {parse_errc::policy_too_large, "MalformedPolicy", 400},
      {parse_errc::not_implemented, "NotImplemented", 501},
      {parse_errc::malformed_post_request, "MalformedPOSTRequest", 400},
      {parse_errc::incorrect_number_of_files, "IncorrectNumberOfFilesInPostRequest", 400},
      {parse_errc::max_post_pre_data_length_exceeded, "MaxPostPreDataLengthExceededError", 400},
      {parse_errc::max_message_length_exceeded, "MaxMessageLengthExceeded", 400},
  };
  for (const auto& row : table) {
    const s3_error_info info = to_s3_error(row.e);
    EXPECT_EQ(info.code, row.code);
    EXPECT_EQ(info.http_status, row.status);
    EXPECT_FALSE(info.message.empty());
    // Through boost::system::error_code, as result<T> carries it.
    const boost::system::error_code ec = row.e;
    EXPECT_EQ(&ec.category(), &parse_category());
    EXPECT_EQ(ec.message().substr(0, row.code.size()), row.code);
  }
}

TEST(Operation, Names) {
  EXPECT_EQ(to_string(operation::list_objects_v2), "ListObjectsV2");
  EXPECT_EQ(to_string(operation::complete_multipart_upload), "CompleteMultipartUpload");
}

}  // namespace
}  // namespace onehop::store

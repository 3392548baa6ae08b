#include "store/xml.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace onehop::store::xml {
namespace {

using namespace std::chrono_literals;

// 2009-10-12T17:50:30.123Z
constexpr timestamp t0{std::chrono::sys_days{std::chrono::year{2009} / 10 / 12} + 17h + 50min +
                       30s + 123ms};

std::string escaped(std::string_view s) {
  std::string out;
  append_escaped(out, s);
  return out;
}

std::string url_encoded(std::string_view s) {
  std::string out;
  append_url_encoded(out, s);
  return out;
}

TEST(Xml, Iso8601) {
  std::string out;
  append_iso8601(out, t0);
  EXPECT_EQ(out, "2009-10-12T17:50:30.123Z");
  out.clear();
  append_iso8601(out, timestamp{});
  EXPECT_EQ(out, "1970-01-01T00:00:00.000Z");
}

TEST(Xml, Escaping) {
  EXPECT_EQ(escaped("plain/key.txt"), "plain/key.txt");
  EXPECT_EQ(escaped(R"(a&b<c>d"e'f)"), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
  EXPECT_EQ(escaped("\xe2\x82\xac"), "\xe2\x82\xac");
  EXPECT_EQ(escaped(std::string_view("a\x01\tb\n\r\x1f", 7)), "a&#x1;&#x9;b&#xA;&#xD;&#x1F;");
  EXPECT_EQ(escaped(std::string_view("\0", 1)), "&#x0;");
}

TEST(Xml, UrlEncoding) {
  EXPECT_EQ(url_encoded("a/b c+d%e\x01\xe2\x82\xac~_.-"), "a/b%20c%2Bd%25e%01%E2%82%AC~_.-");
}

TEST(Xml, ListAllMyBuckets) {
  const bucket_entry buckets[] = {{"a-bucket", t0}, {"b&b", t0}};
  const std::string doc = list_all_my_buckets(buckets, owner{"id1", "me"});
  EXPECT_EQ(doc,
            R"(<?xml version="1.0" encoding="UTF-8"?>)"
            R"(<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
            "<Owner><ID>id1</ID><DisplayName>me</DisplayName></Owner><Buckets>"
            "<Bucket><Name>a-bucket</Name><CreationDate>2009-10-12T17:50:30.123Z</CreationDate>"
            "</Bucket><Bucket><Name>b&amp;b</Name><CreationDate>2009-10-12T17:50:30.123Z"
            "</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>");
}

TEST(Xml, ListObjectsV2) {
  const object_entry objects[] = {{"dir/a<b", t0, "\"abc\"", 5}};
  const std::string_view prefixes[] = {"dir/sub/"};
  list_objects_v2_page page;
  page.bucket = "bkt";
  page.prefix = "dir/";
  page.delimiter = "/";
  page.max_keys = 2;
  page.is_truncated = true;
  page.next_continuation_token = "tok";
  page.objects = objects;
  page.common_prefixes = prefixes;
  const std::string doc = list_objects_v2(page);
  EXPECT_EQ(doc,
            R"(<?xml version="1.0" encoding="UTF-8"?>)"
            R"(<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
            "<Name>bkt</Name><Prefix>dir/</Prefix><Delimiter>/</Delimiter><MaxKeys>2</MaxKeys>"
            "<KeyCount>2</KeyCount><IsTruncated>true</IsTruncated>"
            "<NextContinuationToken>tok</NextContinuationToken>"
            "<Contents><Key>dir/a&lt;b</Key><LastModified>2009-10-12T17:50:30.123Z</LastModified>"
            "<ETag>&quot;abc&quot;</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass>"
            "</Contents><CommonPrefixes><Prefix>dir/sub/</Prefix></CommonPrefixes>"
            "</ListBucketResult>");
}

TEST(Xml, ListObjectsV2UrlEncodingAndOwner) {
  const object_entry objects[] = {{"a b\x01", t0, "\"e\"", 0}};
  list_objects_v2_page page;
  page.bucket = "bkt";
  page.prefix = "a ";
  page.start_after = "+";
  page.encoding_type_url = true;
  page.fetch_owner = owner{"id", "name"};
  page.objects = objects;
  const std::string doc = list_objects_v2(page);
  EXPECT_NE(doc.find("<Prefix>a%20</Prefix>"), std::string::npos) << doc;
  EXPECT_NE(doc.find("<StartAfter>%2B</StartAfter>"), std::string::npos) << doc;
  EXPECT_NE(doc.find("<EncodingType>url</EncodingType>"), std::string::npos) << doc;
  EXPECT_NE(doc.find("<Key>a%20b%01</Key>"), std::string::npos) << doc;
  EXPECT_NE(doc.find("<Owner><ID>id</ID><DisplayName>name</DisplayName></Owner>"),
            std::string::npos)
      << doc;
  EXPECT_EQ(doc.find("&#x"), std::string::npos) << doc;
}

TEST(Xml, ListObjectsV1) {
  list_objects_v1_page page;
  page.bucket = "bkt";
  page.marker = "m";
  page.delimiter = "/";
  page.next_marker = "n";
  page.object_owner = owner{"id", "name"};
  const std::string doc = list_objects_v1(page);
  EXPECT_NE(doc.find("<Marker>m</Marker><NextMarker>n</NextMarker><Delimiter>/</Delimiter>"),
            std::string::npos)
      << doc;
}

TEST(Xml, MultipartDocuments) {
  EXPECT_EQ(initiate_multipart_upload_result("b", "k&", "u1"),
            R"(<?xml version="1.0" encoding="UTF-8"?>)"
            R"(<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
            "<Bucket>b</Bucket><Key>k&amp;</Key><UploadId>u1</UploadId>"
            "</InitiateMultipartUploadResult>");
  const std::string done =
      complete_multipart_upload_result({"http://h/b/k", "b", "k", "\"abc-2\""});
  EXPECT_NE(done.find("<Location>http://h/b/k</Location><Bucket>b</Bucket><Key>k</Key>"
                      "<ETag>&quot;abc-2&quot;</ETag>"),
            std::string::npos);
  const part_entry parts[] = {{1, t0, "\"p1\"", 5242880}, {2, t0, "\"p2\"", 1}};
  list_parts_page lp;
  lp.bucket = "b";
  lp.key = "k";
  lp.upload_id = "u";
  lp.next_part_number_marker = 2;
  lp.parts = parts;
  const std::string listed = list_parts_result(lp);
  EXPECT_NE(listed.find("<NextPartNumberMarker>2</NextPartNumberMarker>"), std::string::npos);
  EXPECT_NE(listed.find("<Part><PartNumber>1</PartNumber><LastModified>2009-10-12T17:50:30.123Z"
                        "</LastModified><ETag>&quot;p1&quot;</ETag><Size>5242880</Size></Part>"),
            std::string::npos)
      << listed;
  const upload_entry uploads[] = {{"k1", "u1", t0}};
  list_multipart_uploads_page lu;
  lu.bucket = "b";
  lu.uploads = uploads;
  const std::string ups = list_multipart_uploads_result(lu);
  EXPECT_NE(ups.find("<Upload><Key>k1</Key><UploadId>u1</UploadId>"), std::string::npos) << ups;
  EXPECT_NE(ups.find("<Initiated>2009-10-12T17:50:30.123Z</Initiated></Upload>"), std::string::npos)
      << ups;
}

TEST(Xml, DeleteResultLocationErrorPost) {
  const deleted_entry deleted[] = {{"a"}};
  const delete_error_entry errors[] = {{"b", "AccessDenied", "Access Denied"}};
  EXPECT_EQ(delete_result(deleted, errors),
            R"(<?xml version="1.0" encoding="UTF-8"?>)"
            R"(<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
            "<Deleted><Key>a</Key></Deleted><Error><Key>b</Key><Code>AccessDenied</Code>"
            "<Message>Access Denied</Message></Error></DeleteResult>");
  EXPECT_EQ(location_constraint("us-east-1"),
            R"(<?xml version="1.0" encoding="UTF-8"?>)"
            R"(<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
            "</LocationConstraint>");
  EXPECT_NE(location_constraint("eu-west-1").find(">eu-west-1</LocationConstraint>"),
            std::string::npos);

  const std::pair<std::string_view, std::string_view> extra[] = {{"Key", "k<"}};
  error_document e;
  e.code = "SignatureDoesNotMatch";
  e.message = "m";
  e.resource = "/b/k";
  e.request_id = "r1";
  e.string_to_sign = "AWS4-HMAC-SHA256\n20240101T000000Z";
  e.canonical_request = "PUT\n/b/k";
  e.extra = extra;
  EXPECT_EQ(error(e), R"(<?xml version="1.0" encoding="UTF-8"?>)"
                      "<Error><Code>SignatureDoesNotMatch</Code><Message>m</Message>"
                      "<StringToSign>AWS4-HMAC-SHA256&#xA;20240101T000000Z</StringToSign>"
                      "<CanonicalRequest>PUT&#xA;/b/k</CanonicalRequest><Key>k&lt;</Key>"
                      "<Resource>/b/k</Resource><RequestId>r1</RequestId></Error>");
  EXPECT_EQ(post_response_document({"http://h/b/k", "b", "k", "\"e\""}),
            R"(<?xml version="1.0" encoding="UTF-8"?>)"
            "<PostResponse><Location>http://h/b/k</Location><Bucket>b</Bucket><Key>k</Key>"
            "<ETag>&quot;e&quot;</ETag></PostResponse>");
}

TEST(XmlParse, CompleteMultipartUpload) {
  auto parts = parse_complete_multipart_upload(
      R"(<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
      R"(<Part><ETag>"a1"</ETag><PartNumber>1</PartNumber></Part>)"
      "<Part><PartNumber>2</PartNumber><ETag>&quot;b2&quot;</ETag></Part>"
      "<Part><PartNumber>3</PartNumber><ETag>c3</ETag><ChecksumCRC32>x</ChecksumCRC32></Part>"
      "</CompleteMultipartUpload>");
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].part_number, 1u);
  EXPECT_EQ((*parts)[0].etag, "a1");
  EXPECT_EQ((*parts)[1].etag, "b2");
  EXPECT_EQ((*parts)[2].etag, "c3");
}

TEST(XmlParse, CompleteMultipartUploadRejects) {
  const char* bad[] = {
      "",
      "<CompleteMultipartUpload/>",
      "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>",
      "<CompleteMultipartUpload><Part><ETag>a</ETag></Part></CompleteMultipartUpload>",
      ("<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>a</ETag></Part>"
       "</CompleteMultipartUpload>"),
      "<Other><Part><PartNumber>1</PartNumber><ETag>a</ETag></Part></Other>",
      "<CompleteMultipartUpload><Part>",
  };
  for (const char* body : bad) {
    EXPECT_EQ(parse_complete_multipart_upload(body).error(), parse_errc::malformed_xml) << body;
  }
  EXPECT_EQ(parse_complete_multipart_upload("<CompleteMultipartUpload><Part><PartNumber>10001"
                                            "</PartNumber><ETag>a</ETag></Part>"
                                            "</CompleteMultipartUpload>")
                .error(),
            parse_errc::invalid_argument);
}

std::string complete_body(std::size_t parts) {
  std::string body = "<CompleteMultipartUpload>";
  for (std::size_t i = 1; i <= parts; ++i) {
    body += "<Part><PartNumber>" + std::to_string(i <= 10000 ? i : 10000) +
            "</PartNumber><ETag>e</ETag></Part>";
  }
  body += "</CompleteMultipartUpload>";
  return body;
}

TEST(XmlParse, CompleteMultipartPartCountAtNAndNPlusOne) {
  auto ok = parse_complete_multipart_upload(complete_body(max_complete_multipart_parts));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->size(), max_complete_multipart_parts);
  EXPECT_EQ(
      parse_complete_multipart_upload(complete_body(max_complete_multipart_parts + 1)).error(),
      parse_errc::malformed_xml);
}

TEST(XmlParse, ByteCapsAtNAndNPlusOne) {
  const std::string head =
      "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</ETag>"
      "</Part></CompleteMultipartUpload>";
  std::string body = head;
  body.append(max_complete_multipart_bytes - head.size(), ' ');
  EXPECT_TRUE(parse_complete_multipart_upload(body));
  body.push_back(' ');
  EXPECT_EQ(parse_complete_multipart_upload(body).error(), parse_errc::max_message_length_exceeded);

  std::string del = "<Delete><Object><Key>k</Key></Object></Delete>";
  del.append(max_delete_bytes - del.size(), ' ');
  EXPECT_TRUE(parse_delete(del));
  del.push_back(' ');
  EXPECT_EQ(parse_delete(del).error(), parse_errc::max_message_length_exceeded);

  std::string cfg = "<CreateBucketConfiguration/>";
  cfg.append(max_create_bucket_bytes - cfg.size(), ' ');
  EXPECT_TRUE(parse_create_bucket_configuration(cfg));
  cfg.push_back(' ');
  EXPECT_EQ(parse_create_bucket_configuration(cfg).error(),
            parse_errc::max_message_length_exceeded);
}

TEST(XmlParse, Delete) {
  auto req = parse_delete(
      R"(<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
      "<Quiet>true</Quiet><Object><Key>a&amp;b</Key></Object>"
      "<Object><Key> </Key><VersionId>v1</VersionId></Object>"
      "<Object><Key>&#x1;x</Key></Object></Delete>");
  ASSERT_TRUE(req);
  EXPECT_TRUE(req->quiet);
  ASSERT_EQ(req->objects.size(), 3u);
  EXPECT_EQ(req->objects[0].key, "a&b");
  EXPECT_FALSE(req->objects[0].version_id);
  EXPECT_EQ(req->objects[1].key, " ");
  EXPECT_EQ(req->objects[1].version_id, "v1");
  EXPECT_EQ(req->objects[2].key, "\x01x");
}

std::string delete_body(std::size_t n) {
  std::string body = "<Delete>";
  for (std::size_t i = 0; i < n; ++i) {
    body += "<Object><Key>k" + std::to_string(i) + "</Key></Object>";
  }
  return body + "</Delete>";
}

TEST(XmlParse, DeleteKeyCountAtNAndNPlusOne) {
  auto ok = parse_delete(delete_body(max_delete_keys));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->objects.size(), max_delete_keys);
  EXPECT_EQ(parse_delete(delete_body(max_delete_keys + 1)).error(), parse_errc::malformed_xml);
}

TEST(XmlParse, DeleteRejects) {
  for (const char* body : {"<Delete></Delete>", "<Delete><Object></Object></Delete>",
                           "<Delete><Quiet>yes</Quiet><Object><Key>k</Key></Object></Delete>",
                           "<Remove><Object><Key>k</Key></Object></Remove>", "not xml"}) {
    EXPECT_EQ(parse_delete(body).error(), parse_errc::malformed_xml) << body;
  }
}

TEST(XmlParse, CreateBucketConfiguration) {
  auto none = parse_create_bucket_configuration("");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto region = parse_create_bucket_configuration(
      R"(<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
      "<LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>");
  ASSERT_TRUE(region);
  EXPECT_EQ(*region, "eu-west-1");
  EXPECT_EQ(parse_create_bucket_configuration("<Bucket/>").error(), parse_errc::malformed_xml);
}

TEST(XmlParse, EntitiesAreNotExpandedBeyondXml) {
  // A DOCTYPE with an entity must not expand (no billion laughs, no external files).
  auto req = parse_delete(
      R"(<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Delete><Object><Key>&x;</Key>)"
      "</Object></Delete>");
  if (req) {
    EXPECT_EQ(req->objects[0].key.find("root:"), std::string::npos);
  }
}

}  // namespace
}  // namespace onehop::store::xml

#include "s3client/xml.hpp"

#include <gtest/gtest.h>

namespace onehop::s3client::xml {
namespace {

using namespace std::chrono;

TEST(xml, error_document) {
  auto e = parse_error(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>"
      "<Message>The specified key does not exist.</Message><Key>a</Key></Error>");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "NoSuchKey");
  EXPECT_EQ(e->message, "The specified key does not exist.");
  EXPECT_FALSE(parse_error("<ListBucketResult/>"));
  EXPECT_FALSE(parse_error("not xml <"));
  EXPECT_FALSE(parse_error(""));
}

TEST(xml, initiate) {
  auto id = parse_initiate(
      "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Bucket>b</Bucket><Key>k</Key><UploadId>abc</UploadId></InitiateMultipartUploadResult>");
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "abc");
  EXPECT_FALSE(
      parse_initiate("<InitiateMultipartUploadResult><UploadId></UploadId>"
                     "</InitiateMultipartUploadResult>"));
  EXPECT_FALSE(parse_initiate("<Other><UploadId>x</UploadId></Other>"));
}

TEST(xml, complete_success_and_embedded_error) {
  auto ok = parse_complete(
      "<CompleteMultipartUploadResult><ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag>"
      "</CompleteMultipartUploadResult>");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->etag, "\"3858f62230ac3c915f300c664312c11f-9\"");
  EXPECT_FALSE(ok->error);
  auto err = parse_complete("<Error><Code>InternalError</Code><Message>x</Message></Error>");
  ASSERT_TRUE(err);
  ASSERT_TRUE(err->error);
  EXPECT_EQ(err->error->code, "InternalError");
  auto bad = parse_complete("<CompleteMultipartUploadResult/>");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, errc::protocol);
}

TEST(xml, list_parts) {
  auto page = parse_list_parts(
      "<ListPartsResult><IsTruncated>true</IsTruncated><NextPartNumberMarker>2"
      "</NextPartNumberMarker><Part><PartNumber>1</PartNumber><ETag>\"a\"</ETag>"
      "<Size>5242880</Size></Part><Part><PartNumber>2</PartNumber><ETag>\"b\"</ETag>"
      "<Size>1</Size></Part></ListPartsResult>");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->parts.size(), 2u);
  EXPECT_EQ(page->parts[0].size, 5242880u);
  EXPECT_EQ(page->parts[1].etag, "\"b\"");
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_marker, 2u);
  EXPECT_FALSE(
      parse_list_parts("<ListPartsResult><Part><PartNumber>x</PartNumber>"
                       "<Size>1</Size></Part></ListPartsResult>"));
  EXPECT_FALSE(
      parse_list_parts("<ListPartsResult><Part><PartNumber>1</PartNumber>"
                       "<Size>-1</Size></Part></ListPartsResult>"));
  EXPECT_FALSE(
      parse_list_parts("<ListPartsResult><IsTruncated>true</IsTruncated>"
                       "</ListPartsResult>"));
}

TEST(xml, list_objects_decodes_url_encoded_keys) {
  auto page = parse_list_objects(
      "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>"
      "<NextContinuationToken>tok</NextContinuationToken>"
      "<Contents><Key>a+b%2Fc%C3%BC</Key><Size>12</Size>"
      "<LastModified>2026-01-01T00:00:01.000Z</LastModified></Contents></ListBucketResult>");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "a b/c\xC3\xBC");
  EXPECT_EQ(page->objects[0].size, 12u);
  EXPECT_EQ(page->objects[0].last_modified, sys_days(2026y / January / 1) + seconds(1));
  EXPECT_EQ(page->next_token, "tok");

  auto plain = parse_list_objects(
      "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a+b</Key><Size>0</Size>"
      "<LastModified>2026-01-01T00:00:00Z</LastModified></Contents></ListBucketResult>");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->objects[0].key, "a+b");
  EXPECT_TRUE(plain->next_token.empty());

  EXPECT_FALSE(
      parse_list_objects("<ListBucketResult><IsTruncated>true</IsTruncated>"
                         "</ListBucketResult>"));
  EXPECT_FALSE(
      parse_list_objects("<ListBucketResult><EncodingType>url</EncodingType><Contents>"
                         "<Key>%zz</Key><Size>0</Size><LastModified>2026-01-01T00:00:00Z"
                         "</LastModified></Contents></ListBucketResult>"));
  EXPECT_FALSE(
      parse_list_objects("<ListBucketResult><Contents><Key>k</Key><Size>0</Size>"
                         "<LastModified>yesterday</LastModified></Contents>"
                         "</ListBucketResult>"));
}

TEST(xml, list_uploads) {
  auto page = parse_list_uploads(
      "<ListMultipartUploadsResult><EncodingType>url</EncodingType><IsTruncated>true"
      "</IsTruncated><NextKeyMarker>k%201</NextKeyMarker><NextUploadIdMarker>u1"
      "</NextUploadIdMarker><Upload><Key>k%201</Key><UploadId>u1</UploadId>"
      "<Initiated>2026-01-02T03:04:05.000Z</Initiated></Upload></ListMultipartUploadsResult>");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->uploads.size(), 1u);
  EXPECT_EQ(page->uploads[0].key, "k 1");
  EXPECT_EQ(page->uploads[0].upload_id, "u1");
  EXPECT_EQ(page->next_key_marker, "k 1");
  EXPECT_EQ(page->next_upload_id_marker, "u1");
  EXPECT_EQ(page->uploads[0].initiated,
            sys_days(2026y / January / 2) + hours(3) + minutes(4) + seconds(5));
  EXPECT_FALSE(
      parse_list_uploads("<ListMultipartUploadsResult><Upload><Key>k</Key>"
                         "</Upload></ListMultipartUploadsResult>"));
}

TEST(xml, documents_over_the_cap_are_refused) {
  std::string doc = "<Error><Code>X</Code></Error>";
  EXPECT_TRUE(parse_error(doc + std::string(max_document_size - doc.size(), ' ')));
  EXPECT_FALSE(parse_error(doc + std::string(max_document_size - doc.size() + 1, ' ')));
}

TEST(xml, render_complete_escapes) {
  const std::vector<completed_part> parts{{1, "\"a&b\""}, {10000, "<x>"}};
  EXPECT_EQ(render_complete(parts),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;a&amp;b&quot;"
            "</ETag></Part><Part><PartNumber>10000</PartNumber><ETag>&lt;x&gt;</ETag></Part>"
            "</CompleteMultipartUpload>");
  EXPECT_EQ(render_complete({}), "<CompleteMultipartUpload></CompleteMultipartUpload>");
}

TEST(xml, http_date) {
  auto t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, sys_days(1994y / November / 6) + hours(8) + minutes(49) + seconds(37));
  EXPECT_FALSE(parse_http_date("Mon, 06 Nov 1994 08:49:37 GMT"));  // wrong weekday
  EXPECT_FALSE(parse_http_date("Sun, 31 Nov 1994 08:49:37 GMT"));  // no such day
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 24:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"));  // RFC 850 form
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"));
  EXPECT_FALSE(parse_http_date(""));
}

}  // namespace
}  // namespace onehop::s3client::xml

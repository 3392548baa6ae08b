#include "api/requests.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace onehop::api {
namespace {

using namespace std::string_literals;

// The error message of a refused upload request (fails the test when it was accepted).
std::string upload_error(std::string_view body, errc expected = errc::invalid_request) {
  upload_request out;
  const auto r = parse_upload_request(body, out);
  if (r) {
    ADD_FAILURE() << "accepted: " << body;
    return {};
  }
  EXPECT_EQ(r.error().code, expected) << body;
  return r.error().message;
}

upload_request upload_ok(std::string_view body) {
  upload_request out;
  const auto r = parse_upload_request(body, out);
  EXPECT_TRUE(r) << body << " -> " << (r ? "" : r.error().message);
  return out;
}

// A valid body with one more member text inserted after the first three.
std::string with(std::string_view extra) {
  return R"({"filename":"cat.png","contentType":"image/png","size":12345)"s + std::string(extra) +
         "}";
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// Hex and base64 of SHA-256("abc").
constexpr std::string_view abc_hex =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr std::string_view abc_base64 = "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=";

TEST(UploadRequest, ParsesAllFields) {
  const auto r = upload_ok(R"({"filename": "cat.png", "contentType": "image/png", "size": 12345,
                               "sha256": ")" +
                           std::string(abc_base64) + R"(", "method": "POST"})");
  EXPECT_EQ(r.filename, "cat.png");
  EXPECT_EQ(r.content_type, "image/png");
  EXPECT_EQ(r.size, 12345u);
  EXPECT_EQ(r.sha256, abc_base64);
  EXPECT_EQ(r.method, "POST");
}

TEST(UploadRequest, DefaultsAndFieldOrder) {
  const auto r = upload_ok(R"({"size":1,"contentType":"image/gif","filename":"a"})");
  EXPECT_EQ(r.method, "");  // the policy's default_method applies
  EXPECT_EQ(r.sha256, "");
  EXPECT_EQ(r.size, 1u);
  EXPECT_EQ(r.filename, "a");
}

TEST(UploadRequest, WhitespaceAroundTheObjectIsFine) {
  upload_ok(" \r\n\t" + with("") + "\n");
}

TEST(UploadRequest, ReusedOutputIsResetBetweenRequests) {
  upload_request out;
  ASSERT_TRUE(parse_upload_request(
      with(R"(,"sha256":")" + std::string(abc_hex) + R"(","method":"POST")"), out));
  EXPECT_EQ(out.method, "POST");
  ASSERT_TRUE(parse_upload_request(R"({"filename":"b","contentType":"image/jpeg","size":7})", out));
  EXPECT_EQ(out.filename, "b");
  EXPECT_EQ(out.content_type, "image/jpeg");
  EXPECT_EQ(out.size, 7u);
  EXPECT_EQ(out.sha256, "");
  EXPECT_EQ(out.method, "");
}

TEST(UploadRequest, Sha256HexEitherCaseBecomesBase64) {
  EXPECT_EQ(upload_ok(with(R"(,"sha256":")" + std::string(abc_hex) + "\"")).sha256, abc_base64);
  std::string upper(abc_hex);
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  EXPECT_EQ(upload_ok(with(R"(,"sha256":")" + upper + "\"")).sha256, abc_base64);
}

TEST(UploadRequest, Sha256Refusals) {
  // 63 and 65 hex digits, a non-hex 64, 43 base64 without padding, the URL-safe alphabet,
  // non-canonical trailing bits (…Fa0= vs …Fa1=), empty.
  const std::string cases[] = {
      std::string(abc_hex.substr(1)),
      std::string(abc_hex) + "0",
      "g" + std::string(abc_hex.substr(1)),
      std::string(abc_base64.substr(0, 43)),
      "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0=",
      "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa1=",
      "",
      std::string(200, 'a'),
  };
  for (const auto& c : cases) {
    EXPECT_TRUE(contains(upload_error(with(R"(,"sha256":")" + c + "\"")), "sha256")) << c;
  }
  EXPECT_TRUE(
      contains(upload_error(with(R"(,"sha256":")" + std::string(200, 'a') + "\"")), "it has 200"));
}

TEST(UploadRequest, Method) {
  EXPECT_EQ(upload_ok(with(R"(,"method":"PUT")")).method, "PUT");
  for (const char* m : {"put", "GET", "PUTT", "", "MULTIPART"}) {
    EXPECT_EQ(upload_error(with(R"(,"method":")" + std::string(m) + "\"")),
              "method must be \"PUT\" or \"POST\"")
        << m;
  }
}

TEST(UploadRequest, SizeLimitsAtNAndNPlusOne) {
  EXPECT_EQ(upload_ok(R"({"filename":"a","contentType":"image/png","size":9007199254740992})").size,
            9007199254740992u);
  EXPECT_TRUE(contains(
      upload_error(R"({"filename":"a","contentType":"image/png","size":9007199254740993})"),
      "at most 2^53"));
  EXPECT_EQ(upload_error(R"({"filename":"a","contentType":"image/png","size":0})"),
            "size must be at least 1");
  EXPECT_EQ(upload_ok(R"({"filename":"a","contentType":"image/png","size":1})").size, 1u);
}

TEST(UploadRequest, SizeMustBeAPlainNonNegativeInteger) {
  const auto body = [](std::string_view size) {
    return R"({"filename":"a","contentType":"image/png","size":)" + std::string(size) + "}";
  };
  EXPECT_EQ(upload_error(body("-1")), "size must not be negative");
  EXPECT_EQ(upload_error(body("-0.5")), "size must not be negative");
  EXPECT_EQ(upload_error(body("-99999999999999999999")), "size must not be negative");
  EXPECT_TRUE(contains(upload_error(body("12.5")), "size must be an integer"));
  EXPECT_TRUE(contains(upload_error(body("12.0")), "size must be an integer"));
  EXPECT_TRUE(contains(upload_error(body("1e3")), "size must be an integer"));
  EXPECT_TRUE(contains(upload_error(body("1E3")), "size must be an integer"));
  EXPECT_TRUE(contains(upload_error(body("18446744073709551615")), "at most 2^53"));
  EXPECT_TRUE(contains(upload_error(body("18446744073709551616")), "at most 2^53"));
  EXPECT_EQ(upload_error(body("\"12\"")), "size must be an integer");
  EXPECT_EQ(upload_error(body("true")), "size must be an integer");
  EXPECT_EQ(upload_error(body("null")), "size must be an integer");
  EXPECT_EQ(upload_error(body("[1]")), "size must be an integer");
  EXPECT_EQ(upload_error(body("{}")), "size must be an integer");
}

TEST(UploadRequest, WrongTypesNameTheField) {
  EXPECT_EQ(upload_error(R"({"filename":1,"contentType":"image/png","size":1})"),
            "filename must be a string");
  EXPECT_EQ(upload_error(R"({"filename":"a","contentType":null,"size":1})"),
            "contentType must be a string");
  EXPECT_EQ(upload_error(with(R"(,"sha256":false)")), "sha256 must be a string");
  EXPECT_EQ(upload_error(with(R"(,"method":["PUT"])")), "method must be a string");
  EXPECT_EQ(upload_error(with(R"(,"sha256":null)")), "sha256 must be a string");
}

TEST(UploadRequest, MissingRequiredFields) {
  EXPECT_EQ(upload_error(R"({"contentType":"image/png","size":1})"), "missing field \"filename\"");
  EXPECT_EQ(upload_error(R"({"filename":"a","size":1})"), "missing field \"contentType\"");
  EXPECT_EQ(upload_error(R"({"filename":"a","contentType":"image/png"})"),
            "missing field \"size\"");
  EXPECT_EQ(upload_error("{}"), "missing field \"filename\"");
}

TEST(UploadRequest, UnknownAndDuplicateFields) {
  EXPECT_TRUE(contains(upload_error(with(R"(,"sizes":1)")), "unknown field \"sizes\""));
  EXPECT_TRUE(contains(upload_error(with(R"(,"Size":1)")), "unknown field \"Size\""));
  EXPECT_TRUE(contains(upload_error(with(R"(,"key":"x/y")")), "unknown field \"key\""));
  const std::string long_key(500, 'k');
  const auto m = upload_error(with(",\"" + long_key + "\":1"));
  EXPECT_TRUE(contains(m, "unknown field \"" + std::string(40, 'k') + "...\"")) << m;
  EXPECT_EQ(upload_error(with(R"(,"size":5)")), "duplicate field \"size\"");
  EXPECT_EQ(upload_error(with(R"(,"filename":"b")")), "duplicate field \"filename\"");
  // A key written with escapes is the same key.
  EXPECT_EQ(upload_error(with(R"(,"siz\u0065":5)")), "duplicate field \"size\"");
}

TEST(UploadRequest, NotAnObject) {
  for (const char* body : {"[]", "\"x\"", "1", "true", "null", "[{\"filename\":\"a\"}]"}) {
    EXPECT_EQ(upload_error(body), "request body must be a JSON object") << body;
  }
  EXPECT_TRUE(contains(upload_error(""), "empty"));
  EXPECT_TRUE(contains(upload_error("  \n"), "empty"));
}

TEST(UploadRequest, MalformedJsonAndTrailingData) {
  EXPECT_TRUE(contains(upload_error(R"({"filename":"a",)"), "malformed JSON"));
  EXPECT_TRUE(contains(upload_error(R"({"filename":"a",})"), "malformed JSON"));
  EXPECT_TRUE(contains(upload_error(R"({'filename':'a'})"), "malformed JSON"));
  EXPECT_TRUE(contains(upload_error(with("") + "/* c */"), "after the JSON object"));
  EXPECT_TRUE(contains(upload_error(with("") + "{}"), "after the JSON object"));
  EXPECT_TRUE(contains(upload_error(with("") + " x"), "after the JSON object"));
  EXPECT_TRUE(contains(upload_error("{\"filename\":\"a\xff\"}"), "malformed JSON"));
}

TEST(UploadRequest, BodyCapAtNAndNPlusOne) {
  std::string body = with("");
  body.append(max_request_body - body.size(), ' ');
  ASSERT_EQ(body.size(), max_request_body);
  upload_ok(body);
  body.push_back(' ');
  EXPECT_TRUE(contains(upload_error(body, errc::too_large), "65536"));
}

TEST(UploadRequest, FilenameRules) {
  const auto named = [](std::string_view name) {
    return R"({"contentType":"image/png","size":1,"filename":")" + std::string(name) + "\"}";
  };
  EXPECT_EQ(upload_ok(named("Ünïcødé 猫 🐱.png")).filename, "Ünïcødé 猫 🐱.png");
  EXPECT_EQ(upload_ok(named(R"(tab\u00e9.png)")).filename, "tab\xC3\xA9.png");
  EXPECT_EQ(upload_ok(named(std::string(255, 'a'))).filename.size(), 255u);
  EXPECT_TRUE(contains(upload_error(named(std::string(256, 'a'))), "256 bytes"));
  // 85 three-byte characters = 255 bytes; one more byte is over.
  std::string cjk;
  for (int i = 0; i < 85; ++i) {
    cjk += "猫";
  }
  upload_ok(named(cjk));
  EXPECT_TRUE(contains(upload_error(named(cjk + "a")), "256 bytes"));
  EXPECT_EQ(upload_error(named("")), "filename must not be empty");
  EXPECT_EQ(upload_error(named(".")), "filename must not be \".\" or \"..\"");
  EXPECT_EQ(upload_error(named("..")), "filename must not be \".\" or \"..\"");
  upload_ok(named("...png"));
  EXPECT_EQ(upload_error(named("a/b.png")), "filename must not contain '/' (a path is not a name)");
  EXPECT_EQ(upload_error(named(R"(..\\b.png)")),
            "filename must not contain '\\' (a path is not a name)");
  EXPECT_EQ(upload_error(named(R"(a\nb)")),
            "filename must not contain control characters (U+000A at byte 1)");
  EXPECT_EQ(upload_error(named(R"(\u0000)")),
            "filename must not contain control characters (U+0000 at byte 0)");
  EXPECT_EQ(upload_error(named("a\x7F")),
            "filename must not contain control characters (U+007F at byte 1)");
  EXPECT_EQ(upload_error(named(R"(ab\u0085)")),
            "filename must not contain control characters (U+0085 at byte 2)");
  EXPECT_EQ(upload_error(named("\xC2\x9F")),
            "filename must not contain control characters (U+009F at byte 0)");
  // U+00A0 is the first code point after C1: allowed.
  upload_ok(named("\xC2\xA0"));
}

TEST(UploadRequest, ContentTypeIsLowerCasedAndParametersRefused) {
  const auto typed = [](std::string_view type) {
    return R"({"filename":"a","size":1,"contentType":")" + std::string(type) + "\"}";
  };
  EXPECT_EQ(upload_ok(typed("Image/PNG")).content_type, "image/png");
  EXPECT_EQ(upload_ok(typed("application/vnd.x+json")).content_type, "application/vnd.x+json");
  EXPECT_TRUE(contains(upload_error(typed("image/png; charset=x")), "parameters"));
  EXPECT_TRUE(contains(upload_error(typed("image/png;")), "parameters"));
  for (const char* bad : {"image", "image/", "/png", "image/png/x", "image /png", " image/png",
                          "image/png ", "image/p\\u00e9ng", "ima ge/png"}) {
    EXPECT_TRUE(contains(upload_error(typed(bad)), "contentType")) << bad;
  }
  EXPECT_EQ(upload_error(typed("")), "contentType must not be empty");
  upload_ok(typed("image/" + std::string(249, 'x')));
  EXPECT_TRUE(contains(upload_error(typed("image/" + std::string(250, 'x'))), "256 bytes"));
}

TEST(UploadRequest, EscapedStringsSplitAcrossParserBuffers) {
  // Strings with escapes longer than the parser's stack buffer arrive in several parts.
  std::string name;
  for (int i = 0; i < 60; ++i) {
    name += "\\u00e9";
  }
  const auto r = upload_ok(R"({"contentType":"image/png","size":1,"filename":")" + name + "\"}");
  EXPECT_EQ(r.filename.size(), 120u);
  std::string long_escaped(6000, 'a');
  long_escaped += "\\n";
  EXPECT_TRUE(contains(
      upload_error(R"({"contentType":"image/png","size":1,"filename":")" + long_escaped + "\"}"),
      "6001 bytes"));
}

// ---------------------------------------------------------------------------------------------

TEST(PartsRequest, Parses) {
  const auto r = parse_parts_request(R"({"partNumbers": [3, 1, 10000]})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->part_numbers, (std::vector<unsigned>{3, 1, 10000}));
}

TEST(PartsRequest, Refusals) {
  const auto error = [](std::string_view body) {
    const auto r = parse_parts_request(body);
    EXPECT_FALSE(r) << body;
    return r ? std::string() : r.error().message;
  };
  EXPECT_EQ(error("{}"), "missing field \"partNumbers\"");
  EXPECT_EQ(error(R"({"partNumbers": []})"), "partNumbers must not be empty");
  EXPECT_EQ(error(R"({"partNumbers": 1})"), "partNumbers must be an array of integers");
  EXPECT_TRUE(contains(error(R"({"partNumbers": [0]})"), "partNumbers[0] must be an integer"));
  EXPECT_TRUE(contains(error(R"({"partNumbers": [1, 10001]})"), "partNumbers[1]"));
  EXPECT_TRUE(contains(error(R"({"partNumbers": [1.5]})"), "no fraction"));
  EXPECT_TRUE(contains(error(R"({"partNumbers": [-1]})"), "partNumbers[0]"));
  EXPECT_TRUE(contains(error(R"({"partNumbers": ["1"]})"), "partNumbers[0]"));
  EXPECT_TRUE(contains(error(R"({"partNumbers": [18446744073709551615]})"), "partNumbers[0]"));
  EXPECT_EQ(error(R"({"partNumbers": [2, 1, 2]})"), "partNumbers lists part 2 twice");
  EXPECT_TRUE(contains(error(R"({"partNumbers": [1], "x": 1})"), "unknown field \"x\""));
  EXPECT_EQ(error(R"({"partNumbers": [1], "partNumbers": [2]})"),
            "duplicate field \"partNumbers\"");
  EXPECT_EQ(error("[1]"), "request body must be a JSON object");
  EXPECT_TRUE(contains(error(R"({"partNumbers": [1]} x)"), "after the JSON"));
  EXPECT_TRUE(contains(error(R"({"partNumbers": [1],})"), "malformed JSON"));
}

TEST(PartsRequest, AtMostOneHundredPerCall) {
  std::string body = R"({"partNumbers":[1)";
  for (int i = 2; i <= 100; ++i) {
    body += ',';
    body += std::to_string(i);
  }
  ASSERT_TRUE(parse_parts_request(body + "]}"));
  const auto r = parse_parts_request(body + ",101]}");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "partNumbers has 101 entries; at most 100 per request");
}

TEST(CompleteRequest, EmptyOrAbsentParts) {
  const auto a = parse_complete_request("{}");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->parts.empty());
  const auto b = parse_complete_request(R"({"parts": []})");
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->parts.empty());
}

TEST(CompleteRequest, PartsSortedByNumber) {
  const auto r = parse_complete_request(
      R"({"parts":[{"partNumber":2,"etag":"\"b\""},{"etag":"\"a\"","partNumber":1}]})");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->parts.size(), 2u);
  EXPECT_EQ(r->parts[0].part_number, 1u);
  EXPECT_EQ(r->parts[0].etag, "\"a\"");
  EXPECT_EQ(r->parts[1].part_number, 2u);
  EXPECT_EQ(r->parts[1].etag, "\"b\"");
}

TEST(CompleteRequest, Refusals) {
  const auto error = [](std::string_view body) {
    const auto r = parse_complete_request(body);
    EXPECT_FALSE(r) << body;
    return r ? std::string() : r.error().message;
  };
  EXPECT_TRUE(contains(error(R"({"parts": {}})"), "parts must be an array"));
  EXPECT_TRUE(contains(error(R"({"parts": [1]})"), "parts[0] must be an object"));
  EXPECT_EQ(error(R"({"parts": [{"etag":"x"}]})"), "parts[0] is missing \"partNumber\"");
  EXPECT_EQ(error(R"({"parts": [{"partNumber":1}]})"), "parts[0] is missing \"etag\"");
  EXPECT_TRUE(contains(error(R"({"parts": [{"partNumber":1,"etag":"x","size":3}]})"),
                       "unknown field \"size\" in parts[0]"));
  EXPECT_TRUE(contains(error(R"({"parts": [{"PartNumber":1,"ETag":"x"}]})"), "unknown field"));
  EXPECT_EQ(error(R"({"parts": [{"partNumber":1,"etag":2}]})"), "parts[0].etag must be a string");
  EXPECT_TRUE(contains(error(R"({"parts": [{"partNumber":1,"etag":""}]})"), "parts[0].etag"));
  EXPECT_TRUE(contains(error(R"({"parts": [{"partNumber":1,"etag":"a b"}]})"), "parts[0].etag"));
  EXPECT_TRUE(contains(error(R"({"parts": [{"partNumber":1,"etag":"a\u0001"}]})"), "etag"));
  EXPECT_TRUE(contains(error(R"({"parts": [{"partNumber":0,"etag":"x"}]})"),
                       "parts[0].partNumber must be an integer 1..10000"));
  EXPECT_EQ(error(R"({"parts": [{"partNumber":1,"etag":"x"},{"partNumber":1,"etag":"y"}]})"),
            "parts lists part 1 twice");
  EXPECT_EQ(error(R"({"parts": [{"partNumber":1,"etag":"x","etag":"y"}]})"),
            "duplicate field \"etag\"");
  EXPECT_TRUE(contains(error(R"({"part": []})"), "unknown field \"part\""));
  EXPECT_EQ(error("null"), "request body must be a JSON object");
}

TEST(CompleteRequest, EtagLengthAtNAndNPlusOne) {
  const auto body = [](std::size_t n) {
    return R"({"parts":[{"partNumber":1,"etag":")" + std::string(n, 'e') + "\"}]}";
  };
  ASSERT_TRUE(parse_complete_request(body(max_etag_bytes)));
  EXPECT_FALSE(parse_complete_request(body(max_etag_bytes + 1)));
}

TEST(DevTokenRequest, Parses) {
  const auto r = parse_dev_token_request(R"({"user":"alice.b-c_9"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->user, "alice.b-c_9");
}

TEST(DevTokenRequest, Refusals) {
  const auto error = [](std::string_view body) {
    const auto r = parse_dev_token_request(body);
    EXPECT_FALSE(r) << body;
    return r ? std::string() : r.error().message;
  };
  EXPECT_EQ(error("{}"), "missing field \"user\"");
  EXPECT_EQ(error(R"({"user":1})"), "user must be a string");
  EXPECT_TRUE(contains(error(R"({"user":""})"), "1 to 64"));
  EXPECT_TRUE(contains(error(R"({"user":"a/b"})"), "letters, digits"));
  EXPECT_TRUE(contains(error(R"({"user":".."})"), "letters, digits"));
  EXPECT_TRUE(contains(error(R"({"user":".hidden"})"), "letters, digits"));
  EXPECT_TRUE(contains(error(R"({"user":"al ice"})"), "letters, digits"));
  EXPECT_TRUE(contains(error(R"({"user":"a","admin":true})"), "unknown field \"admin\""));
  EXPECT_EQ(error(R"({"user":"a","user":"b"})"), "duplicate field \"user\"");
  ASSERT_TRUE(parse_dev_token_request(R"({"user":")" + std::string(64, 'u') + "\"}"));
  EXPECT_TRUE(contains(error(R"({"user":")" + std::string(65, 'u') + "\"}"), "1 to 64"));
}

TEST(OtherRequests, BodyCapAtNAndNPlusOne) {
  std::string body = R"({"user":"a"})";
  body.append(max_request_body - body.size(), '\n');
  EXPECT_TRUE(parse_dev_token_request(body));
  body.push_back('\n');
  const auto r = parse_dev_token_request(body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::too_large);
  EXPECT_FALSE(parse_parts_request(body));
  EXPECT_FALSE(parse_complete_request(body));
}

}  // namespace
}  // namespace onehop::api

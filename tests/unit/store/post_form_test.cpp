#include "store/post_form.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace onehop::store {
namespace {

constexpr std::string_view boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

std::string part(std::string_view name, std::string_view value) {
  return "--" + std::string(boundary) + "\r\nContent-Disposition: form-data; name=\"" +
         std::string(name) + "\"\r\n\r\n" + std::string(value) + "\r\n";
}

std::string file_part(std::string_view content, std::string_view filename = "cat.jpg") {
  return "--" + std::string(boundary) +
         "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + std::string(filename) +
         "\"\r\nContent-Type: image/jpeg\r\n\r\n" + std::string(content) + "\r\n";
}

std::string closing() {
  return "--" + std::string(boundary) + "--\r\n";
}

struct outcome {
  result<void> status;
  std::vector<form_field> fields;
  std::string file;
  std::string file_name;
  std::string file_content_type;
  bool begin_before_data = true;
  bool ended = false;
  std::size_t max_piece = 0;
};

// Feeds `body` in pieces of `piece` bytes and collects everything the parser reports.
outcome parse(std::string_view body, std::size_t piece, const post_form_limits& limits = {}) {
  outcome out;
  post_form_parser parser(boundary, limits);
  bool begun = false;
  for (std::size_t off = 0; off < body.size(); off += piece) {
    std::string_view input = body.substr(off, piece);
    for (;;) {
      auto ev = parser.next(input);
      if (!ev) {
        out.status = ev.error();
        return out;
      }
      if (ev->kind == post_form_event_kind::need_more) {
        EXPECT_TRUE(input.empty());
        break;
      }
      if (ev->kind == post_form_event_kind::file_begin) {
        begun = true;
        out.fields = parser.fields();
        out.file_name = parser.file_name();
        out.file_content_type = parser.file_content_type();
      } else if (ev->kind == post_form_event_kind::file_data) {
        out.begin_before_data = out.begin_before_data && begun;
        out.file.append(ev->data);
        out.max_piece = std::max(out.max_piece, ev->data.size());
      } else {
        out.ended = true;
      }
    }
  }
  out.status = parser.finish();
  return out;
}

TEST(PostFormBoundary, FromContentType) {
  EXPECT_EQ(*parse_multipart_boundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(*parse_multipart_boundary("Multipart/Form-Data;BOUNDARY=\"a b:c\""), "a b:c");
  EXPECT_EQ(*parse_multipart_boundary("multipart/form-data; charset=utf-8; boundary=x-y"), "x-y");
  for (const char* bad :
       {"multipart/form-data", "multipart/mixed; boundary=abc", "text/plain; boundary=abc",
        "multipart/form-data; boundary=", "multipart/form-data; boundary=\"abc",
        "multipart/form-data; boundary=a{b", "multipart/form-data; boundary=\"abc \"",
        "multipart/form-data; charset"}) {
    EXPECT_EQ(parse_multipart_boundary(bad).error(), parse_errc::malformed_post_request) << bad;
  }
}

TEST(PostFormBoundary, LengthAtNAndNPlusOne) {
  const std::string ok(70, 'b');
  EXPECT_EQ(*parse_multipart_boundary("multipart/form-data; boundary=" + ok), ok);
  EXPECT_EQ(
      parse_multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'b')).error(),
      parse_errc::malformed_post_request);
}

TEST(PostForm, FieldsThenFileInAnyPieceSize) {
  std::string content;
  for (int i = 0; i < 3000; ++i) {
    content.push_back(static_cast<char>(i * 7));
  }
  // Bytes that look like a delimiter but are not one.
  content += "\r\n--" + std::string(boundary.substr(0, 10)) + "\r\n-";
  const std::string body = "preamble\r\n" + part("key", "uploads/${filename}") +
                           part("Policy", "eyJ4Ijp7fX0=") + part("x-amz-meta-empty", "") +
                           file_part(content) + part("after", "ignored") + closing() + "epilogue";
  for (std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{64},
                            std::size_t{1000}, body.size()}) {
    const outcome r = parse(body, piece);
    ASSERT_TRUE(r.status) << piece << ": " << r.status.error().message();
    EXPECT_TRUE(r.ended);
    EXPECT_TRUE(r.begin_before_data);
    ASSERT_EQ(r.fields.size(), 3u);
    EXPECT_EQ(r.fields[0].name, "key");
    EXPECT_EQ(r.fields[0].value, "uploads/${filename}");
    EXPECT_EQ(r.fields[1].value, "eyJ4Ijp7fX0=");
    EXPECT_EQ(r.fields[2].value, "");
    EXPECT_EQ(r.file, content) << piece;
    EXPECT_EQ(r.file_name, "cat.jpg");
    EXPECT_EQ(r.file_content_type, "image/jpeg");
  }
}

TEST(PostForm, CaseInsensitiveFieldLookup) {
  const std::string body = part("Content-Type", "image/png") + file_part("x") + closing();
  post_form_parser parser(boundary);
  std::string_view input = body;
  auto ev = parser.next(input);
  ASSERT_TRUE(ev);
  ASSERT_EQ(ev->kind, post_form_event_kind::file_begin);
  ASSERT_NE(parser.field("content-type"), nullptr);
  EXPECT_EQ(*parser.field("content-type"), "image/png");
  EXPECT_EQ(parser.field("missing"), nullptr);
}

TEST(PostForm, FileIsStreamedInBoundedPieces) {
  const std::string content(1 << 20, 'z');
  const std::string body = part("key", "k") + file_part(content) + closing();
  post_form_limits limits;
  limits.max_piece_bytes = 4096;
  const outcome r = parse(body, body.size(), limits);  // one huge input piece
  ASSERT_TRUE(r.status);
  EXPECT_EQ(r.file.size(), content.size());
  EXPECT_LE(r.max_piece, 4096u);
}

TEST(PostForm, EmptyFileAndQuotedNames) {
  const std::string body = "--" + std::string(boundary) +
                           "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a "
                           "\\\"q\\\".txt\"\r\n\r\n\r\n" +
                           closing();
  const outcome r = parse(body, 3);
  ASSERT_TRUE(r.status);
  EXPECT_EQ(r.file, "");
  EXPECT_EQ(r.file_name, "a \"q\".txt");
  EXPECT_TRUE(r.ended);
}

TEST(PostForm, Errors) {
  struct {
    std::string body;
    parse_errc error;
  } cases[] = {
      {part("key", "k") + closing(), parse_errc::incorrect_number_of_files},
      {closing(), parse_errc::incorrect_number_of_files},
      {part("key", "k"), parse_errc::malformed_post_request},  // truncated, no close
      {part("key", "k") + file_part("abc").substr(0, 120), parse_errc::malformed_post_request},
      {"no delimiter at all", parse_errc::malformed_post_request},
      {"--" + std::string(boundary) + "\r\nContent-Type: text/plain\r\n\r\nv\r\n" + closing(),
       parse_errc::malformed_post_request},  // no Content-Disposition
      {"--" + std::string(boundary) +
           "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n" + closing(),
       parse_errc::malformed_post_request},
      {"--" + std::string(boundary) + "\r\nContent-Disposition: form-data\r\n\r\nv\r\n" + closing(),
       parse_errc::malformed_post_request},  // no name
      {"--" + std::string(boundary) + "\r\nbroken header\r\n\r\nv\r\n" + closing(),
       parse_errc::malformed_post_request},
      {"--" + std::string(boundary) + "XX\r\n", parse_errc::malformed_post_request},
  };
  for (const auto& c : cases) {
    for (std::size_t piece : {std::size_t{1}, c.body.size()}) {
      const outcome r = parse(c.body, piece);
      ASSERT_FALSE(r.status) << c.body;
      EXPECT_EQ(r.status.error(), c.error) << c.body;
    }
  }
}

TEST(PostForm, PreDataLimitAtNAndNPlusOne) {
  post_form_limits limits;
  limits.max_pre_data_bytes = 300;
  const std::string file = file_part("content") + closing();
  const std::string file_head = file_part("").substr(0, file_part("").size() - 2);
  auto body_with_pre_data = [&](std::size_t n) {
    // Pre-data = the key part + the file part's headers; pad the value to reach exactly n.
    const std::size_t fixed = part("key", "").size() + file_head.size();
    return part("key", std::string(n - fixed, 'v')) + file;
  };
  for (std::size_t piece : {std::size_t{1}, std::size_t{50}, std::size_t{100000}}) {
    const outcome ok = parse(body_with_pre_data(300), piece, limits);
    ASSERT_TRUE(ok.status) << piece << ": " << ok.status.error().message();
    EXPECT_EQ(ok.file, "content");
    const outcome too_big = parse(body_with_pre_data(301), piece, limits);
    ASSERT_FALSE(too_big.status) << piece;
    EXPECT_EQ(too_big.status.error(), parse_errc::max_post_pre_data_length_exceeded);
  }
}

TEST(PostForm, FieldValueLimitAtNAndNPlusOne) {
  post_form_limits limits;
  limits.max_field_value_bytes = 100;
  for (std::size_t piece : {std::size_t{1}, std::size_t{100000}}) {
    EXPECT_TRUE(
        parse(part("k", std::string(100, 'v')) + file_part("f") + closing(), piece, limits).status);
    const outcome r =
        parse(part("k", std::string(101, 'v')) + file_part("f") + closing(), piece, limits);
    ASSERT_FALSE(r.status);
    EXPECT_EQ(r.status.error(), parse_errc::max_post_pre_data_length_exceeded);
  }
}

TEST(PostForm, FieldNameLimitAtNAndNPlusOne) {
  post_form_limits limits;
  limits.max_field_name_bytes = 10;
  EXPECT_TRUE(
      parse(part(std::string(10, 'n'), "v") + file_part("f") + closing(), 9, limits).status);
  const outcome r = parse(part(std::string(11, 'n'), "v") + file_part("f") + closing(), 9, limits);
  ASSERT_FALSE(r.status);
  EXPECT_EQ(r.status.error(), parse_errc::max_post_pre_data_length_exceeded);
}

TEST(PostForm, FieldCountAtNAndNPlusOne) {
  post_form_limits limits;
  limits.max_fields = 3;
  auto body = [](int n) {
    std::string b;
    for (int i = 0; i < n; ++i) {
      b += part("f" + std::to_string(i), "v");
    }
    return b + file_part("x") + closing();
  };
  EXPECT_TRUE(parse(body(3), 5, limits).status);
  const outcome r = parse(body(4), 5, limits);
  ASSERT_FALSE(r.status);
  EXPECT_EQ(r.status.error(), parse_errc::malformed_post_request);
}

}  // namespace
}  // namespace onehop::store

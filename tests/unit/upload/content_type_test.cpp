#include "upload/content_type.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace onehop::upload {
namespace {

using namespace std::string_view_literals;

std::vector<std::uint8_t> bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

TEST(content_type, magic_bytes_win_over_the_extension) {
  const auto png = bytes("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"sv);
  EXPECT_EQ(detect_content_type(png, "photo.jpg"), "image/png");
  const auto jpeg = bytes("\xFF\xD8\xFF\xE0\0\x10JFIF"sv);
  EXPECT_EQ(detect_content_type(jpeg, "noext"), "image/jpeg");
  const auto gif = bytes("GIF89a\x01\0\x01\0"sv);
  EXPECT_EQ(detect_content_type(gif, "a.png"), "image/gif");
  const auto webp = bytes("RIFF\x10\0\0\0WEBPVP8 "sv);
  EXPECT_EQ(detect_content_type(webp, "a"), "image/webp");
}

TEST(content_type, unknown_bytes_fall_back_to_the_extension_case_insensitively) {
  const auto text = bytes("hello, this is not an image\n"sv);
  EXPECT_EQ(detect_content_type(text, "fake.png"), "image/png");
  EXPECT_EQ(detect_content_type(text, "FAKE.JPEG"), "image/jpeg");
  EXPECT_EQ(detect_content_type(text, "x.Jpg"), "image/jpeg");
  EXPECT_EQ(detect_content_type(text, "x.webp"), "image/webp");
  EXPECT_EQ(detect_content_type(text, "x.avif"), "image/avif");
  EXPECT_EQ(detect_content_type(text, "x.gif"), "image/gif");
}

TEST(content_type, neither_magic_nor_extension_is_octet_stream) {
  const auto text = bytes("plain text"sv);
  EXPECT_EQ(detect_content_type(text, "notes.txt"), "application/octet-stream");
  EXPECT_EQ(detect_content_type(text, "png"), "application/octet-stream");  // no dot
  EXPECT_EQ(detect_content_type(text, "archive.png.gz"), "application/octet-stream");
  EXPECT_EQ(detect_content_type({}, ""), "application/octet-stream");
}

TEST(content_type, a_truncated_magic_number_is_not_trusted) {
  const auto half_png = bytes("\x89PN"sv);
  EXPECT_EQ(detect_content_type(half_png, "a.gif"), "image/gif");
}

}  // namespace
}  // namespace onehop::upload

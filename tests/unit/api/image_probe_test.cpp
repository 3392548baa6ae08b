#include "api/image_probe.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace onehop::api {
namespace {

// tests/data/images/README.md says how each file was made.
std::vector<std::uint8_t> image(const std::string& name) {
  std::ifstream in(std::string(ONEHOP_TEST_DATA) + "/images/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::span<const std::uint8_t> first(const std::vector<std::uint8_t>& bytes, std::size_t n) {
  return std::span<const std::uint8_t>(bytes).first(std::min(n, bytes.size()));
}

std::string probe_error(image_format declared, std::span<const std::uint8_t> head, bool complete) {
  const auto r = probe_image(declared, head, complete);
  if (r) {
    ADD_FAILURE() << "accepted as " << display_name(declared) << ": " << r->width << "x"
                  << r->height;
    return {};
  }
  EXPECT_EQ(r.error().code, errc::verification_failed);
  return r.error().message;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

struct good_image {
  const char* file;
  image_format format;
  std::uint32_t width;
  std::uint32_t height;
};

const good_image good_images[] = {
    {"jpeg-baseline.jpg", image_format::jpeg, 64, 48},
    {"jpeg-progressive.jpg", image_format::jpeg, 64, 48},
    {"jpeg-big-exif.jpg", image_format::jpeg, 64, 48},
    {"png-64x48.png", image_format::png, 64, 48},
    {"gif-animated.gif", image_format::gif, 32, 24},
    {"webp-lossy.webp", image_format::webp, 64, 48},
    {"webp-lossless.webp", image_format::webp, 64, 48},
    {"webp-extended.webp", image_format::webp, 64, 48},
    {"avif-64x48.avif", image_format::avif, 64, 48},
    {"png-30000x2.png", image_format::png, 30000, 2},
    {"png-14142x14142-header-only.png", image_format::png, 14142, 14142},
};

TEST(ImageProbe, ReadsFormatAndDimensionsOfRealFiles) {
  for (const auto& g : good_images) {
    const auto bytes = image(g.file);
    EXPECT_EQ(sniff(bytes), g.format) << g.file;
    for (const bool complete : {true, false}) {
      const auto r = probe_image(g.format, bytes, complete);
      ASSERT_TRUE(r) << g.file << ": " << r.error().message;
      EXPECT_EQ(r->format, g.format) << g.file;
      EXPECT_EQ(r->width, g.width) << g.file;
      EXPECT_EQ(r->height, g.height) << g.file;
    }
  }
}

TEST(ImageProbe, EveryOtherDeclaredFormatIsRefusedNamingBoth) {
  for (const auto& g : good_images) {
    const auto bytes = image(g.file);
    for (auto declared : {image_format::jpeg, image_format::png, image_format::gif,
                          image_format::webp, image_format::avif}) {
      if (declared == g.format) {
        continue;
      }
      const auto m = probe_error(declared, bytes, true);
      EXPECT_EQ(m, "declared " + std::string(content_type_for(declared)) + " but the bytes are a " +
                       std::string(display_name(g.format)) + " image")
          << g.file;
    }
  }
}

TEST(ImageProbe, PngRenamedJpg) {
  EXPECT_EQ(probe_error(image_format::jpeg, image("png-renamed.jpg"), true),
            "declared image/jpeg but the bytes are a PNG image");
}

TEST(ImageProbe, TextIsNotAnImage) {
  const auto m = probe_error(image_format::png, image("text.txt"), true);
  EXPECT_TRUE(contains(m, "not an image")) << m;
  EXPECT_TRUE(contains(m, "54 68 69 73 20 69 73 20")) << m;  // "This is "
  EXPECT_TRUE(contains(probe_error(image_format::jpeg, {}, true), "empty"));
}

TEST(ImageProbe, MagicThenGarbageIsUnreadable) {
  const auto bytes = image("png-magic-then-garbage.png");
  EXPECT_EQ(sniff(bytes), image_format::png);
  EXPECT_EQ(probe_error(image_format::png, bytes, true),
            "the PNG header is unreadable: the file is damaged or truncated");
}

TEST(ImageProbe, TruncatedFiles) {
  const struct {
    const char* file;
    image_format format;
  } cases[] = {
      {"png-truncated-in-ihdr.png", image_format::png},
      {"jpeg-truncated-in-exif.jpg", image_format::jpeg},
      {"gif-truncated.gif", image_format::gif},
      {"webp-truncated.webp", image_format::webp},
      {"avif-truncated.avif", image_format::avif},
  };
  for (const auto& c : cases) {
    const auto bytes = image(c.file);
    EXPECT_EQ(sniff(bytes), c.format) << c.file;
    for (const bool complete : {true, false}) {
      const auto m = probe_error(c.format, bytes, complete);
      EXPECT_TRUE(contains(m, "header is unreadable")) << c.file << ": " << m;
      EXPECT_TRUE(contains(m, complete ? "truncated" : "in the first 256 KiB"))
          << c.file << ": " << m;
    }
  }
}

TEST(ImageProbe, HeadersOfIncompleteObjectsAreEnough) {
  // The caller reads only the first bytes of a large object: headers must be read from those.
  const auto jpeg = image("jpeg-big-exif.jpg");  // SOF at ~90 KB
  EXPECT_TRUE(probe_image(image_format::jpeg, first(jpeg, 90'200), false));
  EXPECT_FALSE(probe_image(image_format::jpeg, first(jpeg, 40'000), false));
  const auto png = image("png-64x48.png");
  EXPECT_TRUE(probe_image(image_format::png, first(png, 33), false));  // signature + IHDR
  for (std::size_t n = 0; n < 33; ++n) {
    EXPECT_FALSE(probe_image(image_format::png, first(png, n), false)) << n;
  }
  for (std::size_t n = 0; n < 13; ++n) {
    EXPECT_FALSE(probe_image(image_format::gif, first(image("gif-animated.gif"), n), false)) << n;
  }
  // Every cut of a JPEG before the end of its frame header (SOF0 of jpeg-baseline.jpg ends
  // at byte 0x9e + 19) is refused.
  const auto small_jpeg = image("jpeg-baseline.jpg");
  std::size_t sof_end = 0;
  for (std::size_t i = 2; i + 4 < small_jpeg.size(); ++i) {
    if (small_jpeg[i] == 0xFF && small_jpeg[i + 1] == 0xC0) {
      sof_end = i + 2 + (std::size_t{small_jpeg[i + 2]} << 8 | small_jpeg[i + 3]);
      break;
    }
  }
  ASSERT_GT(sof_end, 0u);
  EXPECT_TRUE(probe_image(image_format::jpeg, first(small_jpeg, sof_end), false));
  for (std::size_t n = 0; n < sof_end; ++n) {
    EXPECT_FALSE(probe_image(image_format::jpeg, first(small_jpeg, n), false)) << n;
  }
  const auto webp = image("webp-lossless.webp");
  EXPECT_TRUE(probe_image(image_format::webp, first(webp, 30), false));
  const auto gif = image("gif-animated.gif");
  EXPECT_TRUE(probe_image(image_format::gif, first(gif, 13), false));
  const auto avif = image("avif-64x48.avif");
  // ftyp and meta come first; the pixels (mdat) follow.
  const auto r = probe_image(image_format::avif, first(avif, 300), false);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->width, 64u);
}

TEST(ImageProbe, DimensionLimitsAtNAndNPlusOne) {
  EXPECT_TRUE(probe_image(image_format::png, image("png-30000x2.png"), true));
  EXPECT_EQ(probe_error(image_format::png, image("png-30001x2.png"), true),
            "the image is 30001x2; at most 30000 pixels per side are allowed");
  EXPECT_TRUE(probe_image(image_format::png, image("png-14142x14142-header-only.png"), true));
  EXPECT_EQ(probe_error(image_format::png, image("png-20000x10001-header-only.png"), true),
            "the image is 20000x10001 (200 megapixels); at most 200 megapixels are allowed");
}

TEST(ImageProbe, ZeroSizedImagesAreRefused) {
  // A GIF whose logical screen is 0x0: stb_image reads it; the probe refuses it.
  const std::uint8_t gif[] = {'G', 'I', 'F', '8', '9', 'a', 0, 0, 0, 0, 0, 0, 0, ';'};
  const auto r = probe_image(image_format::gif, gif, true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::verification_failed);
}

TEST(Sniff, MagicNumbers) {
  const auto sniffed = [](std::string_view bytes) {
    return sniff(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  };
  EXPECT_EQ(sniffed("\xFF\xD8\xFF"), image_format::jpeg);
  EXPECT_EQ(sniffed("\xFF\xD8"), std::nullopt);
  EXPECT_EQ(sniffed("\x89PNG\r\n\x1A\n"), image_format::png);
  EXPECT_EQ(sniffed("\x89PNG\r\n\x1A"), std::nullopt);
  EXPECT_EQ(sniffed("GIF87a"), image_format::gif);
  EXPECT_EQ(sniffed("GIF89a"), image_format::gif);
  EXPECT_EQ(sniffed("GIF88a"), std::nullopt);
  using namespace std::string_view_literals;
  EXPECT_EQ(sniffed("RIFF\x10\0\0\0WEBP"sv), image_format::webp);
  EXPECT_EQ(sniffed("RIFF\x10\0\0\0WAVE"sv), std::nullopt);
  // ftyp with the brand as major brand, as compatible brand, and neither (HEIC).
  EXPECT_EQ(sniffed("\0\0\0\x10"
                    "ftypavif\0\0\0\0"sv),
            image_format::avif);
  EXPECT_EQ(sniffed("\0\0\0\x18"
                    "ftypmif1\0\0\0\0"
                    "mif1avis"sv),
            image_format::avif);
  EXPECT_EQ(sniffed("\0\0\0\x18"
                    "ftypheic\0\0\0\0"
                    "mif1heic"sv),
            std::nullopt);
  // A compatible brand past the box's end does not count.
  EXPECT_EQ(sniffed("\0\0\0\x10"
                    "ftypheic\0\0\0\0"
                    "avif"sv),
            std::nullopt);
  // The minor version is not a brand.
  EXPECT_EQ(sniffed("\0\0\0\x14"
                    "ftypheic"
                    "avif"
                    "mif1"sv),
            std::nullopt);
  // 64-bit box size.
  EXPECT_EQ(sniffed("\0\0\0\x01"
                    "ftyp"
                    "\0\0\0\0\0\0\0\x18"
                    "avif\0\0\0\0"sv),
            image_format::avif);
  EXPECT_EQ(sniffed(""), std::nullopt);
}

TEST(ContentTypes, MapBothWays) {
  for (auto f : {image_format::jpeg, image_format::png, image_format::gif, image_format::webp,
                 image_format::avif}) {
    EXPECT_EQ(format_for_content_type(content_type_for(f)), f);
  }
  EXPECT_EQ(content_type_for(image_format::jpeg), "image/jpeg");
  EXPECT_EQ(extension_for(image_format::jpeg), "jpg");
  EXPECT_EQ(extension_for(image_format::webp), "webp");
  EXPECT_EQ(extension_for(image_format::avif), "avif");
  EXPECT_EQ(format_for_content_type("image/jpg"), std::nullopt);
  EXPECT_EQ(format_for_content_type("image/svg+xml"), std::nullopt);
  EXPECT_EQ(format_for_content_type("IMAGE/PNG"), std::nullopt);
}

}  // namespace
}  // namespace onehop::api

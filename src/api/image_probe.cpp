#include "api/image_probe.hpp"

#include <avif/avif.h>
#include <webp/decode.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <memory>
#include <new>
#include <string>

// Debian's libstb is a shared library with the implementation compiled in (it exports
// stbi_info_from_memory), so only the declarations are included here.
#include <stb/stb_image.h>

namespace onehop::api {
namespace {

api_error failed(std::string message) {
  return make_error(errc::verification_failed, std::move(message));
}

bool starts_with(std::span<const std::uint8_t> head, std::string_view magic, std::size_t at = 0) {
  return head.size() >= at + magic.size() &&
         std::memcmp(head.data() + at, magic.data(), magic.size()) == 0;
}

std::uint64_t read_be(std::span<const std::uint8_t> bytes, std::size_t at, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t k = 0; k < n; ++k) {
    v = (v << 8) | bytes[at + k];
  }
  return v;
}

// ISO BMFF: the file starts with an `ftyp` box: size (4), "ftyp", [64-bit size when size is 1],
// major brand (4), minor version (4), compatible brands (4 each) up to the box's end.
bool is_avif(std::span<const std::uint8_t> head) {
  if (!starts_with(head, "ftyp", 4)) {
    return false;
  }
  std::uint64_t box_size = read_be(head, 0, 4);
  std::size_t brands_at = 8;
  if (box_size == 1) {
    if (head.size() < 16) {
      return false;
    }
    box_size = read_be(head, 8, 8);
    brands_at = 16;
  } else if (box_size == 0) {  // the box runs to the end of the file
    box_size = head.size();
  }
  const std::size_t end = static_cast<std::size_t>(std::min<std::uint64_t>(box_size, head.size()));
  const auto is_brand = [&](std::size_t at) {
    return starts_with(head, "avif", at) || starts_with(head, "avis", at);
  };
  if (end >= brands_at + 4 && is_brand(brands_at)) {  // the major brand
    return true;
  }
  for (std::size_t at = brands_at + 8; at + 4 <= end; at += 4) {
    if (is_brand(at)) {
      return true;
    }
  }
  return false;
}

std::string hex_prefix(std::span<const std::uint8_t> head) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < std::min<std::size_t>(head.size(), 8); ++i) {
    if (i != 0) {
      s.push_back(' ');
    }
    s.push_back(digits[head[i] >> 4]);
    s.push_back(digits[head[i] & 0xF]);
  }
  return s;
}

std::string unreadable(image_format f, bool complete, std::string_view detail) {
  std::string m = "the ";
  m.append(display_name(f)).append(" header is unreadable");
  if (!detail.empty()) {
    m.append(" (").append(detail).append(")");
  }
  if (!complete) {
    m.append(" in the first ").append(std::to_string(probe_bytes / 1024)).append(" KiB");
  } else {
    m.append(": the file is damaged or truncated");
  }
  return m;
}

struct dimensions {
  std::uint64_t width = 0;
  std::uint64_t height = 0;
};

bool is_sof(std::uint8_t marker) {
  // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

// Whether the JPEG's frame header (SOF), after whatever APPn, DQT, DHT... segments precede it,
// lies entirely within `head`. stb_image reads zeros past the end of its buffer instead of
// failing, so a header cut short must be caught before it is asked.
bool jpeg_frame_header_within(std::span<const std::uint8_t> head) {
  std::size_t i = 2;  // after SOI
  while (i < head.size()) {
    if (head[i] != 0xFF) {
      return false;  // not a marker: damaged
    }
    while (i < head.size() && head[i] == 0xFF) {  // fill bytes
      ++i;
    }
    if (i >= head.size()) {
      return false;
    }
    const std::uint8_t marker = head[i++];
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
      continue;  // TEM, RSTn, SOI: no length
    }
    if (marker == 0xD9 || marker == 0xDA || i + 2 > head.size()) {
      return false;  // EOI or SOS before any frame header, or cut short
    }
    const std::size_t length = static_cast<std::size_t>(read_be(head, i, 2));
    if (length < 2) {
      return false;
    }
    if (is_sof(marker)) {
      return i + length <= head.size();
    }
    i += length;
  }
  return false;
}

// Whether the fixed-size header that stb_image reads for `f` is all in `head`.
bool stb_header_within(image_format f, std::span<const std::uint8_t> head) {
  switch (f) {
    case image_format::jpeg:
      return jpeg_frame_header_within(head);
    case image_format::png:
      // Signature (8), then the IHDR chunk: length 13, "IHDR", 13 bytes, CRC (4).
      return head.size() >= 33 && read_be(head, 8, 4) == 13 && starts_with(head, "IHDR", 12);
    case image_format::gif:
      return head.size() >= 13;  // signature (6) and logical screen descriptor (7)
    case image_format::webp:
    case image_format::avif:
      break;
  }
  return false;
}

result<dimensions> stb_dimensions(image_format f, std::span<const std::uint8_t> head,
                                  bool complete) {
  if (!stb_header_within(f, head)) {
    return failed(unreadable(f, complete, ""));
  }
  int w = 0;
  int h = 0;
  int components = 0;
  const int len = static_cast<int>(std::min<std::size_t>(head.size(), INT_MAX));
  if (stbi_info_from_memory(head.data(), len, &w, &h, &components) != 1 || w < 0 || h < 0) {
    return failed(unreadable(f, complete, ""));
  }
  return dimensions{static_cast<std::uint64_t>(w), static_cast<std::uint64_t>(h)};
}

result<dimensions> webp_dimensions(std::span<const std::uint8_t> head, bool complete) {
  WebPBitstreamFeatures features{};
  const VP8StatusCode status = WebPGetFeatures(head.data(), head.size(), &features);
  if (status != VP8_STATUS_OK) {
    return failed(unreadable(image_format::webp, complete,
                             status == VP8_STATUS_NOT_ENOUGH_DATA ? "cut short" : ""));
  }
  return dimensions{static_cast<std::uint64_t>(std::max(features.width, 0)),
                    static_cast<std::uint64_t>(std::max(features.height, 0))};
}

// The first bytes of a larger object, as libavif input: reads past them find the end of the
// file there, so parsing stops at what it has. libavif reads `ftyp` and `meta` (where the
// dimensions are) before `mdat` in files as encoders write them.
struct avif_head_io {
  avifIO io{};
  std::span<const std::uint8_t> head;

  static avifResult read(avifIO* io, uint32_t, uint64_t offset, size_t size, avifROData* out) {
    const auto& self = *reinterpret_cast<avif_head_io*>(io);
    const std::size_t at =
        static_cast<std::size_t>(std::min<std::uint64_t>(offset, self.head.size()));
    out->data = self.head.data() + at;
    out->size = std::min(size, self.head.size() - at);
    return AVIF_RESULT_OK;
  }
};

struct avif_decoder_delete {
  void operator()(avifDecoder* d) const noexcept { avifDecoderDestroy(d); }
};

result<dimensions> avif_dimensions(std::span<const std::uint8_t> head, bool complete) {
  avif_head_io head_io;  // declared first: the decoder refers to it until destroyed
  const std::unique_ptr<avifDecoder, avif_decoder_delete> decoder(avifDecoderCreate());
  if (!decoder) {
    throw std::bad_alloc();
  }
  decoder->strictFlags = AVIF_STRICT_ENABLED;
  // libavif refuses bigger images itself, before it would allocate for them.
  decoder->imageSizeLimit = static_cast<std::uint32_t>(max_image_pixels);
  decoder->imageDimensionLimit = max_image_side;
  decoder->ignoreExif = AVIF_TRUE;
  decoder->ignoreXMP = AVIF_TRUE;
  avifResult r = AVIF_RESULT_OK;
  if (complete) {
    r = avifDecoderSetIOMemory(decoder.get(), head.data(), head.size());
  } else {
    // No destroy function: the decoder does not own it.
    head_io.io.read = &avif_head_io::read;
    head_io.io.sizeHint = 0;  // unknown
    head_io.io.persistent = AVIF_TRUE;
    head_io.head = head;
    avifDecoderSetIO(decoder.get(), &head_io.io);
  }
  if (r == AVIF_RESULT_OK) {
    r = avifDecoderParse(decoder.get());
  }
  if (r != AVIF_RESULT_OK) {
    std::string detail = avifResultToString(r);
    if (decoder->diag.error[0] != '\0') {
      detail.append(": ").append(decoder->diag.error);
    }
    return failed(unreadable(image_format::avif, complete, detail));
  }
  return dimensions{decoder->image->width, decoder->image->height};
}

}  // namespace

std::optional<image_format> format_for_content_type(std::string_view content_type) {
  for (auto f : {image_format::jpeg, image_format::png, image_format::gif, image_format::webp,
                 image_format::avif}) {
    if (content_type == content_type_for(f)) {
      return f;
    }
  }
  return std::nullopt;
}

std::string_view extension_for(image_format f) {
  switch (f) {
    case image_format::jpeg:
      return "jpg";
    case image_format::png:
      return "png";
    case image_format::gif:
      return "gif";
    case image_format::webp:
      return "webp";
    case image_format::avif:
      return "avif";
  }
  return "";
}

std::string_view content_type_for(image_format f) {
  switch (f) {
    case image_format::jpeg:
      return "image/jpeg";
    case image_format::png:
      return "image/png";
    case image_format::gif:
      return "image/gif";
    case image_format::webp:
      return "image/webp";
    case image_format::avif:
      return "image/avif";
  }
  return "";
}

std::string_view display_name(image_format f) {
  switch (f) {
    case image_format::jpeg:
      return "JPEG";
    case image_format::png:
      return "PNG";
    case image_format::gif:
      return "GIF";
    case image_format::webp:
      return "WebP";
    case image_format::avif:
      return "AVIF";
  }
  return "";
}

std::optional<image_format> sniff(std::span<const std::uint8_t> head) {
  if (starts_with(head, "\xFF\xD8\xFF")) {
    return image_format::jpeg;
  }
  if (starts_with(head, "\x89PNG\r\n\x1A\n")) {
    return image_format::png;
  }
  if (starts_with(head, "GIF87a") || starts_with(head, "GIF89a")) {
    return image_format::gif;
  }
  if (starts_with(head, "RIFF") && starts_with(head, "WEBP", 8)) {
    return image_format::webp;
  }
  if (is_avif(head)) {
    return image_format::avif;
  }
  return std::nullopt;
}

result<image_info> probe_image(image_format declared, std::span<const std::uint8_t> head,
                               bool complete) {
  if (head.empty()) {
    return failed("the object is empty, not a " + std::string(display_name(declared)) + " image");
  }
  const auto found = sniff(head);
  if (!found) {
    return failed("the object is not an image: its first bytes (" + hex_prefix(head) +
                  ") are not a JPEG, PNG, GIF, WebP or AVIF signature");
  }
  if (*found != declared) {
    return failed("declared " + std::string(content_type_for(declared)) + " but the bytes are a " +
                  std::string(display_name(*found)) + " image");
  }
  result<dimensions> dims = [&]() -> result<dimensions> {
    switch (declared) {
      case image_format::jpeg:
      case image_format::png:
      case image_format::gif:
        return stb_dimensions(declared, head, complete);
      case image_format::webp:
        return webp_dimensions(head, complete);
      case image_format::avif:
        return avif_dimensions(head, complete);
    }
    return failed("unknown image format");
  }();
  if (!dims) {
    return dims.error();
  }
  const std::string size_text = std::to_string(dims->width) + "x" + std::to_string(dims->height);
  if (dims->width == 0 || dims->height == 0) {
    return failed("the image is " + size_text + ": it has no pixels");
  }
  if (dims->width > max_image_side || dims->height > max_image_side) {
    return failed("the image is " + size_text + "; at most " + std::to_string(max_image_side) +
                  " pixels per side are allowed");
  }
  if (dims->width * dims->height > max_image_pixels) {
    return failed("the image is " + size_text + " (" +
                  std::to_string(dims->width * dims->height / 1'000'000) +
                  " megapixels); at most " + std::to_string(max_image_pixels / 1'000'000) +
                  " megapixels are allowed");
  }
  return image_info{declared, static_cast<std::uint32_t>(dims->width),
                    static_cast<std::uint32_t>(dims->height)};
}

}  // namespace onehop::api

#pragma once
// Whether an uploaded object is really the image it was declared as: its magic number, then its
// width and height read from the header by the format's own library (stb_image for JPEG, PNG and
// GIF; libwebp; libavif). Only headers are read, never pixels: completion reads the object's
// first `probe_bytes`, and decoding untrusted pixels is work and attack surface it does not need.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "api/errors.hpp"

namespace onehop::api {

enum class image_format { jpeg, png, gif, webp, avif };

// How many leading bytes of an object the caller fetches for probe_image (or the whole object
// when it is smaller). Headers sit well inside: a JPEG's EXIF segment is at most 64 KiB.
inline constexpr std::size_t probe_bytes = 256 * 1024;
inline constexpr std::uint32_t max_image_side = 30000;
inline constexpr std::uint64_t max_image_pixels = 200'000'000;

// "image/jpeg", "image/png", "image/gif", "image/webp", "image/avif" (exactly, lower case: request
// parsing lower-cases content types); anything else is nullopt.
std::optional<image_format> format_for_content_type(std::string_view content_type);
// "jpg", "png", "gif", "webp", "avif": the object key's extension.
std::string_view extension_for(image_format f);
// "image/jpeg", ...
std::string_view content_type_for(image_format f);
// "JPEG", "PNG", "GIF", "WebP", "AVIF": for messages.
std::string_view display_name(image_format f);

// The format whose magic number `head` starts with, from these bytes alone:
//   JPEG FF D8 FF; PNG 89 50 4E 47 0D 0A 1A 0A; GIF "GIF87a" or "GIF89a";
//   WebP "RIFF" <4 bytes> "WEBP"; AVIF an `ftyp` box first whose major brand or one of whose
//   compatible brands is "avif" or "avis".
std::optional<image_format> sniff(std::span<const std::uint8_t> head);

struct image_info {
  image_format format = image_format::jpeg;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
};

// Checks that `head` (an object's first bytes; `complete` when they are the whole object) is an
// image of the `declared` format and reads its dimensions. errc::verification_failed, with a
// message saying which, when the bytes are no image format known here, are another format than
// the declared one (both named), have a header the library cannot read (or that does not fit in
// `head`), or have a width or height of 0, a side above max_image_side or more than
// max_image_pixels pixels.
result<image_info> probe_image(image_format declared, std::span<const std::uint8_t> head,
                               bool complete);

}  // namespace onehop::api

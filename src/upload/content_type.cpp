#include "upload/content_type.hpp"

#include <array>
#include <cctype>
#include <utility>

#include "api/image_probe.hpp"

namespace onehop::upload {

namespace {

std::optional<std::string_view> type_for_extension(std::string_view filename) {
  const auto dot = filename.rfind('.');
  if (dot == std::string_view::npos) {
    return std::nullopt;
  }
  std::string ext(filename.substr(dot + 1));
  for (char& c : ext) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> table{{
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"png", "image/png"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"avif", "image/avif"},
  }};
  for (const auto& [e, type] : table) {
    if (ext == e) {
      return type;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string detect_content_type(std::span<const std::uint8_t> head, std::string_view filename) {
  if (auto format = api::sniff(head)) {
    return std::string(api::content_type_for(*format));
  }
  // Bytes that are no image: the extension is all there is. The API will refuse the file on
  // completion if it claims an image type, with a message naming the mismatch.
  if (auto type = type_for_extension(filename)) {
    return std::string(*type);
  }
  return "application/octet-stream";
}

}  // namespace onehop::upload

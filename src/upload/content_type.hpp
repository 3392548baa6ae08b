#pragma once
// The Content-Type `onehop upload` declares for a file: what its first bytes are (the API checks
// the same magic numbers on completion, so declaring anything else would only fail later), and
// only when the bytes are no known image format, what its extension says.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace onehop::upload {

// How many leading bytes detect_content_type looks at (enough for every magic number).
inline constexpr std::size_t sniff_bytes = 64;

// "image/png" etc. from `head` (the file's first bytes); else from the extension of `filename`
// (case-insensitive: jpg/jpeg, png, gif, webp, avif); else "application/octet-stream", which the
// API then refuses with its own message.
std::string detect_content_type(std::span<const std::uint8_t> head, std::string_view filename);

}  // namespace onehop::upload

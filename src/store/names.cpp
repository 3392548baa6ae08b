#include "store/names.hpp"

#include <cstdint>

namespace onehop::store {

namespace {

bool is_lower_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// "d.d.d.d" with 1-3 digits per label: S3 refuses names that look like IP addresses, whatever
// the value of each label.
bool looks_like_ipv4(std::string_view s) noexcept {
  int labels = 0;
  std::size_t i = 0;
  while (i <= s.size()) {
    std::size_t digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ++digits;
      ++i;
    }
    if (digits == 0 || digits > 3) {
      return false;
    }
    ++labels;
    if (i == s.size()) {
      break;
    }
    if (s[i] != '.') {
      return false;
    }
    ++i;
  }
  return labels == 4;
}

}  // namespace

result<void> validate_bucket_name(std::string_view name) noexcept {
  if (name.size() < min_bucket_name_bytes || name.size() > max_bucket_name_bytes) {
    return parse_errc::invalid_bucket_name;
  }
  if (!is_lower_alnum(name.front()) || !is_lower_alnum(name.back())) {
    return parse_errc::invalid_bucket_name;
  }
  char previous = '\0';
  for (const char c : name) {
    if (!is_lower_alnum(c) && c != '.' && c != '-') {
      return parse_errc::invalid_bucket_name;
    }
    if (c == '.' && previous == '.') {
      return parse_errc::invalid_bucket_name;
    }
    previous = c;
  }
  if (looks_like_ipv4(name) || name.starts_with("xn--") || name.starts_with("sthree-") ||
      name.ends_with("-s3alias") || name.ends_with("--ol-s3")) {
    return parse_errc::invalid_bucket_name;
  }
  return {};
}

result<void> validate_key(std::string_view key) noexcept {
  if (key.size() > max_key_bytes) {
    return parse_errc::key_too_long;
  }
  if (key.empty() || !is_valid_utf8(key)) {
    return parse_errc::invalid_key;
  }
  return {};
}

bool is_valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  const auto* const end = p + s.size();
  while (p < end) {
    const std::uint8_t c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
      min = 0x10000;
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end - p) <= extra) {
      return false;
    }
    for (std::size_t i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    p += extra + 1;
  }
  return true;
}

}  // namespace onehop::store

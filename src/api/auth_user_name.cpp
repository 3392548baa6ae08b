#include <cstdint>

#include "api/auth.hpp"

namespace onehop::api {

bool valid_user_name(std::string_view user) noexcept {
  if (user.empty() || user.size() > max_user_name_bytes) {
    return false;
  }
  std::size_t i = 0;
  while (i < user.size()) {
    const auto b0 = static_cast<unsigned char>(user[i]);
    if (b0 < 0x80) {
      if (b0 < 0x20 || b0 == 0x7f) {
        return false;
      }
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      len = 2;
      cp = b0 & 0x1f;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      len = 3;
      cp = b0 & 0x0f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      len = 4;
      cp = b0 & 0x07;
    } else {
      return false;  // a continuation byte first, or a lead byte of an overlong or too-big form
    }
    if (user.size() - i < len) {
      return false;
    }
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(user[i + k]);
      if ((b & 0xc0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (b & 0x3f);
    }
    const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    const bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
    const bool c1_control = cp >= 0x80 && cp <= 0x9f;
    if (overlong || surrogate || cp > 0x10ffff || c1_control) {
      return false;
    }
    i += len;
  }
  return true;
}

}  // namespace onehop::api

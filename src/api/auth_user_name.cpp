#include "api/auth.hpp"
#include "sigv4/utf8.hpp"

namespace onehop::api {

bool valid_user_name(std::string_view user) noexcept {
  if (user.empty() || user.size() > max_user_name_bytes) {
    return false;
  }
  for (std::size_t i = 0; i < user.size();) {
    const int length = sigv4::utf8_sequence(user, i);
    if (length < 0) {
      return false;
    }
    const char32_t cp = sigv4::utf8_code_point(user, i, length);
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
      return false;  // C0, DEL and C1 controls
    }
    i += static_cast<std::size_t>(length);
  }
  return true;
}

}  // namespace onehop::api

#include "db/cursor.hpp"

#include <charconv>
#include <cstdint>
#include <limits>
#include <stdexcept>

#include "sigv4/encoding.hpp"

namespace onehop::db {
namespace {

constexpr std::string_view format_prefix = "1.";

bool is_base64url_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

db_error bad_cursor(std::string_view why) {
  return make_error(errc::invalid_cursor, "invalid cursor: " + std::string(why));
}

}  // namespace

result<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) {
    return bad_cursor("truncated base64url");
  }
  std::string standard;
  standard.reserve(text.size() + 2);
  for (char c : text) {
    if (!is_base64url_char(c)) {
      return bad_cursor("not base64url");
    }
    standard.push_back(c == '-' ? '+' : c == '_' ? '/' : c);
  }
  standard.append((4 - standard.size() % 4) % 4, '=');
  // The standard decoder also rejects non-canonical final symbols, so each cursor has exactly one
  // spelling.
  auto decoded = sigv4::base64_decode(standard);
  if (!decoded) {
    return bad_cursor("not canonical base64url");
  }
  return std::move(*decoded);
}

std::string encode_cursor(const cursor_position& position) {
  const auto seconds = position.created_at.time_since_epoch().count();
  if (position.id.empty() || position.id.size() > max_cursor_id_bytes || seconds < 0) {
    throw std::logic_error("encode_cursor: position out of range");
  }
  std::string plain(format_prefix);
  plain += std::to_string(seconds);
  plain += '.';
  plain += position.id;
  return base64url_encode(plain);
}

result<cursor_position> decode_cursor(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > max_cursor_chars) {
    return bad_cursor("length");
  }
  auto plain = base64url_decode(cursor);
  if (!plain) {
    return plain.error();
  }
  std::string_view rest = *plain;
  if (!rest.starts_with(format_prefix)) {
    return bad_cursor("unknown format");
  }
  rest.remove_prefix(format_prefix.size());
  const auto dot = rest.find('.');
  if (dot == std::string_view::npos || dot == 0) {
    return bad_cursor("no time");
  }
  const std::string_view digits = rest.substr(0, dot);
  if (digits.size() > 1 && digits.front() == '0') {
    return bad_cursor("leading zero");
  }
  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
  // from_chars accepts a leading '-'; a negative time is never encoded.
  if (ec != std::errc{} || end != digits.data() + digits.size() || seconds < 0) {
    return bad_cursor("time");
  }
  const std::string_view id = rest.substr(dot + 1);
  if (id.empty() || id.size() > max_cursor_id_bytes) {
    return bad_cursor("id length");
  }
  return cursor_position{std::chrono::sys_seconds(std::chrono::seconds(seconds)), std::string(id)};
}

}  // namespace onehop::db

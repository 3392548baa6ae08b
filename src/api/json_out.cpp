#include "api/json_out.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>

#include "sigv4/utf8.hpp"

namespace onehop::api {
namespace {

// What each byte needs: 0 copy, 1 escape, 2 start of a multi-byte sequence (validate).
constexpr std::array<std::uint8_t, 256> byte_class = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) {
    t[c] = 1;
  }
  t['"'] = 1;
  t['\\'] = 1;
  for (int c = 0x80; c < 0x100; ++c) {
    t[c] = 2;
  }
  return t;
}();

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

void append_escape(std::string& out, unsigned char c) {
  static constexpr char hex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      out.append("\\\"");
      return;
    case '\\':
      out.append("\\\\");
      return;
    case '\b':
      out.append("\\b");
      return;
    case '\f':
      out.append("\\f");
      return;
    case '\n':
      out.append("\\n");
      return;
    case '\r':
      out.append("\\r");
      return;
    case '\t':
      out.append("\\t");
      return;
    default:
      break;
  }
  const char u[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
  out.append(u, sizeof u);
}

// True when none of the 8 bytes in `word` needs attention (byte_class 0): none below 0x20, none
// '"' or '\\', none from 0x80. Lets long clean runs (URLs, keys) be skipped a word at a time.
bool clean_word(std::uint64_t word) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ull;
  constexpr std::uint64_t highs = 0x8080808080808080ull;
  const auto has_zero = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
  const std::uint64_t below_space = (word - ones * 0x20) & ~word & highs;
  return ((word & highs) | below_space | has_zero(word ^ (ones * '"')) |
          has_zero(word ^ (ones * '\\'))) == 0;
}

void append_escaped(std::string& out, std::string_view s) {
  std::size_t run = 0;  // start of the bytes not yet copied
  std::size_t i = 0;
  while (i < s.size()) {
    if (i + 8 <= s.size()) {
      std::uint64_t word;
      std::memcpy(&word, s.data() + i, sizeof word);
      if (clean_word(word)) {
        i += 8;
        continue;
      }
    }
    const std::uint8_t cls = byte_class[static_cast<unsigned char>(s[i])];
    if (cls == 0) {
      ++i;
      continue;
    }
    if (cls == 2) {
      const int n = sigv4::utf8_sequence(s, i);
      if (n > 0) {
        i += static_cast<std::size_t>(n);
        continue;
      }
      out.append(s.data() + run, i - run);
      out.append(replacement);
      i += static_cast<std::size_t>(-n);
      run = i;
      continue;
    }
    out.append(s.data() + run, i - run);
    append_escape(out, static_cast<unsigned char>(s[i]));
    ++i;
    run = i;
  }
  out.append(s.data() + run, s.size() - run);
}

template <class Int>
void append_integer(std::string& out, Int value) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, r.ptr);
}

void put_digits(char* p, unsigned value, int width) {
  for (int k = width - 1; k >= 0; --k) {
    p[k] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  append_escaped(out, s);
  out.push_back('"');
}

void append_json_key(std::string& out, std::string_view key) {
  append_json_string(out, key);
  out.push_back(':');
}

void append_json_number(std::string& out, std::int64_t value) {
  append_integer(out, value);
}
void append_json_number(std::string& out, std::uint64_t value) {
  append_integer(out, value);
}

void append_rfc3339(std::string& out, std::chrono::sys_seconds t) {
  using namespace std::chrono;
  static constexpr sys_seconds first = sys_days{year{0} / January / 1};
  static constexpr sys_seconds last =
      sys_days{year{9999} / December / 31} + hours{23} + minutes{59} + seconds{59};
  t = t < first ? first : (t > last ? last : t);
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> tod{t - day};
  char buf[20];  // YYYY-MM-DDTHH:MM:SSZ
  put_digits(buf, static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
  buf[4] = '-';
  put_digits(buf + 5, static_cast<unsigned>(ymd.month()), 2);
  buf[7] = '-';
  put_digits(buf + 8, static_cast<unsigned>(ymd.day()), 2);
  buf[10] = 'T';
  put_digits(buf + 11, static_cast<unsigned>(tod.hours().count()), 2);
  buf[13] = ':';
  put_digits(buf + 14, static_cast<unsigned>(tod.minutes().count()), 2);
  buf[16] = ':';
  put_digits(buf + 17, static_cast<unsigned>(tod.seconds().count()), 2);
  buf[19] = 'Z';
  out.append(buf, sizeof buf);
}

std::string format_rfc3339(std::chrono::sys_seconds t) {
  std::string out;
  append_rfc3339(out, t);
  return out;
}

void append_json_time(std::string& out, std::chrono::sys_seconds t) {
  out.push_back('"');
  append_rfc3339(out, t);
  out.push_back('"');
}

}  // namespace onehop::api

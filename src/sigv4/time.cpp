#include "sigv4/time.hpp"

#include <stdexcept>

namespace onehop::sigv4 {

namespace {

using namespace std::chrono;

// Reads `n` ASCII digits; -1 if any byte is not a digit.
int read_digits(std::string_view s, std::size_t pos, std::size_t n) noexcept {
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') {
      return -1;
    }
    v = v * 10 + (c - '0');
  }
  return v;
}

void write_digits(char* out, int v, std::size_t n) noexcept {
  for (std::size_t i = n; i-- > 0;) {
    out[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

result<sys_days> make_day(int y, int m, int d) noexcept {
  if (y < 0 || m < 1 || m > 12 || d < 1) {
    return errc::invalid_argument;
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) {  // day beyond the month's last day, leap years included
    return errc::invalid_argument;
  }
  return sys_days{ymd};
}

result<sys_seconds> make_time(sys_days day, int h, int mi, int s) noexcept {
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) {
    return errc::invalid_argument;
  }
  return sys_seconds{day} + hours{h} + minutes{mi} + seconds{s};
}

struct civil {
  int year, month, day, hour, minute, second;
};

civil to_civil(sys_seconds t) {
  if (!is_formattable(t)) {
    throw std::out_of_range("sigv4: time outside years 0000..9999");
  }
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{t - day};
  return {static_cast<int>(ymd.year()),
          static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day())),
          static_cast<int>(hms.hours().count()),
          static_cast<int>(hms.minutes().count()),
          static_cast<int>(hms.seconds().count())};
}

}  // namespace

result<sys_days> parse_date_stamp(std::string_view text) {
  if (text.size() != date_stamp_size) {
    return errc::invalid_argument;
  }
  return make_day(read_digits(text, 0, 4), read_digits(text, 4, 2), read_digits(text, 6, 2));
}

result<sys_seconds> parse_amz_date(std::string_view text) {
  if (text.size() != amz_date_size || text[8] != 'T' || text[15] != 'Z') {
    return errc::invalid_argument;
  }
  auto day = parse_date_stamp(text.substr(0, 8));
  if (!day) {
    return day.error();
  }
  return make_time(*day, read_digits(text, 9, 2), read_digits(text, 11, 2),
                   read_digits(text, 13, 2));
}

result<sys_seconds> parse_iso8601(std::string_view text) {
  if (text.size() < iso8601_size || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
      text[13] != ':' || text[16] != ':' || text.back() != 'Z') {
    return errc::invalid_argument;
  }
  if (text.size() > iso8601_size) {
    // ".d{1,9}Z"
    const std::size_t digits = text.size() - iso8601_size - 1;
    if (text[19] != '.' || digits < 1 || digits > 9 || read_digits(text, 20, digits) < 0) {
      return errc::invalid_argument;
    }
  }
  auto day = make_day(read_digits(text, 0, 4), read_digits(text, 5, 2), read_digits(text, 8, 2));
  if (!day) {
    return day.error();
  }
  return make_time(*day, read_digits(text, 11, 2), read_digits(text, 14, 2),
                   read_digits(text, 17, 2));
}

bool is_formattable(sys_seconds t) noexcept {
  constexpr sys_days first = sys_days{year{0} / January / 1};
  constexpr sys_days past_last = sys_days{year{10000} / January / 1};
  return t >= sys_seconds{first} && t < sys_seconds{past_last};
}

void format_amz_date(sys_seconds t, char* out) {
  const civil c = to_civil(t);
  write_digits(out, c.year, 4);
  write_digits(out + 4, c.month, 2);
  write_digits(out + 6, c.day, 2);
  out[8] = 'T';
  write_digits(out + 9, c.hour, 2);
  write_digits(out + 11, c.minute, 2);
  write_digits(out + 13, c.second, 2);
  out[15] = 'Z';
}

void format_date_stamp(sys_seconds t, char* out) {
  const civil c = to_civil(t);
  write_digits(out, c.year, 4);
  write_digits(out + 4, c.month, 2);
  write_digits(out + 6, c.day, 2);
}

void append_amz_date(std::string& out, sys_seconds t) {
  const std::size_t start = out.size();
  out.resize(start + amz_date_size);
  format_amz_date(t, out.data() + start);
}

void append_iso8601(std::string& out, sys_seconds t, bool with_millis) {
  const civil c = to_civil(t);
  char buf[iso8601_ms_size];
  write_digits(buf, c.year, 4);
  buf[4] = '-';
  write_digits(buf + 5, c.month, 2);
  buf[7] = '-';
  write_digits(buf + 8, c.day, 2);
  buf[10] = 'T';
  write_digits(buf + 11, c.hour, 2);
  buf[13] = ':';
  write_digits(buf + 14, c.minute, 2);
  buf[16] = ':';
  write_digits(buf + 17, c.second, 2);
  std::size_t n = 19;
  if (with_millis) {
    buf[n++] = '.';
    buf[n++] = '0';
    buf[n++] = '0';
    buf[n++] = '0';
  }
  buf[n++] = 'Z';
  out.append(buf, n);
}

std::string format_amz_date(sys_seconds t) {
  std::string out;
  append_amz_date(out, t);
  return out;
}

std::string format_iso8601(sys_seconds t, bool with_millis) {
  std::string out;
  append_iso8601(out, t, with_millis);
  return out;
}

}  // namespace onehop::sigv4

#include "store/conditions.hpp"

#include <array>
#include <cstdio>

namespace onehop::store {

namespace {

constexpr std::array<std::string_view, 12> month_names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> day_names = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// Exactly `digits` ASCII digits (a leading space allowed when `space_pad`, for asctime's day).
bool read_int(std::string_view& s, std::size_t digits, int& out, bool space_pad = false) noexcept {
  if (s.size() < digits) {
    return false;
  }
  int v = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const char c = s[i];
    if (space_pad && i == 0 && c == ' ') {
      continue;
    }
    if (c < '0' || c > '9') {
      return false;
    }
    v = v * 10 + (c - '0');
  }
  s.remove_prefix(digits);
  out = v;
  return true;
}

bool expect(std::string_view& s, std::string_view lit) noexcept {
  if (s.substr(0, lit.size()) != lit) {
    return false;
  }
  s.remove_prefix(lit.size());
  return true;
}

bool read_month(std::string_view& s, int& month) noexcept {
  for (std::size_t i = 0; i < month_names.size(); ++i) {
    if (s.substr(0, 3) == month_names[i]) {
      month = static_cast<int>(i) + 1;
      s.remove_prefix(3);
      return true;
    }
  }
  return false;
}

bool read_time(std::string_view& s, int& h, int& m, int& sec) noexcept {
  return read_int(s, 2, h) && expect(s, ":") && read_int(s, 2, m) && expect(s, ":") &&
         read_int(s, 2, sec);
}

std::optional<std::chrono::sys_seconds> make_time(int year, int month, int day, int h, int m,
                                                  int sec) noexcept {
  using namespace std::chrono;
  // 60 allows a leap second, which is folded into the next minute like most HTTP servers do.
  if (h > 23 || m > 59 || sec > 60) {
    return std::nullopt;
  }
  const year_month_day ymd{std::chrono::year(year),
                           std::chrono::month(static_cast<unsigned>(month)),
                           std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  return sys_days(ymd) + hours(h) + minutes(m) + seconds(sec);
}

// Skips a weekday name: three letters ("Sun") or the full name ("Sunday").
bool skip_weekday(std::string_view& s, bool full) noexcept {
  std::size_t n = 0;
  while (n < s.size() && ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z'))) {
    ++n;
  }
  if (full ? n < 6 || n > 9 : n != 3) {
    return false;
  }
  s.remove_prefix(n);
  return true;
}

std::string_view unquote(std::string_view tag) noexcept {
  tag = trim(tag);
  if (tag.size() >= 2 && tag.substr(0, 2) == "W/") {
    tag.remove_prefix(2);
  }
  if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') {
    tag = tag.substr(1, tag.size() - 2);
  }
  return tag;
}

}  // namespace

bool etag_list_matches(std::string_view header, std::string_view etag) noexcept {
  std::string_view rest = header;
  for (;;) {
    const auto comma = rest.find(',');
    const std::string_view item = trim(rest.substr(0, comma));
    if (item == "*") {
      return true;
    }
    if (!item.empty() && unquote(item) == etag) {
      return true;
    }
    if (comma == std::string_view::npos) {
      return false;
    }
    rest.remove_prefix(comma + 1);
  }
}

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) noexcept {
  if (text.size() > max_http_date_bytes) {
    return std::nullopt;
  }
  std::string_view s = trim(text);
  int year = 0;
  int month = 0;
  int day = 0;
  int h = 0;
  int m = 0;
  int sec = 0;
  if (s.size() > 3 && s[3] == ',') {
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    if (skip_weekday(s, false) && expect(s, ", ") && read_int(s, 2, day) && expect(s, " ") &&
        read_month(s, month) && expect(s, " ") && read_int(s, 4, year) && expect(s, " ") &&
        read_time(s, h, m, sec) && expect(s, " GMT") && s.empty()) {
      return make_time(year, month, day, h, m, sec);
    }
    return std::nullopt;
  }
  if (s.size() > 3 && s[3] == ' ') {
    // asctime: "Sun Nov  6 08:49:37 1994"
    if (skip_weekday(s, false) && expect(s, " ") && read_month(s, month) && expect(s, " ") &&
        read_int(s, 2, day, true) && expect(s, " ") && read_time(s, h, m, sec) && expect(s, " ") &&
        read_int(s, 4, year) && s.empty()) {
      return make_time(year, month, day, h, m, sec);
    }
    return std::nullopt;
  }
  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"; two-digit years per RFC 9110 §5.6.7 (a year
  // more than 50 years ahead is taken as the past century; we pivot at 70 like most servers).
  if (skip_weekday(s, true) && expect(s, ", ") && read_int(s, 2, day) && expect(s, "-") &&
      read_month(s, month) && expect(s, "-") && read_int(s, 2, year) && expect(s, " ") &&
      read_time(s, h, m, sec) && expect(s, " GMT") && s.empty()) {
    year += year < 70 ? 2000 : 1900;
    return make_time(year, month, day, h, m, sec);
  }
  return std::nullopt;
}

std::string format_http_date(std::chrono::sys_seconds t) {
  using namespace std::chrono;
  const sys_days days = floor<std::chrono::days>(t);
  const year_month_day ymd{days};
  const hh_mm_ss<seconds> hms{t - days};
  const weekday wd{days};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                day_names[wd.c_encoding()].data(), static_cast<unsigned>(ymd.day()),
                month_names[static_cast<unsigned>(ymd.month()) - 1].data(),
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

condition_outcome evaluate_read_conditions(const conditional_headers& h, std::string_view etag,
                                           timestamp last_modified) noexcept {
  const auto lm = std::chrono::floor<std::chrono::seconds>(last_modified);
  if (h.if_match) {
    if (!etag_list_matches(*h.if_match, etag)) {
      return condition_outcome::precondition_failed;
    }
  } else if (h.if_unmodified_since) {
    if (const auto date = parse_http_date(*h.if_unmodified_since); date && lm > *date) {
      return condition_outcome::precondition_failed;
    }
  }
  if (h.if_none_match) {
    if (etag_list_matches(*h.if_none_match, etag)) {
      return condition_outcome::not_modified;
    }
  } else if (h.if_modified_since) {
    if (const auto date = parse_http_date(*h.if_modified_since); date && lm <= *date) {
      return condition_outcome::not_modified;
    }
  }
  return condition_outcome::proceed;
}

condition_outcome evaluate_write_conditions(
    std::optional<std::string_view> if_match, std::optional<std::string_view> if_none_match,
    const std::optional<std::string>& current_etag) noexcept {
  if (if_none_match && current_etag && etag_list_matches(*if_none_match, *current_etag)) {
    return condition_outcome::precondition_failed;
  }
  if (if_match) {
    if (!current_etag) {
      return condition_outcome::no_such_key;
    }
    if (!etag_list_matches(*if_match, *current_etag)) {
      return condition_outcome::precondition_failed;
    }
  }
  return condition_outcome::proceed;
}

}  // namespace onehop::store

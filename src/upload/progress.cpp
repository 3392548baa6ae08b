#include "upload/progress.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace onehop::upload {

namespace {

constexpr std::size_t bar_cells = 20;
constexpr std::size_t min_name_columns = 8;
constexpr std::string_view ellipsis = "\xE2\x80\xA6";  // "…": one column, three bytes

std::string fixed(double value, int decimals) {
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%.*f", decimals, value);
  return buf.data();
}

// Shortens `name` to `columns` columns (counting UTF-8 code points, not bytes), keeping the start
// and the end (the extension).
std::string fit_name(std::string_view name, std::size_t columns) {
  std::vector<std::string_view> points;
  for (std::size_t i = 0; i < name.size();) {
    std::size_t n = 1;
    while (i + n < name.size() && (static_cast<unsigned char>(name[i + n]) & 0xC0) == 0x80) {
      ++n;
    }
    points.push_back(name.substr(i, n));
    i += n;
  }
  if (points.size() <= columns) {
    return std::string(name);
  }
  const std::size_t keep = columns > 1 ? columns - 1 : 0;
  const std::size_t tail = keep / 3;
  const std::size_t head = keep - tail;
  std::string out;
  for (std::size_t i = 0; i < head; ++i) {
    out += points[i];
  }
  out += ellipsis;
  for (std::size_t i = points.size() - tail; i < points.size(); ++i) {
    out += points[i];
  }
  return out;
}

std::size_t columns_of(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string rate_text(double bytes_per_second) {
  if (bytes_per_second <= 0) {
    return "";
  }
  return format_bytes(static_cast<std::uint64_t>(bytes_per_second)) + "/s";
}

}  // namespace

std::string format_bytes(std::uint64_t bytes) {
  static constexpr std::array<std::string_view, 5> units{"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) {
    return std::to_string(bytes) + " B";
  }
  double value = static_cast<double>(bytes) / 1024.0;
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < units.size()) {
    value /= 1024.0;
    ++unit;
  }
  const int decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return fixed(value, decimals) + " " + std::string(units[unit]);
}

unsigned percent(std::uint64_t done, std::uint64_t total) {
  if (total == 0) {
    return 0;
  }
  done = std::min(done, total);
  if (done == total) {
    return 100;
  }
  // In floating point so no size can overflow a product; a file not yet done never shows 100.
  const auto p =
      static_cast<unsigned>(static_cast<double>(done) / static_cast<double>(total) * 100);
  return std::min(p, 99U);
}

std::string render_bar(const progress_view& view, std::size_t width) {
  std::string status;
  switch (view.state) {
    case file_state::waiting:
      status = "waiting";
      break;
    case file_state::hashing:
      status = "hashing " + format_bytes(view.total_bytes);
      break;
    case file_state::done:
      status = "done  " + format_bytes(view.total_bytes);
      break;
    case file_state::failed:
      status = "failed: " + view.reason;
      break;
    case file_state::uploading:
    case file_state::completing: {
      const unsigned p = percent(view.done_bytes, view.total_bytes);
      const std::size_t filled = bar_cells * p / 100;
      status = "[" + std::string(filled, '#') + std::string(bar_cells - filled, '-') + "] ";
      std::string pct = std::to_string(p) + "%";
      status += std::string(pct.size() < 4 ? 4 - pct.size() : 0, ' ') + pct;
      status += "  " + format_bytes(view.done_bytes) + "/" + format_bytes(view.total_bytes);
      if (view.state == file_state::completing) {
        status += "  verifying";
      } else if (auto rate = rate_text(view.bytes_per_second); !rate.empty()) {
        status += "  " + rate;
      }
      break;
    }
  }
  const std::size_t status_columns = columns_of(status);
  const std::size_t name_columns =
      width > status_columns + 2 + min_name_columns ? width - status_columns - 2 : min_name_columns;
  std::string line = fit_name(view.name, name_columns) + "  " + status;
  // The status itself may be too long (a long reason): cut at the width, on a code point.
  if (columns_of(line) > width) {
    std::string cut;
    std::size_t cols = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const bool starts_point = (static_cast<unsigned char>(line[i]) & 0xC0) != 0x80;
      if (starts_point && ++cols > width) {
        break;
      }
      cut += line[i];
    }
    line = std::move(cut);
  }
  return line;
}

std::string render_start_line(std::string_view name, std::uint64_t total_bytes) {
  return "start  " + std::string(name) + " (" + format_bytes(total_bytes) + ")";
}

std::string render_end_line(const progress_view& view, double seconds) {
  if (view.state == file_state::failed) {
    return "failed " + view.name + ": " + view.reason;
  }
  return "done   " + view.name + " (" + format_bytes(view.total_bytes) + " in " +
         fixed(seconds, 1) + " s)";
}

std::string render_summary(std::size_t uploaded, std::size_t failed, std::uint64_t bytes,
                           double seconds) {
  const double mib = static_cast<double>(bytes) / (1024.0 * 1024.0);
  return std::to_string(uploaded) + " uploaded, " + std::to_string(failed) + " failed (" +
         fixed(mib, 1) + " MiB in " + fixed(seconds, 1) + " s)";
}

std::string render_redraw(const std::vector<std::string>& lines, std::size_t previous_lines) {
  std::string out;
  if (previous_lines > 0) {
    out += "\x1b[" + std::to_string(previous_lines) + "A";  // cursor up
  }
  for (const auto& line : lines) {
    out += "\r\x1b[2K";  // start of line, erase it
    out += line;
    out += '\n';
  }
  // A block that shrank leaves old lines below: erase them (cursor stays at the block's end).
  if (previous_lines > lines.size()) {
    out += "\x1b[J";
  }
  return out;
}

}  // namespace onehop::upload

#pragma once
// What `onehop upload` prints: progress bar lines, start and end lines, the summary, and the
// ANSI sequence that redraws a block of bars in place. Pure string building; the caller decides
// where (and whether: bars only when stdout is a terminal) they go.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onehop::upload {

enum class file_state { waiting, hashing, uploading, completing, done, failed };

// One file's progress as the bar shows it.
struct progress_view {
  std::string name;
  file_state state = file_state::waiting;
  std::uint64_t done_bytes = 0;
  std::uint64_t total_bytes = 0;
  double bytes_per_second = 0;  // 0: unknown
  std::string reason;           // failed
};

// "0 B", "999 B", "1.0 KiB", "40.0 MiB", "1.50 GiB": binary units, 3 significant digits.
std::string format_bytes(std::uint64_t bytes);

// Integer percent 0..100; an empty file is 100 once done, 0 before.
unsigned percent(std::uint64_t done, std::uint64_t total);

// One bar line, at most `width` columns (the name is shortened with "…" to fit):
//   "cat.png  [#########-----------]  45%  18.0 MiB/40.0 MiB  12.3 MiB/s"
// A failed file shows "failed: <reason>" instead of the bar, a finished one "done".
std::string render_bar(const progress_view& view, std::size_t width);

// The lines when stdout is not a terminal.
std::string render_start_line(std::string_view name, std::uint64_t total_bytes);
std::string render_end_line(const progress_view& view, double seconds);

// "N uploaded, M failed (X MiB in Y s)".
std::string render_summary(std::size_t uploaded, std::size_t failed, std::uint64_t bytes,
                           double seconds);

// Moves the cursor up over the `previous_lines` lines drawn last time and draws `lines` over
// them, clearing each line first. Every line ends with '\n', so the cursor ends below the block.
std::string render_redraw(const std::vector<std::string>& lines, std::size_t previous_lines);

}  // namespace onehop::upload

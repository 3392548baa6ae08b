#include "upload/progress.hpp"

#include <gtest/gtest.h>

namespace onehop::upload {
namespace {

std::size_t columns(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) {
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  }
  return n;
}

TEST(progress, bytes_in_binary_units) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1024), "1.00 KiB");
  EXPECT_EQ(format_bytes(1536), "1.50 KiB");
  EXPECT_EQ(format_bytes(40ULL << 20), "40.0 MiB");
  EXPECT_EQ(format_bytes(200ULL << 20), "200 MiB");
  EXPECT_EQ(format_bytes(3ULL << 30), "3.00 GiB");
}

TEST(progress, percent_never_claims_100_before_the_end) {
  EXPECT_EQ(percent(0, 100), 0U);
  EXPECT_EQ(percent(45, 100), 45U);
  EXPECT_EQ(percent(999'999, 1'000'000), 99U);
  EXPECT_EQ(percent(100, 100), 100U);
  EXPECT_EQ(percent(200, 100), 100U);  // clamped
  EXPECT_EQ(percent(0, 0), 0U);
  EXPECT_EQ(percent(1ULL << 62, 1ULL << 63), 50U);  // no overflow
}

TEST(progress, bar_shows_name_percent_bytes_and_rate) {
  progress_view v;
  v.name = "cat.png";
  v.state = file_state::uploading;
  v.done_bytes = 18ULL << 20;
  v.total_bytes = 40ULL << 20;
  v.bytes_per_second = 12.5 * (1 << 20);
  const auto line = render_bar(v, 100);
  EXPECT_EQ(line, "cat.png  [#########-----------]  45%  18.0 MiB/40.0 MiB  12.5 MiB/s");
}

TEST(progress, bar_fits_the_width_by_shortening_the_name) {
  progress_view v;
  v.name = std::string(100, 'n') + ".png";
  v.state = file_state::uploading;
  v.done_bytes = 1;
  v.total_bytes = 2;
  const auto line = render_bar(v, 60);
  EXPECT_EQ(columns(line), 60U);
  EXPECT_NE(line.find("\xE2\x80\xA6"), std::string::npos);
  EXPECT_NE(line.find("png  ["), std::string::npos);  // the extension is kept
}

TEST(progress, bar_never_cuts_a_multibyte_character) {
  progress_view v;
  v.name = "photo";
  v.state = file_state::failed;
  v.reason = std::string(50, 'x') + "\xC3\xA9\xC3\xA9\xC3\xA9";
  for (std::size_t width = 20; width < 80; ++width) {
    const auto line = render_bar(v, width);
    EXPECT_LE(columns(line), width);
    ASSERT_FALSE(line.empty());
    EXPECT_NE(static_cast<unsigned char>(line.back()), 0xC3U) << width;
  }
}

TEST(progress, finished_and_failed_states) {
  progress_view v;
  v.name = "a.png";
  v.total_bytes = 2048;
  v.state = file_state::done;
  EXPECT_EQ(render_bar(v, 80), "a.png  done  2.00 KiB");
  v.state = file_state::failed;
  v.reason = "content type text/plain is not allowed (unsupported_type)";
  EXPECT_EQ(render_bar(v, 200), "a.png  failed: " + v.reason);
  v.state = file_state::completing;
  v.done_bytes = 2048;
  EXPECT_NE(render_bar(v, 200).find("100%"), std::string::npos);
  EXPECT_NE(render_bar(v, 200).find("verifying"), std::string::npos);
}

TEST(progress, plain_lines) {
  EXPECT_EQ(render_start_line("a.png", 3 << 20), "start  a.png (3.00 MiB)");
  progress_view v;
  v.name = "a.png";
  v.total_bytes = 3 << 20;
  v.state = file_state::done;
  EXPECT_EQ(render_end_line(v, 1.25), "done   a.png (3.00 MiB in 1.2 s)");
  v.state = file_state::failed;
  v.reason = "storage: AccessDenied";
  EXPECT_EQ(render_end_line(v, 1), "failed a.png: storage: AccessDenied");
}

TEST(progress, summary_line) {
  EXPECT_EQ(render_summary(4, 1, 42ULL << 20, 3.04), "4 uploaded, 1 failed (42.0 MiB in 3.0 s)");
  EXPECT_EQ(render_summary(0, 0, 0, 0), "0 uploaded, 0 failed (0.0 MiB in 0.0 s)");
}

TEST(progress, redraw_moves_up_over_the_previous_block) {
  EXPECT_EQ(render_redraw({"a", "b"}, 0), "\r\x1b[2Ka\n\r\x1b[2Kb\n");
  EXPECT_EQ(render_redraw({"a", "b"}, 2), "\x1b[2A\r\x1b[2Ka\n\r\x1b[2Kb\n");
  EXPECT_EQ(render_redraw({"a"}, 2), "\x1b[2A\r\x1b[2Ka\n\x1b[J");
}

}  // namespace
}  // namespace onehop::upload

// The Range header against an object size.

#include "store/range.hpp"

#include <gtest/gtest.h>

// g++ 12 warns when a designated initializer leaves members at their defaults, which is what
// these tests use designated initializers for.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace onehop::store {
namespace {

range_decision partial(std::uint64_t first, std::uint64_t last) {
  return {range_kind::partial, {first, last}};
}

void expect_decision(std::string_view header, std::uint64_t size, range_decision want) {
  const range_decision got = evaluate_range(header, size);
  EXPECT_EQ(got.kind, want.kind) << header << " size " << size;
  if (want.kind == range_kind::partial) {
    EXPECT_EQ(got.range, want.range) << header << " size " << size;
  }
}

const range_decision full{};
const range_decision unsatisfiable{range_kind::unsatisfiable, {}};

TEST(range, closed_ranges) {
  expect_decision("bytes=0-0", 10, partial(0, 0));
  expect_decision("bytes=0-9", 10, partial(0, 9));
  expect_decision("bytes=2-5", 10, partial(2, 5));
  // Last beyond the end is clamped.
  expect_decision("bytes=5-100", 10, partial(5, 9));
  expect_decision("bytes=9-9", 10, partial(9, 9));
  // First at or beyond the end: 416.
  expect_decision("bytes=10-10", 10, unsatisfiable);
  expect_decision("bytes=10-20", 10, unsatisfiable);
}

TEST(range, open_and_suffix_ranges) {
  expect_decision("bytes=3-", 10, partial(3, 9));
  expect_decision("bytes=0-", 10, partial(0, 9));
  expect_decision("bytes=9-", 10, partial(9, 9));
  expect_decision("bytes=10-", 10, unsatisfiable);
  expect_decision("bytes=-1", 10, partial(9, 9));
  expect_decision("bytes=-10", 10, partial(0, 9));
  expect_decision("bytes=-11", 10, partial(0, 9));
  expect_decision("bytes=-0", 10, unsatisfiable);
}

TEST(range, empty_object_is_unsatisfiable) {
  expect_decision("bytes=0-", 0, unsatisfiable);
  expect_decision("bytes=0-0", 0, unsatisfiable);
  expect_decision("bytes=-5", 0, unsatisfiable);
  expect_decision("", 0, full);
}

TEST(range, malformed_headers_are_ignored) {
  for (std::string_view h :
       {"", "bytes", "bytes=", "bytes=-", "bytes=a-b", "bytes=5-2", "bytes=1-2,4-5", "items=0-1",
        "bytes=0x1-2", "bytes=+1-2", "bytes=1--2", "bytes 0-1", "=0-1", "bytes=1-2-3"}) {
    expect_decision(h, 10, full);
  }
}

TEST(range, spacing_case_and_huge_numbers) {
  expect_decision("  Bytes = 1 - 2 ", 10, partial(1, 2));
  expect_decision("BYTES=1-2", 10, partial(1, 2));
  expect_decision("bytes=0-99999999999999999999999999", 10, partial(0, 9));
  expect_decision("bytes=99999999999999999999999999-", 10, unsatisfiable);
  expect_decision("bytes=-99999999999999999999999999", 10, partial(0, 9));
  expect_decision("bytes=0-18446744073709551615", 18446744073709551615ull,
                  partial(0, 18446744073709551614ull));
}

TEST(range, header_length_at_n_and_n_plus_one) {
  std::string at_cap = "bytes=1-2";
  at_cap.append(max_range_header_bytes - at_cap.size(), ' ');
  ASSERT_EQ(at_cap.size(), max_range_header_bytes);
  expect_decision(at_cap, 10, partial(1, 2));
  expect_decision(at_cap + " ", 10, full);
}

TEST(range, content_range_strings) {
  EXPECT_EQ(content_range({2, 5}, 10), "bytes 2-5/10");
  EXPECT_EQ(unsatisfied_content_range(10), "bytes */10");
  EXPECT_EQ((byte_range{2, 5}.length()), 4u);
}

}  // namespace
}  // namespace onehop::store

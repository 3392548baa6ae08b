// ListObjectsV2 over an index: pure, so every case is plain data.

#include "store/listing.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

// g++ 12 warns when a designated initializer leaves members at their defaults, which is what
// these tests use designated initializers for.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace onehop::store {
namespace {

object_index make_index(std::initializer_list<std::string> keys) {
  object_index index;
  std::uint64_t size = 0;
  for (const auto& k : keys) {
    index.emplace(k, object_summary{size++, "etag-" + k, {}});
  }
  return index;
}

std::vector<std::string> keys_of(const list_page& page) {
  std::vector<std::string> out;
  for (const auto& e : page.contents) {
    out.push_back(e.key);
  }
  return out;
}

using strings = std::vector<std::string>;

TEST(listing, whole_bucket_in_byte_order) {
  // "é" is 0xC3 0xA9, "😀" 0xF0 ...: UTF-8 byte order, which is code point order.
  const auto index = make_index({"b", "a", "\xC3\xA9", "\xF0\x9F\x98\x80", "Z", "a/b", "a0"});
  auto page = list_objects(index, {});
  ASSERT_TRUE(page);
  EXPECT_EQ(keys_of(*page), (strings{"Z", "a", "a/b", "a0", "b", "\xC3\xA9", "\xF0\x9F\x98\x80"}));
  EXPECT_FALSE(page->is_truncated);
  EXPECT_TRUE(page->next_continuation_token.empty());
  EXPECT_EQ(page->contents[0].summary.etag, "etag-Z");
}

TEST(listing, prefix) {
  const auto index = make_index({"a", "ab", "abc", "b", "aa/x"});
  auto page = list_objects(index, {.prefix = "ab"});
  ASSERT_TRUE(page);
  EXPECT_EQ(keys_of(*page), (strings{"ab", "abc"}));
  page = list_objects(index, {.prefix = "zzz"});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->key_count(), 0u);
}

TEST(listing, delimiter_rolls_up_common_prefixes_once) {
  const auto index = make_index({"a/1", "a/2", "a/b/3", "b", "c/", "c/d", "d//e", "/lead"});
  auto page = list_objects(index, {.delimiter = "/"});
  ASSERT_TRUE(page);
  EXPECT_EQ(keys_of(*page), (strings{"b"}));
  EXPECT_EQ(page->common_prefixes, (strings{"/", "a/", "c/", "d/"}));
  page = list_objects(index, {.prefix = "a/", .delimiter = "/"});
  ASSERT_TRUE(page);
  EXPECT_EQ(keys_of(*page), (strings{"a/1", "a/2"}));
  EXPECT_EQ(page->common_prefixes, (strings{"a/b/"}));
  // A key equal to the prefix is listed as a key.
  page = list_objects(index, {.prefix = "c/", .delimiter = "/"});
  ASSERT_TRUE(page);
  EXPECT_EQ(keys_of(*page), (strings{"c/", "c/d"}));
  EXPECT_TRUE(page->common_prefixes.empty());
  page = list_objects(index, {.prefix = "d/", .delimiter = "/"});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->common_prefixes, (strings{"d//"}));
}

TEST(listing, other_delimiters) {
  const auto index = make_index({"2024-01-a", "2024-01-b", "2024-02-a", "2025", "x--y--z"});
  auto page = list_objects(index, {.delimiter = "-"});
  ASSERT_TRUE(page);
  EXPECT_EQ(keys_of(*page), (strings{"2025"}));
  EXPECT_EQ(page->common_prefixes, (strings{"2024-", "x-"}));
  page = list_objects(index, {.prefix = "2024-", .delimiter = "-"});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->common_prefixes, (strings{"2024-01-", "2024-02-"}));
  page = list_objects(index, {.delimiter = "--"});
  ASSERT_TRUE(page);
  EXPECT_EQ(keys_of(*page), (strings{"2024-01-a", "2024-01-b", "2024-02-a", "2025"}));
  EXPECT_EQ(page->common_prefixes, (strings{"x--"}));
  // Multi-byte UTF-8 delimiter.
  const auto uni =
      make_index({"a\xC3\xA9"
                  "b",
                  "a\xC3\xA9"
                  "c",
                  "ab"});
  page = list_objects(uni, {.delimiter = "\xC3\xA9"});
  ASSERT_TRUE(page);
  EXPECT_EQ(keys_of(*page), (strings{"ab"}));
  EXPECT_EQ(page->common_prefixes, (strings{"a\xC3\xA9"}));
}

TEST(listing, max_keys_at_limits) {
  object_index index;
  for (int i = 0; i < 1001; ++i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "k%04d", i);
    index.emplace(buf, object_summary{});
  }
  auto page = list_objects(index, {.max_keys = 0});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->key_count(), 0u);
  EXPECT_FALSE(page->is_truncated);
  page = list_objects(index, {.max_keys = 1});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->key_count(), 1u);
  EXPECT_TRUE(page->is_truncated);
  page = list_objects(index, {.max_keys = 1000});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->key_count(), 1000u);
  EXPECT_TRUE(page->is_truncated);
  // 1001 is clamped to 1000, as S3 does.
  page = list_objects(index, {.max_keys = 1001});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->key_count(), 1000u);
  EXPECT_TRUE(page->is_truncated);
  // Exactly as many keys as max_keys: not truncated.
  index.erase("k1000");
  page = list_objects(index, {.max_keys = 1000});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->key_count(), 1000u);
  EXPECT_FALSE(page->is_truncated);
}

TEST(listing, continuation_resumes_after_a_common_prefix) {
  const auto index = make_index({"a/1", "a/2", "a/3", "b", "c/1"});
  auto first = list_objects(index, {.delimiter = "/", .max_keys = 1});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->common_prefixes, (strings{"a/"}));
  ASSERT_TRUE(first->is_truncated);
  auto second = list_objects(
      index,
      {.delimiter = "/", .continuation_token = first->next_continuation_token, .max_keys = 1});
  ASSERT_TRUE(second);
  EXPECT_EQ(keys_of(*second), (strings{"b"}));
  EXPECT_TRUE(second->common_prefixes.empty());
  auto third = list_objects(
      index,
      {.delimiter = "/", .continuation_token = second->next_continuation_token, .max_keys = 1});
  ASSERT_TRUE(third);
  EXPECT_EQ(third->common_prefixes, (strings{"c/"}));
  EXPECT_FALSE(third->is_truncated);
}

TEST(listing, start_after) {
  const auto index = make_index({"a", "b", "c", "d/1", "d/2"});
  auto page = list_objects(index, {.start_after = "b"});
  ASSERT_TRUE(page);
  EXPECT_EQ(keys_of(*page), (strings{"c", "d/1", "d/2"}));
  // Not a key itself.
  page = list_objects(index, {.start_after = "bb"});
  ASSERT_TRUE(page);
  EXPECT_EQ(keys_of(*page), (strings{"c", "d/1", "d/2"}));
  // Before the prefix: the prefix wins.
  page = list_objects(index, {.prefix = "d/", .start_after = "a"});
  ASSERT_TRUE(page);
  EXPECT_EQ(keys_of(*page), (strings{"d/1", "d/2"}));
  // Inside a common prefix: later keys under it still roll up.
  page = list_objects(index, {.delimiter = "/", .start_after = "d/1"});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->common_prefixes, (strings{"d/"}));
  // After everything.
  page = list_objects(index, {.start_after = "z"});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->key_count(), 0u);
  // The token wins over start-after.
  const std::string token = encode_continuation_token(false, "c");
  page = list_objects(index, {.start_after = "a", .continuation_token = token});
  ASSERT_TRUE(page);
  EXPECT_EQ(keys_of(*page), (strings{"d/1", "d/2"}));
}

TEST(listing, bad_tokens_are_invalid_argument) {
  const auto index = make_index({"a"});
  for (std::string bad : {std::string(""), std::string("!!!!"), std::string("a"),
                          encode_continuation_token(false, "a").substr(0, 1),
                          std::string("eA"),  // decodes to "x": unknown kind
                          std::string(max_continuation_token_bytes + 1, 'A')}) {
    auto page = list_objects(index, {.continuation_token = bad});
    ASSERT_FALSE(page) << bad;
    EXPECT_EQ(page.error(), make_error_code(errc::invalid_argument));
  }
}

TEST(listing, token_round_trip_and_size_limit) {
  const std::string longest(1024, '\xff');
  const std::string token = encode_continuation_token(true, longest);
  EXPECT_LE(token.size(), max_continuation_token_bytes);
  auto back = decode_continuation_token(token);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->is_prefix);
  EXPECT_EQ(back->item, longest);
  // Non-canonical spelling (non-zero leftover bits) is refused.
  EXPECT_TRUE(decode_continuation_token("aw"));   // "k"
  EXPECT_FALSE(decode_continuation_token("ax"));  // "k" with junk bits
  // At the cap (1536 bytes encode to exactly 2048 characters) and beyond.
  const std::string at_cap = encode_continuation_token(false, std::string(1535, 'q'));
  ASSERT_EQ(at_cap.size(), max_continuation_token_bytes);
  EXPECT_TRUE(decode_continuation_token(at_cap));
  EXPECT_FALSE(decode_continuation_token(at_cap + "A"));
}

TEST(listing, prefix_successor) {
  EXPECT_EQ(prefix_successor("a/"), "a0");
  EXPECT_EQ(prefix_successor("a\xff"), "b");
  EXPECT_EQ(prefix_successor("\xff\xff"), "");
  EXPECT_EQ(prefix_successor(""), "");
}

TEST(listing, common_prefix_of_ff_bytes_reaches_the_end) {
  const auto index = make_index({"\xff/a", "\xff/b"});
  auto page = list_objects(index, {.delimiter = "/"});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->common_prefixes, (strings{"\xff/"}));
}

// Paging property: for every page size, the pages concatenated equal the one-page listing,
// with no duplicates, whatever the keys, prefix and delimiter.
TEST(listing, pages_concatenate_to_the_full_listing) {
  std::mt19937 rng(12345);
  const std::string alphabet[] = {"a", "b", "/", "-", "\xC3\xA9", "\xff"};
  for (int round = 0; round < 30; ++round) {
    object_index index;
    for (int i = 0; i < 40; ++i) {
      std::string key;
      const int len = 1 + static_cast<int>(rng() % 6);
      for (int j = 0; j < len; ++j) {
        key += alphabet[rng() % std::size(alphabet)];
      }
      index.emplace(key, object_summary{});
    }
    for (const std::string delimiter : {"", "/", "-", "a/"}) {
      for (const std::string prefix : {"", "a", "a/", "b"}) {
        list_params all{.prefix = prefix, .delimiter = delimiter};
        auto full = list_objects(index, all);
        ASSERT_TRUE(full);
        for (std::size_t max_keys = 1; max_keys <= 5; ++max_keys) {
          strings keys;
          strings prefixes;
          std::optional<std::string> token;
          for (int guard = 0; guard < 100; ++guard) {
            list_params p{.prefix = prefix,
                          .delimiter = delimiter,
                          .continuation_token = token,
                          .max_keys = max_keys};
            auto page = list_objects(index, p);
            ASSERT_TRUE(page);
            ASSERT_LE(page->key_count(), max_keys);
            for (const auto& e : page->contents) {
              keys.push_back(e.key);
            }
            prefixes.insert(prefixes.end(), page->common_prefixes.begin(),
                            page->common_prefixes.end());
            if (!page->is_truncated) {
              break;
            }
            ASSERT_EQ(page->key_count(), max_keys);
            token = page->next_continuation_token;
          }
          EXPECT_EQ(keys, keys_of(*full)) << "delimiter=" << delimiter << " prefix=" << prefix;
          EXPECT_EQ(prefixes, full->common_prefixes);
          EXPECT_EQ(std::set<std::string>(prefixes.begin(), prefixes.end()).size(),
                    prefixes.size());
        }
      }
    }
  }
}

}  // namespace
}  // namespace onehop::store

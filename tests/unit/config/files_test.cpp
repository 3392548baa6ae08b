// The files around the configuration: load(), the example file, and the reference docs.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config.hpp"
#include "config/schema.hpp"
#include "test_support.hpp"

namespace onehop::config {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::filesystem::path repo = std::filesystem::path(ONEHOP_TEST_DATA) / ".." / "..";

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  EXPECT_TRUE(in) << file;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class temp_file {
 public:
  explicit temp_file(std::string_view text)
      : path_(std::filesystem::temp_directory_path() /
              (std::string("onehop-config-test-") + std::to_string(::getpid()) + ".toml")) {
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~temp_file() { std::filesystem::remove(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(load, reads_the_file_and_names_it_in_messages) {
  temp_file file("[store]\nbuckets = [\"from-file\"]\n\n[log]\nlevel = \"chatty\"\n");
  auto r = load(file.path(), testing::no_env);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, StartsWith(file.path().string() + ":5: [log] level:"));
  auto fixed = load(file.path(), testing::env_of({{"ONEHOP_LOG_LEVEL", "warn"}}));
  // The file's bad value is still an error: every line of the file must be valid.
  EXPECT_FALSE(fixed);
}

TEST(load, good_file) {
  temp_file file("[store]\nbuckets = [\"from-file\"]\n");
  auto r = load(file.path(), testing::no_env);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->store.buckets, std::vector<std::string>{"from-file"});
}

TEST(load, missing_file_is_an_error_naming_it) {
  auto r = load("/nonexistent/onehop.toml", testing::no_env);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "cannot read config file '/nonexistent/onehop.toml': No such file or directory");
  auto dir = load(std::filesystem::temp_directory_path(), testing::no_env);
  ASSERT_FALSE(dir);
  EXPECT_THAT(dir.error().message, StartsWith("cannot read config file"));
}

TEST(load, file_size_limit_at_n_and_n_plus_one) {
  std::string text = std::string(max_config_bytes - 1, '#') + "\n";
  {
    temp_file file(text);
    EXPECT_TRUE(load(file.path(), testing::no_env));
  }
  temp_file file(text + "\n");
  auto r = load(file.path(), testing::no_env);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("larger than"));
}

// onehop.example.toml sets every key to its default: it parses, it equals the built-in defaults
// (so the example never drifts from the code), and it names every key of the table.
TEST(example_file, parses_to_the_defaults_and_names_every_key) {
  const std::string text = read_text(repo / "onehop.example.toml");
  auto r = parse(text, "onehop.example.toml", testing::no_env);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, onehop_config{});
  for (const key_spec& key : all_keys()) {
    const bool named =
        text.find(std::string("\n") + std::string(key.name) + " = ") != std::string::npos ||
        text.find(std::string("\n# ") + std::string(key.name) + " = ") != std::string::npos ||
        text.find(std::string("[[") + std::string(key.section) + "." + std::string(key.name) +
                  "]]") != std::string::npos;
    EXPECT_TRUE(named) << key_label(key) << " is not in onehop.example.toml";
  }
}

TEST(docs, configuration_md_documents_every_key_and_variable) {
  const std::string text = read_text(repo / "docs" / "configuration.md");
  for (const key_spec& key : all_keys()) {
    // Each key has a table row in its section: | `name` | ... | `ONEHOP_..` |
    EXPECT_THAT(text, HasSubstr(std::string("| `") + std::string(key.name) + "` |"))
        << key_label(key);
    EXPECT_THAT(text, HasSubstr(std::string("`") + env_name(key) + "`")) << key_label(key);
    for (std::string_view alias : key.aliases) {
      if (!alias.empty()) {
        EXPECT_THAT(text, HasSubstr(std::string("`") + std::string(alias) + "`")) << key_label(key);
      }
    }
  }
  for (std::string_view section : section_names()) {
    EXPECT_THAT(text, HasSubstr(std::string("## [") + std::string(section) + "]"));
  }
}

}  // namespace
}  // namespace onehop::config

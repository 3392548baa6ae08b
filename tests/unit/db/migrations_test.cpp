// Numbered migrations: applied in order, once; a newer file refused; a failed migration leaves
// the file at the version before it.

#include "db/migrations.hpp"

#include <gtest/gtest.h>

#include <array>

#include "db_test_support.hpp"

namespace onehop::db {
namespace {

class migrations_test : public ::testing::Test {
 protected:
  testing::temp_dir dir_;
  std::filesystem::path file() const { return dir_.path() / "m.db"; }

  sqlite::connection open() {
    auto c = sqlite::connection::open(file(), false);
    if (!c) {
      throw std::runtime_error(c.error().message);
    }
    return std::move(*c);
  }
};

// Migration 2 appends a row each time it runs, so running twice would show.
constexpr std::array<migration, 2> counting{{
    {1, "create log", "CREATE TABLE log (n INTEGER NOT NULL)"},
    {2, "log once", "INSERT INTO log (n) VALUES (2)"},
}};

TEST_F(migrations_test, applies_in_order_once) {
  {
    auto c = open();
    auto applied = apply_migrations(c, counting);
    ASSERT_TRUE(applied) << applied.error().message;
    EXPECT_EQ(*applied, 2);
    EXPECT_EQ(*c.query_int("PRAGMA user_version"), 2);
  }
  {
    auto c = open();
    auto applied = apply_migrations(c, counting);
    ASSERT_TRUE(applied);
    EXPECT_EQ(*applied, 0);
    EXPECT_EQ(*c.query_int("SELECT COUNT(*) FROM log"), 1);
  }
}

TEST_F(migrations_test, applies_only_the_new_ones) {
  {
    auto c = open();
    ASSERT_EQ(*apply_migrations(c, std::span(counting).first(1)), 1);
    EXPECT_EQ(*c.query_int("PRAGMA user_version"), 1);
  }
  auto c = open();
  ASSERT_EQ(*apply_migrations(c, counting), 1);
  EXPECT_EQ(*c.query_int("SELECT COUNT(*) FROM log"), 1);
  EXPECT_EQ(*c.query_int("PRAGMA user_version"), 2);
}

TEST_F(migrations_test, refuses_a_newer_schema) {
  {
    auto c = open();
    ASSERT_TRUE(c.exec("PRAGMA user_version = 3"));
  }
  auto c = open();
  auto applied = apply_migrations(c, counting);
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code, errc::corrupt);
}

TEST_F(migrations_test, failed_migration_rolls_back_to_the_previous_version) {
  constexpr std::array<migration, 2> broken{{
      {1, "create log", "CREATE TABLE log (n INTEGER NOT NULL)"},
      // The first statement succeeds, the second fails: neither may stay.
      {2, "half", "CREATE TABLE extra (x); INSERT INTO missing_table VALUES (1)"},
  }};
  auto c = open();
  auto applied = apply_migrations(c, broken);
  ASSERT_FALSE(applied);
  EXPECT_NE(applied.error().message.find("migration 2"), std::string::npos)
      << applied.error().message;
  EXPECT_EQ(*c.query_int("PRAGMA user_version"), 1);
  EXPECT_EQ(*c.query_int("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'extra'"), 0);
}

TEST_F(migrations_test, gaps_in_numbering_are_a_bug) {
  constexpr std::array<migration, 1> gap{{{2, "two", "SELECT 1"}}};
  auto c = open();
  EXPECT_THROW((void)apply_migrations(c, gap), std::logic_error);
}

TEST_F(migrations_test, schema_creates_tables_and_indexes) {
  auto c = open();
  ASSERT_TRUE(apply_migrations(c, schema_migrations()));
  for (const char* name : {"pending_uploads", "images", "pending_uploads_by_expiry",
                           "pending_uploads_by_user", "images_by_user_time"}) {
    auto st = c.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name = ?1");
    ASSERT_TRUE(st);
    st->bind(1, std::string_view(name));
    ASSERT_TRUE(*st->step());
    EXPECT_EQ(st->int64(0), 1) << name;
  }
  EXPECT_EQ(*c.query_int("PRAGMA user_version"),
            static_cast<std::int64_t>(schema_migrations().size()));
}

}  // namespace
}  // namespace onehop::db

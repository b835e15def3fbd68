// The connection's cache of prepared statements.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/sqlite.hpp"

namespace chorus::sqlite {
namespace {

class SqliteCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("chorus-sqlite-cache-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = Database::open(dir_ / "t.db", OpenOptions{});
    ASSERT_TRUE(db) << db.error().message;
    db_.emplace(std::move(db.value()));
    ASSERT_TRUE(db_->exec("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES(1,'a'),(2,'b'),(3,'c')"));
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::optional<Database> db_;
};

TEST_F(SqliteCacheTest, SameSqlIsTheSameStatementStartingClean) {
  const char* sql = "SELECT v FROM t WHERE k >= ? ORDER BY k";
  auto first = db_->cached(sql);
  ASSERT_TRUE(first) << first.error().message;
  (*first)->bind(1, 2);
  auto row = (*first)->step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*first)->text(0), "b");  // left half-read on purpose

  auto again = db_->cached(sql);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *first);  // prepared once
  (*again)->bind(1, 1);       // reset and unbound: reads from the start with the new value
  row = (*again)->step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*again)->text(0), "a");
  (*again)->reset();

  auto other = db_->cached("SELECT count(*) FROM t");
  ASSERT_TRUE(other);
  EXPECT_NE(*other, *first);
  row = (*other)->step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*other)->int64(0), 3);
  (*other)->reset();
}

TEST_F(SqliteCacheTest, BadSqlIsAnErrorAndIsNotKept) {
  auto bad = db_->cached("SELEC nonsense");
  ASSERT_FALSE(bad);
  EXPECT_FALSE(bad.error().message.empty());
  EXPECT_FALSE(db_->cached("SELEC nonsense"));  // still an error the second time, not a cached null
}

}  // namespace
}  // namespace chorus::sqlite

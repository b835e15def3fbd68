// Owning handles for SQLite connections and prepared statements, as the embedded bus uses them.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace chorus::bus::embedded {

class Database {
 public:
  // Opens (creating when missing) a connection used by one thread at a time; callers serialise access.
  static Result<Database> open(const std::filesystem::path& file);

  Status exec(const char* sql);
  sqlite3* get() const { return db_.get(); }

 private:
  struct Close {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::unique_ptr<sqlite3, Close> db_;
};

// A prepared statement that is prepared once and reused. Text and blobs are bound without copying, so
// they must stay alive until the statement is reset; ResetOnExit makes that reset happen.
class Statement {
 public:
  Statement() = default;
  static Result<Statement> prepare(const Database& db, const char* sql);

  void bind(int index, std::int64_t value);
  void bind(int index, std::string_view text);
  void bind_blob(int index, std::string_view bytes);
  // true when a row is ready, false when the statement is done.
  Result<bool> step();
  // Steps a statement that returns no rows.
  Status run();
  void reset();

  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;
  std::string column_blob(int index) const;

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };
  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

// Resets a statement when leaving scope, so no read transaction stays open (an open one would keep
// the WAL from being checkpointed) and no bound buffer is referenced after it dies.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& stmt) : stmt_(stmt) {}
  ~ResetOnExit() { stmt_.reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Statement& stmt_;
};

}  // namespace chorus::bus::embedded

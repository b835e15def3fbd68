// Thin RAII layer over the SQLite C API: a connection, prepared statements and transactions.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace chorus::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* s) : stmt_(s) {}

  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Statement& bind(int i, double v);
  Statement& bind(int i, std::string_view v);
  Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Statement& bind_null(int i);
  template <class T>
  Statement& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, *v) : bind_null(i);
  }

  // SQLITE_ROW -> true, SQLITE_DONE -> false, anything else -> error.
  Result<bool> step();
  Status run();  // steps to completion
  void reset();

  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
  double real(int col) const { return sqlite3_column_double(stmt_.get(), col); }
  std::string text(int col) const;
  bool is_null(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }
  std::optional<std::string> opt_text(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;

 private:
  std::unique_ptr<sqlite3_stmt, StmtFinalizer> stmt_;
};

class Database {
 public:
  // Opens (creating) the file in WAL mode with foreign keys on and a busy timeout.
  static Result<Database> open(const std::string& path, bool read_only = false);

  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_.get()); }
  int changes() const { return sqlite3_changes(db_.get()); }
  std::string last_error() const { return sqlite3_errmsg(db_.get()); }
  sqlite3* get() const { return db_.get(); }

 private:
  std::unique_ptr<sqlite3, DbCloser> db_;
};

// Rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Status begin();
  Status commit();

 private:
  Database& db_;
  bool open_ = false;
};

Error sqlite_error(sqlite3* db, std::string_view what);

}  // namespace chorus::sqlite

// The one RAII layer over the SQLite C API: connections, prepared statements, transactions and the
// mapping of SQLite failures onto error codes. The store and the embedded bus both build on it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <string_view>

#include "core/result.hpp"

namespace chorus::sqlite {

// An error from the connection's last failure. Busy, locked, full-disk and I/O errors are `unavailable`
// (retrying may succeed); everything else is `internal`. A non-empty `what` (e.g. "bus database")
// prefixes the message, so the caller can tell which database failed.
Error sqlite_error(sqlite3* db, std::string_view what, std::string_view context);

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3_stmt* stmt, std::string what) : stmt_(stmt), what_(std::move(what)) {}

  // Text and blobs are copied, so the bound value may be a temporary that dies before the statement runs.
  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Statement& bind(int i, double v);
  Statement& bind(int i, std::string_view v);
  Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  template <class T>
  Statement& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, *v) : bind_null(i);
  }
  Statement& bind_null(int i);
  Statement& bind_blob(int i, std::string_view bytes);

  // true when a row is ready, false when the statement is done.
  Result<bool> step();
  // Steps to completion, skipping any rows.
  Status run();
  // Steps through every row, calling on_row() while the statement stands on it.
  template <class OnRow>
  Status each_row(OnRow&& on_row) {
    for (;;) {
      auto row = step();
      if (!row) return row.error();
      if (!*row) return {};
      on_row();
    }
  }
  // Ends the statement's read (if any) and clears its bindings, ready to be bound and run again.
  void reset();

  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
  double real(int col) const { return sqlite3_column_double(stmt_.get(), col); }
  std::string text(int col) const;
  std::string blob(int col) const;
  bool is_null(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }
  std::optional<std::string> opt_text(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };
  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
  std::string what_;
};

// Resets a statement when leaving scope, so no read transaction stays open (an open one would keep
// the WAL from being checkpointed) and the next use starts clean.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& stmt) : stmt_(stmt) {}
  ~ResetOnExit() { stmt_.reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Statement& stmt_;
};

enum class Synchronous { unchanged, normal, full };

struct OpenOptions {
  // Prefixes every error message ("bus database: ..."); empty for none.
  std::string what;
  // Opens with SQLITE_OPEN_READONLY and changes no setting below.
  bool read_only = false;
  // Switches the file to WAL, failing when SQLite cannot. The mode is stored in the file, so a
  // connection to a file another connection has already switched may leave this off.
  bool wal = true;
  Synchronous synchronous = Synchronous::unchanged;
  bool foreign_keys = false;
};

class Database {
 public:
  // Opens (creating when missing and not read-only) a connection used by one thread at a time
  // (NOMUTEX: callers serialise access), with extended result codes and a 10 s busy timeout.
  static Result<Database> open(const std::filesystem::path& file, const OpenOptions& options);

  Status exec(std::string_view sql);
  // Statements are prepared as long-lived (SQLITE_PREPARE_PERSISTENT); short-lived ones work as well.
  Result<Statement> prepare(std::string_view sql);
  // A statement prepared on first use and kept by the connection for its lifetime, reset and unbound: for
  // hot paths that would otherwise parse the same SQL on every call. Valid until the Database is destroyed;
  // callers serialise access as they do for the connection, and reset it when done (ResetOnExit).
  Result<Statement*> cached(std::string_view sql);
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_.get()); }
  int changes() const { return sqlite3_changes(db_.get()); }
  sqlite3* get() const { return db_.get(); }

 private:
  Status use_wal(const std::filesystem::path& file);

  struct Close {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::unique_ptr<sqlite3, Close> db_;
  std::string what_;
  struct SqlHash {  // lets cached() look up by string_view, without building a key string per call
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::unique_ptr<Statement>, SqlHash, std::equal_to<>>
      cached_;  // after db_: finalised first
};

// BEGIN IMMEDIATE on begin() (a plain BEGIN on begin_read(): a reader that takes no write lock); rolls back
// unless committed.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status begin();
  Status begin_read();
  Status commit();

 private:
  Database& db_;
  bool open_ = false;
};

}  // namespace chorus::sqlite

// SQLite RAII layer.
#include "store/sqlite/db.hpp"

namespace chorus::sqlite {

Error sqlite_error(sqlite3* db, std::string_view what) {
  int code = db ? sqlite3_errcode(db) : SQLITE_ERROR;
  ErrorCode ec = (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_FULL || code == SQLITE_IOERR)
                     ? ErrorCode::unavailable
                     : ErrorCode::internal;
  return make_error(ec, std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "sqlite error"));
}

Statement& Statement::bind(int i, std::int64_t v) {
  sqlite3_bind_int64(stmt_.get(), i, v);
  return *this;
}
Statement& Statement::bind(int i, double v) {
  sqlite3_bind_double(stmt_.get(), i, v);
  return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
  sqlite3_bind_text(stmt_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind_null(int i) {
  sqlite3_bind_null(stmt_.get(), i);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(sqlite3_db_handle(stmt_.get()), "query failed");
}

Status Statement::run() {
  for (;;) {
    auto r = step();
    if (!r) return r.error();
    if (!*r) return {};
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::string Statement::text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_.get(), col);
  int n = sqlite3_column_bytes(stmt_.get(), col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

std::optional<std::string> Statement::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

std::optional<std::int64_t> Statement::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

Result<Database> Database::open(const std::string& path, bool read_only) {
  sqlite3* raw = nullptr;
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db;
  db.db_.reset(raw);
  if (rc != SQLITE_OK) return make_error(ErrorCode::unavailable, "cannot open " + path + ": " + sqlite3_errstr(rc));
  sqlite3_busy_timeout(raw, 5000);
  if (!read_only) {
    if (auto s = db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"); !s)
      return s.error();
  }
  return db;
}

Status Database::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_.get(), s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return sqlite_error(db_.get(), "exec failed (" + msg + ")");
  }
  return {};
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &s, nullptr) != SQLITE_OK)
    return sqlite_error(db_.get(), "prepare failed");
  return Statement(s);
}

Transaction::Transaction(Database& db) : db_(db) {}

Transaction::~Transaction() {
  if (open_) (void)db_.exec("ROLLBACK");
}

Status Transaction::begin() {
  if (auto s = db_.exec("BEGIN IMMEDIATE"); !s) return s;
  open_ = true;
  return {};
}

Status Transaction::commit() {
  if (auto s = db_.exec("COMMIT"); !s) return s;
  open_ = false;
  return {};
}

}  // namespace chorus::sqlite

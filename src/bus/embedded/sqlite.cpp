// Owning handles for SQLite connections and prepared statements.
#include "bus/embedded/sqlite.hpp"

namespace chorus::bus::embedded {

namespace {

Error sqlite_error(sqlite3* db, std::string_view what) {
  std::string message = "bus database: ";
  message += what;
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  return make_error(ErrorCode::unavailable, std::move(message));
}

// sqlite3_bind_* treat a null pointer as SQL NULL; an empty view may carry one.
const char* non_null(std::string_view s) { return s.data() != nullptr ? s.data() : ""; }

}  // namespace

Result<Database> Database::open(const std::filesystem::path& file) {
  sqlite3* raw = nullptr;
  // NOMUTEX: each connection is used by one thread at a time under the owner's own lock.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(file.c_str(), &raw, flags, nullptr);
  Database db;
  db.db_.reset(raw);
  if (rc != SQLITE_OK) return sqlite_error(raw, "cannot open " + file.string());
  sqlite3_extended_result_codes(raw, 1);
  // Checkpoints and WAL recovery can briefly lock out other connections; wait rather than fail.
  sqlite3_busy_timeout(raw, 10'000);
  return db;
}

Status Database::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = "bus database: ";
    message += err != nullptr ? err : sqlite3_errmsg(db_.get());
    sqlite3_free(err);
    return make_error(ErrorCode::unavailable, std::move(message));
  }
  return {};
}

Result<Statement> Statement::prepare(const Database& db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK) {
    return sqlite_error(db.get(), std::string("cannot prepare \"") + sql + "\"");
  }
  Statement stmt;
  stmt.stmt_.reset(raw);
  return stmt;
}

void Statement::bind(int index, std::int64_t value) { sqlite3_bind_int64(stmt_.get(), index, value); }

void Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_.get(), index, non_null(text), static_cast<int>(text.size()), SQLITE_STATIC);
}

void Statement::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_.get(), index, non_null(bytes), static_cast<int>(bytes.size()), SQLITE_STATIC);
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(sqlite3_db_handle(stmt_.get()), "step failed");
}

Status Statement::run() {
  auto r = step();
  if (!r.ok()) return r.error();
  return {};
}

void Statement::reset() {
  if (!stmt_) return;
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_.get(), index); }

std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_.get(), index);
  int len = sqlite3_column_bytes(stmt_.get(), index);
  return text != nullptr ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(len)) : std::string();
}

std::string Statement::column_blob(int index) const {
  const void* blob = sqlite3_column_blob(stmt_.get(), index);
  int len = sqlite3_column_bytes(stmt_.get(), index);
  return blob != nullptr ? std::string(static_cast<const char*>(blob), static_cast<std::size_t>(len)) : std::string();
}

}  // namespace chorus::bus::embedded

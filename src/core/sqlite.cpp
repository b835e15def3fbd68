// The SQLite RAII layer: opening connections, binding and reading statements, transactions.
#include "core/sqlite.hpp"

namespace chorus::sqlite {

namespace {

std::string prefixed(std::string_view what, std::string_view message) {
  std::string out;
  if (!what.empty()) {
    out += what;
    out += ": ";
  }
  out += message;
  return out;
}

// sqlite3_bind_* treat a null pointer as SQL NULL; an empty view may carry one.
const char* non_null(std::string_view s) { return s.data() != nullptr ? s.data() : ""; }

std::string column_bytes(const void* data, int size) {
  return data != nullptr ? std::string(static_cast<const char*>(data), static_cast<std::size_t>(size)) : std::string();
}

}  // namespace

Error sqlite_error(sqlite3* db, std::string_view what, std::string_view context) {
  // Connections report extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_FSYNC, ...); the low byte is the family.
  const int code = (db != nullptr ? sqlite3_errcode(db) : SQLITE_NOMEM) & 0xff;
  const ErrorCode ec = (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_FULL || code == SQLITE_IOERR)
                           ? ErrorCode::unavailable
                           : ErrorCode::internal;
  std::string message(context);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  return make_error(ec, prefixed(what, message));
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
  sqlite3_bind_text(stmt_.get(), i, non_null(v), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_null(int i) {
  sqlite3_bind_null(stmt_.get(), i);
  return *this;
}

Statement& Statement::bind_blob(int i, std::string_view bytes) {
  sqlite3_bind_blob(stmt_.get(), i, non_null(bytes), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(sqlite3_db_handle(stmt_.get()), what_, "query failed");
}

Status Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return row.error();
    if (!*row) return {};
  }
}

void Statement::reset() {
  if (!stmt_) return;
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::string Statement::text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_.get(), col);
  return column_bytes(p, sqlite3_column_bytes(stmt_.get(), col));
}

std::string Statement::blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_.get(), col);
  return column_bytes(p, sqlite3_column_bytes(stmt_.get(), col));
}

std::optional<std::string> Statement::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

std::optional<std::int64_t> Statement::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

Result<Database> Database::open(const std::filesystem::path& file, const OpenOptions& options) {
  const std::string name = file.string();
  int flags = options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(name.c_str(), &raw, flags, nullptr);
  Database db;
  db.db_.reset(raw);
  db.what_ = options.what;
  if (rc != SQLITE_OK) {
    const char* reason = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    return make_error(ErrorCode::unavailable, prefixed(options.what, "cannot open " + name + ": " + reason));
  }
  sqlite3_extended_result_codes(raw, 1);
  // Checkpoints and WAL recovery can briefly lock out other connections; wait rather than fail.
  sqlite3_busy_timeout(raw, 10'000);
  if (options.read_only) return db;

  if (options.wal) {
    if (auto s = db.use_wal(file); !s) return s.error();
  }
  if (options.synchronous == Synchronous::normal) {
    if (auto s = db.exec("PRAGMA synchronous=NORMAL"); !s) return s.error();
  } else if (options.synchronous == Synchronous::full) {
    if (auto s = db.exec("PRAGMA synchronous=FULL"); !s) return s.error();
  }
  if (options.foreign_keys) {
    if (auto s = db.exec("PRAGMA foreign_keys=ON"); !s) return s.error();
  }
  return db;
}

// SQLite answers an impossible switch (no shared memory, an in-memory file) with the old mode, not an error.
Status Database::use_wal(const std::filesystem::path& file) {
  auto pragma = prepare("PRAGMA journal_mode=WAL");
  if (!pragma) return pragma.error();
  auto row = pragma->step();
  if (!row) return row.error();
  const std::string mode = *row ? pragma->text(0) : std::string();
  if (mode != "wal") {
    return make_error(ErrorCode::unavailable, prefixed(what_, "cannot use WAL mode for " + file.string() +
                                                                  " (journal mode is " + mode + ")"));
  }
  return {};
}

Status Database::exec(std::string_view sql) {
  const std::string text(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string message = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    return sqlite_error(db_.get(), what_, "exec failed (" + message + ")");
  }
  return {};
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                    &raw, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_.get(), what_, "prepare failed");
  return Statement(raw, what_);
}

Result<Statement*> Database::cached(std::string_view sql) {
  auto it = cached_.find(sql);
  if (it == cached_.end()) {
    auto st = prepare(sql);
    if (!st) return st.error();
    it = cached_.emplace(std::string(sql), std::make_unique<Statement>(std::move(st.value()))).first;
  }
  it->second->reset();
  return it->second.get();
}

Transaction::~Transaction() {
  if (open_) (void)db_.exec("ROLLBACK");
}

Status Transaction::begin() {
  if (auto s = db_.exec("BEGIN IMMEDIATE"); !s) return s;
  open_ = true;
  return {};
}

Status Transaction::begin_read() {
  if (auto s = db_.exec("BEGIN"); !s) return s;
  open_ = true;
  return {};
}

Status Transaction::commit() {
  if (auto s = db_.exec("COMMIT"); !s) return s;
  open_ = false;
  return {};
}

}  // namespace chorus::sqlite

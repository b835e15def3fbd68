// libpq connections, the pool, transactions and error mapping.
#include "store/postgres/pg_connection.hpp"

#include <charconv>
#include <chrono>
#include <cstring>

namespace chorus::store::pg {

namespace {

// Length of the valid UTF-8 sequence at the start of `s`, or 0 when it is not one.
std::size_t utf8_sequence(std::string_view s) {
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = b(0);
  if (c < 0x80) return c == 0 ? 0 : 1;
  std::size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
  if (n == 0 || s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i)
    if ((b(i) & 0xC0) != 0x80) return 0;
  if (n == 3 && c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
  if (n == 3 && c == 0xED && b(1) >= 0xA0) return 0;  // surrogates
  if (n == 4 && c == 0xF0 && b(1) < 0x90) return 0;  // overlong
  if (n == 4 && c == 0xF4 && b(1) >= 0x90) return 0;  // beyond U+10FFFF
  return n;
}

std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Failures that a retry (after a reconnection, or once a competing transaction finished) can cure.
bool transient(std::string_view sqlstate) {
  if (sqlstate.starts_with("08") || sqlstate.starts_with("53") || sqlstate.starts_with("57P")) return true;
  return sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" || sqlstate == "55006";
}

}  // namespace

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    std::size_t n = utf8_sequence(text);
    if (n > 0) {
      out.append(text.substr(0, n));
      text.remove_prefix(n);
    } else {
      if (text.front() != '\0') out += "\xEF\xBF\xBD";
      text.remove_prefix(1);
    }
  }
  return out;
}

std::vector<std::string> parse_text_array(std::string_view s) {
  std::vector<std::string> out;
  if (s.size() < 2 || s.front() != '{') return out;
  std::size_t i = 1;
  while (i < s.size() && s[i] != '}') {
    std::string item;
    if (s[i] == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        item += s[i];
      }
      ++i;  // closing quote
    } else {
      while (i < s.size() && s[i] != ',' && s[i] != '}') item += s[i++];
    }
    out.push_back(std::move(item));
    if (i < s.size() && s[i] == ',') ++i;
  }
  return out;
}

Params& Params::add(std::int64_t v) {
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  values_.emplace_back(std::string(buf, end));
  return *this;
}

Params& Params::add(double v) {
  char buf[32];
  auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;  // shortest text that reads back exactly
  values_.emplace_back(std::string(buf, end));
  return *this;
}

Params& Params::add(bool v) {
  values_.emplace_back(v ? "true" : "false");
  return *this;
}

Params& Params::add(std::string_view v) {
  values_.emplace_back(valid_utf8(v));
  return *this;
}

Params& Params::add_null() {
  values_.emplace_back(std::nullopt);
  return *this;
}

Params& Params::add_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : valid_utf8(values[i])) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  values_.emplace_back(out + "}");
  return *this;
}

Params& Params::add_array(const std::vector<std::optional<std::string>>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    if (!values[i]) {
      out += "NULL";
      continue;
    }
    out += '"';
    for (char c : valid_utf8(*values[i])) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  values_.emplace_back(out + "}");
  return *this;
}

Params& Params::add_array(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  char buf[24];
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out.append(buf, std::to_chars(buf, buf + sizeof buf, values[i]).ptr);
  }
  values_.emplace_back(out + "}");
  return *this;
}

Params& Params::add_array(const std::vector<double>& values) {
  std::string out = "{";
  char buf[32];
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out.append(buf, std::to_chars(buf, buf + sizeof buf, values[i]).ptr);  // as add(double) writes it
  }
  values_.emplace_back(out + "}");
  return *this;
}

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

std::int64_t Rows::int64(int row, int col) const {
  const char* v = PQgetvalue(result_.get(), row, col);
  std::int64_t out = 0;
  std::from_chars(v, v + std::strlen(v), out);
  return out;
}

double Rows::real(int row, int col) const {
  const char* v = PQgetvalue(result_.get(), row, col);
  double out = 0;
  std::from_chars(v, v + std::strlen(v), out);
  return out;
}

std::optional<std::string> Rows::opt_text(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return text(row, col);
}

std::optional<std::int64_t> Rows::opt_int64(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return int64(row, col);
}

std::int64_t Rows::affected() const {
  const char* n = PQcmdTuples(result_.get());
  std::int64_t out = 0;
  std::from_chars(n, n + std::strlen(n), out);
  return out;
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& url) {
  // Keywords before "dbname" are defaults: anything the URL itself says wins.
  const char* keys[] = {"connect_timeout", "application_name", "client_encoding", "dbname", nullptr};
  const char* values[] = {"5", "chorus", "UTF8", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (!conn) return make_error(ErrorCode::unavailable, "cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return make_error(ErrorCode::unavailable, "cannot connect to PostgreSQL: " + why);
  }
  // No JIT compilation: the store's statements are short, but a batch's near-duplicate lookup has a plan large
  // enough for PostgreSQL to compile it with LLVM, which took 1.8-2.8 s of a 2.2-2.9 s statement for 2,048
  // records (auto_explain). A server built without JIT accepts the setting too.
  PGresult* jit = PQexec(conn, "SET jit = off");
  const bool set = jit && PQresultStatus(jit) == PGRES_COMMAND_OK;
  PQclear(jit);
  if (!set) {
    std::string why = trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return make_error(ErrorCode::unavailable, "cannot set up the PostgreSQL session: " + why);
  }
  return std::unique_ptr<Connection>(new Connection(conn));
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::healthy() const { return !broken_ && PQstatus(conn_) == CONNECTION_OK; }

bool Connection::in_transaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

Error Connection::error_from(const PGresult* r, std::string_view sql) const {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = trimmed(r ? PQresultErrorMessage(r) : nullptr);
  if (message.empty()) message = trimmed(PQerrorMessage(conn_));
  if (!healthy() || !state || transient(state))
    return make_error(ErrorCode::unavailable, "PostgreSQL is unavailable: " + message);
  std::string statement(sql.substr(0, 80));
  return make_error(ErrorCode::internal, "PostgreSQL error " + std::string(state) + ": " + message + " (in: " +
                                             statement + (sql.size() > 80 ? "...)" : ")"));
}

Result<Rows> Connection::rows_or_error(PGresult* raw, std::string_view sql) const {
  auto status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    Error e = error_from(raw, sql);
    PQclear(raw);
    return e;
  }
  return Rows(raw);
}

Result<Rows> Connection::exec(std::string_view sql, const Params& params) {
  std::string key(sql);
  auto it = prepared_.find(key);
  if (it == prepared_.end()) {
    std::string name = next_statement_name();
    PGresult* raw = PQprepare(conn_, name.c_str(), key.c_str(), 0, nullptr);
    std::unique_ptr<PGresult, ClearResult> result(raw);
    if (!raw || PQresultStatus(raw) != PGRES_COMMAND_OK) return error_from(raw, sql);
    it = prepared_.emplace(std::move(key), std::move(name)).first;
  }
  auto values = params.pointers();
  PGresult* raw = PQexecPrepared(conn_, it->second.c_str(), params.size(), values.data(), nullptr, nullptr, 0);
  return rows_or_error(raw, sql);
}

Result<Rows> Connection::exec_script(std::string_view sql) {
  std::string text(sql);
  PGresult* raw = PQexec(conn_, text.c_str());
  return rows_or_error(raw, sql);
}

std::size_t Pipeline::add(std::string_view sql, Params params) {
  statements_.push_back(Queued{std::string(sql), std::move(params)});
  return statements_.size() - 1;
}

Result<std::vector<Rows>> Pipeline::run() {
  std::vector<Queued> queued = std::move(statements_);
  statements_.clear();
  std::vector<Rows> out;
  if (queued.empty()) return out;
  PGconn* pg = conn_.conn_;
  if (PQenterPipelineMode(pg) != 1)
    return make_error(ErrorCode::unavailable,
                      "PostgreSQL connection cannot enter pipeline mode: " + trimmed(PQerrorMessage(pg)));
  // What comes back, in order: a statement's preparation (the first time this connection sees it), its rows.
  struct Expected {
    std::size_t statement;
    bool preparation;
  };
  std::vector<Expected> expected;
  expected.reserve(queued.size() + 8);
  std::optional<Error> failure;
  auto send_failed = [&](std::string_view sql) {
    std::string statement(sql.substr(0, 80));
    failure = make_error(ErrorCode::unavailable, "PostgreSQL is unavailable: cannot send a statement (" +
                                                     trimmed(PQerrorMessage(pg)) + ") (in: " + statement + ")");
  };
  for (std::size_t i = 0; i < queued.size() && !failure; ++i) {
    const Queued& q = queued[i];
    auto it = conn_.prepared_.find(q.sql);
    if (it == conn_.prepared_.end()) {
      std::string name = conn_.next_statement_name();
      if (PQsendPrepare(pg, name.c_str(), q.sql.c_str(), 0, nullptr) != 1) {
        send_failed(q.sql);
        break;
      }
      it = conn_.prepared_.emplace(q.sql, std::move(name)).first;
      expected.push_back({i, true});
    }
    auto values = q.params.pointers();
    if (PQsendQueryPrepared(pg, it->second.c_str(), q.params.size(), values.data(), nullptr, nullptr, 0) != 1) {
      send_failed(q.sql);
      break;
    }
    expected.push_back({i, false});
  }
  if (!failure && PQpipelineSync(pg) != 1) send_failed("(end of the pipeline)");
  if (failure) {
    // Nothing reliable is left to read: the connection is closed, so the pool discards it.
    for (const Expected& e : expected)
      if (e.preparation) conn_.prepared_.erase(queued[e.statement].sql);
    conn_.broken_ = true;
    return *failure;
  }
  for (const Expected& e : expected) {
    const std::string& sql = queued[e.statement].sql;
    PGresult* raw = PQgetResult(pg);
    if (!raw) {
      failure = make_error(ErrorCode::unavailable, "PostgreSQL is unavailable: a pipelined statement got no answer: " +
                                                       trimmed(PQerrorMessage(pg)));
      conn_.broken_ = true;
      break;
    }
    auto status = PQresultStatus(raw);
    bool ok = status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
    if (!ok && status != PGRES_PIPELINE_ABORTED && !failure) failure = conn_.error_from(raw, sql);
    // A preparation that failed, or never ran because an earlier statement failed, left no statement behind.
    if (e.preparation && !ok) conn_.prepared_.erase(sql);
    if (!e.preparation && ok)
      out.emplace_back(raw);
    else
      PQclear(raw);
    // Each statement's answer ends with a null result.
    while (PGresult* extra = PQgetResult(pg)) PQclear(extra);
    if (!conn_.healthy()) break;
  }
  if (conn_.healthy()) {
    PGresult* sync = PQgetResult(pg);
    bool synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    if (!synced || PQexitPipelineMode(pg) != 1) {
      conn_.broken_ = true;  // its state is unknown: the pool closes it
      if (!failure)
        failure = make_error(ErrorCode::unavailable,
                             "PostgreSQL pipeline did not end cleanly: " + trimmed(PQerrorMessage(pg)));
    }
  }
  if (failure) return *failure;
  return out;
}

Lease::~Lease() {
  if (conn_) pool_->give_back(std::move(conn_));
}

Pool::Pool(std::string url, std::size_t max_connections) : url_(std::move(url)), max_(std::max<std::size_t>(1, max_connections)) {}

Result<Lease> Pool::acquire() {
  std::unique_lock lock(mu_);
  bool ready = available_.wait_for(lock, std::chrono::seconds(30), [&] { return !idle_.empty() || open_ < max_; });
  if (!ready) return make_error(ErrorCode::unavailable, "every PostgreSQL connection of the pool is busy");
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(conn));
  }
  ++open_;
  lock.unlock();
  auto conn = Connection::open(url_);
  if (!conn) {
    lock.lock();
    --open_;
    available_.notify_one();
    return conn.error();
  }
  return Lease(*this, std::move(conn).value());
}

void Pool::give_back(std::unique_ptr<Connection> conn) {
  // A failed transaction left open (an error before rollback) is closed so the next user starts clean.
  if (conn->healthy() && conn->in_transaction()) (void)conn->exec_script("ROLLBACK");
  std::lock_guard lock(mu_);
  if (conn->healthy() && !conn->in_transaction()) {
    idle_.push_back(std::move(conn));
  } else {
    // One broken connection usually means the server restarted: the idle ones are broken too.
    open_ -= 1 + idle_.size();
    idle_.clear();
  }
  available_.notify_all();
}

Result<Rows> Pool::read(std::string_view sql, const Params& params) {
  for (int attempt = 0;; ++attempt) {
    auto lease = acquire();
    if (!lease) return lease.error();
    auto rows = (*lease)->exec(sql, params);
    if (rows || (*lease)->healthy() || attempt > 0) return rows;
  }
}

Result<Rows> Pool::write(std::string_view sql, const Params& params) {
  auto lease = acquire();
  if (!lease) return lease.error();
  return (*lease)->exec(sql, params);
}

std::size_t Pool::open_connections() const {
  std::lock_guard lock(mu_);
  return open_;
}

Transaction::~Transaction() {
  if (open_ && conn_.healthy()) (void)conn_.exec_script("ROLLBACK");
}

Status Transaction::begin() {
  auto r = conn_.exec_script("BEGIN");
  if (!r) return r.error();
  open_ = true;
  return {};
}

Status Transaction::commit() {
  auto r = conn_.exec_script("COMMIT");
  open_ = false;
  if (!r) return r.error();
  return {};
}

}  // namespace chorus::store::pg

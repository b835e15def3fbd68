// The one RAII layer over libpq: connections that prepare each statement once, a small pool that
// replaces broken connections, transactions, and the mapping of PostgreSQL failures onto error codes.
#pragma once

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"

namespace chorus::store::pg {

// Statement parameters, all sent as text. Text is made valid for a UTF8 database: NUL bytes are
// dropped and invalid UTF-8 sequences become U+FFFD (PostgreSQL refuses both; SQLite keeps them).
class Params {
 public:
  Params& add(std::int64_t v);
  Params& add(int v) { return add(static_cast<std::int64_t>(v)); }
  Params& add(double v);
  Params& add(bool v);
  Params& add(std::string_view v);
  Params& add(const std::string& v) { return add(std::string_view(v)); }
  Params& add(const char* v) { return add(std::string_view(v)); }
  template <class T>
  Params& add(const std::optional<T>& v) {
    return v ? add(*v) : add_null();
  }
  Params& add_null();
  // A text[] value.
  Params& add_array(const std::vector<std::string>& values);
  // A text[] value whose missing elements are NULL.
  Params& add_array(const std::vector<std::optional<std::string>>& values);
  // A bigint[] and a double precision[] value (as for unnest() of a batch's columns).
  Params& add_array(const std::vector<std::int64_t>& values);
  Params& add_array(const std::vector<double>& values);

  int size() const { return static_cast<int>(values_.size()); }
  std::vector<const char*> pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

std::string valid_utf8(std::string_view text);
// Parses a text[] value as PostgreSQL prints it.
std::vector<std::string> parse_text_array(std::string_view text);

struct ClearResult {
  void operator()(PGresult* r) const { PQclear(r); }
};

// A query's result rows. Columns are read as text and converted.
class Rows {
 public:
  Rows() = default;
  explicit Rows(PGresult* r) : result_(r) {}
  int size() const { return result_ ? PQntuples(result_.get()) : 0; }
  bool empty() const { return size() == 0; }
  bool is_null(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }
  std::string text(int row, int col) const { return PQgetvalue(result_.get(), row, col); }
  std::int64_t int64(int row, int col) const;
  double real(int row, int col) const;
  bool boolean(int row, int col) const { return PQgetvalue(result_.get(), row, col)[0] == 't'; }
  std::optional<std::string> opt_text(int row, int col) const;
  std::optional<std::int64_t> opt_int64(int row, int col) const;
  // Rows an INSERT, UPDATE or DELETE touched.
  std::int64_t affected() const;

 private:
  std::unique_ptr<PGresult, ClearResult> result_;
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> open(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement with parameters, preparing it on this connection the first time it is seen.
  Result<Rows> exec(std::string_view sql, const Params& params = {});
  // Runs SQL text with no parameters over the simple protocol (several statements allowed).
  Result<Rows> exec_script(std::string_view sql);
  // False once the server is gone; the pool then discards the connection.
  bool healthy() const;
  bool in_transaction() const;

 private:
  friend class Pipeline;
  explicit Connection(PGconn* conn) : conn_(conn) {}
  Error error_from(const PGresult* r, std::string_view sql) const;
  // The rows of a finished statement, or its error (the result is freed then).
  Result<Rows> rows_or_error(PGresult* raw, std::string_view sql) const;

  // The name a statement gets when it is first prepared on this connection.
  std::string next_statement_name() { return "chorus_" + std::to_string(statements_named_++); }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  std::size_t statements_named_ = 0;
  bool broken_ = false;  // a pipeline left it in an unknown state
};

// Statements sent one after another without waiting for each answer (libpq's pipeline mode), then read
// back in order after one round trip. A failed statement fails the rest of its run; run() reports the first
// failure. The connection is back in its ordinary mode whenever run() returns.
class Pipeline {
 public:
  explicit Pipeline(Connection& conn) : conn_(conn) {}
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;
  // Queues one statement (prepared on the connection the first time it is seen); its rows come back at this
  // index of run()'s answer.
  std::size_t add(std::string_view sql, Params params = {});
  std::size_t size() const { return statements_.size(); }
  // Sends the queued statements and waits once for all their answers; the pipeline is empty afterwards.
  Result<std::vector<Rows>> run();

 private:
  struct Queued {
    std::string sql;
    Params params;
  };
  Connection& conn_;
  std::vector<Queued> statements_;
};

class Pool;

// A connection borrowed from the pool; returned (or discarded, when broken) on destruction.
class Lease {
 public:
  Lease(Pool& pool, std::unique_ptr<Connection> conn) : pool_(&pool), conn_(std::move(conn)) {}
  Lease(Lease&& other) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  Lease(const Lease&) = delete;
  ~Lease();
  Connection& operator*() { return *conn_; }
  Connection* operator->() { return conn_.get(); }

 private:
  Pool* pool_;
  std::unique_ptr<Connection> conn_;
};

class Pool {
 public:
  Pool(std::string url, std::size_t max_connections);
  // Waits up to 30 s for a free connection; opens a new one when under the limit.
  Result<Lease> acquire();
  // One statement outside a transaction. Reads are retried once on a fresh connection when the
  // one used turns out to be broken (the server restarted), which no write may be.
  Result<Rows> read(std::string_view sql, const Params& params = {});
  Result<Rows> write(std::string_view sql, const Params& params = {});
  std::size_t open_connections() const;

 private:
  friend class Lease;
  void give_back(std::unique_ptr<Connection> conn);

  const std::string url_;
  const std::size_t max_;
  mutable std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
};

// BEGIN on begin(); ROLLBACK unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& conn) : conn_(conn) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Status begin();
  Status commit();

 private:
  Connection& conn_;
  bool open_ = false;
};

}  // namespace chorus::store::pg

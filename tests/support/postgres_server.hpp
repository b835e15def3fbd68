// A throwaway PostgreSQL server for a test binary: initdb into a temp dir as an unprivileged user (the
// `postgres` system user when the tests run as root), a free port on loopback, the unix socket in the
// temp dir, `pg_ctl start -w`. A watchdog process stops it and removes the dir when the test binary
// exits, however it exits. Missing server binaries fail the tests with a message saying what to install.
#pragma once

#include <fcntl.h>
#include <glob.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace chorus::testing {

class PostgresServer {
 public:
  // The suite's one server, started on first use; nullptr (after a test failure) when it cannot start.
  static PostgresServer* shared() {
    static std::unique_ptr<PostgresServer> server = [] {
      auto s = std::unique_ptr<PostgresServer>(new PostgresServer());
      if (!s->start_fresh()) s.reset();
      return s;
    }();
    if (!server) ADD_FAILURE() << "the test PostgreSQL server is not running (see the first failure)";
    return server.get();
  }

  ~PostgresServer() {
    stop();
    if (watchdog_fd_ >= 0) close(watchdog_fd_);  // the watchdog now removes the directory
    if (watchdog_pid_ > 0) waitpid(watchdog_pid_, nullptr, 0);
  }

  // A new, empty database; returns its URL.
  std::string create_database(const std::string& name) {
    std::string sql = "CREATE DATABASE " + name;
    if (!exec(url("postgres"), sql)) ADD_FAILURE() << "cannot create database " << name << ": " << last_error_;
    return url(name);
  }
  // Runs SQL on a database (by name); false and a test failure when it fails.
  bool exec(const std::string& database_url, const std::string& sql) {
    PGconn* conn = PQconnectdb(database_url.c_str());
    bool ok = PQstatus(conn) == CONNECTION_OK;
    if (ok) {
      PGresult* r = PQexec(conn, sql.c_str());
      ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
      if (!ok) last_error_ = PQresultErrorMessage(r);
      PQclear(r);
    } else {
      last_error_ = PQerrorMessage(conn);
    }
    PQfinish(conn);
    return ok;
  }
  // The first column of the first row of a query, or "" on failure.
  std::string scalar(const std::string& database_url, const std::string& sql) {
    PGconn* conn = PQconnectdb(database_url.c_str());
    std::string out;
    if (PQstatus(conn) == CONNECTION_OK) {
      PGresult* r = PQexec(conn, sql.c_str());
      if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
      PQclear(r);
    }
    PQfinish(conn);
    return out;
  }

  std::string url(const std::string& database) const {
    return "postgresql://chorus@127.0.0.1:" + std::to_string(port_) + "/" + database;
  }
  int port() const { return port_; }
  const std::string& last_error() const { return last_error_; }

  // Stops the server (fast shutdown: clients are disconnected) and starts it again on the same port.
  bool stop() {
    if (!running_) return true;
    bool ok = run_as_owner({bin("pg_ctl"), "-D", data_, "-m", "fast", "-w", "stop"}) == 0;
    if (ok) running_ = false;
    return ok;
  }
  bool start() {
    if (running_) return true;
    running_ = run_as_owner({bin("pg_ctl"), "-D", data_, "-l", dir_ + "/server.log", "-w", "-t", "60", "-o", options(),
                             "start"}) == 0;
    if (!running_) ADD_FAILURE() << "pg_ctl start failed; see " << dir_ << "/server.log";
    return running_;
  }

  // True when `CREATE EXTENSION timescaledb` can work here (its library is installed and preloaded).
  bool has_timescale() const { return !preload_.empty(); }
  // Whether the TimescaleDB library is installed, without starting a server.
  static bool timescale_installed() {
    std::string bindir = find_bindir();
    return !bindir.empty() &&
           std::filesystem::exists(std::filesystem::path(bindir).parent_path() / "lib" / "timescaledb.so");
  }

 private:
  PostgresServer() = default;

  static std::string find_bindir() {
    if (const char* env = std::getenv("CHORUS_PG_BINDIR")) return env;
    glob_t g{};
    std::string best;
    if (glob("/usr/lib/postgresql/*/bin/initdb", 0, nullptr, &g) == 0 && g.gl_pathc > 0)
      best = std::filesystem::path(g.gl_pathv[g.gl_pathc - 1]).parent_path().string();  // sorted: the newest
    globfree(&g);
    return best;
  }
  std::string bin(const std::string& name) const { return bindir_ + "/" + name; }

  static int free_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    return ntohs(addr.sin_port);
  }

  std::string options() const {
    // Durability is not what these tests are about: skipping fsync keeps the suite fast.
    std::string o = "-p " + std::to_string(port_) + " -k " + dir_ +
                    " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                    " -c max_connections=200";
    if (!preload_.empty()) o += " -c shared_preload_libraries=" + preload_;
    return o;
  }

  // Runs a command as the owner of the data directory, with its output in the server dir's log.
  int run_as_owner(std::vector<std::string> args) const {
    if (geteuid() == 0) args.insert(args.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
    pid_t pid = fork();
    if (pid == 0) {
      int log = open((dir_ + "/commands.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (log >= 0) {
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
      }
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  }

  bool start_fresh() {
    bindir_ = find_bindir();
    if (bindir_.empty() || !std::filesystem::exists(bin("initdb")) || !std::filesystem::exists(bin("pg_ctl"))) {
      ADD_FAILURE() << "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin. "
                       "Install the Debian package `postgresql` (scripts/install-deps does), or set "
                       "CHORUS_PG_BINDIR to their directory.";
      return false;
    }
    std::string tmpl = (std::filesystem::temp_directory_path() / "chorus-pg-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
      ADD_FAILURE() << "cannot create a temp dir for PostgreSQL";
      return false;
    }
    dir_ = tmpl;
    data_ = dir_ + "/data";
    if (geteuid() == 0) {
      // PostgreSQL refuses to run as root: the data belongs to the postgres system user.
      passwd* pw = getpwnam("postgres");
      if (!pw) {
        ADD_FAILURE() << "running as root, but there is no `postgres` user to run the test server as "
                         "(the Debian package `postgresql` creates it)";
        return false;
      }
      if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        ADD_FAILURE() << "cannot hand " << dir_ << " to the postgres user";
        return false;
      }
    }
    start_watchdog();
    std::string pkglib = std::filesystem::path(bindir_).parent_path().string() + "/lib";
    if (std::filesystem::exists(pkglib + "/timescaledb.so")) preload_ = "timescaledb";
    if (run_as_owner({bin("initdb"), "-D", data_, "-U", "chorus", "-A", "trust", "-E", "UTF8", "--locale=C",
                      "--no-sync"}) != 0) {
      ADD_FAILURE() << "initdb failed; see " << dir_ << "/commands.log";
      return false;
    }
    port_ = free_port();
    return start();
  }

  // A child that waits for this process to end (its pipe closes), then stops the server and deletes
  // the directory. It execs a shell at once, so nothing of this process's state runs in the child.
  void start_watchdog() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    std::string as_owner = geteuid() == 0 ? "/usr/sbin/runuser -u postgres -- " : "";
    std::string script = "read _; " + as_owner + bin("pg_ctl") + " -D '" + data_ +
                         "' -m immediate -w stop >/dev/null 2>&1; rm -rf '" + dir_ + "'";
    pid_t pid = fork();
    if (pid == 0) {
      dup2(fds[0], STDIN_FILENO);  // dup2 clears close-on-exec for the copy
      setsid();                    // a Ctrl-C in the terminal reaches the tests, not the cleanup
      execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[0]);
    watchdog_fd_ = fds[1];
    watchdog_pid_ = pid;
  }

  std::string bindir_, dir_, data_, preload_, last_error_;
  int port_ = 0;
  bool running_ = false;
  int watchdog_fd_ = -1;
  pid_t watchdog_pid_ = -1;
};

}  // namespace chorus::testing

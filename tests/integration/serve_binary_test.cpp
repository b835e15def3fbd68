// The real `chorus` binary: it prints where it listens, serves, and on SIGTERM drains and exits 0;
// bad usage exits 2 with one line on stderr.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>

#include "integration/harness.hpp"

namespace chorus::testing {
namespace {

struct Child {
  pid_t pid = -1;
  FILE* out = nullptr;
};

Child spawn(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  return Child{pid, fdopen(fds[0], "r")};
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string read_url(FILE* out) {
  char line[512];
  std::regex url(R"((http://127\.0\.0\.1:\d+))");
  while (std::fgets(line, sizeof line, out)) {
    std::cmatch m;
    if (std::regex_search(line, m, url)) return m[1];
  }
  return "";
}

TEST(ServeBinary, ServesAndDrainsOnSigterm) {
  auto dir = temp_dir("bin");
  for (int round = 0; round < 2; ++round) {  // a restart on the same data dir resumes
    auto child = spawn({CHORUS_BINARY, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir.string()});
    std::string url = read_url(child.out);
    ASSERT_FALSE(url.empty());
    Api api(url);
    EXPECT_EQ(api.get("/healthz", "").status, 200);
    std::string admin_key;
    {
      std::ifstream in(dir / "admin.key");
      std::getline(in, admin_key);
    }
    ASSERT_FALSE(admin_key.empty());
    auto c = api.post("/v1/customers", admin_key, json::object{{"name", "round " + std::to_string(round)}});
    EXPECT_EQ(c.status, 201) << c.raw;
    kill(child.pid, SIGTERM);
    EXPECT_EQ(wait_exit(child.pid), 0);
    std::fclose(child.out);
  }
  std::filesystem::remove_all(dir);
}

TEST(ServeBinary, AdminKeyFromEnvironment) {
  auto dir = temp_dir("env");
  auto child = spawn({CHORUS_BINARY, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir.string()},
                     {"CHORUS_ADMIN_KEY=admin-from-env-0123456789"});
  std::string url = read_url(child.out);
  ASSERT_FALSE(url.empty());
  Api api(url);
  EXPECT_EQ(api.post("/v1/customers", "admin-from-env-0123456789", json::object{{"name", "x"}}).status, 201);
  EXPECT_FALSE(std::filesystem::exists(dir / "admin.key"));
  kill(child.pid, SIGINT);
  EXPECT_EQ(wait_exit(child.pid), 0);
  std::fclose(child.out);
  std::filesystem::remove_all(dir);
}

// SIGTERM and SIGINT are for the main thread's sigwait alone. Any other thread that could take them (the log's
// flusher, started when stdout is a pipe, was one) would let a signal that arrives before the main thread
// waits for it end the process at once, undrained, with status 143.
TEST(ServeBinary, NoThreadButTheMainOneTakesTermination) {
  auto dir = temp_dir("mask");
  auto child = spawn({CHORUS_BINARY, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir.string()});
  std::string url = read_url(child.out);
  ASSERT_FALSE(url.empty());
  int threads = 0;
  std::vector<std::string> taking;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(child.pid) + "/task")) {
    if (task.path().filename() == std::to_string(child.pid)) continue;  // the main thread, in sigwait
    std::ifstream status(task.path() / "status");
    std::string line, name;
    unsigned long long blocked = 0;
    while (std::getline(status, line)) {
      if (line.rfind("Name:", 0) == 0) name = line.substr(line.find_first_not_of(" \t", 5));
      if (line.rfind("SigBlk:", 0) == 0) blocked = std::stoull(line.substr(7), nullptr, 16);
    }
    ++threads;
    const unsigned long long both = (1ULL << (SIGTERM - 1)) | (1ULL << (SIGINT - 1));
    if ((blocked & both) != both) taking.push_back(name);
  }
  EXPECT_GT(threads, 3);
  EXPECT_TRUE(taking.empty()) << "threads that could take SIGTERM or SIGINT: " << taking.size()
                              << (taking.empty() ? std::string() : ", the first named " + taking.front());
  kill(child.pid, SIGTERM);
  EXPECT_EQ(wait_exit(child.pid), 0);
  std::fclose(child.out);
  std::filesystem::remove_all(dir);
}

TEST(ServeBinary, ConfigFileSetsFlagsAndTheCommandLineWins) {
  auto dir = temp_dir("cfg");
  auto file = dir / "chorus.toml";
  {
    std::ofstream out(file);
    out << "listen = \"127.0.0.1:1\"\ndata-dir = \"" << (dir / "data").string() << "\"\nhttp-threads = 2\n";
  }
  // The file's listen address would fail (port 1 is privileged); the flag overrides it.
  auto child = spawn({CHORUS_BINARY, "serve", "--config", file.string(), "--listen", "127.0.0.1:0"});
  std::string url = read_url(child.out);
  ASSERT_FALSE(url.empty());
  EXPECT_TRUE(std::filesystem::exists(dir / "data" / "admin.key")) << "data-dir from the file";
  kill(child.pid, SIGTERM);
  EXPECT_EQ(wait_exit(child.pid), 0);
  std::fclose(child.out);

  {
    std::ofstream out(file);
    out << "lisen = \"127.0.0.1:0\"\n";
  }
  auto bad = spawn({CHORUS_BINARY, "serve", "--config", file.string()});
  EXPECT_EQ(wait_exit(bad.pid), 2) << "an unknown key is bad usage";
  std::fclose(bad.out);
  std::filesystem::remove_all(dir);
}

TEST(ServeBinary, BadUsageExitsTwo) {
  auto child = spawn({CHORUS_BINARY, "serve", "--roles", "parser,teleporter", "--data-dir", temp_dir("bad").string()});
  EXPECT_EQ(wait_exit(child.pid), 2);
  std::fclose(child.out);
  auto egress = spawn({CHORUS_BINARY, "serve", "--egress-allow", "10.0.0.0/33", "--listen", "127.0.0.1:0",
                       "--data-dir", temp_dir("bad-egress").string()});
  EXPECT_EQ(wait_exit(egress.pid), 2) << "a malformed range is bad usage";
  std::fclose(egress.out);
  // Pool sizes the system could not start (which ended the process) or that would never sync are bad usage,
  // said as a range a person can read.
  for (const char* flag : {"--http-threads", "--http-io-threads", "--fetch-workers"})
    for (const char* value : {"0", "99999999999999999999999", "1025"}) {
      auto pool = spawn({"/bin/sh", "-c",
                         std::string(CHORUS_BINARY) + " serve " + flag + " " + value +
                             " --listen 127.0.0.1:0 --data-dir " + temp_dir("bad-pool").string() + " 2>&1"});
      char said[256] = {0};
      ASSERT_NE(std::fgets(said, sizeof said, pool.out), nullptr) << flag << " " << value;
      EXPECT_NE(std::string(said).find(std::string(flag) + ": Value " + value + " not in range 1 to 1024"),
                std::string::npos)
          << said;
      EXPECT_EQ(wait_exit(pool.pid), 2) << flag << " " << value;
      std::fclose(pool.out);
    }
  auto none = spawn({"/bin/sh", "-c", std::string(CHORUS_BINARY) + " frobnicate --fast 2>&1"});
  char said[256] = {0};
  ASSERT_NE(std::fgets(said, sizeof said, none.out), nullptr);
  EXPECT_EQ(std::string(said).rfind("chorus: 'frobnicate' is not a command; the commands are serve, analyze, ", 0), 0u)
      << said;
  EXPECT_EQ(wait_exit(none.pid), 2);
  std::fclose(none.out);
  auto version = spawn({CHORUS_BINARY, "version"});
  char line[128] = {0};
  ASSERT_NE(std::fgets(line, sizeof line, version.out), nullptr);
  EXPECT_EQ(std::string(line).rfind("chorus ", 0), 0u);
  EXPECT_EQ(wait_exit(version.pid), 0);
  std::fclose(version.out);
}

}  // namespace
}  // namespace chorus::testing

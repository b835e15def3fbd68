// A scale-out deployment on one machine for tests and benchmarks: `chorus dev-cluster`, a throwaway
// PostgreSQL database, and `chorus serve --roles X --bus kafka --store postgres` processes, each role
// its own process with its own log.
#pragma once

#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "core/secrets.hpp"
#include "integration/harness.hpp"
#include "support/postgres_server.hpp"

namespace chorus::testing {

// A child process whose stdout and stderr go to a log file.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> args, const std::map<std::string, std::string>& env,
               std::filesystem::path log)
      : log_(std::move(log)) {
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  ~ChildProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig) const { kill(pid_, sig); }
  // Exit code, or 128 + signal.
  int wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string log() const {
    std::ifstream in(log_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Waits until the log matches `pattern`; returns the first capture group (or the match).
  std::string wait_for(const std::string& pattern, std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    std::regex re(pattern);
    std::string found;
    eventually(
        [&] {
          std::smatch m;
          std::string text = log();
          if (!std::regex_search(text, m, re)) return false;
          found = m.size() > 1 ? m[1].str() : m[0].str();
          return true;
        },
        timeout);
    return found;
  }
  std::uintmax_t cpu_ticks() const {
    std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    auto close = text.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream rest(text.substr(close + 2));
    std::string field;
    std::uintmax_t utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    return utime + stime;
  }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

// The deployment: one dev-cluster, one database, and role processes started on demand.
class ScaleOutCluster {
 public:
  static constexpr const char* kAdminKey = "chadm_scaleout_admin";

  ScaleOutCluster(PostgresServer& postgres, const std::string& database, int partitions = 4)
      : postgres_(postgres), dir_(temp_dir("scaleout")) {
    postgres_url_ = postgres.create_database(database);
    dev_cluster_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{CHORUS_BINARY, "dev-cluster", "--brokers", "3", "--partitions",
                                 std::to_string(partitions)},
        std::map<std::string, std::string>{}, dir_ / "dev-cluster.log");
    // Its first line on stdout is the bootstrap list.
    brokers_ = dev_cluster_->wait_for(R"((127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+))");
    master_key_ = to_hex(std::string(32, '\x5a'));
  }
  ~ScaleOutCluster() {
    roles_.clear();
    dev_cluster_.reset();
    if (::testing::Test::HasFailure()) {
      std::fprintf(stderr, "scale-out logs kept in %s\n", dir_.c_str());
    } else {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  const std::string& brokers() const { return brokers_; }
  const std::string& postgres_url() const { return postgres_url_; }
  const std::filesystem::path& dir() const { return dir_; }

  // An environment variable every role process started from now on gets.
  void set_env(const std::string& name, const std::string& value) { extra_env_[name] = value; }

  // Starts `chorus serve --roles <roles>` as its own process and waits until it runs; `name` keys it.
  // `kafka_config` adds librdkafka settings ("producer.linger.ms=300") to the suite's own.
  ChildProcess& start(const std::string& name, const std::string& roles, const std::string& kafka_config = "") {
    auto data = dir_ / ("data-" + name);
    std::filesystem::create_directories(data);
    int generation = ++generations_[name];
    auto log = dir_ / (name + "-" + std::to_string(generation) + ".log");
    auto child = std::make_unique<ChildProcess>(
        std::vector<std::string>{CHORUS_BINARY, "serve", "--roles", roles, "--egress-allow", "127.0.0.0/8",
                                 "--listen", "127.0.0.1:0", "--data-dir", data.string(), "--bus", "kafka",
                                 "--kafka-brokers", brokers_, "--store", "postgres", "--postgres-url", postgres_url_,
                                 "--http-threads", "4"},
        role_env(kafka_config), log);
    auto& ref = *child;
    roles_[name] = std::move(child);
    std::string url = ref.wait_for(R"(Chorus is (?:listening on (http://127\.0\.0\.1:\d+)|running))");
    if (!url.empty() && url.starts_with("http")) urls_[name] = url;
    return ref;
  }
  ChildProcess& role(const std::string& name) { return *roles_.at(name); }
  std::map<std::string, std::string> role_env(const std::string& kafka_config = "") const {
    std::map<std::string, std::string> env{
        {"CHORUS_ADMIN_KEY", kAdminKey},
        {"CHORUS_MASTER_KEY", master_key_},
        {"CHORUS_KAFKA_CONFIG", "consumer.session.timeout.ms=3000,consumer.heartbeat.interval.ms=500" +
                                    (kafka_config.empty() ? "" : "," + kafka_config)}};
    for (const auto& [k, v] : extra_env_) env[k] = v;
    return env;
  }
  // Stops a role with SIGTERM (it drains) and returns its exit code.
  int stop(const std::string& name) {
    auto& p = *roles_.at(name);
    p.signal(SIGTERM);
    int code = p.wait();
    roles_.erase(name);
    return code;
  }
  // Kills a role with SIGKILL: no draining, no commits, nothing flushed.
  int kill9(const std::string& name) {
    auto& p = *roles_.at(name);
    p.signal(SIGKILL);
    int code = p.wait();
    roles_.erase(name);
    return code;
  }
  std::string url(const std::string& name) const { return urls_.at(name); }

  // The offsets `group` has committed on `topic`, summed over its partitions (-1 on failure). Asking
  // does not join the group.
  std::int64_t committed(const std::string& group, const std::string& topic) const {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", brokers_.c_str(), err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group.c_str(), err, sizeof err);
    rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) return -1;
    std::int64_t sum = -1;
    rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(rk, 0, t, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1) {
      rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
      for (int p = 0; p < md->topics[0].partition_cnt; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
      if (rd_kafka_committed(rk, list, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        sum = 0;
        for (int i = 0; i < list->cnt; ++i) sum += std::max<std::int64_t>(0, list->elems[i].offset);
      }
      rd_kafka_topic_partition_list_destroy(list);
    }
    if (md) rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
    rd_kafka_destroy(rk);
    return sum;
  }

 private:
  PostgresServer& postgres_;
  std::filesystem::path dir_;
  std::string postgres_url_, brokers_, master_key_;
  std::unique_ptr<ChildProcess> dev_cluster_;
  std::map<std::string, std::unique_ptr<ChildProcess>> roles_;
  std::map<std::string, std::string> urls_;
  std::map<std::string, int> generations_;
  std::map<std::string, std::string> extra_env_;
};

// A Discourse forum pushing signed `post_created` webhooks to a source of a fresh customer.
class DiscourseTenant {
 public:
  static constexpr const char* kSecret = "scaleout-webhook-secret";

  DiscourseTenant(const std::string& api_url, const std::string& webhook_url)
      : api_(api_url), webhook_(webhook_url) {
    auto customer = api_.post("/v1/customers", ScaleOutCluster::kAdminKey, json::object{{"name", "Acme"}});
    EXPECT_EQ(customer.status, 201) << customer.raw;
    key_ = str(customer.body, "api_key");
    auto ws = api_.post(
        "/v1/workspaces", key_,
        json::object{{"name", "app"},
                     {"sources", json::array{json::object{
                                     {"type", "discourse"},
                                     {"name", "forum"},
                                     {"config", json::object{{"base_url", "http://127.0.0.1:9"}}},
                                     {"webhook", json::object{{"scheme", "discourse"}, {"secret", kSecret}}}}}}});
    EXPECT_EQ(ws.status, 201) << ws.raw;
    workspace_ = str(ws.body, "id");
    source_ = str(ws.body, "sources.0.id");
  }

  // Posts post `id` as Discourse would; returns the HTTP status.
  int post(int id) {
    std::string body = R"({"post":{"id":)" + std::to_string(id) + R"(,"cooked":"<p>Post )" + std::to_string(id) +
                       R"(: the export to CSV fails after the last update, please fix it</p>",)" +
                       R"("created_at":"2026-03-01T10:00:00Z","topic_id":1,"post_number":1}})";
    std::string signature = "sha256=" + to_hex(hmac_sha256_raw(kSecret, body));
    auto r = webhook_.call("POST", "/v1/hooks/" + source_, "", body,
                           {{"X-Discourse-Event", "post_created"}, {"X-Discourse-Event-Signature", signature}});
    return r.status;
  }

  struct Stored {
    int copies = 0;
    std::int64_t revision = 0;  // the highest: above 1 when the item was stored again (redelivered)
  };
  // Every record in the workspace by external id; empty when the API cannot answer.
  std::map<std::string, Stored> stored() {
    std::map<std::string, Stored> out;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
      auto r = api_.get("/v1/workspaces/" + workspace_ + "/feedback?limit=100" + (cursor.empty() ? "" : "&cursor=" + cursor), key_);
      if (r.status != 200) return {};
      const auto* items = find_path(r.body, "items");
      if (!items || !items->is_array()) return {};
      for (const auto& item : items->as_array()) {
        Stored& s = out[str(item, "metadata_attributes.external_id")];
        ++s.copies;
        s.revision = std::max(s.revision, num(item, "context_info.revision"));
      }
      cursor = str(r.body, "next_cursor");
      if (cursor.empty() || cursor == "null") break;
    }
    return out;
  }
  std::size_t stored_count() { return stored().size(); }
  int reprocessed() {
    int n = 0;
    for (const auto& [id, s] : stored()) n += s.revision > 1 ? 1 : 0;
    return n;
  }
  // What the reports role counted (from the rollups), -1 when the API cannot answer.
  std::int64_t reported_total() {
    auto r = api_.get("/v1/workspaces/" + workspace_ + "/insights?from=2026-02-01T00:00:00Z&to=2026-04-01T00:00:00Z",
                      key_);
    return r.status == 200 ? num(r.body, "totals.count") : -1;
  }
  std::int64_t items_total() {
    auto r = api_.get("/v1/workspaces/" + workspace_ + "/sources/" + source_, key_);
    return r.status == 200 ? num(r.body, "status.items_total") : -1;
  }

  Api& api() { return api_; }

 private:
  Api api_, webhook_;
  std::string key_, workspace_, source_;
};

}  // namespace chorus::testing

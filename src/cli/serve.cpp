// chorus serve: run the chosen roles until SIGINT or SIGTERM, then drain and exit 0.
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "roles/process.hpp"

namespace chorus::cli {

const char* version_string() { return "0.1.0"; }

int fail(const std::string& message, int code) {
  std::fprintf(stderr, "chorus: %s\n", message.c_str());
  return code;
}

namespace {

// The most threads (or syncs at once) a pool may be given: far past what helps, short of what the system
// refuses to start (which would end the process instead of saying what is wrong).
constexpr std::size_t kMaxThreads = 1024;

std::string default_web_root() {
  // The dashboard built by `make` sits in web/dist of the source tree the binary was built from.
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto candidate = exe.parent_path().parent_path() / "web" / "dist";
    if (std::filesystem::exists(candidate / "index.html")) return candidate.string();
  }
  return "";
}

// The server's log lines on stdout, left in stdio's buffer: written when it fills, every second, and at once
// from a warning up. The server logs a line per HTTP request, and a write() per line was a twentieth of the
// CPU of a webhook burst.
class BufferedStdoutSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  void flush_() override { std::fflush(stdout); }
};

// To a terminal, each line as it comes (the default logger); to a file or a pipe, buffered.
void log_to_stdout() {
  if (isatty(STDOUT_FILENO)) return;
  auto logger = std::make_shared<spdlog::logger>("chorus", std::make_shared<BufferedStdoutSink>());
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  spdlog::flush_every(std::chrono::seconds(1));
}

int serve(roles::ServeConfig config) {
  // Signals are taken synchronously by this thread; every other thread inherits the mask, so it is set before
  // the first one starts (the log's flusher included). A thread started before it would take a SIGTERM that
  // arrives while this one is not yet in sigwait, and the process would die without draining.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  log_to_stdout();
  if (config.web_root.empty()) config.web_root = default_web_root();

  auto process = roles::ChorusProcess::start(config);
  if (!process) return fail(process.error().message, process.error().code == ErrorCode::bad_request ? 2 : 1);
  auto& p = *process.value();
  if (p.port()) {
    std::printf("Chorus is listening on %s (roles: %s)\n", p.base_url().c_str(), config.roles.c_str());
    if (!p.admin_key_file().empty())
      std::printf("Admin key: %s (use it to create customers: POST /v1/customers)\n",
                  std::filesystem::absolute(p.admin_key_file()).c_str());
    else
      std::printf("Admin key: from CHORUS_ADMIN_KEY\n");
  } else {
    std::printf("Chorus is running (roles: %s)\n", config.roles.c_str());
  }
  std::fflush(stdout);
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("received {}, draining", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  p.stop();
  spdlog::info("stopped cleanly");
  spdlog::default_logger()->flush();
  return 0;
}

}  // namespace

void add_serve(CLI::App& app, Commands& commands) {
  auto* cmd = app.add_subcommand("serve", "Run Chorus: HTTP API, webhooks, fetcher, parser and reports");
  auto config = std::make_shared<roles::ServeConfig>();
  std::string data_dir = "./var";
  auto data_dir_ptr = std::make_shared<std::string>(data_dir);
  auto config_file = std::make_shared<std::string>();
  cmd->add_option("--config", *config_file, "TOML file with any of these flags as keys: listen = \"0.0.0.0:9000\"")
      ->envname("CHORUS_CONFIG")
      ->check(CLI::ExistingFile);
  cmd->add_option("--listen", config->listen, "Address to listen on")->envname("CHORUS_LISTEN")->capture_default_str();
  cmd->add_option("--data-dir", *data_dir_ptr, "Where SQLite, the embedded bus and the keys live")
      ->envname("CHORUS_DATA_DIR")
      ->capture_default_str();
  cmd->add_option("--roles", config->roles, "all, or a comma list of api,webhook,fetcher,parser,reports")
      ->envname("CHORUS_ROLES")
      ->capture_default_str();
  cmd->add_option("--bus", config->bus, "embedded or kafka")->envname("CHORUS_BUS")->capture_default_str();
  cmd->add_option("--bus-retention-hours", config->bus_retention_hours,
                  "Embedded bus: delete a message every role has finished once it is this old (0: keep all)")
      ->envname("CHORUS_BUS_RETENTION_HOURS")
      ->check(CLI::Range(0.0, 1.0e6))
      ->capture_default_str();
  cmd->add_option("--kafka-brokers", config->kafka_brokers, "host:port,... for --bus kafka")->envname("CHORUS_KAFKA_BROKERS");
  cmd->add_option("--kafka-topic-prefix", config->kafka_topic_prefix, "Prefix for every topic and consumer group")
      ->envname("CHORUS_KAFKA_TOPIC_PREFIX");
  cmd->add_option("--kafka-config", config->kafka_config,
                  "librdkafka settings key=value,...; producer./consumer./admin. prefixes pick one client")
      ->envname("CHORUS_KAFKA_CONFIG");
  cmd->add_option("--store", config->store, "sqlite or postgres")->envname("CHORUS_STORE")->capture_default_str();
  cmd->add_option("--postgres-url", config->postgres_url, "postgresql://... for --store postgres")
      ->envname("CHORUS_POSTGRES_URL");
  cmd->add_option("--http-io-threads", config->http_io_threads,
                  "Threads that read and write HTTP and take webhook deliveries")
      ->envname("CHORUS_HTTP_IO_THREADS")
      ->check(CLI::Range(std::size_t{1}, kMaxThreads))
      ->capture_default_str();
  cmd->add_option("--http-threads", config->http_threads, "Threads that run API requests, which may wait on the store")
      ->envname("CHORUS_HTTP_THREADS")
      ->check(CLI::Range(std::size_t{1}, kMaxThreads))
      ->capture_default_str();
  cmd->add_option("--fetch-workers", config->fetch_workers, "Syncs that may run at once")
      ->envname("CHORUS_FETCH_WORKERS")
      ->check(CLI::Range(std::size_t{1}, kMaxThreads))
      ->capture_default_str();
  cmd->add_option("--egress-allow", config->egress_allow,
                  "Address ranges sources may reach although private or loopback (10.0.0.0/8,...)")
      ->envname("CHORUS_EGRESS_ALLOW");
  cmd->add_option("--parser-batch", config->parser_batch,
                  "raw.items messages a parser takes at once (stored in transactions of about 16,384 records, "
                  "each published at once; 256 while webhooks arrive in the same process)")
      ->envname("CHORUS_PARSER_BATCH")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option_function<std::string>(
         "--pipeline-priority",
         [config](const std::string& v) {
           config->pipeline_priority = v == "normal" ? roles::ThreadPriority::normal : roles::ThreadPriority::background;
         },
         "background: the parser and reports run on CPU time that ingress and API requests leave idle; "
         "normal: they share it equally")
      ->envname("CHORUS_PIPELINE_PRIORITY")
      ->check(CLI::IsMember({"background", "normal"}))
      ->default_str("background");
  cmd->add_option("--webhook-max-backlog", config->webhook_max_backlog,
                  "Deliveries the parser may be behind before webhooks get 503 with Retry-After (0: no bound)")
      ->envname("CHORUS_WEBHOOK_MAX_BACKLOG")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1'000'000'000}));
  cmd->add_option("--parser-yield-backlog", config->parser_yield_backlog,
                  "While webhooks arrive faster than --parser-yield-rate, the parser in the same process waits so "
                  "senders get fast answers, until it is this many deliveries behind (at most half of "
                  "--webhook-max-backlog; 0: it never waits)")
      ->envname("CHORUS_PARSER_YIELD_BACKLOG")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1'000'000'000}));
  cmd->add_option("--parser-rollup-lag", config->parser_rollup_lag,
                  "With the reports role in the same process (embedded bus), the parser waits while the rollups "
                  "are more than this many records behind, so they keep up with the records (0: it never waits)")
      ->envname("CHORUS_PARSER_ROLLUP_LAG")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1'000'000'000}));
  cmd->add_option("--parser-yield-rate", config->parser_yield_rate,
                  "Accepted webhooks a second that make a burst the parser steps aside for")
      ->envname("CHORUS_PARSER_YIELD_RATE")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e9));
  cmd->add_option("--web-root", config->web_root, "Directory with the built dashboard")->envname("CHORUS_WEB_ROOT");
  cmd->add_option("--public-url", config->public_url, "The dashboard's address as alert messages link to it")
      ->envname("CHORUS_PUBLIC_URL");
  cmd->add_option("--alerts-evaluate-ms", config->alerts_evaluate_ms, "How often alert rules judge new live items")
      ->envname("CHORUS_ALERTS_EVALUATE_MS")
      ->check(CLI::Range(100, 60000))
      ->capture_default_str();
  cmd->add_option("--alerts-settle-ms", config->alerts_settle_ms,
                  "How long a fired alert waits for its burst to grow before it is sent")
      ->envname("CHORUS_ALERTS_SETTLE_MS")
      ->check(CLI::Range(0, 600000))
      ->capture_default_str();
  cmd->add_option("--alerts-retry-base-ms", config->alerts_retry_base_ms,
                  "The first retry's wait after a failed alert delivery (doubling, with jitter, for 24 h)")
      ->envname("CHORUS_ALERTS_RETRY_BASE_MS")
      ->check(CLI::Range(100, 3600000))
      ->capture_default_str();
  cmd->footer("\nExamples:\n  chorus serve\n  chorus serve --listen 0.0.0.0:9000 --data-dir /srv/chorus\n"
              "  CHORUS_ADMIN_KEY=... chorus serve --roles api,webhook");
  cmd->callback([cmd, config, config_file, data_dir_ptr, &commands] {
    if (!config_file->empty()) {
      if (auto s = apply_config_file(*cmd, *config_file); !s) {
        commands.exit_code = fail(s.error().message, 2);
        return;
      }
    }
    config->data_dir = *data_dir_ptr;
    if (const char* k = std::getenv("CHORUS_ADMIN_KEY")) config->admin_key = k;
    if (const char* k = std::getenv("CHORUS_MASTER_KEY")) config->master_key = k;
    commands.exit_code = serve(*config);
  });
}

}  // namespace chorus::cli

// chorus sync: ask a source to fetch now and, with --follow, watch the sync until it is done or failed.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "cli/api_client.hpp"
#include "cli/commands.hpp"

namespace chorus::cli {

namespace {

struct SyncOptions {
  ApiOptions api;
  std::string workspace, source;
  bool follow = false;
  double interval = 0.5;  // seconds between polls
  double timeout = 0;     // seconds; 0 waits as long as the sync runs
};

struct SyncState {
  std::string state;
  std::int64_t items = 0, new_items = 0, skipped = 0;
  std::string error;
  std::string skipped_reasons;  // "no_text 3, pull_request 7"
};

SyncState read_state(const json::value& v) {
  SyncState s{get_string(v, "state").value_or("unknown"), get_int(v, "items").value_or(0),
              get_int(v, "new_items").value_or(0), get_int(v, "skipped").value_or(0),
              get_string(v, "error").value_or(""), ""};
  if (const json::value* reasons = find_path(v, "skipped_reasons"); reasons && reasons->is_object())
    for (const auto& kv : reasons->get_object())
      s.skipped_reasons += (s.skipped_reasons.empty() ? "" : ", ") + std::string(kv.key()) + " " +
                           std::to_string(kv.value().is_int64() ? kv.value().get_int64() : 0);
  return s;
}

// One status line, redrawn in place on a terminal; one line per change of state otherwise (logs, CI).
class StatusLine {
 public:
  StatusLine() : tty_(isatty(STDERR_FILENO) != 0) {}

  void show(const SyncState& s, double secs) {
    static constexpr const char* kFrames[] = {"|", "/", "-", "\\"};
    if (tty_) {
      std::fprintf(stderr, "\r\033[K%s %-8s %lld items (%lld new)  %.1fs", kFrames[frame_++ % 4], s.state.c_str(),
                   static_cast<long long>(s.items), static_cast<long long>(s.new_items), secs);
      std::fflush(stderr);
    } else if (s.state != last_) {
      std::fprintf(stderr, "%s: %lld items (%lld new)\n", s.state.c_str(), static_cast<long long>(s.items),
                   static_cast<long long>(s.new_items));
    }
    last_ = s.state;
  }
  void finish() {
    if (tty_) std::fputs("\r\033[K", stderr);
  }

 private:
  bool tty_;
  unsigned frame_ = 0;
  std::string last_;
};

int run_sync(const SyncOptions& o) {
  if (o.api.key.empty()) return fail("no API key: pass --key or set CHORUS_API_KEY", 2);
  ApiClient client(o.api);
  const std::string ws = url_encode(o.workspace);
  auto started = client.call("POST", "/v1/workspaces/" + ws + "/sources/" + url_encode(o.source) + "/sync", "{}");
  if (!started) return fail("cannot start a sync of source " + o.source + ": " + started.error().message);
  std::string id = get_string(*started, "sync_id").value_or("");
  if (id.empty()) return fail("the server did not say which sync it started");
  if (!o.follow) {
    std::printf("Sync %s of source %s is %s; follow it with: chorus sync %s %s --follow\n", id.c_str(),
                o.source.c_str(), get_string(*started, "state").value_or("queued").c_str(), o.workspace.c_str(),
                o.source.c_str());
    return 0;
  }
  auto begin = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count(); };
  StatusLine line;
  SyncState s = read_state(*started);
  // A short first wait, so that a quick sync is reported without a full poll interval.
  auto wait = std::chrono::milliseconds(100);
  while (s.state != "done" && s.state != "failed") {
    line.show(s, elapsed());
    if (o.timeout > 0 && elapsed() > o.timeout) {
      line.finish();
      return fail("sync " + id + " is still " + s.state + " after " + std::to_string(static_cast<int>(o.timeout)) +
                  "s; it goes on in the server");
    }
    std::this_thread::sleep_for(wait);
    wait = std::chrono::milliseconds(static_cast<long>(o.interval * 1000));
    auto polled = client.get("/v1/workspaces/" + ws + "/syncs/" + url_encode(id));
    if (!polled) {
      line.finish();
      return fail("lost track of sync " + id + ": " + polled.error().message);
    }
    s = read_state(*polled);
  }
  line.finish();
  if (s.state == "failed")
    return fail("sync " + id + " of source " + o.source + " failed after " + std::to_string(s.items) +
                " items: " + (s.error.empty() ? "no reason given" : s.error));
  std::printf("Sync %s done: %lld items fetched, %lld new, in %.1fs\n", id.c_str(), static_cast<long long>(s.items),
              static_cast<long long>(s.new_items), elapsed());
  if (s.skipped > 0)
    std::printf("%lld items skipped (%s)\n", static_cast<long long>(s.skipped), s.skipped_reasons.c_str());
  return 0;
}

}  // namespace

void add_sync(CLI::App& app, Commands& commands) {
  auto* cmd = app.add_subcommand("sync", "Fetch a source now, and with --follow watch it finish");
  auto o = std::make_shared<SyncOptions>();
  cmd->add_option("workspace", o->workspace, "Workspace id")->required();
  cmd->add_option("source", o->source, "Source id")->required();
  cmd->add_flag("--follow,-f", o->follow, "Wait for the sync, showing its progress; exit 1 if it fails");
  cmd->add_option("--interval", o->interval, "Seconds between progress checks")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 60.0));
  cmd->add_option("--timeout", o->timeout, "Give up following after this many seconds (0: never)")
      ->capture_default_str();
  add_api_options(*cmd, o->api);
  cmd->footer(
      "\nExamples:\n  CHORUS_API_KEY=chk_... chorus sync 1 2 --follow\n"
      "  chorus sync 1 2 --server http://chorus.internal:8080 --key chk_...   # start it and return");
  cmd->callback([cmd, o, &commands] { commands.exit_code = with_config(*cmd, o->api, [&] { return run_sync(*o); }); });
}

}  // namespace chorus::cli

// WAL checkpoints of one database on a thread of their own, so that copying the WAL back into the database
// and its fsync never hold up the writer's commit (and whoever waits on it: an import's parser, a webhook's
// 202). Replaces SQLite's automatic checkpoint on the writer connection with a commit hook that wakes the
// thread once the WAL holds `checkpoint_frames`. The thread's checkpoints are PASSIVE: they copy back what
// no reader still needs and never wait for the writer, which goes on appending; the writer starts the WAL
// over at its next commit once everything has been copied. Beside a writer that never pauses that rarely
// happens, so past `limit_frames` the writer itself copies the rest back and starts the WAL over before it
// goes on: the WAL stays bounded (without it a million-item import left 15 GB of WAL). The file is kept at
// that size (journal_size_limit) and written over, not truncated and grown again, while writes go on; once
// the writer has appended less than an eighth of a checkpoint for `truncate_when_idle` (a lease renewed every
// few seconds is quiet), a WAL larger than `checkpoint_frames` is copied back and cut to nothing, so a large
// import does not leave its WAL on disk.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/sqlite.hpp"

namespace chorus::sqlite {

class WalCheckpointer {
 public:
  struct Options {
    int checkpoint_frames = 8000;   // WAL pages that make a passive checkpoint due
    int limit_frames = 32000;       // WAL pages past which the writer starts it over after its commit
    std::chrono::milliseconds truncate_when_idle{0};  // 0: the WAL file is never cut back
    std::string what = "database";                    // for the log
  };
  struct Stats {
    std::int64_t checkpoints = 0;  // passive ones, by the thread
    std::int64_t truncations = 0;  // WAL started over by the writer, past the limit
    std::int64_t idle_truncations = 0;  // WAL file cut back to nothing after a quiet while
    int last_log = 0, last_copied = 0;  // frames in the WAL at the last passive one, and copied back by it
  };

  // Opens a connection of its own to `file` (already in WAL mode) and hooks `writer`'s commits. `writer`
  // must outlive the checkpointer.
  static Result<std::unique_ptr<WalCheckpointer>> start(Database& writer, const std::filesystem::path& file,
                                                         Options options);
  ~WalCheckpointer();  // unhooks the writer and stops the thread
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  Stats stats() const;

 private:
  WalCheckpointer(Database& writer, Database own, std::filesystem::path file, Options options);
  static int on_commit(void* self, sqlite3* db, const char* name, int frames);
  void loop();
  // Cuts the WAL back to nothing if it is larger than a checkpoint's worth; false if a reader or a writer
  // came in the way (tried again after the next quiet while).
  bool truncate_if_large();

  Database& writer_;
  Database own_;
  std::filesystem::path file_;
  Options options_;
  std::int64_t page_bytes_ = 4096;  // the database's page size
  mutable std::mutex mu_;
  std::condition_variable due_cv_;
  std::condition_variable idle_cv_;  // a checkpoint has ended
  bool due_ = false, stop_ = false;
  bool running_ = false;  // a checkpoint is running, the thread's or the writer's
  std::atomic<std::uint64_t> appended_{0};  // frames the writer has appended, ever
  int wal_frames_ = 0;                      // in the WAL at the writer's last commit (the writer's own)
  std::uint64_t appended_judged_ = 0;       // the count when the WAL was last cut back or found small
  Stats stats_;
  std::thread thread_;
};

}  // namespace chorus::sqlite

// WalCheckpointer.
#include "core/sqlite_checkpointer.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

namespace chorus::sqlite {

WalCheckpointer::WalCheckpointer(Database& writer, Database own, std::filesystem::path file, Options options)
    : writer_(writer), own_(std::move(own)), file_(std::move(file)), options_(std::move(options)) {}

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::start(Database& writer, const std::filesystem::path& file,
                                                                Options options) {
  auto own = Database::open(file, OpenOptions{.what = "", .wal = false});  // WAL: the writer set it
  if (!own) return own.error();
  // A connection learns that the file is in WAL mode when it first reads it; until then a checkpoint on it
  // succeeds without copying a page.
  if (auto s = own->exec("SELECT count(*) FROM sqlite_master"); !s) return s.error();
  // Passive checkpoints never wait; the one that cuts the WAL back must not either (truncate_if_large).
  sqlite3_busy_timeout(own->get(), 0);
  // Past the limit the WAL is started over, not truncated (on_commit), and SQLite trims the file back to the
  // limit's size whenever it starts over from a larger one. Writing over the file's own blocks costs a copy;
  // writing past its end, after a truncation, made the file system allocate and zero each block anew (8% of
  // the server's CPU samples late in a 400,000-item import, against 4% for the writes over the file).
  auto page_size = writer.prepare("PRAGMA page_size");
  if (!page_size) return page_size.error();
  if (auto row = page_size->step(); !row) return row.error();
  const std::int64_t page_bytes = page_size->int64(0);
  const std::int64_t limit_bytes = std::int64_t{options.limit_frames} * page_bytes;
  page_size->reset();
  if (auto s = writer.exec("PRAGMA journal_size_limit = " + std::to_string(limit_bytes)); !s) return s.error();
  std::unique_ptr<WalCheckpointer> c(new WalCheckpointer(writer, std::move(own.value()), file, std::move(options)));
  c->page_bytes_ = page_bytes;
  // A wal hook and SQLite's autocheckpoint are one setting: this replaces it.
  sqlite3_wal_hook(writer.get(), &WalCheckpointer::on_commit, c.get());
  c->thread_ = std::thread([p = c.get()] {
    pthread_setname_np(pthread_self(), "chorus/wal");
    p->loop();
  });
  return c;
}

WalCheckpointer::~WalCheckpointer() {
  if (writer_.get()) sqlite3_wal_hook(writer_.get(), nullptr, nullptr);
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  due_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int WalCheckpointer::on_commit(void* self, sqlite3* db, const char*, int frames) {
  auto* c = static_cast<WalCheckpointer*>(self);
  // The WAL's length after this commit; shorter than before when this commit started it over.
  c->appended_.fetch_add(static_cast<std::uint64_t>(frames >= c->wal_frames_ ? frames - c->wal_frames_ : frames),
                         std::memory_order_relaxed);
  c->wal_frames_ = frames;
  if (frames >= c->options_.limit_frames) {
    // On the writer's thread, after its commit. SQLite refuses a second checkpoint at once rather than wait for
    // one that is running, so the thread's passive one is waited for here, and none starts meanwhile. RESTART
    // copies everything back and has the next commit write from the WAL's start, over the same file.
    std::unique_lock lock(c->mu_);
    c->idle_cv_.wait(lock, [&] { return !c->running_; });
    c->running_ = true;
    lock.unlock();
    int left = 0, copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_RESTART, &left, &copied);
    lock.lock();
    c->running_ = false;
    if (rc == SQLITE_OK) ++c->stats_.truncations;
    lock.unlock();
    c->idle_cv_.notify_all();
    c->due_cv_.notify_one();  // a passive one that came due meanwhile may start now
    if (rc == SQLITE_OK) return SQLITE_OK;
  }
  if (frames >= c->options_.checkpoint_frames) {
    {
      std::lock_guard lock(c->mu_);
      c->due_ = true;
    }
    c->due_cv_.notify_one();
  }
  return SQLITE_OK;
}

void WalCheckpointer::loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      auto ready = [&] { return (due_ && !running_) || stop_; };
      const std::uint64_t seen = appended_.load(std::memory_order_relaxed);
      if (options_.truncate_when_idle.count() <= 0 || seen == appended_judged_) {
        due_cv_.wait(lock, ready);
      } else if (!due_cv_.wait_for(lock, options_.truncate_when_idle, ready)) {
        // Quiet for a while, or not: a whole while with little appended and nothing running counts.
        const std::uint64_t quiet_frames = static_cast<std::uint64_t>(options_.checkpoint_frames / 8) + 1;
        if (running_ || appended_.load(std::memory_order_relaxed) - seen >= quiet_frames) continue;
        running_ = true;
        lock.unlock();
        const bool judged = truncate_if_large();
        lock.lock();
        running_ = false;
        if (judged) appended_judged_ = seen;
        lock.unlock();
        idle_cv_.notify_all();
        continue;
      }
      if (stop_) return;
      due_ = false;
      running_ = true;
    }
    int log = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(own_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      spdlog::warn("{}: checkpoint of {} failed: {}", options_.what, file_.string(), sqlite3_errmsg(own_.get()));
    {
      std::lock_guard lock(mu_);
      running_ = false;
      ++stats_.checkpoints;
      stats_.last_log = log;
      stats_.last_copied = copied;
    }
    idle_cv_.notify_all();
  }
}

bool WalCheckpointer::truncate_if_large() {
  std::error_code ec;
  const auto wal = std::filesystem::file_size(file_.string() + "-wal", ec);
  if (ec) return true;  // no WAL file: nothing to cut back
  if (wal <= static_cast<std::uintmax_t>(std::int64_t{options_.checkpoint_frames} * page_bytes_)) return true;
  // TRUNCATE waits for readers through the busy handler while it holds the write lock; this connection has
  // none (a zero timeout), so a reader or a writer that comes in the way makes it give up rather than wait.
  int log = 0, copied = 0;
  const int rc = sqlite3_wal_checkpoint_v2(own_.get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log, &copied);
  if (rc != SQLITE_OK) {
    if (rc != SQLITE_BUSY)
      spdlog::warn("{}: cutting back the WAL of {} failed: {}", options_.what, file_.string(),
                   sqlite3_errmsg(own_.get()));
    return false;
  }
  std::lock_guard lock(mu_);
  ++stats_.idle_truncations;
  return true;
}

WalCheckpointer::Stats WalCheckpointer::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace chorus::sqlite

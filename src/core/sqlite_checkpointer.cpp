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
  // Past the limit the WAL is started over, not truncated (on_commit), and SQLite trims the file back to the
  // limit's size whenever it starts over from a larger one. Writing over the file's own blocks costs a copy;
  // writing past its end, after a truncation, made the file system allocate and zero each block anew (8% of
  // the server's CPU samples late in a 400,000-item import, against 4% for the writes over the file).
  auto page_size = writer.prepare("PRAGMA page_size");
  if (!page_size) return page_size.error();
  if (auto row = page_size->step(); !row) return row.error();
  const std::int64_t limit_bytes = std::int64_t{options.limit_frames} * page_size->int64(0);
  page_size->reset();
  if (auto s = writer.exec("PRAGMA journal_size_limit = " + std::to_string(limit_bytes)); !s) return s.error();
  std::unique_ptr<WalCheckpointer> c(new WalCheckpointer(writer, std::move(own.value()), file, std::move(options)));
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
      due_cv_.wait(lock, [&] { return (due_ && !running_) || stop_; });
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

WalCheckpointer::Stats WalCheckpointer::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace chorus::sqlite

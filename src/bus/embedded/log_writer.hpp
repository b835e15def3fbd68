// The embedded bus's single writer: group-commits every queued request in one transaction.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "bus/embedded/write_queue.hpp"
#include "core/sqlite.hpp"
#include "core/sqlite_checkpointer.hpp"

namespace chorus::bus::embedded {

class LogWriter {
 public:
  // Opens `file` in WAL mode with synchronous=FULL and creates the schema.
  static Result<std::unique_ptr<LogWriter>> open(const std::filesystem::path& file,
                                                 const EmbeddedBusOptions& options = {});

  // The writer thread's body: takes everything queued, commits it as one transaction (one sync),
  // wakes the callers, and repeats; returns once the queue is closing and drained. Between batches, every
  // trim interval, it deletes messages past their retention (EmbeddedBusOptions).
  void run(WriteQueue& queue);

  // Checkpoints of bus.db so far (they run beside the writer; core/sqlite_checkpointer.hpp).
  sqlite::WalCheckpointer::Stats checkpoint_stats() const { return checkpointer_->stats(); }

  // The largest key plus payload a message may have.
  std::size_t max_message_bytes() const { return max_message_bytes_; }

 private:
  using NextOffsets = std::map<std::string, std::int64_t, std::less<>>;

  // Commits everything queued as one batch and answers its callers; `lock` (on queue.mu) is held on entry and
  // on return, and released while the batch is written.
  void write_queued(WriteQueue& queue, std::unique_lock<std::mutex>& lock);
  Status write_batch(std::span<PendingWrite* const> batch);
  Status apply(const PendingWrite& write, TimeMs now, NextOffsets& next_offsets);
  Status append(std::string_view topic, std::span<const OutgoingMessage> messages, TimeMs now,
                NextOffsets& next_offsets);
  void rollback_if_open();
  // Deletes, in one transaction, up to a slice of each topic's messages that every group has finished and that
  // are past the retention. How many, and whether finished messages are left for another slice.
  struct Trimmed {
    std::uint64_t deleted = 0;
    bool more = false;
  };
  Result<Trimmed> trim(TimeMs now);

  sqlite::Database db_;
  std::size_t max_message_bytes_ = 0;
  EmbeddedBusOptions options_;
  std::chrono::steady_clock::time_point next_trim_;
  sqlite::Statement begin_, commit_, rollback_;
  sqlite::Statement read_next_offset_, write_next_offset_, insert_message_;
  sqlite::Statement commit_offset_, join_group_;
  sqlite::Statement finished_below_, first_offset_, delete_messages_;
  std::unique_ptr<sqlite::WalCheckpointer> checkpointer_;  // after db_: unhooks it before it closes
};

}  // namespace chorus::bus::embedded

// The embedded bus's single writer: group-commits every queued request in one transaction.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "bus/embedded/write_queue.hpp"
#include "core/sqlite.hpp"

namespace chorus::bus::embedded {

class LogWriter {
 public:
  // Opens `file` in WAL mode with synchronous=FULL and creates the schema.
  static Result<std::unique_ptr<LogWriter>> open(const std::filesystem::path& file);

  // The writer thread's body: takes everything queued, commits it as one transaction (one sync),
  // wakes the callers, and repeats; returns once the queue is closing and drained.
  void run(WriteQueue& queue);

  // The largest key plus payload a message may have.
  std::size_t max_message_bytes() const { return max_message_bytes_; }

 private:
  using NextOffsets = std::map<std::string, std::int64_t, std::less<>>;

  Status write_batch(std::span<PendingWrite* const> batch);
  Status apply(const PendingWrite& write, TimeMs now, NextOffsets& next_offsets);
  Status append(std::string_view topic, std::span<const OutgoingMessage> messages, TimeMs now,
                NextOffsets& next_offsets);
  void rollback_if_open();

  sqlite::Database db_;
  std::size_t max_message_bytes_ = 0;
  sqlite::Statement begin_, commit_, rollback_;
  sqlite::Statement read_next_offset_, write_next_offset_, insert_message_;
  sqlite::Statement commit_offset_, join_group_;
};

}  // namespace chorus::bus::embedded

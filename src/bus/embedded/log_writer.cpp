// The embedded bus's single writer thread and the schema of bus.db.
#include "bus/embedded/log_writer.hpp"

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

namespace chorus::bus::embedded {

namespace {

// Offsets follow Kafka: a topic's messages are numbered from 0; `topics.next_offset` is the log end
// offset (the number the next message gets) and is kept in its own table so it never depends on
// which messages still exist; `consumer_offsets.committed_offset` is the first offset the group has
// not finished, so lag = next_offset - committed_offset.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS topics (
  topic TEXT PRIMARY KEY,
  next_offset INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
  topic TEXT NOT NULL,
  "offset" INTEGER NOT NULL,
  key TEXT NOT NULL,
  payload BLOB NOT NULL,
  appended_at INTEGER NOT NULL,
  PRIMARY KEY (topic, "offset")
);
CREATE TABLE IF NOT EXISTS consumer_offsets (
  topic TEXT NOT NULL,
  grp TEXT NOT NULL,
  committed_offset INTEGER NOT NULL,
  PRIMARY KEY (topic, grp)
) WITHOUT ROWID;
PRAGMA user_version = 1;
)sql";

// Room for the other columns and SQLite's record header inside SQLITE_LIMIT_LENGTH.
constexpr std::size_t kRowOverhead = std::size_t{64} * 1024;

// Messages of one topic deleted in one trim: a few milliseconds of the writer's time, so the publishers queued
// behind a trim wait about as long as behind one more batch.
constexpr std::int64_t kTrimSlice = 5000;

Status prepare_all(sqlite::Database& db,
                   std::initializer_list<std::pair<sqlite::Statement*, const char*>> statements) {
  for (auto [stmt, sql] : statements) {
    auto prepared = db.prepare(sql);
    if (!prepared.ok()) return prepared.error();
    *stmt = std::move(prepared).value();
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<LogWriter>> LogWriter::open(const std::filesystem::path& file,
                                                   const EmbeddedBusOptions& options) {
  // FULL syncs the WAL on every commit: once publish returns, the messages survive power loss.
  auto db = sqlite::Database::open(
      file, {.what = "bus database", .wal = true, .synchronous = sqlite::Synchronous::full});
  if (!db.ok()) return db.error();
  auto writer = std::make_unique<LogWriter>();
  writer->db_ = std::move(db).value();
  writer->options_ = options;
  writer->next_trim_ = std::chrono::steady_clock::now();  // what finished before a restart goes at once
  if (auto s = writer->db_.exec(kSchema); !s.ok()) return s.error();
  // SQLite's own checkpoint runs inside the commit that crosses its threshold, and every publisher waiting on
  // that commit waits for the copy and its fsync too: it made the webhook's p99 two to three times its median.
  // On a thread of its own at the same 1,000 pages (at 8,000 the p99 tripled), the WAL started over past 128 MiB.
  auto checkpointer = sqlite::WalCheckpointer::start(writer->db_, file, {.checkpoint_frames = 1000,
                                                                         .limit_frames = 32000,
                                                                         .what = "bus"});
  if (!checkpointer.ok()) return checkpointer.error();
  writer->checkpointer_ = std::move(checkpointer).value();

  const int limit = sqlite3_limit(writer->db_.get(), SQLITE_LIMIT_LENGTH, -1);
  const auto max_row = static_cast<std::size_t>(limit);
  writer->max_message_bytes_ = max_row > kRowOverhead ? max_row - kRowOverhead : 0;

  Status prepared = prepare_all(
      writer->db_,
      {{&writer->begin_, "BEGIN IMMEDIATE"},
       {&writer->commit_, "COMMIT"},
       {&writer->rollback_, "ROLLBACK"},
       {&writer->read_next_offset_, "SELECT next_offset FROM topics WHERE topic = ?1"},
       {&writer->write_next_offset_,
        "INSERT INTO topics (topic, next_offset) VALUES (?1, ?2) "
        "ON CONFLICT (topic) DO UPDATE SET next_offset = excluded.next_offset"},
       {&writer->insert_message_,
        "INSERT INTO messages (topic, \"offset\", key, payload, appended_at) VALUES (?1, ?2, ?3, ?4, ?5)"},
       // Never moves a group backwards: a late commit of an older message is a no-op.
       {&writer->commit_offset_,
        "INSERT INTO consumer_offsets (topic, grp, committed_offset) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (topic, grp) DO UPDATE SET committed_offset = "
        "max(committed_offset, excluded.committed_offset)"},
       {&writer->join_group_,
        "INSERT INTO consumer_offsets (topic, grp, committed_offset) VALUES (?1, ?2, 0) "
        "ON CONFLICT (topic, grp) DO NOTHING"},
       // Per topic, the first offset some group has not finished: everything below it is done by every group.
       {&writer->finished_below_, "SELECT topic, min(committed_offset) FROM consumer_offsets GROUP BY topic"},
       {&writer->first_offset_, "SELECT \"offset\" FROM messages WHERE topic = ?1 ORDER BY \"offset\" LIMIT 1"},
       {&writer->delete_messages_,
        "DELETE FROM messages WHERE topic = ?1 AND \"offset\" >= ?2 AND \"offset\" < ?3 AND appended_at <= ?4"}});
  if (!prepared.ok()) return prepared.error();
  return writer;
}

void LogWriter::run(WriteQueue& queue) {
  std::unique_lock lock(queue.mu);
  for (;;) {
    auto ready = [&] { return !queue.pending.empty() || queue.closing; };
    if (options_.retention) {
      queue.work_ready.wait_until(lock, next_trim_, ready);
    } else {
      queue.work_ready.wait(lock, ready);
    }
    if (queue.pending.empty() && queue.closing) return;  // everything queued has been written
    if (!queue.pending.empty()) write_queued(queue, lock);
    if (options_.retention && std::chrono::steady_clock::now() >= next_trim_) {
      lock.unlock();
      Result<Trimmed> trimmed = Trimmed{};
      try {
        trimmed = trim(now_ms());
      } catch (const std::exception& e) {
        rollback_if_open();
        trimmed = make_error(ErrorCode::internal, std::string("bus writer: ") + e.what());
      }
      lock.lock();
      // A backlog of finished messages goes a slice at a time, one after each batch; otherwise wait an interval.
      const bool more = trimmed.ok() && trimmed->more;
      next_trim_ = std::chrono::steady_clock::now() + (more ? std::chrono::milliseconds(0) : options_.trim_interval);
      if (trimmed.ok()) {
        queue.trimmed_messages += trimmed->deleted;
      } else {
        spdlog::warn("bus: deleting messages past their retention failed: {}", trimmed.error().message);
      }
    }
  }
}

void LogWriter::write_queued(WriteQueue& queue, std::unique_lock<std::mutex>& lock) {
  // Everyone who queued while the previous batch was syncing goes into this one transaction.
  std::vector<PendingWrite*> batch(queue.pending.begin(), queue.pending.end());
  queue.pending.clear();
  queue.writing = batch.size();
  lock.unlock();

  Status status;
  try {
    status = write_batch(batch);
  } catch (const std::exception& e) {
    rollback_if_open();
    status = make_error(ErrorCode::internal, std::string("bus writer: ") + e.what());
  }

  lock.lock();
  queue.writing = 0;
  std::vector<TopicSignal*> appended;                   // each topic the batch appended to, once
  std::vector<std::unique_ptr<PendingWrite>> answered;  // asynchronous requests, now the writer's to free
  for (PendingWrite* write : batch) {
    if (write->kind == PendingWrite::Kind::publish && status.ok() && !write->messages.empty()) {
      TopicSignal* signal = &queue.signal(write->topic);
      if (std::find(appended.begin(), appended.end(), signal) == appended.end()) appended.push_back(signal);
    }
    write->result = status;
    if (write->on_done) {
      answered.emplace_back(write);
    } else {
      write->done = true;  // from here on the caller may return and destroy `write`
    }
  }
  if (status.ok()) ++queue.committed_batches;
  for (TopicSignal* signal : appended) {
    ++signal->generation;
    signal->appended.notify_all();
  }
  queue.work_done.notify_all();
  if (!answered.empty()) {
    // Outside the lock, so callers queuing the next batch are not held up by the answers.
    lock.unlock();
    for (auto& write : answered) write->on_done(write->result);
    answered.clear();
    lock.lock();
  }
}

Result<LogWriter::Trimmed> LogWriter::trim(TimeMs now) {
  const TimeMs cutoff = now - static_cast<TimeMs>(options_.retention->count());
  std::vector<std::pair<std::string, std::int64_t>> finished;  // topic, first offset some group has not done
  {
    sqlite::ResetOnExit reset(finished_below_);
    Status rows = finished_below_.each_row([&] { finished.emplace_back(finished_below_.text(0), finished_below_.int64(1)); });
    if (!rows.ok()) return rows.error();
  }
  Status begun = begin_.run();
  begin_.reset();
  if (!begun.ok()) return begun.error();
  Trimmed out;
  for (const auto& [topic, end] : finished) {
    std::int64_t first = 0;
    {
      sqlite::ResetOnExit reset(first_offset_);
      first_offset_.bind(1, topic);
      auto row = first_offset_.step();
      if (!row.ok()) {
        rollback_if_open();
        return row.error();
      }
      if (!*row) continue;  // nothing stored
      first = first_offset_.int64(0);
    }
    if (first >= end) continue;
    const std::int64_t stop = std::min(end, first + kTrimSlice);
    sqlite::ResetOnExit reset(delete_messages_);
    delete_messages_.bind(1, topic);
    delete_messages_.bind(2, first);
    delete_messages_.bind(3, stop);
    delete_messages_.bind(4, cutoff);
    if (Status s = delete_messages_.run(); !s.ok()) {
      rollback_if_open();
      return s.error();
    }
    const auto deleted = static_cast<std::uint64_t>(db_.changes());
    out.deleted += deleted;
    // More finished messages beyond this slice, and this slice was all old enough to go.
    if (stop < end && deleted == static_cast<std::uint64_t>(stop - first)) out.more = true;
  }
  if (Status s = commit_.run(); !s.ok()) {
    commit_.reset();
    rollback_if_open();
    return s.error();
  }
  commit_.reset();
  return out;
}

Status LogWriter::write_batch(std::span<PendingWrite* const> batch) {
  Status begun = begin_.run();
  begin_.reset();
  if (!begun.ok()) return begun;

  const TimeMs now = now_ms();
  NextOffsets next_offsets;
  Status status;
  for (const PendingWrite* write : batch) {
    status = apply(*write, now, next_offsets);
    if (!status.ok()) break;
  }
  for (auto it = next_offsets.begin(); status.ok() && it != next_offsets.end(); ++it) {
    sqlite::ResetOnExit reset(write_next_offset_);
    write_next_offset_.bind(1, it->first);
    write_next_offset_.bind(2, it->second);
    status = write_next_offset_.run();
  }
  if (status.ok()) {
    status = commit_.run();
    commit_.reset();
  }
  if (!status.ok()) rollback_if_open();
  return status;
}

void LogWriter::rollback_if_open() {
  if (sqlite3_get_autocommit(db_.get()) != 0) return;  // SQLite already rolled back (or never began)
  (void)rollback_.run();  // the error being reported is the one that matters
  rollback_.reset();
}

Status LogWriter::apply(const PendingWrite& write, TimeMs now, NextOffsets& next_offsets) {
  switch (write.kind) {
    case PendingWrite::Kind::publish:
      return append(write.topic, write.messages, now, next_offsets);
    case PendingWrite::Kind::commit_offset: {
      sqlite::ResetOnExit reset(commit_offset_);
      commit_offset_.bind(1, write.topic);
      commit_offset_.bind(2, write.group);
      commit_offset_.bind(3, write.next_offset);
      return commit_offset_.run();
    }
    case PendingWrite::Kind::join_group: {
      sqlite::ResetOnExit reset(join_group_);
      join_group_.bind(1, write.topic);
      join_group_.bind(2, write.group);
      return join_group_.run();
    }
  }
  return make_error(ErrorCode::internal, "bus writer: unknown request");
}

Status LogWriter::append(std::string_view topic, std::span<const OutgoingMessage> messages, TimeMs now,
                         NextOffsets& next_offsets) {
  auto next = next_offsets.find(topic);
  if (next == next_offsets.end()) {
    sqlite::ResetOnExit reset(read_next_offset_);
    read_next_offset_.bind(1, topic);
    auto row = read_next_offset_.step();
    if (!row.ok()) return row.error();
    next = next_offsets.emplace(std::string(topic), *row ? read_next_offset_.int64(0) : 0).first;
  }
  for (const OutgoingMessage& message : messages) {
    sqlite::ResetOnExit reset(insert_message_);
    insert_message_.bind(1, topic);
    insert_message_.bind(2, next->second);
    insert_message_.bind(3, message.key);
    insert_message_.bind_blob(4, message.payload);
    insert_message_.bind(5, now);
    if (Status s = insert_message_.run(); !s.ok()) return s;
    ++next->second;
  }
  return {};
}

}  // namespace chorus::bus::embedded

// The embedded bus: a durable log per topic in <data_dir>/bus.db (SQLite, WAL). Publishers are
// group-committed by one writer thread; each consumer reads through its own connection, which WAL
// lets run alongside the writer, and sleeps on a condition variable until the writer appends.
#include <pthread.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <system_error>
#include <thread>

#include "bus/bus.hpp"
#include "bus/embedded/log_writer.hpp"
#include "bus/embedded/write_queue.hpp"
#include "core/sqlite.hpp"

namespace chorus::bus {

namespace embedded {
namespace {

Status check_name(std::string_view what, std::string_view name) {
  if (name.empty()) return make_error(ErrorCode::bad_request, std::string(what) + " must not be empty");
  return {};
}

// A read-only connection for one consumer or for health(); the database is created by the writer.
Result<sqlite::Database> open_reader(const std::filesystem::path& file) {
  // WAL is already on: the writer switched the file before any reader opens it.
  auto db = sqlite::Database::open(file, {.what = "bus database", .wal = false});
  if (!db.ok()) return db.error();
  if (auto s = db->exec("PRAGMA query_only=1"); !s.ok()) return s.error();
  return db;
}

class EmbeddedConsumer final : public Consumer {
 public:
  EmbeddedConsumer(std::shared_ptr<WriteQueue> queue, std::string topic, std::string group, sqlite::Database db,
                   sqlite::Statement read_messages, std::int64_t position)
      : queue_(std::move(queue)),
        topic_(std::move(topic)),
        group_(std::move(group)),
        db_(std::move(db)),
        read_messages_(std::move(read_messages)),
        position_(position) {
    std::lock_guard lock(queue_->mu);
    signal_ = &queue_->signal(topic_);
  }

  Result<std::vector<Message>> poll(std::size_t max, std::chrono::milliseconds wait) override {
    std::lock_guard consumer_lock(mu_);
    if (max == 0) return std::vector<Message>{};
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
      // Taking the generation before reading means an append that lands in between is not missed.
      std::uint64_t generation = 0;
      {
        std::lock_guard lock(queue_->mu);
        generation = signal_->generation;
      }
      auto messages = read(max);
      if (!messages.ok() || !messages->empty()) return messages;

      std::unique_lock lock(queue_->mu);
      bool woken = signal_->appended.wait_until(lock, deadline,
                                                [&] { return signal_->generation != generation || queue_->closing; });
      if (!woken) return messages;
      if (signal_->generation == generation) return make_error(ErrorCode::unavailable, "the bus is closed");
    }
  }

  Status commit(const Message& last) override {
    if (last.topic != topic_) {
      return make_error(ErrorCode::bad_request,
                        "cannot commit a message of topic \"" + last.topic + "\" on a consumer of \"" + topic_ + "\"");
    }
    if (last.offset < 0) return make_error(ErrorCode::bad_request, "cannot commit a negative offset");
    PendingWrite write;
    write.kind = PendingWrite::Kind::commit_offset;
    write.topic = topic_;
    write.group = group_;
    write.next_offset = last.offset + 1;
    return queue_->submit(write);
  }

 private:
  Result<std::vector<Message>> read(std::size_t max) {
    sqlite::ResetOnExit reset(read_messages_);
    read_messages_.bind(1, topic_);
    read_messages_.bind(2, position_);
    read_messages_.bind(3, static_cast<std::int64_t>(std::min<std::size_t>(max, INT64_MAX)));
    std::vector<Message> messages;
    for (;;) {
      auto row = read_messages_.step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      Message& m = messages.emplace_back();
      m.topic = topic_;
      m.offset = read_messages_.int64(0);
      m.key = read_messages_.text(1);
      m.payload = read_messages_.blob(2);
      m.appended_at = read_messages_.int64(3);
    }
    if (!messages.empty()) position_ = messages.back().offset + 1;
    return messages;
  }

  std::shared_ptr<WriteQueue> queue_;  // shared so a consumer that outlives the bus fails cleanly
  const std::string topic_;
  const std::string group_;
  std::mutex mu_;  // one poll at a time per consumer; guards the connection and position_
  sqlite::Database db_;
  sqlite::Statement read_messages_;
  std::int64_t position_;  // the next offset this consumer returns
  TopicSignal* signal_ = nullptr;  // the topic's, in queue_ (which outlives this consumer)
};

class EmbeddedBus final : public Bus {
 public:
  EmbeddedBus(std::filesystem::path file, const EmbeddedBusOptions& options, std::unique_ptr<LogWriter> writer,
              sqlite::Database health_db)
      : file_(std::move(file)),
        options_(options),
        queue_(std::make_shared<WriteQueue>()),
        writer_(std::move(writer)),
        health_db_(std::move(health_db)) {
    writer_thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "chorus/bus");
      writer_->run(*queue_);
    });
  }

  // Writes everything already queued, then stops the writer.
  ~EmbeddedBus() override {
    {
      std::lock_guard lock(queue_->mu);
      queue_->closing = true;
      queue_->wake_all();
    }
    queue_->work_ready.notify_all();
    writer_thread_.join();
  }

  EmbeddedBus(const EmbeddedBus&) = delete;
  EmbeddedBus& operator=(const EmbeddedBus&) = delete;

  Status publish(std::string_view topic, std::span<const OutgoingMessage> messages) override {
    if (auto s = check_publish(topic, messages); !s.ok()) return s;
    if (messages.empty()) return {};
    PendingWrite write;
    write.kind = PendingWrite::Kind::publish;
    write.topic = topic;
    write.messages = messages;
    return queue_->submit(write);
  }

  void publish_async(std::string_view topic, std::vector<OutgoingMessage> messages,
                     std::function<void(Status)> done) override {
    if (auto s = check_publish(topic, messages); !s.ok() || messages.empty()) return done(s);
    auto write = std::make_unique<PendingWrite>();
    write->kind = PendingWrite::Kind::publish;
    write->owned_topic = topic;
    write->owned_messages = std::move(messages);
    write->topic = write->owned_topic;
    write->messages = write->owned_messages;
    write->on_done = std::move(done);
    queue_->submit_async(std::move(write));
  }

  Result<std::unique_ptr<Consumer>> subscribe(std::string_view topic, std::string_view group) override {
    if (auto s = check_name("topic", topic); !s.ok()) return s.error();
    if (auto s = check_name("consumer group", group); !s.ok()) return s.error();

    // Registering the group makes it visible in health() (with its lag) before its first commit.
    PendingWrite join;
    join.kind = PendingWrite::Kind::join_group;
    join.topic = topic;
    join.group = group;
    if (auto s = queue_->submit(join); !s.ok()) return s.error();

    auto db = open_reader(file_);
    if (!db.ok()) return db.error();
    auto read_committed = db->prepare("SELECT committed_offset FROM consumer_offsets WHERE topic = ?1 AND grp = ?2");
    if (!read_committed.ok()) return read_committed.error();
    std::int64_t committed = 0;
    {
      sqlite::ResetOnExit reset(*read_committed);
      read_committed->bind(1, topic);
      read_committed->bind(2, group);
      auto row = read_committed->step();
      if (!row.ok()) return row.error();
      if (*row) committed = read_committed->int64(0);
    }
    auto read_messages = db->prepare(
        "SELECT \"offset\", key, payload, appended_at FROM messages "
        "WHERE topic = ?1 AND \"offset\" >= ?2 ORDER BY \"offset\" LIMIT ?3");
    if (!read_messages.ok()) return read_messages.error();
    return std::unique_ptr<Consumer>(std::make_unique<EmbeddedConsumer>(
        queue_, std::string(topic), std::string(group), std::move(db).value(), std::move(read_messages).value(),
        committed));
  }

  json::object health() override {
    json::object out;
    out["kind"] = "embedded";
    if (options_.retention) {
      out["retention_ms"] = options_.retention->count();
    } else {
      out["retention_ms"] = nullptr;
    }
    {
      std::lock_guard lock(queue_->mu);
      out["committed_batches"] = queue_->committed_batches;
      out["trimmed_messages"] = queue_->trimmed_messages;
      out["queued_writes"] = queue_->pending.size();
      out["writing"] = queue_->writing;
    }
    auto checkpoints = writer_->checkpoint_stats();
    out["checkpoints"] = checkpoints.checkpoints;
    out["wal_truncations"] = checkpoints.truncations;
    auto topics = read_topics();
    if (!topics.ok()) {
      out["error"] = topics.error().message;
      return out;
    }
    out["topics"] = std::move(topics).value();
    return out;
  }

  std::string_view kind() const override { return "embedded"; }

 private:
  Status check_publish(std::string_view topic, std::span<const OutgoingMessage> messages) const {
    if (auto s = check_name("topic", topic); !s.ok()) return s;
    for (const OutgoingMessage& m : messages) {
      // Rejected here, because a message SQLite refuses would fail every publisher in its batch.
      if (m.key.size() + m.payload.size() > writer_->max_message_bytes()) {
        return make_error(ErrorCode::too_large, "message of " + std::to_string(m.payload.size()) +
                                                    " bytes exceeds the embedded bus limit of " +
                                                    std::to_string(writer_->max_message_bytes()));
      }
    }
    return {};
  }

  Result<json::object> read_topics() {
    std::lock_guard lock(health_mu_);
    if (!read_groups_stmt_) {
      auto groups = health_db_.prepare("SELECT topic, grp, committed_offset FROM consumer_offsets");
      if (!groups.ok()) return groups.error();
      auto ends = health_db_.prepare("SELECT topic, next_offset FROM topics");
      if (!ends.ok()) return ends.error();
      read_groups_stmt_ = std::make_unique<sqlite::Statement>(std::move(groups).value());
      read_ends_stmt_ = std::make_unique<sqlite::Statement>(std::move(ends).value());
    }
    // Groups are read before end offsets: ends only grow, so no lag comes out negative.
    std::map<std::string, std::map<std::string, std::int64_t>> groups;
    {
      sqlite::Statement& stmt = *read_groups_stmt_;
      sqlite::ResetOnExit reset(stmt);
      for (;;) {
        auto row = stmt.step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        groups[stmt.text(0)][stmt.text(1)] = stmt.int64(2);
      }
    }
    std::map<std::string, std::int64_t> ends;
    {
      sqlite::Statement& stmt = *read_ends_stmt_;
      sqlite::ResetOnExit reset(stmt);
      for (;;) {
        auto row = stmt.step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        ends[stmt.text(0)] = stmt.int64(1);
      }
    }
    for (const auto& entry : groups) ends.try_emplace(entry.first, 0);

    json::object topics;
    for (const auto& [topic, end] : ends) {
      json::object topic_groups;
      for (const auto& [group, committed] : groups[topic]) {
        topic_groups[group] = json::object{{"committed", committed}, {"lag", std::max<std::int64_t>(0, end - committed)}};
      }
      topics[topic] = json::object{{"end_offset", end}, {"groups", std::move(topic_groups)}};
    }
    return topics;
  }

  const std::filesystem::path file_;
  const EmbeddedBusOptions options_;
  std::shared_ptr<WriteQueue> queue_;
  std::unique_ptr<LogWriter> writer_;
  std::mutex health_mu_;  // guards the health connection and its statements
  sqlite::Database health_db_;
  std::unique_ptr<sqlite::Statement> read_groups_stmt_;
  std::unique_ptr<sqlite::Statement> read_ends_stmt_;
  std::thread writer_thread_;
};

}  // namespace
}  // namespace embedded

Result<std::unique_ptr<Bus>> open_embedded_bus(const std::filesystem::path& data_dir,
                                               const EmbeddedBusOptions& options) {
  if (options.retention && options.retention->count() < 0)
    return make_error(ErrorCode::bad_request, "the bus retention must not be negative");
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return make_error(ErrorCode::unavailable, "cannot create the data directory " + data_dir.string() + ": " +
                                                  ec.message());
  }
  const std::filesystem::path file = data_dir / "bus.db";
  auto writer = embedded::LogWriter::open(file, options);
  if (!writer.ok()) return writer.error();
  auto health_db = embedded::open_reader(file);
  if (!health_db.ok()) return health_db.error();
  return std::unique_ptr<Bus>(
      std::make_unique<embedded::EmbeddedBus>(file, options, std::move(writer).value(), std::move(health_db).value()));
}

}  // namespace chorus::bus

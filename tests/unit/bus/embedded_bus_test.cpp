// The embedded bus: ordering, offsets and redelivery, waking consumers, group commit, durability.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <filesystem>
#include <latch>
#include <set>
#include <thread>

#include "bus/bus.hpp"

namespace chorus::bus {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class EmbeddedBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "chorus-bus-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    bus_ = open_bus();
  }
  void TearDown() override {
    bus_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<Bus> open_bus(const EmbeddedBusOptions& options = {}) {
    auto bus = open_embedded_bus(dir_, options);
    EXPECT_TRUE(bus.ok()) << (bus.ok() ? "" : bus.error().message);
    return bus.ok() ? std::move(bus).value() : nullptr;
  }

  std::unique_ptr<Consumer> subscribe(std::string_view topic, std::string_view group) {
    auto consumer = bus_->subscribe(topic, group);
    EXPECT_TRUE(consumer.ok()) << (consumer.ok() ? "" : consumer.error().message);
    return consumer.ok() ? std::move(consumer).value() : nullptr;
  }

  // Takes bus.db's write lock on a second connection, as a long transaction elsewhere would. The bus's own
  // writer may hold the lock for a moment (the first retention pass runs as it starts), so this waits for it.
  void hold_write_lock(sqlite3*& blocker) {
    ASSERT_EQ(sqlite3_open((dir_ / "bus.db").c_str(), &blocker), SQLITE_OK);
    ASSERT_EQ(sqlite3_busy_timeout(blocker, 10'000), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(blocker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }

  void publish(std::string_view topic, std::string key, std::string payload) {
    Status s = bus_->publish(topic, std::move(key), std::move(payload));
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  static std::vector<Message> poll(Consumer& consumer, std::size_t max = 100,
                                   std::chrono::milliseconds wait = 0ms) {
    auto messages = consumer.poll(max, wait);
    EXPECT_TRUE(messages.ok()) << (messages.ok() ? "" : messages.error().message);
    return messages.ok() ? std::move(messages).value() : std::vector<Message>{};
  }

  static std::vector<std::string> payloads(const std::vector<Message>& messages) {
    std::vector<std::string> out;
    for (const auto& m : messages) out.push_back(m.payload);
    return out;
  }

  std::int64_t committed_batches() { return bus_->health().at("committed_batches").to_number<std::int64_t>(); }
  std::int64_t trimmed_messages() { return bus_->health().at("trimmed_messages").to_number<std::int64_t>(); }

  // Waits until the writer has deleted `n` messages in all (it trims on its own clock), or 5 s have passed.
  bool trimmed_reaches(std::int64_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (trimmed_messages() < n && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    return trimmed_messages() == n;
  }

  // The offsets bus.db holds for a topic, read straight from the file.
  std::vector<std::int64_t> stored_offsets(std::string_view topic) {
    sqlite3* db = nullptr;
    std::vector<std::int64_t> out;
    EXPECT_EQ(sqlite3_open_v2((dir_ / "bus.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT \"offset\" FROM messages WHERE topic = ?1 ORDER BY \"offset\"", -1,
                                 &st, nullptr),
              SQLITE_OK);
    sqlite3_bind_text(st, 1, topic.data(), static_cast<int>(topic.size()), SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) out.push_back(sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

  void reopen(const EmbeddedBusOptions& options) {
    bus_.reset();
    bus_ = open_bus(options);
    ASSERT_NE(bus_, nullptr);
  }

  // Publishes n messages to a topic and commits all of them as `group`.
  void publish_finished(std::string_view topic, std::string_view group, int n) {
    auto consumer = subscribe(topic, group);
    for (int i = 0; i < n; ++i) publish(topic, "k", std::to_string(i));
    ASSERT_TRUE(consumer->commit(poll(*consumer).back()).ok());
  }

  // Retention at once, looked at every few milliseconds: what every group has finished goes.
  static EmbeddedBusOptions trim_at_once() {
    EmbeddedBusOptions options;
    options.retention = 0ms;
    options.trim_interval = 5ms;
    return options;
  }

  fs::path dir_;
  std::unique_ptr<Bus> bus_;
};

TEST_F(EmbeddedBusTest, PollReturnsPublishedMessagesInOrderWithIncreasingOffsets) {
  const std::string binary("\0\x01\xff payload", 11);
  std::vector<OutgoingMessage> batch{{"ws-1", "a"}, {"ws-2", binary}, {"ws-1", ""}};
  ASSERT_TRUE(bus_->publish(kRawItems, batch).ok());
  publish(kRawItems, "ws-3", "d");
  publish(kFetchRequests, "ws-9", "other topic");

  auto consumer = subscribe(kRawItems, "parser");
  TimeMs before_poll = now_ms();
  auto messages = poll(*consumer);
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(payloads(messages), (std::vector<std::string>{"a", binary, "", "d"}));
  for (std::size_t i = 0; i < messages.size(); ++i) {
    EXPECT_EQ(messages[i].offset, static_cast<std::int64_t>(i));
    EXPECT_EQ(messages[i].topic, kRawItems);
    EXPECT_EQ(messages[i].partition, 0);
    EXPECT_GT(messages[i].appended_at, before_poll - 60'000);
    EXPECT_LE(messages[i].appended_at, before_poll);
  }
  EXPECT_EQ(messages[0].key, "ws-1");
  EXPECT_EQ(messages[1].key, "ws-2");
  EXPECT_EQ(messages[3].key, "ws-3");

  EXPECT_TRUE(poll(*consumer).empty());  // a consumer never returns a message twice
  publish(kRawItems, "ws-1", "e");
  auto next = poll(*consumer);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].offset, 4);
  EXPECT_EQ(next[0].payload, "e");
}

TEST_F(EmbeddedBusTest, PollReturnsAtMostMax) {
  for (int i = 0; i < 10; ++i) publish(kRawItems, "k", std::to_string(i));
  auto consumer = subscribe(kRawItems, "parser");
  EXPECT_EQ(payloads(poll(*consumer, 3)), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(payloads(poll(*consumer, 3)), (std::vector<std::string>{"3", "4", "5"}));
  EXPECT_EQ(payloads(poll(*consumer, 3)), (std::vector<std::string>{"6", "7", "8"}));
  EXPECT_EQ(payloads(poll(*consumer, 3)), (std::vector<std::string>{"9"}));
  EXPECT_TRUE(poll(*consumer, 0).empty());
}

TEST_F(EmbeddedBusTest, NewConsumerResumesAfterTheCommittedMessage) {
  for (int i = 0; i < 5; ++i) publish(kRawItems, "k", std::to_string(i));
  {
    auto consumer = subscribe(kRawItems, "parser");
    auto messages = poll(*consumer, 3);
    ASSERT_EQ(messages.size(), 3u);
    ASSERT_TRUE(consumer->commit(messages[1]).ok());  // done with 0 and 1; 2 was read but not finished
  }
  auto consumer = subscribe(kRawItems, "parser");
  EXPECT_EQ(payloads(poll(*consumer)), (std::vector<std::string>{"2", "3", "4"}));
}

TEST_F(EmbeddedBusTest, UncommittedMessagesAreRedeliveredToANewConsumer) {
  for (int i = 0; i < 3; ++i) publish(kRawItems, "k", std::to_string(i));
  auto first = subscribe(kRawItems, "parser");
  ASSERT_EQ(poll(*first).size(), 3u);
  first.reset();  // "crashed" before committing anything

  auto second = subscribe(kRawItems, "parser");
  EXPECT_EQ(payloads(poll(*second)), (std::vector<std::string>{"0", "1", "2"}));
}

TEST_F(EmbeddedBusTest, GroupsAreIndependent) {
  for (int i = 0; i < 4; ++i) publish(kFeedbackRecords, "k", std::to_string(i));
  auto reports = subscribe(kFeedbackRecords, "reports");
  auto messages = poll(*reports);
  ASSERT_EQ(messages.size(), 4u);
  ASSERT_TRUE(reports->commit(messages.back()).ok());

  auto api = subscribe(kFeedbackRecords, "api");
  EXPECT_EQ(poll(*api).size(), 4u);  // the other group's commit does not move this one
  EXPECT_TRUE(poll(*subscribe(kFeedbackRecords, "reports")).empty());
}

TEST_F(EmbeddedBusTest, CommitNeverMovesBackwardsAndChecksTheTopic) {
  for (int i = 0; i < 4; ++i) publish(kRawItems, "k", std::to_string(i));
  auto consumer = subscribe(kRawItems, "parser");
  auto messages = poll(*consumer);
  ASSERT_TRUE(consumer->commit(messages[2]).ok());
  ASSERT_TRUE(consumer->commit(messages[0]).ok());  // late, older: ignored
  EXPECT_EQ(payloads(poll(*subscribe(kRawItems, "parser"))), (std::vector<std::string>{"3"}));

  Message foreign = messages[0];
  foreign.topic = std::string(kFetchRequests);
  Status wrong_topic = consumer->commit(foreign);
  ASSERT_FALSE(wrong_topic.ok());
  EXPECT_EQ(wrong_topic.error().code, ErrorCode::bad_request);
}

TEST_F(EmbeddedBusTest, PollWaitsAndWakesWhenAnotherThreadPublishes) {
  auto consumer = subscribe(kRawItems, "parser");
  const auto start = std::chrono::steady_clock::now();
  std::thread publisher([&] {
    std::this_thread::sleep_for(150ms);
    publish(kRawItems, "k", "late");
  });
  auto messages = poll(*consumer, 10, 10s);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  publisher.join();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].payload, "late");
  EXPECT_GE(elapsed, 140ms);
  EXPECT_LT(elapsed, 5s);  // woken by the writer, not by the 10 s timeout
}

TEST_F(EmbeddedBusTest, PollTimesOutEmptyAndIgnoresOtherTopics) {
  auto consumer = subscribe(kRawItems, "parser");
  const auto start = std::chrono::steady_clock::now();
  std::thread publisher([&] {
    std::this_thread::sleep_for(50ms);
    publish(kFetchRequests, "k", "not for this consumer");
  });
  auto messages = poll(*consumer, 10, 300ms);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  publisher.join();
  EXPECT_TRUE(messages.empty());
  EXPECT_GE(elapsed, 290ms);
  EXPECT_LT(elapsed, 3s);
}

// 64 publishers at once: every message lands exactly once, and they share far fewer than 64
// transactions.
TEST_F(EmbeddedBusTest, ConcurrentPublishersAreGroupCommitted) {
  constexpr int kPublishers = 64;
  const std::int64_t batches_before = committed_batches();
  std::latch start(kPublishers);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kPublishers; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      if (!bus_->publish(kRawItems, "ws-" + std::to_string(i), "item-" + std::to_string(i)).ok()) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  const std::int64_t batches = committed_batches() - batches_before;

  auto messages = poll(*subscribe(kRawItems, "parser"), 1000);
  ASSERT_EQ(messages.size(), static_cast<std::size_t>(kPublishers));
  std::set<std::string> seen;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    EXPECT_EQ(messages[i].offset, static_cast<std::int64_t>(i));
    EXPECT_EQ(messages[i].key, "ws-" + messages[i].payload.substr(5));
    seen.insert(messages[i].payload);
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kPublishers));
  EXPECT_GE(batches, 1);
  EXPECT_LE(batches, kPublishers / 4) << "publishers were not committed together";
}

// While a transaction is slow to commit (here: another connection holds the write lock, as a slow
// disk would), every publisher that arrives waits for the next batch, and that batch is ONE
// transaction however many publishers joined it.
TEST_F(EmbeddedBusTest, PublishersArrivingDuringACommitShareTheNextTransaction) {
  constexpr int kPublishers = 64;
  sqlite3* blocker = nullptr;
  ASSERT_NO_FATAL_FAILURE(hold_write_lock(blocker));
  const std::int64_t batches_before = committed_batches();

  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kPublishers; ++i) {
    threads.emplace_back([&, i] {
      if (!bus_->publish(kRawItems, "k", "item-" + std::to_string(i)).ok()) ++failures;
    });
  }
  // Wait until every publisher is either in the stalled batch or queued behind it.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    json::object health = bus_->health();
    auto waiting = health.at("queued_writes").to_number<std::int64_t>() + health.at("writing").to_number<std::int64_t>();
    if (waiting == kPublishers) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "only " << waiting << " publishers waiting";
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(committed_batches(), batches_before);  // nothing is acknowledged before it is committed
  ASSERT_EQ(sqlite3_exec(blocker, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(blocker);
  for (auto& t : threads) t.join();

  ASSERT_EQ(failures.load(), 0);
  EXPECT_LE(committed_batches() - batches_before, 2);  // the stalled batch and everyone queued behind it
  EXPECT_EQ(poll(*subscribe(kRawItems, "parser"), 1000).size(), static_cast<std::size_t>(kPublishers));
}

// An asynchronous publish returns at once and answers when its batch is durable: while another connection
// holds the write lock, nothing is answered and nothing is visible; once it lets go, every answer is ok and
// every message is there, in one or two transactions.
TEST_F(EmbeddedBusTest, AsyncPublishAnswersOnceItsBatchIsCommitted) {
  constexpr int kPublishes = 100;
  auto consumer = subscribe(kRawItems, "parser");
  sqlite3* blocker = nullptr;
  ASSERT_NO_FATAL_FAILURE(hold_write_lock(blocker));
  const std::int64_t batches_before = committed_batches();

  std::mutex mu;
  std::condition_variable all_answered;
  std::vector<Status> answers;
  for (int i = 0; i < kPublishes; ++i) {
    std::vector<OutgoingMessage> m{{"k", "item-" + std::to_string(i)}};
    bus_->publish_async(kRawItems, std::move(m), [&](Status s) {
      std::lock_guard lock(mu);
      answers.push_back(std::move(s));
      all_answered.notify_all();
    });
  }
  std::this_thread::sleep_for(100ms);
  {
    std::lock_guard lock(mu);
    EXPECT_TRUE(answers.empty()) << "answered before the batch was committed";
  }
  EXPECT_EQ(poll(*consumer).size(), 0u);

  ASSERT_EQ(sqlite3_exec(blocker, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(blocker);
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(all_answered.wait_for(lock, 10s, [&] { return answers.size() == kPublishes; }));
    for (const Status& s : answers) EXPECT_TRUE(s.ok()) << s.error().message;
  }
  EXPECT_LE(committed_batches() - batches_before, 2);  // the stalled batch and the rest
  auto messages = poll(*consumer, 1000);
  ASSERT_EQ(messages.size(), static_cast<std::size_t>(kPublishes));
  for (int i = 0; i < kPublishes; ++i) EXPECT_EQ(messages[i].payload, "item-" + std::to_string(i));
}

TEST_F(EmbeddedBusTest, AsyncPublishRefusesBadInputAtOnceAndAnswersWhileTheBusCloses) {
  Status bad_name;
  bus_->publish_async("", {{"k", "v"}}, [&](Status s) { bad_name = std::move(s); });
  ASSERT_FALSE(bad_name.ok());
  EXPECT_EQ(bad_name.error().code, ErrorCode::bad_request);

  Status nothing = make_error(ErrorCode::internal, "not answered");
  bus_->publish_async(kRawItems, {}, [&](Status s) { nothing = std::move(s); });
  EXPECT_TRUE(nothing.ok());

  // Queued just before the bus closes: still written and answered by the closing writer.
  std::atomic<int> ok{0};
  for (int i = 0; i < 20; ++i)
    bus_->publish_async(kRawItems, {{"k", "late-" + std::to_string(i)}}, [&](Status s) { ok += s.ok() ? 1 : 0; });
  bus_.reset();
  EXPECT_EQ(ok.load(), 20);
  bus_ = open_bus();
  EXPECT_EQ(poll(*subscribe(kRawItems, "parser"), 100).size(), 20u);
}

TEST_F(EmbeddedBusTest, MessagesAndOffsetsSurviveARestart) {
  for (int i = 0; i < 5; ++i) publish(kRawItems, "k", std::to_string(i));
  {
    auto consumer = subscribe(kRawItems, "parser");
    auto messages = poll(*consumer, 2);
    ASSERT_TRUE(consumer->commit(messages.back()).ok());
  }
  bus_.reset();

  bus_ = open_bus();
  ASSERT_NE(bus_, nullptr);
  auto consumer = subscribe(kRawItems, "parser");
  EXPECT_EQ(payloads(poll(*consumer)), (std::vector<std::string>{"2", "3", "4"}));
  publish(kRawItems, "k", "5");
  auto next = poll(*consumer);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].offset, 5);  // offsets continue; nothing is renumbered
  EXPECT_EQ(poll(*subscribe(kRawItems, "fresh-group")).size(), 6u);
}

TEST_F(EmbeddedBusTest, HealthReportsEndOffsetsCommittedAndLag) {
  for (int i = 0; i < 5; ++i) publish(kRawItems, "k", std::to_string(i));
  auto parser = subscribe(kRawItems, "parser");
  ASSERT_TRUE(parser->commit(poll(*parser, 3).back()).ok());
  auto idle = subscribe(kFeedbackRecords, "reports");

  json::object health = bus_->health();
  EXPECT_EQ(bus_->kind(), "embedded");
  EXPECT_EQ(health.at("kind").as_string(), "embedded");
  const auto& raw = health.at("topics").at("raw.items").as_object();
  EXPECT_EQ(raw.at("end_offset").to_number<std::int64_t>(), 5);
  EXPECT_EQ(raw.at("groups").at("parser").at("committed").to_number<std::int64_t>(), 3);
  EXPECT_EQ(raw.at("groups").at("parser").at("lag").to_number<std::int64_t>(), 2);
  const auto& records = health.at("topics").at("feedback.records").as_object();
  EXPECT_EQ(records.at("end_offset").to_number<std::int64_t>(), 0);
  EXPECT_EQ(records.at("groups").at("reports").at("lag").to_number<std::int64_t>(), 0);
}

// bus.db's WAL is copied back beside the writer, not inside the commit that crosses the threshold, and it
// stays bounded however much is published; every message is still there.
TEST_F(EmbeddedBusTest, CheckpointsKeepTheWalBoundedAndLoseNothing) {
  const std::string payload(2 * 1024 * 1024, 'x');
  std::uintmax_t largest_wal = 0;
  constexpr int kMessages = 96;  // 192 MiB, past the WAL's limit of 128 MiB
  for (int i = 0; i < kMessages; ++i) {
    publish(kRawItems, "k", std::to_string(i) + payload);
    std::error_code ec;
    largest_wal = std::max<std::uintmax_t>(largest_wal, fs::file_size(dir_ / "bus.db-wal", ec));
  }
  EXPECT_LT(largest_wal, 150u * 1024 * 1024) << "the WAL grew with everything published";
  json::object health = bus_->health();
  EXPECT_GE(health.at("checkpoints").to_number<std::int64_t>(), 1) << json::serialize(health);
  auto offsets = stored_offsets(kRawItems);
  ASSERT_EQ(offsets.size(), std::size_t{kMessages});
  EXPECT_EQ(offsets.back(), kMessages - 1);
  reopen({});
  auto consumer = subscribe(kRawItems, "reader");
  auto first = poll(*consumer, 2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[1].payload, "1" + payload);
}

TEST_F(EmbeddedBusTest, MessagesEveryGroupHasFinishedAreDeletedAndOffsetsCarryOn) {
  reopen(trim_at_once());
  auto parser = subscribe(kRawItems, "parser");
  auto audit = subscribe(kRawItems, "audit");
  for (int i = 0; i < 10; ++i) publish(kRawItems, "k", std::to_string(i));
  ASSERT_TRUE(parser->commit(poll(*parser).back()).ok());  // all ten
  auto first_four = poll(*audit, 4);
  ASSERT_TRUE(audit->commit(first_four.back()).ok());  // offsets 0-3

  // Only what both groups are past goes; the slower group still reads the rest.
  ASSERT_TRUE(trimmed_reaches(4)) << trimmed_messages();
  EXPECT_EQ(stored_offsets(kRawItems), (std::vector<std::int64_t>{4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(payloads(poll(*audit)), (std::vector<std::string>{"4", "5", "6", "7", "8", "9"}));
  std::this_thread::sleep_for(30ms);  // several more trims: nothing else is finished by both
  EXPECT_EQ(trimmed_messages(), 4);

  auto last = poll(*subscribe(kRawItems, "audit"));
  ASSERT_EQ(last.size(), 6u);
  ASSERT_TRUE(audit->commit(last.back()).ok());
  ASSERT_TRUE(trimmed_reaches(10)) << trimmed_messages();
  EXPECT_TRUE(stored_offsets(kRawItems).empty());

  // The log's end, the groups' positions and lag stay as they were; new messages take the next offsets.
  json::object health = bus_->health();
  const auto& raw = health.at("topics").at("raw.items").as_object();
  EXPECT_EQ(raw.at("end_offset").to_number<std::int64_t>(), 10);
  EXPECT_EQ(raw.at("groups").at("audit").at("lag").to_number<std::int64_t>(), 0);
  publish(kRawItems, "k", "10");
  auto next = poll(*parser);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].offset, 10);

  // After a restart each group resumes where it was; a group that joins now starts at the oldest message kept.
  ASSERT_TRUE(parser->commit(next.back()).ok());
  parser.reset();
  audit.reset();
  reopen(trim_at_once());
  EXPECT_TRUE(poll(*subscribe(kRawItems, "parser")).empty());
  auto fresh = poll(*subscribe(kRawItems, "replay"));
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0].offset, 10);
  EXPECT_EQ(bus_->health().at("retention_ms").to_number<std::int64_t>(), 0);
}

TEST_F(EmbeddedBusTest, RecentMessagesUnreadTopicsAndUnboundedRetentionKeepEverything) {
  // Finished by every group, but younger than the retention.
  EmbeddedBusOptions hour = trim_at_once();
  hour.retention = std::chrono::hours(1);
  reopen(hour);
  publish_finished(kRawItems, "parser", 5);
  std::this_thread::sleep_for(40ms);
  EXPECT_EQ(trimmed_messages(), 0);
  EXPECT_EQ(stored_offsets(kRawItems).size(), 5u);

  // Retention at once, but no group reads the topic: nobody has finished with it.
  reopen(trim_at_once());
  for (int i = 0; i < 3; ++i) publish(kDeadLetters, "k", std::to_string(i));
  ASSERT_TRUE(trimmed_reaches(5));  // raw.items, finished an hour too early for the first bus, goes now
  std::this_thread::sleep_for(40ms);
  EXPECT_EQ(stored_offsets(kDeadLetters).size(), 3u);

  // No retention: finished messages stay.
  EmbeddedBusOptions forever;
  forever.retention = std::nullopt;
  forever.trim_interval = 5ms;
  reopen(forever);
  publish_finished(kRawItems, "parser", 4);
  std::this_thread::sleep_for(40ms);
  EXPECT_EQ(trimmed_messages(), 0);
  EXPECT_EQ(stored_offsets(kRawItems), (std::vector<std::int64_t>{5, 6, 7, 8}));
  EXPECT_TRUE(bus_->health().at("retention_ms").is_null());

  EmbeddedBusOptions negative;
  negative.retention = -1ms;
  auto refused = open_embedded_bus(dir_ / "other", negative);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::bad_request);
}

TEST_F(EmbeddedBusTest, ALongBacklogOfFinishedMessagesGoesInSlicesRightAfterARestart) {
  auto parser = subscribe(kRawItems, "parser");
  std::vector<OutgoingMessage> many(12000, OutgoingMessage{"k", "payload"});
  ASSERT_TRUE(bus_->publish(kRawItems, many).ok());
  std::vector<Message> all = poll(*parser, 20000);
  ASSERT_EQ(all.size(), 12000u);
  ASSERT_TRUE(parser->commit(all.back()).ok());
  parser.reset();
  bus_.reset();

  // An interval far longer than the test: the trim at opening takes its first slice, and the slices after it
  // follow at once, between batches, because finished messages are still waiting.
  EmbeddedBusOptions hourly = trim_at_once();
  hourly.trim_interval = std::chrono::hours(1);
  reopen(hourly);
  for (int i = 0; i < 5; ++i) publish(kRawItems, "k", "late");
  ASSERT_TRUE(trimmed_reaches(12000)) << trimmed_messages();
  EXPECT_EQ(stored_offsets(kRawItems).size(), 5u);
  EXPECT_EQ(payloads(poll(*subscribe(kRawItems, "parser"))), (std::vector<std::string>(5, "late")));
}

TEST_F(EmbeddedBusTest, RejectsEmptyNames) {
  EXPECT_EQ(bus_->publish("", "k", "v").error().code, ErrorCode::bad_request);
  EXPECT_FALSE(bus_->subscribe(kRawItems, "").ok());
  EXPECT_FALSE(bus_->subscribe("", "g").ok());
}

TEST_F(EmbeddedBusTest, ConsumerThatOutlivesTheBusFailsCleanly) {
  publish(kRawItems, "k", "0");
  auto consumer = subscribe(kRawItems, "parser");
  auto messages = poll(*consumer);
  ASSERT_EQ(messages.size(), 1u);
  bus_.reset();
  auto after = consumer->poll(10, 5s);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, ErrorCode::unavailable);
  EXPECT_EQ(consumer->commit(messages[0]).error().code, ErrorCode::unavailable);
}

// Consumers sleep on their own topic's signal; closing the bus must still wake every one of them.
TEST_F(EmbeddedBusTest, ClosingWakesConsumersOfEveryTopic) {
  auto raw = subscribe(kRawItems, "parser");
  auto records = subscribe(kFeedbackRecords, "reports");
  publish(kFetchRequests, "k", "a topic nobody here reads");  // a signal neither consumer waits on
  std::vector<Result<std::vector<Message>>> results(2, std::vector<Message>{});
  std::vector<std::chrono::steady_clock::duration> waited(2);
  std::vector<std::thread> pollers;
  Consumer* consumers[] = {raw.get(), records.get()};
  for (int i = 0; i < 2; ++i)
    pollers.emplace_back([&, i] {
      const auto start = std::chrono::steady_clock::now();
      results[i] = consumers[i]->poll(10, 20s);
      waited[i] = std::chrono::steady_clock::now() - start;
    });
  std::this_thread::sleep_for(200ms);
  bus_.reset();
  for (auto& t : pollers) t.join();
  for (int i = 0; i < 2; ++i) {
    ASSERT_FALSE(results[i].ok()) << i;
    EXPECT_EQ(results[i].error().code, ErrorCode::unavailable) << i;
    EXPECT_LT(waited[i], 10s) << i;  // woken by the close, not by the 20 s timeout
  }
}

}  // namespace
}  // namespace chorus::bus

// ConsumerLoop over the embedded bus: at-least-once retries while a dependency is down, and poison
// messages moved to the dead-letter topic without stalling the messages behind them.
#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "roles/analysis_pool.hpp"
#include "roles/consumer_loop.hpp"

namespace chorus::roles {
namespace {

class ConsumerLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("chorus-loop-" + std::to_string(rd()));
    auto b = bus::open_embedded_bus(dir_);
    ASSERT_TRUE(b) << b.error().message;
    bus_ = std::move(b.value());
  }
  void TearDown() override {
    bus_.reset();
    std::filesystem::remove_all(dir_);
  }
  void publish(const std::string& payload) { ASSERT_TRUE(bus_->publish("work", "k", payload)); }

  static bool eventually(const std::function<bool()>& done) {
    for (int i = 0; i < 400 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    return done();
  }

  std::filesystem::path dir_;
  std::unique_ptr<bus::Bus> bus_;
};

TEST_F(ConsumerLoopTest, PoisonGoesToDeadLettersAndTheRestIsProcessed) {
  std::mutex mu;
  std::vector<std::string> done;
  ConsumerLoop loop("test", *bus_, "work", "g", 8, [&](std::span<const bus::Message> batch) -> Status {
    for (const auto& m : batch)
      if (m.payload == "poison") return make_error(ErrorCode::bad_request, "cannot read message " + m.payload);
    std::lock_guard lock(mu);
    for (const auto& m : batch) done.push_back(m.payload);
    return {};
  });
  for (auto p : {"a", "b", "poison", "c"}) publish(p);
  loop.start();
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mu);
    return std::find(done.begin(), done.end(), "c") != done.end();
  }));
  loop.stop();
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(std::count(done.begin(), done.end(), "poison"), 0);
    for (auto p : {"a", "b", "c"}) EXPECT_NE(std::find(done.begin(), done.end(), p), done.end()) << p;
  }
  EXPECT_EQ(get_int(json::value(loop.health()), "dead_lettered"), 1);
  auto dead = bus_->subscribe(bus::kDeadLetters, "inspect");
  ASSERT_TRUE(dead);
  auto letters = (*dead)->poll(10, std::chrono::milliseconds(500));
  ASSERT_TRUE(letters);
  ASSERT_EQ(letters->size(), 1u);
  auto v = parse_json(letters->front().payload);
  ASSERT_TRUE(v);
  EXPECT_EQ(get_string(*v, "payload"), "poison");
  EXPECT_EQ(get_string(*v, "topic"), "work");
  EXPECT_EQ(get_string(*v, "error"), "cannot read message poison");
}

TEST_F(ConsumerLoopTest, AnUnavailableDependencyIsRetriedUntilItRecovers) {
  std::atomic<int> calls{0};
  std::atomic<bool> store_up{false};
  std::atomic<int> processed{0};
  ConsumerLoop loop("test", *bus_, "work", "g", 8, [&](std::span<const bus::Message> batch) -> Status {
    ++calls;
    if (!store_up) return make_error(ErrorCode::unavailable, "store is down");
    processed += static_cast<int>(batch.size());
    return {};
  });
  publish("x");
  publish("y");
  loop.start();
  ASSERT_TRUE(eventually([&] { return calls >= 4; }));
  EXPECT_EQ(get_string(json::value(loop.health()), "state"), "retrying");
  store_up = true;
  ASSERT_TRUE(eventually([&] { return processed == 2; }));
  loop.stop();
  EXPECT_EQ(get_int(json::value(loop.health()), "dead_lettered"), 0);
  auto dead = bus_->subscribe(bus::kDeadLetters, "inspect");
  EXPECT_TRUE((*dead)->poll(10, std::chrono::milliseconds(100))->empty());
}

// While its hold predicate says so the loop takes nothing; once it stops saying so, the waiting messages
// are processed, and stopping does not wait for the predicate.
TEST_F(ConsumerLoopTest, TakesNoBatchWhileHeld) {
  std::atomic<bool> held{true};
  std::atomic<int> asked{0}, processed{0};
  ConsumerLoop loop("test", *bus_, "work", "g", 8, [&](std::span<const bus::Message> batch) -> Status {
    processed += static_cast<int>(batch.size());
    return {};
  });
  loop.hold_while([&] {
    ++asked;
    return held.load();
  });
  publish("x");
  publish("y");
  loop.start();
  ASSERT_TRUE(eventually([&] { return asked >= 10; }));
  EXPECT_EQ(processed, 0);
  held = false;
  ASSERT_TRUE(eventually([&] { return processed == 2; }));
  held = true;
  int before = asked;
  ASSERT_TRUE(eventually([&] { return asked > before + 2; }));
  publish("z");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(processed, 2);
  loop.stop();  // returns while still held
  EXPECT_EQ(get_string(json::value(loop.health()), "state"), "stopped");
}

// The cap, asked before each poll, limits the batch; it never makes one larger than the loop's own.
TEST_F(ConsumerLoopTest, TakesAtMostTheCapOfEachPoll) {
  std::atomic<std::size_t> cap{2};
  std::mutex mu;
  std::vector<std::size_t> sizes;
  ConsumerLoop loop("test", *bus_, "work", "g", 8, [&](std::span<const bus::Message> batch) -> Status {
    std::lock_guard lock(mu);
    sizes.push_back(batch.size());
    return {};
  });
  loop.cap_batch([&] { return cap.load(); });
  for (int i = 0; i < 6; ++i) publish(std::to_string(i) + "m");
  loop.start();
  auto total = [&] {
    std::lock_guard lock(mu);
    std::size_t n = 0;
    for (auto s : sizes) n += s;
    return n;
  };
  ASSERT_TRUE(eventually([&] { return total() == 6; }));
  {
    std::lock_guard lock(mu);
    for (auto s : sizes) EXPECT_LE(s, 2u);
    sizes.clear();
  }
  cap = 1000;
  for (int i = 0; i < 20; ++i) publish(std::to_string(i) + "n");
  ASSERT_TRUE(eventually([&] { return total() == 20; }));
  loop.stop();
  std::lock_guard lock(mu);
  for (auto s : sizes) EXPECT_LE(s, 8u);
}

// In the background the loop's thread, and with it the role's batch handler, runs in Linux's idle class; by
// default it keeps the normal one.
TEST_F(ConsumerLoopTest, RunsItsHandlerAtThePriorityItWasStartedWith) {
  for (auto [priority, policy] : {std::pair{ThreadPriority::background, SCHED_IDLE},
                                  std::pair{ThreadPriority::normal, SCHED_OTHER}}) {
    std::atomic<int> seen{-1};
    std::string group = policy == SCHED_IDLE ? "background" : "normal";
    ConsumerLoop loop("test", *bus_, "work", group, 8, [&](std::span<const bus::Message>) -> Status {
      seen = sched_getscheduler(0);
      return {};
    });
    publish("x");
    loop.start(priority);
    ASSERT_TRUE(eventually([&] { return seen.load() != -1; }));
    loop.stop();
    EXPECT_EQ(seen.load(), policy) << group;
  }
  EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER);  // the starting thread keeps its own
}

TEST(AnalysisPool, HelpersRunAtThePoolsPriority) {
  AnalysisPool pool(1, ThreadPriority::background);
  std::mutex mu;
  std::set<int> policies;
  // Enough jobs that the helper takes some: each waits a little.
  pool.run(64, [&](std::size_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::lock_guard lock(mu);
    policies.insert(sched_getscheduler(0));
  });
  EXPECT_TRUE(policies.contains(SCHED_IDLE));   // the helper
  EXPECT_TRUE(policies.contains(SCHED_OTHER));  // the calling thread, which keeps its own
}

}  // namespace
}  // namespace chorus::roles

// The hand-off between callers that write to the embedded bus and its single writer thread, and the
// signal that wakes consumers when messages are appended.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bus/bus.hpp"

namespace chorus::bus::embedded {

// One caller's request. A blocking caller keeps it on its stack and waits until `done`, so the views stay
// valid while the writer uses them. An asynchronous request (`on_done` set) is handed over on the heap with
// the data its views point into, and the writer frees it after calling `on_done`.
struct PendingWrite {
  enum class Kind { publish, commit_offset, join_group };
  Kind kind = Kind::publish;
  std::string_view topic;
  std::span<const OutgoingMessage> messages;  // publish
  std::string_view group;                     // commit_offset, join_group
  std::int64_t next_offset = 0;               // commit_offset: the first offset the group has not done
  bool done = false;
  Status result;
  std::function<void(Status)> on_done;  // asynchronous: called by the writer, outside the lock
  std::string owned_topic;              // asynchronous publish: what `topic` and `messages` view
  std::vector<OutgoingMessage> owned_messages;
};

// What the consumers of one topic wait on. Appends to other topics leave them asleep: a webhook burst on
// raw.items does not wake the consumers of feedback.records for a read that finds nothing.
struct TopicSignal {
  std::uint64_t generation = 0;  // bumped after every committed batch that appended to the topic
  std::condition_variable appended;
};

struct WriteQueue {
  std::mutex mu;  // guards every field below
  std::condition_variable work_ready;  // the writer waits here for requests (or for closing)
  std::condition_variable work_done;   // callers wait here for their batch to be committed
  std::deque<PendingWrite*> pending;
  std::size_t writing = 0;             // requests in the batch being committed right now
  std::uint64_t committed_batches = 0;
  std::uint64_t trimmed_messages = 0;                      // deleted past their retention since the bus opened
  std::map<std::string, TopicSignal, std::less<>> topics;  // by topic; a node never moves once made
  bool closing = false;

  // The signal of `topic`, made on first use. Call with `mu` held.
  TopicSignal& signal(std::string_view topic) {
    auto it = topics.find(topic);
    if (it == topics.end()) it = topics.try_emplace(std::string(topic)).first;
    return it->second;
  }

  // Wakes every consumer, whatever its topic (the bus is closing). Call with `mu` held.
  void wake_all() {
    for (auto& [topic, signal] : topics) signal.appended.notify_all();
  }

  // Queues `write` for the next batch and blocks until that batch is committed or has failed.
  Status submit(PendingWrite& write) {
    std::unique_lock lock(mu);
    if (closing) return make_error(ErrorCode::unavailable, "the bus is closed");
    pending.push_back(&write);
    work_ready.notify_one();
    work_done.wait(lock, [&] { return write.done; });
    return write.result;
  }

  // Queues `write` (which has `on_done` set) for the next batch and returns at once; the writer calls
  // `on_done` when that batch is committed or has failed. When the bus is closed, calls it here.
  void submit_async(std::unique_ptr<PendingWrite> write) {
    {
      std::lock_guard lock(mu);
      if (!closing) {
        pending.push_back(write.release());
        work_ready.notify_one();
        return;
      }
    }
    write->on_done(make_error(ErrorCode::unavailable, "the bus is closed"));
  }
};

}  // namespace chorus::bus::embedded

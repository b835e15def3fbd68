// AnalysisPool: a few threads that work through one list of independent jobs at a time with the calling
// thread, so the parser's NLP stages use every core while the store and bus work stays on one thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "roles/thread_priority.hpp"

namespace chorus::roles {

class AnalysisPool {
 public:
  // `helpers` threads besides the caller (0: the caller does everything), scheduled with `priority`.
  explicit AnalysisPool(std::size_t helpers, ThreadPriority priority = ThreadPriority::normal);
  ~AnalysisPool();
  AnalysisPool(const AnalysisPool&) = delete;
  AnalysisPool& operator=(const AnalysisPool&) = delete;

  // Calls job(i) once for every i in [0, n), spread over the helpers and the caller; returns when all are done.
  // One run at a time (the parser's own thread).
  void run(std::size_t n, std::function<void(std::size_t)> job) {
    start(n, std::move(job));
    finish();
  }
  // The same in two steps: start hands the jobs to the helpers and returns at once, so the caller can do
  // other work meanwhile (the parser stores the previous chunk); finish joins in and waits for the rest.
  // Without helpers, finish does all the jobs.
  void start(std::size_t n, std::function<void(std::size_t)> job);
  void finish();

 private:
  void help();
  void work_through();

  std::mutex mu_;
  std::condition_variable started_, finished_;
  std::function<void(std::size_t)> job_;
  std::size_t n_ = 0;
  std::atomic<std::size_t> next_{0};
  std::size_t busy_ = 0;  // helpers still inside the current run
  std::uint64_t generation_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> helpers_;
};

}  // namespace chorus::roles

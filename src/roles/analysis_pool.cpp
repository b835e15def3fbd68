// AnalysisPool.
#include "roles/analysis_pool.hpp"

#include <pthread.h>

namespace chorus::roles {

AnalysisPool::AnalysisPool(std::size_t helpers, ThreadPriority priority) {
  for (std::size_t i = 0; i < helpers; ++i)
    helpers_.emplace_back([this, priority] {
      pthread_setname_np(pthread_self(), "chorus/analyze");
      if (priority != ThreadPriority::normal) set_this_thread_priority(priority);
      help();
    });
}

AnalysisPool::~AnalysisPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  started_.notify_all();
  for (auto& t : helpers_) t.join();
}

void AnalysisPool::work_through() {
  for (std::size_t i = next_.fetch_add(1); i < n_; i = next_.fetch_add(1)) job_(i);
}

void AnalysisPool::help() {
  std::uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      started_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    work_through();
    {
      std::lock_guard lock(mu_);
      --busy_;
    }
    finished_.notify_all();
  }
}

void AnalysisPool::start(std::size_t n, std::function<void(std::size_t)> job) {
  const bool helped = n > 1 && !helpers_.empty();
  {
    std::lock_guard lock(mu_);
    job_ = std::move(job);
    n_ = n;
    next_ = 0;
    busy_ = helped ? helpers_.size() : 0;
    if (helped) ++generation_;
  }
  if (helped) started_.notify_all();
}

void AnalysisPool::finish() {
  work_through();
  // Every helper leaves the run before the job is replaced or destroyed.
  std::unique_lock lock(mu_);
  finished_.wait(lock, [&] { return busy_ == 0; });
  job_ = nullptr;
  n_ = 0;
}

}  // namespace chorus::roles

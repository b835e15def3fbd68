// Process metrics in the Prometheus text format: named counters bumped from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace chorus::api {

class Metrics {
 public:
  void add(const std::string& name, std::int64_t delta = 1);
  std::int64_t get(const std::string& name) const;
  // "# TYPE chorus_x counter\nchorus_x 3\n..." for every counter, sorted by name.
  std::string render() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::int64_t> counters_;
};

}  // namespace chorus::api

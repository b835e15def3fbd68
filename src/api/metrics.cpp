// Prometheus text rendering of the process counters.
#include "api/metrics.hpp"

namespace chorus::api {

void Metrics::add(const std::string& name, std::int64_t delta) {
  std::lock_guard lock(mu_);
  counters_[name] += delta;
}

std::int64_t Metrics::get(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = counters_.find(name);
  return it == counters_.end() ? 0 : it->second;
}

std::string Metrics::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  std::string last_family;
  for (const auto& [name, value] : counters_) {
    std::string family = name.substr(0, name.find('{'));
    if (family != last_family) {
      out += "# TYPE " + family + " counter\n";
      last_family = family;
    }
    out += name + " " + std::to_string(value) + "\n";
  }
  return out;
}

}  // namespace chorus::api

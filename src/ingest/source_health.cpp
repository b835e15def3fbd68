// StaleWatch bookkeeping: when each source's item count last grew.
#include "ingest/source_health.hpp"

namespace chorus::ingest {

bool StaleWatch::observe(Id source, std::int64_t items_total, TimeMs every_ms, TimeMs now) {
  std::lock_guard lock(mu_);
  auto [it, fresh] = seen_.try_emplace(source, Seen{items_total, now});
  Seen& s = it->second;
  if (!fresh && items_total != s.items_total) {
    s.items_total = items_total;
    s.changed_at = now;
  }
  return every_ms > 0 && now - s.changed_at >= every_ms * intervals_;
}

void StaleWatch::forget(Id source) {
  std::lock_guard lock(mu_);
  seen_.erase(source);
}

}  // namespace chorus::ingest

// Incremental positions ("cursors") that several connectors share: a time high-water mark that also
// remembers the ids seen at its exact time, and the newest of ids that grow with time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace chorus::ingest {

// Everything at or before the mark was collected. APIs stamp items to the second, so an item that
// shares the mark's second with the last one collected (written a moment after the sync) would be lost
// by "newer than" and repeated by "not older than"; the mark keeps the ids at its time to tell them apart.
// Text form: "2026-03-06T09:30:00Z" or "2026-03-06T09:30:00Z|issue%3A17,issue%3A18".
class Watermark {
 public:
  // "" is the empty mark (nothing collected yet).
  static Result<Watermark> decode(std::string_view text);
  std::string encode() const;

  bool empty() const { return !time_; }
  std::optional<TimeMs> time() const { return time_; }
  // True when the item was collected already: older than the mark, or at its time with a known id.
  bool covers(TimeMs t, std::string_view id) const;
  // Strictly older than the mark: for newest-first listings, the point where paging can stop.
  bool before(TimeMs t) const { return time_ && t < *time_; }
  // Moves the mark forward to include this item (older items change nothing).
  void observe(TimeMs t, std::string_view id);

 private:
  static constexpr std::size_t kMaxIds = 50;  // beyond this, items at the mark's time may repeat (harmless)
  std::optional<TimeMs> time_;
  std::vector<std::string> ids_;
};

// The newest of ids that grow with time (App Store review ids, Discourse post ids): items with an id at
// or below it were collected. Text form: the decimal id.
class NewestId {
 public:
  static Result<NewestId> decode(std::string_view text);
  std::string encode() const { return newest_ ? std::to_string(*newest_) : ""; }
  std::optional<std::int64_t> value() const { return newest_; }
  bool covers(std::int64_t id) const { return newest_ && id <= *newest_; }
  void observe(std::int64_t id);

 private:
  std::optional<std::int64_t> newest_;
};

}  // namespace chorus::ingest

// Hands a sync's pages to the sink one behind, so that the last page, and only the last, carries the
// cursor: a sync that stops half-way never moves the cursor, and the items it did emit upsert again.
#pragma once

#include <optional>
#include <string>

#include "connectors/connector.hpp"

namespace chorus::connectors {

class PageEmitter {
 public:
  explicit PageEmitter(PageSink& sink) : sink_(sink) {}

  // Queues one page of items; the page before it goes to the sink. Empty pages are dropped.
  Status push(std::vector<json::value> items);
  // Sends the last page (empty when there was none) with the cursor, and returns the cursor.
  Result<std::string> finish(std::string cursor);
  std::size_t items() const { return items_; }

 private:
  PageSink& sink_;
  std::optional<RawPage> held_;
  std::size_t items_ = 0;
};

}  // namespace chorus::connectors

// A PageSink for connector tests: keeps every emitted page, and can be told to fail on the Nth emit.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"

namespace chorus::testing {

class RecordingSink final : public connectors::PageSink {
 public:
  Status emit(connectors::RawPage page) override {
    if (fail_at_ && pages.size() + 1 == *fail_at_) return make_error(ErrorCode::unavailable, "raw.items is down");
    pages.push_back(std::move(page));
    return {};
  }

  // The emit with this 1-based number fails, as a bus that went away would.
  void fail_at(std::size_t n) { fail_at_ = n; }

  std::vector<json::value> items() const {
    std::vector<json::value> out;
    for (const auto& p : pages) out.insert(out.end(), p.items.begin(), p.items.end());
    return out;
  }
  // Pages that carried a cursor, in order.
  std::vector<std::string> cursors() const {
    std::vector<std::string> out;
    for (const auto& p : pages)
      if (p.cursor) out.push_back(*p.cursor);
    return out;
  }

  std::vector<connectors::RawPage> pages;

 private:
  std::optional<std::size_t> fail_at_;
};

}  // namespace chorus::testing

// PageEmitter: one page held back until the next arrives or the sync finishes.
#include "connectors/page_emitter.hpp"

namespace chorus::connectors {

Status PageEmitter::push(std::vector<json::value> items) {
  if (items.empty()) return {};
  items_ += items.size();
  if (held_) {
    if (auto st = sink_.emit(std::move(*held_)); !st) return st;
  }
  held_ = RawPage{std::move(items), std::nullopt};
  return {};
}

Result<std::string> PageEmitter::finish(std::string cursor) {
  RawPage last = held_ ? std::move(*held_) : RawPage{};
  held_.reset();
  if (!cursor.empty()) last.cursor = cursor;
  if (auto st = sink_.emit(std::move(last)); !st) return st.error();
  return cursor;
}

}  // namespace chorus::connectors

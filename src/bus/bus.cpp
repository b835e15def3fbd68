// Bus::group_position from the health document both backends write, and the blocking publish_async.
#include "bus/bus.hpp"

namespace chorus::bus {

Result<GroupPosition> Bus::group_position(std::string_view topic, std::string_view group) {
  json::object h = health();
  const json::value* g = nullptr;
  const json::value* t = nullptr;
  if (const auto* topics = h.if_contains("topics"); topics && topics->is_object())
    if (t = topics->as_object().if_contains(topic); t && t->is_object())
      if (const auto* groups = t->as_object().if_contains("groups"); groups && groups->is_object())
        g = groups->as_object().if_contains(group);
  // A group that never joined has done nothing yet: everything appended is its lag.
  if (!g && t && t->is_object())
    if (const auto* end = t->as_object().if_contains("end_offset"); end && end->is_int64())
      return GroupPosition{0, end->as_int64()};
  if (!g || !g->is_object())
    return make_error(ErrorCode::not_found, "the bus has no position for group " + std::string(group) + " on " +
                                                std::string(topic));
  GroupPosition out;
  const json::object& o = g->as_object();
  if (const auto* lag = o.if_contains("lag"); lag && lag->is_int64()) out.lag = lag->as_int64();
  if (const auto* c = o.if_contains("committed"); c && c->is_int64()) out.committed = c->as_int64();
  return out;
}

void Bus::publish_async(std::string_view topic, std::vector<OutgoingMessage> messages,
                        std::function<void(Status)> done) {
  done(publish(topic, messages));
}

}  // namespace chorus::bus

// The channels alerts can be sent through: one registration line each.
#include "alerts/channel.hpp"

namespace chorus::alerts {

std::vector<const Channel*> all_channels() { return {&slack_channel(), &webhook_channel(), &email_channel()}; }

const Channel* find_channel(std::string_view type) {
  for (const Channel* c : all_channels())
    if (c->type() == type) return c;
  return nullptr;
}

}  // namespace chorus::alerts

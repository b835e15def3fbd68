// From records to live items.
#include "alerts/live_items.hpp"

namespace chorus::alerts {

std::optional<store::LiveItem> live_item_of(const FeedbackRecord& r, TimeMs now) {
  if (r.received_at - r.timestamp > kMaxLiveLag) return std::nullopt;  // history for every rule
  if (r.timestamp < now - kLiveRetention) return std::nullopt;
  store::LiveItem item;
  item.workspace_id = r.workspace_id;
  item.uid = r.unique_identifier;
  item.source_id = r.source_id;
  item.timestamp = r.timestamp;
  item.received_at = r.received_at;
  item.sentiment = r.sentiment_type;
  item.compound = r.sentiment_compound;
  item.themes = r.themes;
  return item;
}

}  // namespace chorus::alerts

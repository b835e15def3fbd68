// Maps a Zendesk ticket (from the export or a webhook) or a satisfaction rating to a MappedItem.
//
// Ratings: Zendesk's satisfaction verdict is "good" or "bad". Both become ratings on the 1-5 scale the
// review sources use, good = 5 and bad = 1, so that averages across sources stay comparable; "offered"
// and "unoffered" carry no verdict and leave the rating empty. A ticket carries its own verdict
// (ticket.satisfaction_rating.score); a rating record exists only for a verdict with a comment, and its
// text is that comment.
#include <array>

#include "connectors/zendesk/zendesk_connector.hpp"
#include "core/time.hpp"

namespace chorus::connectors::zendesk {

namespace {

std::optional<std::string> non_empty(const json::value& obj, std::string_view key) {
  auto s = get_string(obj, key);
  if (s && s->empty()) return std::nullopt;
  return s;
}

// Everything a user may filter on, copied when present.
void copy_extras(const json::value& from, std::span<const std::string_view> keys, json::object& extra) {
  const json::object& obj = from.get_object();
  for (std::string_view key : keys) {
    const json::value* v = obj.if_contains(key);
    if (!v || v->is_null()) continue;
    if (v->is_string() && v->get_string().empty()) continue;
    extra[key] = *v;
  }
}

Result<MappedItem> map_ticket(const json::value& ticket, const SourceSettings& source) {
  auto id = non_empty(ticket, "id");
  if (!id) return make_error(ErrorCode::bad_request, "zendesk ticket has no id");
  MappedItem m;
  m.external_id = *id;
  m.source_info = "ZendeskTicket";
  // description is the ticket's first comment as plain text: the customer's own words.
  if (auto text = non_empty(ticket, "description")) {
    m.text = std::move(*text);
  } else if (auto subject = non_empty(ticket, "subject")) {
    m.text = *subject;
  } else {
    return make_error(ErrorCode::bad_request, "zendesk ticket " + *id + " has neither a description nor a subject");
  }
  m.format = MappedItem::Format::plain;
  m.title = non_empty(ticket, "subject");
  // The subject is read with the description: often it alone names the problem.
  if (m.title && !m.text.starts_with(*m.title)) m.text = *m.title + "\n\n" + m.text;
  if (auto base = base_url(source); !base.empty()) m.url = base + "/agent/tickets/" + *id;
  if (auto created = non_empty(ticket, "created_at")) m.timestamp = parse_time(*created);

  m.user_id = non_empty(ticket, "requester_id");
  // The export sideloads users; the sync copies the requester onto the ticket.
  if (const json::value* requester = find_path(ticket, "requester"); requester && requester->is_object()) {
    if (!m.user_id) m.user_id = non_empty(*requester, "id");
    m.username = non_empty(*requester, "name");
    m.email = non_empty(*requester, "email");
  }
  if (const json::value* csat = find_path(ticket, "satisfaction_rating"); csat && csat->is_object()) {
    if (auto score = non_empty(*csat, "score")) {
      m.rating = rating_of_score(*score);
      m.extra["satisfaction"] = *score;
    }
  }

  static constexpr std::array<std::string_view, 8> kExtra{"status",   "priority",        "type",        "tags",
                                                          "group_id", "organization_id", "assignee_id", "brand_id"};
  copy_extras(ticket, kExtra, m.extra);
  if (const json::value* channel = find_path(ticket, "via.channel"); channel && channel->is_string())
    m.extra["channel"] = *channel;
  return m;
}

Result<MappedItem> map_rating(const json::value& rating, const SourceSettings& source) {
  auto id = non_empty(rating, "id");
  if (!id) return make_error(ErrorCode::bad_request, "zendesk satisfaction rating has no id");
  auto comment = non_empty(rating, "comment");
  if (!comment)
    return make_error(ErrorCode::bad_request, "zendesk satisfaction rating " + *id +
                                                  " has no comment; its verdict is kept on the ticket's record");
  MappedItem m;
  // Ratings and tickets share one id space per source; the prefix keeps them apart.
  m.external_id = "satisfaction_rating/" + *id;
  m.source_info = "ZendeskSatisfactionRating";
  m.text = std::move(*comment);
  m.format = MappedItem::Format::plain;
  auto score = non_empty(rating, "score").value_or("");
  m.rating = rating_of_score(score);
  auto ticket_id = non_empty(rating, "ticket_id");
  if (ticket_id) {
    if (auto base = base_url(source); !base.empty()) m.url = base + "/agent/tickets/" + *ticket_id;
  }
  m.user_id = non_empty(rating, "requester_id");
  if (auto created = non_empty(rating, "created_at")) m.timestamp = parse_time(*created);
  if (!score.empty()) m.extra["satisfaction"] = score;
  static constexpr std::array<std::string_view, 5> kExtra{"ticket_id", "reason", "reason_code", "group_id",
                                                          "assignee_id"};
  copy_extras(rating, kExtra, m.extra);
  return m;
}

}  // namespace

Result<MappedItem> ZendeskConnector::map(const json::value& raw, const SourceSettings& source) const {
  if (!raw.is_object()) return make_error(ErrorCode::bad_request, "zendesk item must be a JSON object (a ticket)");
  if (is_satisfaction_rating(raw)) return map_rating(raw, source);
  // A webhook body pushed as it came ({"ticket": {...}}) maps like the ticket inside it.
  if (!raw.get_object().contains("id")) {
    if (const json::value* inner = raw.get_object().if_contains("ticket"); inner && inner->is_object())
      return map_ticket(*inner, source);
  }
  return map_ticket(raw, source);
}

}  // namespace chorus::connectors::zendesk

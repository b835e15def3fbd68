// Maps an Intercom conversation (its opening message) or one of its customer parts to a MappedItem.
// Intercom bodies are HTML; times are epoch seconds. Conversations come in the REST API's shape (opening
// message in `source`) or, from webhooks of apps on the 1.x model, with it in `conversation_message`.
#include "connectors/intercom/intercom_connector.hpp"
#include "core/text_escape.hpp"

namespace chorus::connectors::intercom {

namespace {

std::optional<std::string> non_empty(const json::value& obj, std::string_view key) {
  auto s = get_string(obj, key);
  if (s && s->empty()) return std::nullopt;
  return s;
}

std::optional<TimeMs> epoch_seconds(const json::value& obj, std::string_view key) {
  if (auto s = get_int(obj, key)) return *s * 1000;
  return std::nullopt;
}

std::optional<std::string> inbox_url(const SourceSettings& source, const std::string& conversation_id) {
  auto app = get_string(source.config, "app_id");
  if (!app || app->empty()) return std::nullopt;
  return "https://app.intercom.com/a/inbox/" + *app + "/inbox/conversation/" + conversation_id;
}

void set_author(const json::value& message, MappedItem& m) {
  const json::value* author = find_path(message, "author");
  if (!author || !author->is_object()) return;
  m.user_id = non_empty(*author, "id");
  m.username = non_empty(*author, "name");
  m.email = non_empty(*author, "email");
  if (auto type = non_empty(*author, "type")) m.extra["author_type"] = *type;
}

// In the 1.x webhook model the opening message's author is only a type and an id; the customer's name and
// e-mail sit in the conversation's `user`, which is the author when the ids agree.
void complete_author(const json::value& conversation, MappedItem& m) {
  const json::value* user = find_path(conversation, "user");
  if (!user || !user->is_object() || !m.user_id || non_empty(*user, "id") != m.user_id) return;
  if (!m.username) m.username = non_empty(*user, "name");
  if (!m.email) m.email = non_empty(*user, "email");
}

// Without config.app_id, the 1.x deliveries' own link to the conversation in the Intercom inbox.
std::optional<std::string> conversation_url(const json::value& conversation, const SourceSettings& source,
                                            const std::string& id) {
  if (auto url = inbox_url(source, id)) return url;
  if (const json::value* links = find_path(conversation, "links"); links && links->is_object())
    return non_empty(*links, "conversation_web");
  return std::nullopt;
}

Result<MappedItem> map_conversation(const json::value& conversation, const SourceSettings& source) {
  auto id = non_empty(conversation, "id");
  if (!id) return make_error(ErrorCode::bad_request, "intercom conversation has no id");
  const json::value* opening = opening_message(conversation);
  if (!opening)
    return make_error(ErrorCode::bad_request,
                      "intercom conversation " + *id + " has no source or conversation_message (opening message)");
  auto body = non_empty(*opening, "body");
  if (!body)
    return make_error(ErrorCode::bad_request, "intercom conversation " + *id + " has an empty opening message");

  MappedItem m;
  m.external_id = *id;
  m.source_info = "IntercomConversation";
  m.text = std::move(*body);
  m.format = MappedItem::Format::html;
  m.title = non_empty(conversation, "title");
  if (!m.title) m.title = non_empty(*opening, "subject");
  // The subject (of an e-mail conversation) is read with the opening message, as its first paragraph.
  if (m.title) m.text = "<p>" + escape_markup_text(*m.title) + "</p>" + m.text;
  m.timestamp = epoch_seconds(conversation, "created_at");
  m.url = conversation_url(conversation, source, *id);
  set_author(*opening, m);
  complete_author(conversation, m);
  if (const json::value* rating = find_path(conversation, "conversation_rating"); rating && rating->is_object()) {
    m.rating = get_double(*rating, "rating");
    if (auto remark = non_empty(*rating, "remark")) m.extra["rating_remark"] = *remark;
  }

  for (std::string_view key : {"state", "priority"})
    if (auto v = non_empty(conversation, key)) m.extra[key] = *v;
  if (const json::value* open = find_path(conversation, "open"); open && open->is_bool()) m.extra["open"] = *open;
  // Only the REST shape's opening message says its channel (conversation, email, ...).
  if (auto channel = non_empty(*opening, "type"); channel && opening == find_path(conversation, "source"))
    m.extra["channel"] = *channel;
  if (auto delivered = non_empty(*opening, "delivered_as")) m.extra["delivered_as"] = *delivered;
  if (const json::value* tags = find_path(conversation, "tags.tags"); tags && tags->is_array()) {
    json::array names;
    for (const json::value& t : tags->get_array())
      if (auto name = non_empty(t, "name")) names.emplace_back(*name);
    if (!names.empty()) m.extra["tags"] = std::move(names);
  }
  return m;
}

Result<MappedItem> map_part(const json::value& part, const SourceSettings& source) {
  auto id = non_empty(part, "id");
  auto conversation_id = non_empty(part, "conversation_id");
  if (!id || !conversation_id)
    return make_error(ErrorCode::bad_request, "intercom conversation part needs an id and a conversation_id");
  auto body = non_empty(part, "body");
  if (!body) return make_error(ErrorCode::bad_request, "intercom conversation part " + *id + " has no body");
  MappedItem m;
  // Part ids are unique, but the conversation in the id keeps a part next to its conversation.
  m.external_id = *conversation_id + "/parts/" + *id;
  m.source_info = "IntercomConversationPart";
  m.text = std::move(*body);
  m.format = MappedItem::Format::html;
  m.timestamp = epoch_seconds(part, "created_at");
  m.url = inbox_url(source, *conversation_id);
  set_author(part, m);
  m.extra["conversation_id"] = *conversation_id;
  if (auto type = non_empty(part, "part_type")) m.extra["part_type"] = *type;
  return m;
}

}  // namespace

Result<MappedItem> IntercomConnector::map(const json::value& raw, const SourceSettings& source) const {
  if (!raw.is_object())
    return make_error(ErrorCode::bad_request, "intercom item must be a JSON object (a conversation)");
  if (get_string(raw, "type") == std::optional<std::string>("conversation_part")) return map_part(raw, source);
  // A webhook delivery pushed as it came maps like the conversation inside it.
  if (const json::value* item = find_path(raw, "data.item"); item && item->is_object() && !opening_message(raw))
    return map_conversation(*item, source);
  return map_conversation(raw, source);
}

}  // namespace chorus::connectors::intercom

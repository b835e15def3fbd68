// Maps one Discourse post (from /posts/{id}.json, from search, or from a post webhook) to a MappedItem.
#include <array>

#include "connectors/discourse/discourse_connector.hpp"
#include "core/time.hpp"

namespace chorus::connectors::discourse {

namespace {

std::optional<std::string> non_empty(const json::value& obj, std::string_view key) {
  auto s = get_string(obj, key);
  if (s && s->empty()) return std::nullopt;
  return s;
}

// Topic fields sit on the post itself (topic_title, topic_slug) or, in search results, on a nested topic.
std::optional<std::string> topic_field(const json::value& post, std::string_view flat, std::string_view nested) {
  if (auto v = non_empty(post, flat)) return v;
  if (const json::value* topic = find_path(post, "topic"); topic && topic->is_object()) return non_empty(*topic, nested);
  return std::nullopt;
}

std::optional<std::string> post_url(const json::value& post, const std::string& base) {
  auto topic_id = get_string(post, "topic_id");
  if (!topic_id) {
    // Only a relative permalink ("/t/some-topic/12/3") to go on.
    if (auto rel = non_empty(post, "post_url"); rel && rel->starts_with("/")) return base + *rel;
    return std::nullopt;
  }
  std::string url = base + "/t/";
  if (auto slug = topic_field(post, "topic_slug", "slug")) url += *slug + "/";
  url += *topic_id;
  if (auto number = get_string(post, "post_number")) url += "/" + *number;
  return url;
}

}  // namespace

Result<MappedItem> DiscourseConnector::map(const json::value& raw, const SourceSettings& source) const {
  const json::value* post = &raw;
  // A webhook body pushed as it came ({"post": {...}}) maps like the post inside it.
  if (raw.is_object() && !raw.get_object().contains("id")) {
    if (const json::value* inner = raw.get_object().if_contains("post"); inner && inner->is_object()) post = inner;
  }
  if (!post->is_object()) return make_error(ErrorCode::bad_request, "discourse item must be a JSON object (a post)");
  auto id = non_empty(*post, "id");
  if (!id) return make_error(ErrorCode::bad_request, "discourse post has no id");

  MappedItem m;
  m.external_id = *id;
  m.source_info = "DiscoursePost";
  // cooked is the rendered HTML every Discourse post has; raw is the author's markdown, present on single
  // posts and some webhooks; blurb is search's truncated excerpt, the last resort.
  if (auto cooked = non_empty(*post, "cooked")) {
    m.text = std::move(*cooked);
    m.format = MappedItem::Format::html;
  } else if (auto markdown = non_empty(*post, "raw")) {
    m.text = std::move(*markdown);
    m.format = MappedItem::Format::markdown;
  } else if (auto blurb = non_empty(*post, "blurb")) {
    m.text = std::move(*blurb);
    m.format = MappedItem::Format::plain;
  }
  m.title = topic_field(*post, "topic_title", "title");
  m.url = post_url(*post, base_url(source));
  m.username = non_empty(*post, "username");
  m.user_id = non_empty(*post, "user_id");
  if (auto created = non_empty(*post, "created_at")) m.timestamp = parse_time(*created);

  static constexpr std::array<std::string_view, 5> kExtra{"topic_id", "post_number", "category_id", "like_count",
                                                          "reads"};
  const json::object& obj = post->get_object();
  for (std::string_view key : kExtra) {
    if (const json::value* v = obj.if_contains(key); v && !v->is_null()) m.extra[key] = *v;
  }
  if (!m.extra.contains("category_id")) {
    if (const json::value* c = find_path(*post, "topic.category_id"); c && !c->is_null()) m.extra["category_id"] = *c;
  }
  return m;
}

}  // namespace chorus::connectors::discourse

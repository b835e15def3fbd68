// The Hacker News connector's declared settings and the mapping of Algolia hits.
#include "connectors/hackernews/hackernews_connector.hpp"

#include <array>

#include "connectors/common_fields.hpp"
#include "core/text_escape.hpp"

namespace chorus::connectors::hackernews {

namespace {

const std::array<FieldSpec, 7> kConfig{{
    {"query", "string", true, "",
     "Search terms, e.g. the product's name; Algolia matches them in titles, story "
     "texts and comments."},
    {"tags", "string", false, "\"(story,comment)\"",
     "Algolia tag filter: comma means AND, parentheses OR, e.g. comment, (story,comment), ask_hn, author_pg."},
    since_field(),
    base_url_field(kPublicApi, "a mirror of the Algolia HN API"),
    {"hits_per_page", "integer", false, "100", "Hits asked for per page (1 to 1000)."},
    max_pages_field(50, "hits_per_page hits"),
    concurrency_field(4),
}};

std::optional<std::string> non_empty(const json::value& obj, std::string_view key) {
  auto s = get_string(obj, key);
  if (s && s->empty()) return std::nullopt;
  return s;
}

bool has_tag(const json::value& hit, std::string_view tag) {
  const json::value* tags = find_path(hit, "_tags");
  if (!tags || !tags->is_array()) return false;
  for (const json::value& t : tags->get_array())
    if (t.is_string() && t.get_string() == tag) return true;
  return false;
}

}  // namespace

std::string_view HackerNewsConnector::description() const {
  return "Hacker News stories and comments that match a search, through the Algolia HN API (newest first, "
         "incremental by creation time).";
}

std::span<const FieldSpec> HackerNewsConnector::config_fields() const { return kConfig; }

Status HackerNewsConnector::check_settings(const json::object& config, const json::object& /*credentials*/) const {
  if (auto it = config.find("hits_per_page"); it != config.end() && it->value().is_number()) {
    double n = it->value().to_number<double>();
    if (n < 1 || n > 1000) return make_error(ErrorCode::bad_request, "config.hits_per_page must be between 1 and 1000");
  }
  return check_common_fields(config);
}

Result<MappedItem> HackerNewsConnector::map(const json::value& raw, const SourceSettings& /*source*/) const {
  if (!raw.is_object())
    return make_error(ErrorCode::bad_request, "hackernews item must be a JSON object (an Algolia hit)");
  auto id = non_empty(raw, "objectID");
  if (!id) return make_error(ErrorCode::bad_request, "hackernews hit has no objectID");
  const bool comment = has_tag(raw, "comment") || non_empty(raw, "comment_text");

  MappedItem m;
  m.external_id = *id;
  m.source_info = comment ? "HackerNewsComment" : "HackerNewsStory";
  m.format = MappedItem::Format::html;  // comment_text and story_text are HTML with entities
  if (comment) {
    m.text = non_empty(raw, "comment_text").value_or("");
  } else {
    m.title = non_empty(raw, "title");
    // The title is read with the text: an Ask HN's question is often all in it.
    auto body = non_empty(raw, "story_text");
    if (m.title && body)
      m.text = "<p>" + escape_markup_text(*m.title) + "</p>" + *body;
    else
      m.text = body.value_or(m.title.value_or(""));
  }
  m.url = "https://news.ycombinator.com/item?id=" + *id;
  m.username = non_empty(raw, "author");
  m.user_id = m.username;
  if (auto created = non_empty(raw, "created_at")) m.timestamp = parse_time(*created);
  if (!m.timestamp) {
    if (auto secs = get_int(raw, "created_at_i")) m.timestamp = *secs * 1000;
  }

  const json::object& obj = raw.get_object();
  for (std::string_view key : {"points", "num_comments", "story_id", "parent_id", "story_title"}) {
    if (const json::value* v = obj.if_contains(key); v && !v->is_null()) m.extra[key] = *v;
  }
  if (auto link = non_empty(raw, comment ? "story_url" : "url")) m.extra["link"] = *link;
  json::array kinds;
  for (std::string_view tag : {"story", "comment", "ask_hn", "show_hn", "poll", "front_page"})
    if (has_tag(raw, tag)) kinds.emplace_back(tag);
  m.extra["tags"] = std::move(kinds);
  return m;
}

namespace {

// Algolia's tag filter: terms joined by commas must all hold; a parenthesised group holds when any of its
// tags does. "(story,comment)" is a story or a comment; "story,author_pg" is a story by pg.
bool matches_tags(const json::value& hit, std::string_view filter) {
  std::size_t i = 0;
  while (i < filter.size()) {
    if (filter[i] == ',' || filter[i] == ' ') {
      ++i;
      continue;
    }
    bool any = false;
    if (filter[i] == '(') {
      std::size_t close = filter.find(')', i);
      std::string_view group = filter.substr(i + 1, close == std::string_view::npos ? std::string_view::npos : close - i - 1);
      i = close == std::string_view::npos ? filter.size() : close + 1;
      std::size_t start = 0;
      while (start <= group.size()) {
        std::size_t comma = group.find(',', start);
        std::string_view tag = group.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
        while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
        if (!tag.empty() && has_tag(hit, tag)) any = true;
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
    } else {
      std::size_t comma = filter.find(',', i);
      std::string_view tag = filter.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i);
      i = comma == std::string_view::npos ? filter.size() : comma;
      while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
      any = has_tag(hit, tag);
    }
    if (!any) return false;
  }
  return true;
}

}  // namespace

// config.tags selects what a sync asks Algolia for; a pushed hit meets the same filter. Hits without
// _tags (hand-made pushes) are taken as they are.
std::optional<std::string> HackerNewsConnector::skip_reason(const json::value& raw, const SourceSettings& source) const {
  const json::value* tags = find_path(raw, "_tags");
  if (!tags || !tags->is_array()) return std::nullopt;
  std::string filter = setting_string(source, "tags");
  if (!filter.empty() && !matches_tags(raw, filter)) return "tags";
  return std::nullopt;
}

const Connector& connector() {
  static const HackerNewsConnector instance;
  return instance;
}

}  // namespace chorus::connectors::hackernews

// The Reddit connector's declared settings and the mapping of posts (t3) and comments (t1).
#include "connectors/reddit/reddit_connector.hpp"

#include <array>

#include "connectors/common_fields.hpp"

namespace chorus::connectors::reddit {

namespace {

const std::array<FieldSpec, 6> kConfig{{
    {"subreddit", "string", true, "", "The subreddit's name, e.g. tallybook (r/tallybook works too)."},
    {"include_comments", "boolean", false, "false",
     "Also collect the subreddit's new comments (from /r/{subreddit}/comments), each as its own record."},
    since_field(),
    base_url_field(kPublicApi, "another Reddit API host"),
    max_pages_field(10, "100 posts or comments; Reddit lists at most about 1,000"),
    {"user_agent", "string", false, "\"server:chorus-feedback:0.1 (feedback aggregation)\"",
     "The User-Agent Reddit requires: <platform>:<app id>:<version> (by /u/<your username>)."},
}};

const std::array<FieldSpec, 1> kCredentials{{
    {"access_token", "string", true, "",
     "An OAuth access token with the read scope (from https://www.reddit.com/api/v1/access_token), sent as "
     "Authorization: Bearer."},
}};

std::optional<std::string> non_empty(const json::value& obj, std::string_view key) {
  auto s = get_string(obj, key);
  if (s && s->empty()) return std::nullopt;
  return s;
}

// What Reddit leaves in place of text or an author that was taken down.
bool removed(std::string_view s) { return s == "[removed]" || s == "[deleted]"; }

}  // namespace

std::string subreddit_name(std::string_view s) {
  while (s.starts_with("/")) s.remove_prefix(1);
  if (s.starts_with("r/") || s.starts_with("R/")) s.remove_prefix(2);
  while (s.ends_with("/")) s.remove_suffix(1);
  if (s.size() < 2 || s.size() > 21) return "";
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return "";
  }
  return std::string(s);
}

std::string_view RedditConnector::description() const {
  return "New posts, and optionally comments, of a subreddit through Reddit's OAuth API, newest first and "
         "incremental by creation time.";
}

std::span<const FieldSpec> RedditConnector::config_fields() const { return kConfig; }
std::span<const FieldSpec> RedditConnector::credential_fields() const { return kCredentials; }

Status RedditConnector::check_settings(const json::object& config, const json::object& /*credentials*/) const {
  if (auto it = config.find("subreddit"); it != config.end() && it->value().is_string()) {
    if (subreddit_name(it->value().get_string()).empty())
      return make_error(ErrorCode::bad_request,
                        "config.subreddit must be a subreddit name (2 to 21 letters, digits or underscores), e.g. "
                        "tallybook");
  }
  return check_common_fields(config);
}

Result<MappedItem> RedditConnector::map(const json::value& raw, const SourceSettings& /*source*/) const {
  if (!raw.is_object())
    return make_error(ErrorCode::bad_request, "reddit item must be a JSON object (a listing child)");
  // A listing child {"kind","data"}, or its data alone.
  const json::value* data = raw.get_object().if_contains("data");
  if (!data || !data->is_object()) data = &raw;
  auto name = non_empty(*data, "name");
  if (!name) return make_error(ErrorCode::bad_request, "reddit item has no name (its t3_/t1_ id)");
  std::string kind = get_string(raw, "kind").value_or(name->substr(0, 2));
  if (kind != "t3" && kind != "t1")
    return make_error(ErrorCode::bad_request, "reddit item is a " + kind + ", not a post (t3) or comment (t1)");
  const bool comment = kind == "t1";

  MappedItem m;
  m.external_id = *name;
  m.source_info = comment ? "RedditComment" : "RedditPost";
  m.format = MappedItem::Format::markdown;  // selftext and body are markdown; raw_json=1 keeps them unescaped
  std::string body = non_empty(*data, comment ? "body" : "selftext").value_or("");
  if (removed(body)) body.clear();
  if (!comment) {
    m.title = non_empty(*data, "title");
    // The title is read with the text; link posts and removed texts have only their title.
    if (m.title && !body.starts_with(*m.title)) body = body.empty() ? *m.title : *m.title + "\n\n" + body;
  }
  m.text = std::move(body);
  if (auto permalink = non_empty(*data, "permalink")) m.url = "https://www.reddit.com" + *permalink;
  if (auto author = non_empty(*data, "author"); author && !removed(*author)) m.username = author;
  m.user_id = non_empty(*data, "author_fullname");
  if (auto created = get_double(*data, "created_utc")) m.timestamp = static_cast<TimeMs>(*created * 1000.0);

  const json::object& obj = data->get_object();
  auto copy = [&](std::string_view key, std::string_view as) {
    if (const json::value* v = obj.if_contains(key); v && !v->is_null()) m.extra[as] = *v;
  };
  copy("subreddit", "subreddit");
  copy("score", "score");
  if (comment) {
    copy("link_id", "link_id");
    copy("parent_id", "parent_id");
    copy("link_title", "link_title");
    copy("is_submitter", "is_submitter");
  } else {
    copy("num_comments", "num_comments");
    copy("upvote_ratio", "upvote_ratio");
    copy("link_flair_text", "flair");
    if (get_bool(*data, "is_self") == false) copy("url", "link");
  }
  m.extra["edited"] = get_bool(*data, "edited") != false && obj.contains("edited");
  return m;
}

// Comments belong to a source only with include_comments; a comment deleted or removed since has nothing
// left to say (a post keeps its title, which is read).
std::optional<std::string> RedditConnector::skip_reason(const json::value& raw, const SourceSettings& source) const {
  if (!raw.is_object()) return std::nullopt;
  const json::value* data = raw.get_object().if_contains("data");
  if (!data || !data->is_object()) data = &raw;
  auto name = get_string(*data, "name").value_or("");
  std::string kind = get_string(raw, "kind").value_or(name.substr(0, 2));
  if (kind != "t1") return std::nullopt;
  if (!setting_bool(source, "include_comments", false)) return "comment";
  if (removed(get_string(*data, "body").value_or(""))) return "deleted";
  return std::nullopt;
}

const Connector& connector() {
  static const RedditConnector instance;
  return instance;
}

}  // namespace chorus::connectors::reddit

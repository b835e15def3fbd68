// Maps a GitHub issue or issue comment (as listed, as a webhook delivers it, or a whole webhook payload
// pushed as it came) to a MappedItem.
#include "connectors/common_fields.hpp"
#include "connectors/github/github_connector.hpp"

namespace chorus::connectors::github {

namespace {

std::optional<std::string> non_empty(const json::value& obj, std::string_view key) {
  auto s = get_string(obj, key);
  if (s && s->empty()) return std::nullopt;
  return s;
}

// "https://api.github.com/repos/octo-org/octo-app/issues/42" -> "octo-org/octo-app" and "42".
std::optional<std::string> repo_from_api_url(std::string_view url) {
  std::size_t at = url.find("/repos/");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = url.substr(at + 7);
  std::size_t owner_end = rest.find('/');
  if (owner_end == std::string_view::npos) return std::nullopt;
  std::size_t name_end = rest.find('/', owner_end + 1);
  return std::string(rest.substr(0, name_end));
}

std::optional<std::int64_t> issue_number_from_url(std::string_view url) {
  std::size_t slash = url.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto n = parse_json(url.substr(slash + 1));
  if (!n || !n->is_int64()) return std::nullopt;
  return n->get_int64();
}

// The object to map: the item itself, or the comment / issue inside a pushed webhook payload.
const json::value* unwrap(const json::value& raw) {
  if (!raw.is_object()) return nullptr;
  const json::object& o = raw.get_object();
  if (o.contains("id")) return &raw;
  for (std::string_view key : {"comment", "issue"})
    if (const json::value* inner = o.if_contains(key); inner && inner->is_object()) return inner;
  return &raw;
}

// What is analysed of an issue: its title, then its body. The title is often the one sentence that says
// what is wrong ("Rendering completely broken on macos 10.14" above a bare forum link).
std::string title_and_body(const std::string& title, const std::string& body) {
  if (body.empty() || body.starts_with(title)) return body.empty() ? title : body;
  return title + "\n\n" + body;
}

void copy_if_present(const json::object& from, std::string_view key, json::object& to, std::string_view as) {
  if (const json::value* v = from.if_contains(key); v && !v->is_null()) to[as] = *v;
}

void add_user(const json::value& item, MappedItem& m) {
  if (const json::value* user = find_path(item, "user"); user && user->is_object()) {
    m.username = non_empty(*user, "login");
    m.user_id = non_empty(*user, "id");
  }
}

}  // namespace

Result<MappedItem> GitHubConnector::map(const json::value& raw, const SourceSettings& source) const {
  const json::value* item = unwrap(raw);
  if (!item) return make_error(ErrorCode::bad_request, "github item must be a JSON object (an issue or a comment)");
  auto id = non_empty(*item, "id");
  if (!id) return make_error(ErrorCode::bad_request, "github item has no id");
  const json::object& obj = item->get_object();
  const bool comment = is_comment(obj);

  MappedItem m;
  m.external_id = (comment ? "issue_comment:" : "issue:") + *id;
  m.source_info = comment ? "GitHubIssueComment" : "GitHubIssue";
  m.format = MappedItem::Format::markdown;
  m.text = non_empty(*item, "body").value_or("");
  if (!comment) {
    m.title = non_empty(*item, "title");
    if (m.title) m.text = title_and_body(*m.title, m.text);
  }
  m.url = non_empty(*item, "html_url");
  add_user(*item, m);
  if (auto created = non_empty(*item, "created_at")) m.timestamp = parse_time(*created);

  std::string api_url = get_string(*item, comment ? "issue_url" : "repository_url").value_or("");
  std::optional<std::string> repo = repo_from_api_url(api_url);
  if (!repo) {
    std::string configured = setting_string(source, "repo");
    if (!configured.empty()) repo = configured;
  }
  if (repo) m.extra["repository"] = *repo;
  m.extra["pull_request"] = on_pull_request(obj);
  copy_if_present(obj, "author_association", m.extra, "author_association");
  if (const json::value* reactions = find_path(*item, "reactions.total_count"); reactions && reactions->is_number())
    m.extra["reactions"] = *reactions;

  if (comment) {
    if (auto n = issue_number_from_url(api_url)) m.extra["issue_number"] = *n;
    return m;
  }
  copy_if_present(obj, "number", m.extra, "number");
  copy_if_present(obj, "state", m.extra, "state");
  copy_if_present(obj, "state_reason", m.extra, "state_reason");
  copy_if_present(obj, "comments", m.extra, "comments");
  if (const json::value* labels = obj.if_contains("labels"); labels && labels->is_array()) {
    json::array names;
    for (const json::value& label : labels->get_array()) {
      // Labels are objects in the REST API and plain names in some older payloads.
      if (label.is_string())
        names.push_back(label);
      else if (auto name = get_string(label, "name"))
        names.emplace_back(*name);
    }
    m.extra["labels"] = std::move(names);
  }
  return m;
}

}  // namespace chorus::connectors::github

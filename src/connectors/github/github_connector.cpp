// The GitHub connector's declared settings and its webhook handling.
#include "connectors/github/github_connector.hpp"

#include <array>

#include "connectors/common_fields.hpp"

namespace chorus::connectors::github {

namespace {

const std::array<FieldSpec, 6> kConfig{{
    {"repo", "string", true, "", "The repository as owner/name, e.g. octo-org/octo-app."},
    {"include_comments", "boolean", false, "true", "Also collect the comments on issues, each as its own record."},
    {"include_pull_requests", "boolean", false, "false",
     "Also collect pull requests (GitHub lists them with issues) and the comments on them."},
    since_field(),
    base_url_field(kPublicApi, "GitHub Enterprise Server (https://HOST/api/v3)"),
    max_pages_field(50, "100 issues or comments"),
}};

const std::array<FieldSpec, 1> kCredentials{{
    {"token", "string", false, "",
     "A personal access token or app token with read access to the repository's issues, sent as "
     "Authorization: Bearer. Needed for private repositories; without it GitHub allows 60 requests an hour."},
}};

const std::array<std::string_view, 1> kSchemes{"github"};

bool valid_repo_part(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return false;
  for (char c : s) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

const json::object* object_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

// The event from X-GitHub-Event, or guessed from the payload when a sender dropped the header.
std::string event_name(const http::Headers& headers, const json::object& body) {
  if (auto e = headers.get("X-GitHub-Event"); e && !e->empty()) return *e;
  if (body.contains("zen")) return "ping";
  if (object_at(body, "comment") && object_at(body, "issue")) return "issue_comment";
  if (object_at(body, "issue")) return "issues";
  return "";
}

}  // namespace

bool is_comment(const json::object& item) { return item.contains("issue_url") && !item.contains("number"); }

bool on_pull_request(const json::object& item) {
  if (const json::value* pr = item.if_contains("pull_request"); pr && !pr->is_null()) return true;
  // A comment only knows its page: /pull/N#issuecomment-M for a pull request's conversation.
  auto url = get_string(item, "html_url");
  return is_comment(item) && url && url->find("/pull/") != std::string::npos;
}

std::string_view GitHubConnector::description() const {
  return "Issues and issue comments of a GitHub repository, read incrementally by update time; issues and "
         "issue_comment webhooks deliver them as they happen.";
}

std::span<const FieldSpec> GitHubConnector::config_fields() const { return kConfig; }
std::span<const FieldSpec> GitHubConnector::credential_fields() const { return kCredentials; }
std::span<const std::string_view> GitHubConnector::webhook_schemes() const { return kSchemes; }

Status GitHubConnector::check_settings(const json::object& config, const json::object& /*credentials*/) const {
  if (auto it = config.find("repo"); it != config.end() && it->value().is_string()) {
    std::string_view repo = it->value().get_string();
    std::size_t slash = repo.find('/');
    if (slash == std::string_view::npos || !valid_repo_part(repo.substr(0, slash)) ||
        !valid_repo_part(repo.substr(slash + 1)))
      return make_error(ErrorCode::bad_request, "config.repo must be owner/name, e.g. octo-org/octo-app");
  }
  return check_common_fields(config);
}

// issues events carry the issue and issue_comment events the comment, so both are mapped straight away;
// deletions and other events (ping, pushes, pull requests) bring nothing.
Result<WebhookItems> GitHubConnector::from_webhook(const http::Headers& headers, const json::value& body,
                                                   const SourceSettings& source) const {
  if (!body.is_object()) return make_error(ErrorCode::bad_request, "github webhook body must be a JSON object");
  const json::object& payload = body.get_object();
  std::string event = event_name(headers, payload);
  std::string action = get_string(body, "action").value_or("");
  WebhookItems out;
  if (action == "deleted") return out;

  if (event == "issues") {
    const json::object* issue = object_at(payload, "issue");
    if (!issue) return make_error(ErrorCode::bad_request, "github issues event has no \"issue\" object");
    if (!get_string(*issue, "id")) return make_error(ErrorCode::bad_request, "github issue has no id");
    out.items.emplace_back(*issue);
  } else if (event == "issue_comment") {
    const json::object* comment = object_at(payload, "comment");
    if (!comment) return make_error(ErrorCode::bad_request, "github issue_comment event has no \"comment\" object");
    if (!get_string(*comment, "id")) return make_error(ErrorCode::bad_request, "github comment has no id");
    json::object item = *comment;
    // The comment alone does not always say it sits on a pull request; the delivery's issue does.
    const json::object* issue = object_at(payload, "issue");
    if (issue && on_pull_request(*issue) && !item.contains("pull_request")) item["pull_request"] = json::object{};
    out.items.emplace_back(std::move(item));
  }
  return out;
}

// include_comments and include_pull_requests, asked of every item on every path: the sync lists them all,
// a push may carry anything, and deliveries come for both.
std::optional<std::string> GitHubConnector::skip_reason(const json::value& raw, const SourceSettings& source) const {
  if (!raw.is_object()) return std::nullopt;
  const json::object* item = &raw.get_object();
  const json::object* issue = nullptr;
  if (!item->contains("id")) {  // a whole delivery, pushed as it came
    issue = object_at(*item, "issue");
    if (const json::object* comment = object_at(*item, "comment"))
      item = comment;
    else if (issue)
      item = issue;
  }
  if (is_comment(*item) && !setting_bool(source, "include_comments", true)) return "comment";
  if (!setting_bool(source, "include_pull_requests", false) &&
      (on_pull_request(*item) || (issue && on_pull_request(*issue))))
    return "pull_request";
  return std::nullopt;
}

const Connector& connector() {
  static const GitHubConnector instance;
  return instance;
}

}  // namespace chorus::connectors::github

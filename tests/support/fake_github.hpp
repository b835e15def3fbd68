// A fake GitHub REST API on loopback: a repository's issues (pull requests among them) and issue
// comments, with GitHub's query parameters, Link headers pointing at /repositories/{id}/..., rate-limit
// headers, its error bodies, and its primary and secondary rate-limit answers.
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/time.hpp"
#include "support/fake_http_service.hpp"
#include "support/page_faults.hpp"

namespace chorus::testing {

class FakeGitHub {
 public:
  static constexpr const char* kRepo = "octo-org/octo-app";
  static constexpr const char* kRepoId = "733100221";

  // Serves the issues.json and comments.json of `fixtures` as the repository `repo` (numeric id `repo_id`).
  explicit FakeGitHub(const std::filesystem::path& fixtures, std::string repo = kRepo, std::string repo_id = kRepoId)
      : repo_id_(std::move(repo_id)) {
    json::value issues = read_fixture(fixtures / "issues.json");
    json::value comments = read_fixture(fixtures / "comments.json");
    for (const auto& i : issues.as_array()) put(issues_, i.as_object());
    for (const auto& c : comments.as_array()) put(comments_, c.as_object());
    for (std::string prefix : {"/repos/" + repo, "/repositories/" + repo_id_}) {
      service_.route("GET", prefix + "/issues", [this](http::Request& r) { return list(r, issues_, true); });
      service_.route("GET", prefix + "/issues/comments",
                     [this](http::Request& r) { return list(r, comments_, false); });
    }
    service_.route("GET", "/repos/{owner}/{name}/issues", [](http::Request&) { return not_found(); });
    service_.route("GET", "/repos/{owner}/{name}/issues/comments", [](http::Request&) { return not_found(); });
    service_.start();
  }

  std::string base_url() const { return service_.base_url(); }
  FakeHttpService& service() { return service_; }
  const FakeHttpService& service() const { return service_; }
  PageFaults& page_faults() { return page_faults_; }

  // Largest page the fake serves whatever per_page asks (GitHub's cap is 100).
  void set_max_per_page(int n) { max_per_page_ = n; }
  void require_token(const std::string& token) {
    service_.require_header("Authorization", "Bearer " + token,
                            json_reply(401, json::object{{"message", "Bad credentials"},
                                                         {"documentation_url", "https://docs.github.com/rest"},
                                                         {"status", "401"}}));
  }
  void put_issue(json::object issue) {
    std::lock_guard lock(service_.mutex());
    put(issues_, std::move(issue));
  }
  void put_comment(json::object comment) {
    std::lock_guard lock(service_.mutex());
    put(comments_, std::move(comment));
  }

  // GitHub's secondary rate limit: 403, a Retry-After, quota still left, and its message.
  void secondary_rate_limit_next(const std::string& path, int retry_after_seconds) {
    http::Response res = json_reply(
        403,
        json::object{{"message",
                      "You have exceeded a secondary rate limit. Please wait a few minutes before you "
                      "try again. If you reach out to GitHub Support for help, please include the "
                      "request ID 9A1E:2B3C:4D5E6F:7A8B9C:65F0A1B2."},
                     {"documentation_url",
                      "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"},
                     {"status", "403"}});
    res.headers.set("Retry-After", std::to_string(retry_after_seconds));
    res.headers.set("X-RateLimit-Remaining", "4321");
    res.headers.set("X-RateLimit-Reset", std::to_string(now_ms() / 1000 + 3000));
    service_.answer_next(path, std::move(res));
  }

 private:
  using Items = std::map<std::int64_t, json::object>;

  std::string repo_id_;

  static void put(Items& items, json::object o) { items[o.at("id").to_number<std::int64_t>()] = std::move(o); }

  static http::Response not_found() {
    return json_reply(
        404, json::object{{"message", "Not Found"},
                          {"documentation_url", "https://docs.github.com/rest/issues/issues#list-repository-issues"},
                          {"status", "404"}});
  }

  void add_rate_headers(http::Response& res) {
    ++used_;
    res.headers.set("X-RateLimit-Limit", "5000");
    res.headers.set("X-RateLimit-Remaining", std::to_string(5000 - used_));
    res.headers.set("X-RateLimit-Used", std::to_string(used_));
    res.headers.set("X-RateLimit-Reset", std::to_string(now_ms() / 1000 + 3600));
    res.headers.set("X-RateLimit-Resource", "core");
    res.headers.set("X-GitHub-Api-Version-Selected", "2022-11-28");
  }

  // GET .../issues and .../issues/comments: state, since, sort, direction, per_page, page.
  http::Response list(http::Request& req, const Items& items, bool issues) {
    if (auto fault = page_faults_.take(req)) return *fault;
    std::string state = req.query_param("state").value_or("open");
    std::string sort = req.query_param("sort").value_or("created");
    bool asc = req.query_param("direction").value_or(sort == "created" && !issues ? "asc" : "desc") == "asc";
    std::optional<TimeMs> since;
    if (auto s = req.query_param("since")) since = parse_time(*s);
    int per_page = std::clamp(std::atoi(req.query_param("per_page").value_or("30").c_str()), 1, 100);
    per_page = std::min(per_page, max_per_page_);
    int page = std::max(1, std::atoi(req.query_param("page").value_or("1").c_str()));

    std::vector<const json::object*> hits;
    for (const auto& [id, o] : items) {
      if (issues && state != "all" && o.at("state").as_string() != state) continue;
      if (since && *parse_time(o.at("updated_at").as_string()) < *since) continue;
      hits.push_back(&o);
    }
    std::string key = sort == "updated" ? "updated_at" : "created_at";
    std::stable_sort(hits.begin(), hits.end(), [&](const json::object* a, const json::object* b) {
      auto ta = *parse_time(a->at(key).as_string()), tb = *parse_time(b->at(key).as_string());
      return asc ? ta < tb : ta > tb;
    });
    int last = std::max(1, static_cast<int>((hits.size() + per_page - 1) / per_page));
    json::array out;
    for (std::size_t i = static_cast<std::size_t>(page - 1) * per_page;
         i < hits.size() && i < static_cast<std::size_t>(page) * per_page; ++i)
      out.push_back(*hits[i]);

    http::Response res = json_reply(200, out);
    add_rate_headers(res);
    if (last > 1) res.headers.set("Link", links(req, issues, page, last));
    return res;
  }

  // Like GitHub: absolute links on /repositories/{id}/..., the request's own parameters, page last.
  std::string links(const http::Request& req, bool issues, int page, int last) const {
    std::string path = "/repositories/" + repo_id_ + (issues ? "/issues" : "/issues/comments");
    auto url = [&](int p) {
      std::string q;
      for (const auto& [k, v] : req.query) {
        if (k == "page") continue;
        q += (q.empty() ? "" : "&") + http::percent_encode(k) + "=" + http::percent_encode(v);
      }
      q += (q.empty() ? "" : "&") + std::string("page=") + std::to_string(p);
      return "<" + base_url() + path + "?" + q + ">";
    };
    std::vector<std::string> parts;
    if (page > 1) parts.push_back(url(page - 1) + "; rel=\"prev\"");
    if (page < last) parts.push_back(url(page + 1) + "; rel=\"next\"");
    if (page < last) parts.push_back(url(last) + "; rel=\"last\"");
    if (page > 1) parts.push_back(url(1) + "; rel=\"first\"");
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
  }

  Items issues_, comments_;
  int max_per_page_ = 100;
  int used_ = 0;
  PageFaults page_faults_;
  FakeHttpService service_;  // last: its server stops before the state above goes
};

}  // namespace chorus::testing

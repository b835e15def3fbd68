// A fake Discourse forum on loopback for connector tests: /search.json and /posts/{id}.json in the real
// API's shapes, the real error answers (403 bad key, 404, 429 with Retry-After), and injectable faults.
#pragma once

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/time.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "support/fake_http_service.hpp"

namespace chorus::testing {

class FakeDiscourse {
 public:
  struct SeenRequest {
    std::string path;
    std::map<std::string, std::string> query;
    http::Headers headers;
  };

  // Serves the posts and topics of `fixtures` (posts.json: full posts as /posts/{id}.json returns them;
  // topics.json: topic list items); an empty path starts with an empty forum.
  explicit FakeDiscourse(const std::filesystem::path& fixtures = {})
      : server_(loopback_options(), [this](http::Request& req) { return handle(req); }) {
    if (!fixtures.empty()) {
      json::value topics = read_fixture(fixtures / "topics.json");
      json::value posts = read_fixture(fixtures / "posts.json");
      for (const auto& t : topics.as_array()) add_topic(t.as_object());
      for (const auto& p : posts.as_array()) add_post(p.as_object());
    }
    router_.add("GET", "/search.json", [this](http::Request& req) { return search(req); });
    router_.add("GET", "/posts/{file}", [this](http::Request& req) { return post(req); });
    if (auto st = server_.start(); !st) throw std::runtime_error("fake discourse: " + st.error().message);
  }
  ~FakeDiscourse() { server_.stop(std::chrono::milliseconds(1000)); }
  FakeDiscourse(const FakeDiscourse&) = delete;
  FakeDiscourse& operator=(const FakeDiscourse&) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }

  void add_topic(json::object topic) {
    std::lock_guard lock(mu_);
    topics_[topic.at("id").to_number<std::int64_t>()] = std::move(topic);
  }
  void add_post(json::object post) {
    std::lock_guard lock(mu_);
    posts_[post.at("id").to_number<std::int64_t>()] = std::move(post);
  }
  // The post stays in the search index (as after a deletion the index has not caught up with) but
  // /posts/{id}.json answers 404.
  void delete_post(std::int64_t id) {
    std::lock_guard lock(mu_);
    deleted_.insert(id);
  }
  void set_page_size(std::size_t n) {
    std::lock_guard lock(mu_);
    page_size_ = n;
  }
  // Every request must then carry these Api-Key / Api-Username headers, or gets Discourse's 403.
  void require_credentials(std::string key, std::string username) {
    std::lock_guard lock(mu_);
    api_key_ = std::move(key);
    api_username_ = std::move(username);
  }

  // Faults: the next `times` requests to `path` (and, for /search.json, `page` when given) get this answer.
  void fail_next(std::string path, int status, int times = 1, std::optional<int> page = {}) {
    Fault f{std::move(path), page, status, {}, "", "text/html", times};
    f.body = "<html><body><h1>" + std::to_string(status) + " " + std::string(http::reason_phrase(status)) +
             "</h1></body></html>";
    push(std::move(f));
  }
  // Discourse's rate-limit answer: 429, Retry-After, its error code header and JSON error body.
  void rate_limit_next(std::string path, int retry_after_seconds, int times = 1) {
    Fault f{std::move(path), std::nullopt, 429, {}, "", "application/json", times};
    std::string secs = std::to_string(retry_after_seconds);
    f.headers.set("Retry-After", secs);
    f.headers.set("Discourse-Rate-Limit-Error-Code", "ip_10_secs_limit");
    f.body = json::serialize(json::object{
        {"errors", json::array{"You\u2019ve performed this action too many times. Please wait " + secs +
                               " seconds before trying again."}},
        {"error_type", "rate_limit"},
        {"extras", json::object{{"wait_seconds", retry_after_seconds}, {"time_left", secs + " seconds"}}}});
    push(std::move(f));
  }
  // A 200 search page whose body is cut off mid-JSON.
  void malform_search_page(int page, int times = 100) {
    push(Fault{"/search.json", page, 200, {}, R"({"posts":[{"id":48201,"name":"Mara K.","username":)",
               "application/json", times});
  }

  int count(const std::string& path) const {
    std::lock_guard lock(mu_);
    return static_cast<int>(std::count_if(seen_.begin(), seen_.end(), [&](const auto& r) { return r.path == path; }));
  }
  int count_prefix(const std::string& prefix) const {
    std::lock_guard lock(mu_);
    return static_cast<int>(
        std::count_if(seen_.begin(), seen_.end(), [&](const auto& r) { return r.path.starts_with(prefix); }));
  }
  std::vector<SeenRequest> requests() const {
    std::lock_guard lock(mu_);
    return seen_;
  }

  // Tags stripped and cut short, as search's `blurb` is: never the post's full text.
  static std::string blurb_of(std::string_view cooked) {
    std::string text;
    bool in_tag = false;
    for (char c : cooked) {
      if (c == '<') in_tag = true;
      else if (c == '>') in_tag = false;
      else if (!in_tag) text.push_back(c == '\n' ? ' ' : c);
    }
    if (text.size() > 60) text = text.substr(0, 60) + "\u2026";
    return text;
  }

 private:
  struct Fault {
    std::string path;
    std::optional<int> page;
    int status = 500;
    http::Headers headers;
    std::string body;
    std::string content_type;
    int remaining = 1;
  };

  static http::ServerOptions loopback_options() {
    http::ServerOptions o;
    o.port = 0;
    o.threads = 4;
    o.log_requests = false;
    return o;
  }

  void push(Fault f) {
    std::lock_guard lock(mu_);
    faults_.push_back(std::move(f));
  }

  static http::Response json_response(int status, const json::value& body) {
    http::Response res;
    res.status = status;
    res.body = json::serialize(body);
    return res;
  }
  static http::Response discourse_error(int status, std::string message, std::string type) {
    return json_response(status, json::object{{"errors", json::array{json::string(message)}}, {"error_type", type}});
  }

  // Everything ahead of the route: the request log, injected faults and the API key check.
  http::Response handle(http::Request& req) {
    std::lock_guard lock(mu_);
    seen_.push_back(SeenRequest{req.path, req.query, req.headers});
    int page = 1;
    if (auto p = req.query_param("page")) page = std::atoi(p->c_str());
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
      if (it->path != req.path || (it->page && *it->page != page)) continue;
      http::Response res;
      res.status = it->status;
      res.body = it->body;
      res.content_type = it->content_type;
      res.headers = it->headers;
      if (--it->remaining <= 0) faults_.erase(it);
      return res;
    }
    if (api_key_ && (req.headers.get("Api-Key") != api_key_ || req.headers.get("Api-Username") != api_username_))
      return discourse_error(403,
                             "You are not permitted to view the requested resource. The API username or key is invalid.",
                             "invalid_access");
    return router_.dispatch(req);
  }

  struct Query {
    std::vector<std::string> words;
    std::optional<std::string> username;
    std::optional<TimeMs> after, before;
  };

  // The parts of Discourse's search syntax the connector uses; other filters are accepted and ignored.
  static Query parse_q(const std::string& q) {
    Query out;
    std::istringstream in(q);
    std::string term;
    while (in >> term) {
      auto lower = term;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (lower.starts_with("after:")) out.after = parse_time(term.substr(6));
      else if (lower.starts_with("before:")) out.before = parse_time(term.substr(7));
      else if (term.starts_with("@")) out.username = term.substr(1);
      else if (term.find(':') == std::string::npos && !term.starts_with("#")) out.words.push_back(lower);
    }
    return out;
  }

  bool matches(const json::object& post, const Query& q) const {
    TimeMs created = parse_time(post.at("created_at").as_string()).value_or(0);
    if (q.after && created <= *q.after) return false;  // Discourse: posts.created_at > the day's midnight
    if (q.before && created >= *q.before) return false;
    if (q.username && post.at("username").as_string() != *q.username) return false;
    std::string raw(post.at("raw").as_string());
    std::transform(raw.begin(), raw.end(), raw.begin(), [](unsigned char c) { return std::tolower(c); });
    return std::all_of(q.words.begin(), q.words.end(), [&](const auto& w) { return raw.find(w) != std::string::npos; });
  }

  // SearchPostSerializer: the basic post fields plus like_count and blurb, no raw, no topic title.
  static json::object search_post(const json::object& post) {
    json::object out;
    for (std::string_view key : {"id", "name", "username", "avatar_template", "created_at", "like_count", "post_number",
                                 "topic_id"})
      out[key] = post.at(key);
    out["blurb"] = blurb_of(post.at("cooked").as_string());
    return out;
  }

  http::Response search(http::Request& req) {
    std::string q = req.query_param("q").value_or("");
    int page = std::max(1, std::atoi(req.query_param("page").value_or("1").c_str()));
    Query query = parse_q(q);
    std::vector<const json::object*> hits;
    for (const auto& [id, post] : posts_)
      if (matches(post, query)) hits.push_back(&post);
    // order:latest (the only order the connector asks for) is newest first.
    std::sort(hits.begin(), hits.end(), [](const json::object* a, const json::object* b) {
      return parse_time(a->at("created_at").as_string()) > parse_time(b->at("created_at").as_string());
    });
    std::size_t first = std::min(hits.size(), static_cast<std::size_t>(page - 1) * page_size_);
    std::size_t last = std::min(hits.size(), first + page_size_);

    json::array posts, post_ids, topics;
    std::set<std::int64_t> topic_ids;
    for (std::size_t i = first; i < last; ++i) {
      posts.push_back(search_post(*hits[i]));
      post_ids.push_back(hits[i]->at("id"));
      topic_ids.insert(hits[i]->at("topic_id").to_number<std::int64_t>());
    }
    for (std::int64_t id : topic_ids)
      if (auto it = topics_.find(id); it != topics_.end()) topics.push_back(it->second);
    json::value more = last < hits.size() ? json::value(true) : json::value(nullptr);
    return json_response(
        200, json::object{{"posts", std::move(posts)},
                          {"topics", std::move(topics)},
                          {"users", json::array{}},
                          {"categories", json::array{}},
                          {"tags", json::array{}},
                          {"groups", json::array{}},
                          {"grouped_search_result",
                           json::object{{"more_posts", nullptr},
                                        {"more_users", nullptr},
                                        {"more_categories", nullptr},
                                        {"term", q},
                                        {"search_log_id", 7300 + static_cast<int>(seen_.size())},
                                        {"more_full_page_results", more},
                                        {"can_create_topic", false},
                                        {"error", nullptr},
                                        {"extra", json::object{}},
                                        {"post_ids", std::move(post_ids)},
                                        {"user_ids", json::array{}},
                                        {"category_ids", json::array{}},
                                        {"tag_ids", json::array{}},
                                        {"group_ids", json::array{}}}}});
  }

  http::Response post(http::Request& req) {
    const std::string& file = req.params.at("file");
    std::int64_t id = 0;
    if (file.ends_with(".json")) id = std::atoll(file.substr(0, file.size() - 5).c_str());
    auto it = posts_.find(id);
    if (it == posts_.end() || deleted_.contains(id))
      return discourse_error(404, "The requested URL or resource could not be found.", "not_found");
    return json_response(200, it->second);
  }

  mutable std::mutex mu_;
  std::map<std::int64_t, json::object> posts_;
  std::map<std::int64_t, json::object> topics_;
  std::set<std::int64_t> deleted_;
  std::size_t page_size_ = 5;
  std::optional<std::string> api_key_, api_username_;
  std::vector<Fault> faults_;
  std::vector<SeenRequest> seen_;
  http::Router router_;
  http::Server server_;  // last: stopped (and its handler threads joined) before the state above goes
};

}  // namespace chorus::testing

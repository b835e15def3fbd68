// A fake Reddit OAuth API on loopback: /r/{sub}/new.json and /r/{sub}/comments.json as Listings, newest
// first, paged with `after` fullnames and `limit`, Reddit's legacy HTML escaping unless raw_json=1, its
// X-Ratelimit-* headers (floats, reset in seconds from now), and its error bodies (401, 403 private, 404).
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>

#include "support/fake_http_service.hpp"
#include "support/page_faults.hpp"

namespace chorus::testing {

class FakeReddit {
 public:
  static constexpr const char* kSub = "tallybook";

  // Serves the posts.json and comments.json of `fixtures` (arrays of listing children) as r/`sub`.
  explicit FakeReddit(const std::filesystem::path& fixtures, std::string sub = kSub) : sub_(std::move(sub)) {
    json::value posts = read_fixture(fixtures / "posts.json");
    json::value comments = read_fixture(fixtures / "comments.json");
    for (const auto& p : posts.as_array()) posts_.push_back(p.as_object());
    for (const auto& c : comments.as_array()) comments_.push_back(c.as_object());
    service_.route("GET", "/r/{sub}/new.json", [this](http::Request& r) { return listing(r, posts_); });
    service_.route("GET", "/r/{sub}/comments.json", [this](http::Request& r) { return listing(r, comments_); });
    service_.require_header("Authorization", "Bearer reddit-token-0001",
                            json_reply(401, json::object{{"message", "Unauthorized"}, {"error", 401}}));
    service_.start();
  }

  std::string base_url() const { return service_.base_url(); }
  FakeHttpService& service() { return service_; }
  const FakeHttpService& service() const { return service_; }
  PageFaults& page_faults() { return page_faults_; }
  void set_max_limit(int n) { max_limit_ = n; }
  void add_post(json::object child) {
    std::lock_guard lock(service_.mutex());
    posts_.push_back(std::move(child));
  }

  // Reddit's answer once the 10-minute quota is spent: 429 with the reset in seconds from now.
  static http::Response quota_spent(int reset_seconds) {
    http::Response res = json_reply(429, json::object{{"message", "Too Many Requests"}, {"error", 429}});
    res.headers.set("X-Ratelimit-Used", "1000");
    res.headers.set("X-Ratelimit-Remaining", "0.0");
    res.headers.set("X-Ratelimit-Reset", std::to_string(reset_seconds));
    return res;
  }

 private:
  static double created(const json::object& child) { return child.at("data").at("created_utc").to_number<double>(); }

  // Reddit's default output escapes &, < and > in text; raw_json=1 turns that off.
  static std::string legacy_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c == '&')
        out += "&amp;";
      else if (c == '<')
        out += "&lt;";
      else if (c == '>')
        out += "&gt;";
      else
        out.push_back(c);
    }
    return out;
  }

  void add_rate_headers(http::Response& res) {
    ++used_;
    res.headers.set("X-Ratelimit-Used", std::to_string(used_));
    res.headers.set("X-Ratelimit-Remaining", std::to_string(1000 - used_) + ".0");
    res.headers.set("X-Ratelimit-Reset", "412");
  }

  http::Response listing(http::Request& req, std::vector<json::object>& items) {
    if (auto fault = page_faults_.take(req)) return *fault;
    const std::string& sub = req.params.at("sub");
    if (sub == "secretclub")
      return json_reply(403, json::object{{"reason", "private"}, {"message", "Forbidden"}, {"error", 403}});
    if (sub != sub_) return json_reply(404, json::object{{"message", "Not Found"}, {"error", 404}});
    int limit = std::clamp(std::atoi(req.query_param("limit").value_or("25").c_str()), 1, 100);
    limit = std::min(limit, max_limit_);
    bool raw = req.query_param("raw_json") == "1";
    std::string after = req.query_param("after").value_or("");

    std::vector<const json::object*> sorted;
    for (const auto& c : items) sorted.push_back(&c);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const json::object* a, const json::object* b) { return created(*a) > created(*b); });
    std::size_t start = 0;
    if (!after.empty()) {
      auto it = std::find_if(sorted.begin(), sorted.end(),
                             [&](const json::object* c) { return c->at("data").at("name").as_string() == after; });
      // An `after` that no longer exists (the item was removed) gives an empty listing, as on Reddit.
      start = it == sorted.end() ? sorted.size() : static_cast<std::size_t>(it - sorted.begin()) + 1;
    }
    json::array children;
    for (std::size_t i = start; i < sorted.size() && children.size() < static_cast<std::size_t>(limit); ++i) {
      json::object child = *sorted[i];
      if (!raw) {
        json::object& data = child["data"].as_object();
        for (const char* key : {"title", "selftext", "body"})
          if (auto* v = data.if_contains(key); v && v->is_string()) *v = legacy_escape(v->as_string());
      }
      children.push_back(std::move(child));
    }
    bool more = start + children.size() < sorted.size();
    json::value next = more ? json::value(children.back().at("data").at("name")) : json::value(nullptr);
    json::value before = !after.empty() && !children.empty() ? json::value(children.front().at("data").at("name"))
                                                             : json::value(nullptr);
    std::size_t dist = children.size();
    http::Response res = json_reply(200, json::object{{"kind", "Listing"},
                                                      {"data", json::object{{"after", std::move(next)},
                                                                            {"dist", dist},
                                                                            {"modhash", ""},
                                                                            {"geo_filter", nullptr},
                                                                            {"children", std::move(children)},
                                                                            {"before", std::move(before)}}}});
    add_rate_headers(res);
    return res;
  }

  std::vector<json::object> posts_, comments_;
  std::string sub_;
  int max_limit_ = 100;
  int used_ = 0;
  PageFaults page_faults_;
  FakeHttpService service_;
};

}  // namespace chorus::testing

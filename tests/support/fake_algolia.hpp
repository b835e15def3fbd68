// A fake Algolia HN search API on loopback: /api/v1/search_by_date with query words, tag filters (comma
// = AND, parentheses = OR), created_at_i numeric filters, 0-based pages, Algolia's pagination limit, and
// its response envelope (nbHits, nbPages, hitsPerPage, exhaustive..., params, processingTimeMS).
#pragma once

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <sstream>

#include "support/fake_http_service.hpp"
#include "support/page_faults.hpp"

namespace chorus::testing {

class FakeAlgolia {
 public:
  explicit FakeAlgolia(const std::filesystem::path& fixtures = {}) {
    if (!fixtures.empty()) {
      json::value hits = read_fixture(fixtures / "hits.json");
      for (const auto& h : hits.as_array()) put(h.as_object());
    }
    service_.route("GET", "/api/v1/search_by_date", [this](http::Request& r) { return search(r); });
    service_.start();
  }

  // The base_url a source uses: like https://hn.algolia.com/api/v1.
  std::string base_url() const { return service_.base_url() + "/api/v1"; }
  FakeHttpService& service() { return service_; }
  const FakeHttpService& service() const { return service_; }
  PageFaults& page_faults() { return page_faults_; }

  void add_hit(json::object hit) {
    std::lock_guard lock(service_.mutex());
    put(std::move(hit));
  }
  // Algolia's paginationLimitedTo: hits past this many are unreachable for one query (1,000 on HN).
  void set_pagination_limit(int n) { pagination_limit_ = n; }

  static http::Response too_many_requests(int retry_after) {
    http::Response res = json_reply(429, json::object{{"message", "Too many requests"}, {"status", 429}});
    res.headers.set("Retry-After", std::to_string(retry_after));
    return res;
  }

 private:
  void put(json::object hit) { hits_[std::string(hit.at("objectID").as_string())] = std::move(hit); }

  static std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }

  static bool has_tag(const json::object& hit, std::string_view tag) {
    for (const auto& t : hit.at("_tags").as_array())
      if (t.as_string() == tag) return true;
    return false;
  }

  // "story,(comment,poll)": every top-level term must hold; a parenthesised term holds if any inside does.
  static bool tags_match(const json::object& hit, const std::string& tags) {
    std::size_t i = 0;
    while (i < tags.size()) {
      if (tags[i] == ',') {
        ++i;
        continue;
      }
      bool ok = false;
      if (tags[i] == '(') {
        std::size_t close = tags.find(')', i);
        std::string inner = tags.substr(i + 1, close - i - 1);
        std::stringstream in(inner);
        std::string t;
        while (std::getline(in, t, ',')) ok = ok || has_tag(hit, t);
        i = close == std::string::npos ? tags.size() : close + 1;
      } else {
        std::size_t comma = tags.find(',', i);
        ok = has_tag(hit, tags.substr(i, comma - i));
        i = comma == std::string::npos ? tags.size() : comma;
      }
      if (!ok) return false;
    }
    return true;
  }

  // "created_at_i>1718750000,created_at_i<=1718760000"
  static bool numeric_match(const json::object& hit, const std::string& filters) {
    std::stringstream in(filters);
    std::string f;
    while (std::getline(in, f, ',')) {
      std::size_t op = f.find_first_of("<>=");
      if (op == std::string::npos) continue;
      std::string attr = f.substr(0, op);
      std::size_t value_at = f.find_first_not_of("<>=", op);
      std::string oper = f.substr(op, value_at - op);
      std::int64_t v = std::atoll(f.substr(value_at).c_str());
      const json::value* field = hit.if_contains(attr);
      if (!field || !field->is_number()) return false;
      std::int64_t x = field->to_number<std::int64_t>();
      bool ok = oper == ">" ? x > v : oper == ">=" ? x >= v : oper == "<" ? x < v : oper == "<=" ? x <= v : x == v;
      if (!ok) return false;
    }
    return true;
  }

  static bool query_match(const json::object& hit, const std::string& query) {
    std::string hay;
    for (const char* key : {"title", "story_text", "comment_text", "url", "author"})
      if (const json::value* v = hit.if_contains(key); v && v->is_string()) hay += lower(v->as_string()) + " ";
    std::stringstream in(lower(query));
    std::string word;
    while (in >> word)
      if (hay.find(word) == std::string::npos) return false;
    return true;
  }

  static json::object highlighted(const json::object& hit, const std::string& query) {
    json::object out = hit;
    json::object hl;
    for (const char* key : {"author", "title", "comment_text", "story_text"}) {
      const json::value* v = hit.if_contains(key);
      if (!v || !v->is_string()) continue;
      bool full = !query.empty() && lower(v->as_string()).find(lower(query)) != std::string::npos;
      json::array words;
      if (full) words.emplace_back(lower(query));
      hl[key] = json::object{{"value", *v}, {"matchLevel", full ? "full" : "none"}, {"matchedWords", std::move(words)}};
    }
    out["_highlightResult"] = std::move(hl);
    return out;
  }

  http::Response search(http::Request& req) {
    if (auto fault = page_faults_.take(req)) return *fault;
    std::string query = req.query_param("query").value_or("");
    std::string tags = req.query_param("tags").value_or("");
    std::string numeric = req.query_param("numericFilters").value_or("");
    int per_page = std::clamp(std::atoi(req.query_param("hitsPerPage").value_or("20").c_str()), 1, 1000);
    int page = std::max(0, std::atoi(req.query_param("page").value_or("0").c_str()));

    std::vector<const json::object*> found;
    for (const auto& [id, hit] : hits_)
      if (query_match(hit, query) && tags_match(hit, tags) && numeric_match(hit, numeric)) found.push_back(&hit);
    std::stable_sort(found.begin(), found.end(), [](const json::object* a, const json::object* b) {
      return a->at("created_at_i").to_number<std::int64_t>() > b->at("created_at_i").to_number<std::int64_t>();
    });
    std::size_t reachable = std::min<std::size_t>(found.size(), static_cast<std::size_t>(pagination_limit_));
    int pages = static_cast<int>((reachable + per_page - 1) / per_page);
    json::array hits;
    for (std::size_t i = static_cast<std::size_t>(page) * per_page;
         i < reachable && i < static_cast<std::size_t>(page + 1) * per_page; ++i)
      hits.push_back(highlighted(*found[i], query));
    std::string params = req.target.substr(std::min(req.target.size(), req.target.find('?') + 1));
    return json_reply(200, json::object{{"hits", std::move(hits)},
                                        {"nbHits", found.size()},
                                        {"page", page},
                                        {"nbPages", pages},
                                        {"hitsPerPage", per_page},
                                        {"exhaustiveNbHits", true},
                                        {"exhaustiveTypo", true},
                                        {"exhaustive", json::object{{"nbHits", true}, {"typo", true}}},
                                        {"query", query},
                                        {"params", params},
                                        {"processingTimeMS", 2},
                                        {"processingTimingsMS",
                                         json::object{{"_request", json::object{{"roundTrip", 14}}}, {"total", 2}}},
                                        {"serverTimeMS", 3}});
  }

  std::map<std::string, json::object> hits_;
  int pagination_limit_ = 1000;
  PageFaults page_faults_;
  FakeHttpService service_;
};

}  // namespace chorus::testing

// A fake Typeform account on loopback: GET /forms/{form_id}/responses (newest first, since/until,
// before/after tokens, page_size) in the Responses API's shape, behind a bearer token.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "support/fake_http_service.hpp"

namespace chorus::testing {

class FakeTypeform {
 public:
  static constexpr const char* kToken = "tfp_9Xy2ZkQ4wR7vN3mB8cL1dF6gH5jK0pS";
  static constexpr const char* kFormId = "lT4Z3j";

  explicit FakeTypeform(const std::filesystem::path& fixtures = {}) {
    if (!fixtures.empty()) {
      const json::value responses = read_fixture(fixtures / "responses.json");
      for (const auto& r : responses.as_array()) responses_.push_back(r.as_object());
    }
    http_.route("GET", "/forms/{form}/responses", [this](http::Request& r) { return list(r); });
    http_.require_header(
        "Authorization", std::string("Bearer ") + kToken,
        typeform_error(401, "AUTHENTICATION_FAILED", "Authentication credentials not found on the Request Headers"));
    http_.start();
  }

  std::string base_url() const { return http_.base_url(); }
  FakeHttpService& http() { return http_; }
  std::string path() const { return std::string("/forms/") + kFormId + "/responses"; }

  void add(json::object response) {
    std::lock_guard lock(http_.mutex());
    responses_.push_back(std::move(response));
  }

  static http::Response typeform_error(int status, std::string code, std::string description) {
    return json_reply(status, json::object{{"code", std::move(code)}, {"description", std::move(description)}});
  }

 private:
  static TimeMs submitted(const json::object& r) { return parse_time(r.at("submitted_at").as_string()).value_or(0); }

  // since/until take epoch seconds or an ISO-8601 time.
  static std::optional<TimeMs> bound(const http::Request& req, const char* name) {
    auto v = req.query_param(name);
    if (!v) return std::nullopt;
    return parse_time(*v);
  }

  http::Response list(http::Request& req) {
    if (req.params.at("form") != kFormId)
      return typeform_error(404, "FORM_NOT_FOUND", "Non existing form with uid " + req.params.at("form"));
    std::size_t page_size = 25;
    if (auto p = req.query_param("page_size")) page_size = static_cast<std::size_t>(std::stoul(*p));
    if (page_size < 1 || page_size > 1000)
      return typeform_error(400, "VALIDATION_ERROR", "page_size must be between 1 and 1000");
    auto since = bound(req, "since");
    auto until = bound(req, "until");

    std::vector<const json::object*> matching;
    for (const auto& r : responses_) {
      TimeMs t = submitted(r);
      if (since && t < *since) continue;  // since and until are inclusive
      if (until && t > *until) continue;
      matching.push_back(&r);
    }
    std::sort(matching.begin(), matching.end(), [](auto* a, auto* b) { return submitted(*a) > submitted(*b); });
    std::size_t first = 0;
    if (auto before = req.query_param("before")) {
      auto it = std::find_if(matching.begin(), matching.end(),
                             [&](auto* r) { return r->at("token").as_string() == *before; });
      if (it == matching.end()) return typeform_error(400, "VALIDATION_ERROR", "before token not found");
      first = static_cast<std::size_t>(it - matching.begin()) + 1;  // newest first: "before" means older
    }
    std::size_t last = std::min(matching.size(), first + page_size);
    json::array items;
    for (std::size_t i = first; i < last; ++i) items.push_back(*matching[i]);
    std::size_t remaining = matching.size() - first;
    return json_reply(200, json::object{{"total_items", remaining},
                                        {"page_count", (remaining + page_size - 1) / page_size},
                                        {"items", std::move(items)}});
  }

  std::vector<json::object> responses_;
  FakeHttpService http_;  // last: its server stops before the state above goes
};

}  // namespace chorus::testing

// A fake Android Publisher API on loopback: reviews.list at
// /androidpublisher/v3/applications/{package}/reviews, newest (last modified) first, maxResults and
// opaque page tokens, tokenPagination and pageInfo, and Google's JSON error bodies (401, 404, 429).
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>

#include "support/fake_http_service.hpp"
#include "support/page_faults.hpp"

namespace chorus::testing {

class FakeGooglePlay {
 public:
  static constexpr const char* kPackage = "com.tallybook.app";
  static constexpr const char* kToken = "ya29.a0AfB_test-access-token";

  explicit FakeGooglePlay(const std::filesystem::path& fixtures) {
    json::value reviews = read_fixture(fixtures / "reviews.json");
    for (const auto& r : reviews.as_array()) reviews_.push_back(r.as_object());
    service_.route("GET", "/androidpublisher/v3/applications/{package}/reviews",
                   [this](http::Request& r) { return list(r); });
    service_.require_header(
        "Authorization", std::string("Bearer ") + kToken,
        google_error(401,
                     "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                     "login cookie or other valid authentication credential.",
                     "UNAUTHENTICATED"));
    service_.start();
  }

  std::string base_url() const { return service_.base_url(); }
  static std::string path() { return std::string("/androidpublisher/v3/applications/") + kPackage + "/reviews"; }
  FakeHttpService& service() { return service_; }
  const FakeHttpService& service() const { return service_; }
  PageFaults& page_faults() { return page_faults_; }
  void set_max_results_cap(int n) { cap_ = n; }
  void add_review(json::object review) {
    std::lock_guard lock(service_.mutex());
    reviews_.push_back(std::move(review));
  }
  // The token the fake hands out for the page starting at `index`, for aiming faults at a page.
  static std::string token_for(std::size_t index) { return "Eg0KCwi" + std::to_string(index * 7919 + 13) + "Qx"; }

  static http::Response google_error(int code, const std::string& message, const std::string& status) {
    return json_reply(code,
                      json::object{{"error", json::object{{"code", code}, {"message", message}, {"status", status}}}});
  }
  static http::Response quota_exceeded(int retry_after) {
    http::Response res =
        google_error(429,
                     "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service "
                     "'androidpublisher.googleapis.com'.",
                     "RESOURCE_EXHAUSTED");
    res.headers.set("Retry-After", std::to_string(retry_after));
    return res;
  }

 private:
  static std::int64_t modified(const json::object& r) {
    const json::object& lm = r.at("comments").at(0).at("userComment").at("lastModified").as_object();
    return std::atoll(std::string(lm.at("seconds").as_string()).c_str()) * 1000 +
           lm.at("nanos").to_number<std::int64_t>() / 1000000;
  }

  http::Response list(http::Request& req) {
    if (auto fault = page_faults_.take(req)) return *fault;
    if (req.params.at("package") != kPackage)
      return google_error(404, "No application was found for the given package name.", "NOT_FOUND");
    int max = std::clamp(std::atoi(req.query_param("maxResults").value_or("10").c_str()), 1, 100);
    max = std::min(max, cap_);
    std::vector<const json::object*> sorted;
    for (const auto& r : reviews_) sorted.push_back(&r);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const json::object* a, const json::object* b) { return modified(*a) > modified(*b); });
    std::size_t start = 0;
    if (auto token = req.query_param("token")) {
      bool found = false;
      for (std::size_t i = 0; i <= sorted.size() && !found; ++i)
        if (token_for(i) == *token) start = i, found = true;
      if (!found) return google_error(400, "Invalid pagination token.", "INVALID_ARGUMENT");
    }
    json::array page;
    for (std::size_t i = start; i < sorted.size() && page.size() < static_cast<std::size_t>(max); ++i)
      page.push_back(*sorted[i]);
    json::object body;
    std::size_t count = page.size();
    if (!page.empty()) body["reviews"] = std::move(page);  // Google leaves empty lists out
    if (start + count < sorted.size())
      body["tokenPagination"] = json::object{{"nextPageToken", token_for(start + count)}};
    body["pageInfo"] = json::object{{"totalResults", sorted.size()}, {"resultPerPage", max}, {"startIndex", start}};
    return json_reply(200, body);
  }

  std::vector<json::object> reviews_;
  int cap_ = 100;
  PageFaults page_faults_;
  FakeHttpService service_;
};

}  // namespace chorus::testing

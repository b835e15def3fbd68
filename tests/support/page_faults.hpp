// Faults aimed at one page of a listing whose pages share a path (?page=3, ?after=t3_x, ?token=...):
// FakeHttpService's own faults match by path alone. A fake service's route asks take() first.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace chorus::testing {

class PageFaults {
 public:
  // The next `times` requests whose query has `key` = `value` (an absent key matches value "") get `response`.
  void add(std::string key, std::string value, http::Response response, int times = 1) {
    std::lock_guard lock(mu_);
    faults_.push_back(Fault{std::move(key), std::move(value), std::move(response), times});
  }
  void add_status(std::string key, std::string value, int status, int times = 1) {
    http::Response res;
    res.status = status;
    res.content_type = "text/html";
    res.body = "<html><body><h1>" + std::to_string(status) + " " + std::string(http::reason_phrase(status)) +
               "</h1></body></html>";
    add(std::move(key), std::move(value), std::move(res), times);
  }
  // A 200 whose body stops mid-JSON, every time that page is asked for.
  void add_truncated(std::string key, std::string value, std::string partial_body, int times = 100) {
    http::Response res;
    res.body = std::move(partial_body);
    add(std::move(key), std::move(value), std::move(res), times);
  }

  std::optional<http::Response> take(const http::Request& req) {
    std::lock_guard lock(mu_);
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
      if (req.query_param(it->key).value_or("") != it->value) continue;
      http::Response res = it->response;
      if (--it->remaining <= 0) faults_.erase(it);
      return res;
    }
    return std::nullopt;
  }

 private:
  struct Fault {
    std::string key;
    std::string value;
    http::Response response;
    int remaining = 1;
  };
  std::mutex mu_;
  std::vector<Fault> faults_;
};

}  // namespace chorus::testing

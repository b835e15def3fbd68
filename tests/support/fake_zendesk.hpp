// A fake Zendesk Support account on loopback: the cursor-based incremental ticket export (with users
// sideloaded) and cursor-paged satisfaction ratings, in the real API's shapes, behind basic auth.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/secrets.hpp"
#include "core/time.hpp"
#include "support/fake_http_service.hpp"

namespace chorus::testing {

class FakeZendesk {
 public:
  static constexpr const char* kEmail = "support-bot@acme.example";
  static constexpr const char* kToken = "zd-api-token-8f3a";

  // Serves tickets.json, users.json and satisfaction_ratings.json from `fixtures` (empty: an empty account).
  explicit FakeZendesk(const std::filesystem::path& fixtures = {}) {
    if (!fixtures.empty()) {
      const json::value tickets = read_fixture(fixtures / "tickets.json");
      const json::value users = read_fixture(fixtures / "users.json");
      const json::value ratings = read_fixture(fixtures / "satisfaction_ratings.json");
      for (const auto& t : tickets.as_array()) tickets_.push_back(t.as_object());
      for (const auto& u : users.as_array()) users_[u.at("id").to_number<std::int64_t>()] = u.as_object();
      for (const auto& r : ratings.as_array()) ratings_.push_back(r.as_object());
    }
    http_.route("GET", "/api/v2/incremental/tickets/cursor.json", [this](http::Request& r) { return export_page(r); });
    http_.route("GET", "/api/v2/satisfaction_ratings.json", [this](http::Request& r) { return ratings_page(r); });
    http::Response refusal = json_reply(401, json::object{{"error", "Couldn't authenticate you"}});
    refusal.headers.set("WWW-Authenticate", "Basic realm=\"Web Password\"");
    http_.require_header("Authorization", "Basic " + base64_encode(std::string(kEmail) + "/token:" + kToken),
                         std::move(refusal));
    http_.start();
  }

  std::string base_url() const { return http_.base_url(); }
  FakeHttpService& http() { return http_; }

  // Adds a ticket, or replaces the one with the same id (as an update would).
  void put_ticket(json::object ticket) {
    std::lock_guard lock(http_.mutex());
    for (auto& t : tickets_) {
      if (t.at("id") == ticket.at("id")) {
        t = std::move(ticket);
        return;
      }
    }
    tickets_.push_back(std::move(ticket));
  }
  void add_rating(json::object rating) {
    std::lock_guard lock(http_.mutex());
    ratings_.push_back(std::move(rating));
  }
  using Key = std::tuple<std::int64_t, std::int64_t>;  // (updated or created epoch seconds, id)

  // Zendesk's cursors are opaque base64; these carry the position "<epoch>.0||<id>|" like the real ones.
  static std::string encode_cursor(const Key& k) {
    std::string text = std::to_string(std::get<0>(k)) + ".0||" + std::to_string(std::get<1>(k)) + "|";
    std::string b64 = base64_encode(text);
    while (!b64.empty() && b64.back() == '=') b64.pop_back();
    return b64;
  }

  void set_page_size(std::size_t tickets, std::size_t ratings) {
    std::lock_guard lock(http_.mutex());
    ticket_page_ = tickets;
    rating_page_ = ratings;
  }

 private:
  static std::int64_t epoch(const json::object& o, std::string_view key) {
    return parse_time(o.at(key).as_string()).value_or(0) / 1000;
  }
  static std::int64_t id_of(const json::object& o) { return o.at("id").to_number<std::int64_t>(); }

  static std::optional<Key> decode_cursor(std::string text) {
    text.append((4 - text.size() % 4) % 4, '=');
    auto raw = base64_decode(text);
    if (!raw) return std::nullopt;
    auto dot = raw->find(".0||");
    auto bar = raw->rfind('|');
    if (dot == std::string::npos || bar == std::string::npos || bar < dot + 4) return std::nullopt;
    try {
      return Key{std::stoll(raw->substr(0, dot)), std::stoll(raw->substr(dot + 4, bar - dot - 4))};
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

  static http::Response bad_request(std::string description) {
    return json_reply(400, json::object{{"error", "InvalidValue"}, {"description", std::move(description)}});
  }

  http::Response export_page(http::Request& req) {
    Key after{-1, -1};
    bool inclusive_start = false;
    if (auto c = req.query_param("cursor")) {
      auto k = decode_cursor(*c);
      if (!k) return bad_request("Invalid cursor");
      after = *k;
    } else if (auto s = req.query_param("start_time")) {
      after = Key{std::stoll(*s), -1};
      inclusive_start = true;
    } else {
      return bad_request("start_time or cursor is required");
    }
    std::vector<const json::object*> order;
    for (const auto& t : tickets_) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) {
      return Key{epoch(*a, "updated_at"), id_of(*a)} < Key{epoch(*b, "updated_at"), id_of(*b)};
    });
    std::vector<const json::object*> rest;
    for (auto* t : order) {
      Key k{epoch(*t, "updated_at"), id_of(*t)};
      if (inclusive_start ? std::get<0>(k) >= std::get<0>(after) : k > after) rest.push_back(t);
    }
    std::size_t n = std::min(rest.size(), ticket_page_);
    json::array tickets, users;
    std::set<std::int64_t> user_ids;
    for (std::size_t i = 0; i < n; ++i) {
      tickets.push_back(*rest[i]);
      if (const auto* r = rest[i]->if_contains("requester_id"); r && r->is_number())
        user_ids.insert(r->to_number<std::int64_t>());
    }
    bool with_users = req.query_param("include").value_or("").find("users") != std::string::npos;
    if (with_users)
      for (auto id : user_ids)
        if (auto it = users_.find(id); it != users_.end()) users.push_back(it->second);
    Key last = n ? Key{epoch(*rest[n - 1], "updated_at"), id_of(*rest[n - 1])} : after;
    if (!n && inclusive_start) last = Key{std::get<0>(after) - 1, 0};
    std::string after_cursor = encode_cursor(last);
    json::value before_cursor =
        n ? json::value(encode_cursor(Key{epoch(*rest[0], "updated_at"), id_of(*rest[0])})) : json::value(nullptr);
    const std::string url = base_url() + "/api/v2/incremental/tickets/cursor.json";
    json::object body{{"tickets", std::move(tickets)},
                      {"after_url", url + "?cursor=" + after_cursor},
                      {"after_cursor", after_cursor},
                      {"before_url", before_cursor.is_null()
                                         ? json::value(nullptr)
                                         : json::value(url + "?cursor=" + std::string(before_cursor.as_string()))},
                      {"before_cursor", before_cursor},
                      {"end_of_stream", n == rest.size()}};
    if (with_users) body["users"] = std::move(users);
    return json_reply(200, body);
  }

  http::Response ratings_page(http::Request& req) {
    std::size_t size = rating_page_;
    // page[size] asks; the account's page size caps it (as Zendesk caps it at 100).
    if (auto s = req.query_param("page[size]")) size = std::min(size, static_cast<std::size_t>(std::stoul(*s)));
    std::int64_t start = req.query_param("start_time") ? std::stoll(*req.query_param("start_time")) : 0;
    Key after{-1, -1};
    if (auto a = req.query_param("page[after]")) {
      auto k = decode_cursor(*a);
      if (!k) return bad_request("Invalid page[after]");
      after = *k;
    }
    std::vector<const json::object*> order;
    for (const auto& r : ratings_)
      if (epoch(r, "created_at") >= start) order.push_back(&r);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) {
      return Key{epoch(*a, "created_at"), id_of(*a)} < Key{epoch(*b, "created_at"), id_of(*b)};
    });
    std::vector<const json::object*> rest;
    for (auto* r : order)
      if (Key{epoch(*r, "created_at"), id_of(*r)} > after) rest.push_back(r);
    std::size_t n = std::min(rest.size(), size);
    json::array list;
    for (std::size_t i = 0; i < n; ++i) list.push_back(*rest[i]);
    bool more = n < rest.size();
    json::value after_cursor =
        n ? json::value(encode_cursor(Key{epoch(*rest[n - 1], "created_at"), id_of(*rest[n - 1])}))
          : json::value(nullptr);
    json::value before_cursor =
        n ? json::value(encode_cursor(Key{epoch(*rest[0], "created_at"), id_of(*rest[0])})) : json::value(nullptr);
    const std::string url = base_url() + "/api/v2/satisfaction_ratings.json?page%5Bsize%5D=" + std::to_string(size);
    json::value next =
        more ? json::value(url + "&page%5Bafter%5D=" + std::string(after_cursor.as_string())) : json::value(nullptr);
    return json_reply(200, json::object{{"satisfaction_ratings", std::move(list)},
                                        {"meta", json::object{{"has_more", more},
                                                              {"after_cursor", after_cursor},
                                                              {"before_cursor", before_cursor}}},
                                        {"links", json::object{{"prev", nullptr}, {"next", next}}}});
  }

  std::vector<json::object> tickets_;
  std::map<std::int64_t, json::object> users_;
  std::vector<json::object> ratings_;
  std::size_t ticket_page_ = 3;
  std::size_t rating_page_ = 2;
  FakeHttpService http_;  // last: its server stops before the state above goes
};

}  // namespace chorus::testing

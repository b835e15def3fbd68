// A fake Intercom workspace on loopback: POST /conversations/search (updated_at filter, sort, cursor
// pagination with starting_after) and GET /conversations/{id} with its parts, in the REST API's shapes,
// behind a bearer token.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "core/secrets.hpp"
#include "support/fake_http_service.hpp"

namespace chorus::testing {

class FakeIntercom {
 public:
  static constexpr const char* kToken = "dG9rOmludGVyY29tLXRlc3QtdG9rZW4=";

  explicit FakeIntercom(const std::filesystem::path& fixtures = {}) {
    if (!fixtures.empty()) {
      const json::value conversations = read_fixture(fixtures / "conversations.json");
      for (const auto& c : conversations.as_array()) conversations_.push_back(c.as_object());
    }
    http_.route("POST", "/conversations/search", [this](http::Request& r) { return search(r); });
    http_.route("GET", "/conversations/{id}", [this](http::Request& r) { return one(r); });
    http_.require_header("Authorization", std::string("Bearer ") + kToken,
                         error_list(401, "unauthorized", "Access Token Invalid"));
    http_.start();
  }

  std::string base_url() const { return http_.base_url(); }
  FakeHttpService& http() { return http_; }

  // Adds a conversation, or replaces the one with the same id.
  void put(json::object conversation) {
    std::lock_guard lock(http_.mutex());
    for (auto& c : conversations_) {
      if (c.at("id") == conversation.at("id")) {
        c = std::move(conversation);
        return;
      }
    }
    conversations_.push_back(std::move(conversation));
  }
  void set_max_per_page(std::int64_t n) {
    std::lock_guard lock(http_.mutex());
    max_per_page_ = n;
  }

  static http::Response error_list(int status, std::string code, std::string message) {
    return json_reply(
        status, json::object{
                    {"type", "error.list"},
                    {"request_id", "000ebk0fnlqm1kgg5cu0"},
                    {"errors", json::array{json::object{{"code", std::move(code)}, {"message", std::move(message)}}}}});
  }

 private:
  using Key = std::tuple<std::int64_t, std::string>;  // (updated_at, id)

  static Key key_of(const json::object& c) {
    return Key{c.at("updated_at").to_number<std::int64_t>(), std::string(c.at("id").as_string())};
  }
  // Intercom's search cursors are opaque base64 ("WzE3MD..."); these carry [updated_at, "id"].
  static std::string encode(const Key& k) {
    return base64_encode(json::serialize(json::array{std::get<0>(k), std::get<1>(k)}));
  }
  static std::optional<Key> decode(const std::string& token) {
    auto raw = base64_decode(token);
    if (!raw) return std::nullopt;
    auto v = parse_json(*raw);
    if (!v || !v->is_array() || v->as_array().size() != 2) return std::nullopt;
    return Key{v->as_array()[0].to_number<std::int64_t>(), std::string(v->as_array()[1].as_string())};
  }

  http::Response search(http::Request& req) {
    auto body = parse_json(req.body);
    if (!body) return error_list(400, "parameter_invalid", "Invalid JSON");
    const json::value* field = find_path(*body, "query.field");
    const json::value* op = find_path(*body, "query.operator");
    const json::value* value = find_path(*body, "query.value");
    if (!field || !op || !value || !value->is_number() || field->as_string() != "updated_at" || op->as_string() != ">")
      return error_list(400, "parameter_invalid", "This fake only searches on updated_at > N");
    std::int64_t after = value->to_number<std::int64_t>();
    bool ascending = true;
    if (const json::value* order = find_path(*body, "sort.order"); order && order->is_string())
      ascending = order->as_string() == "ascending";
    std::int64_t per_page = max_per_page_;
    if (const json::value* p = find_path(*body, "pagination.per_page"); p && p->is_number())
      per_page = std::min(per_page, p->to_number<std::int64_t>());

    std::vector<const json::object*> hits;
    for (const auto& c : conversations_)
      if (c.at("updated_at").to_number<std::int64_t>() > after) hits.push_back(&c);
    std::sort(hits.begin(), hits.end(),
              [&](auto* a, auto* b) { return ascending ? key_of(*a) < key_of(*b) : key_of(*b) < key_of(*a); });
    std::size_t first = 0;
    if (const json::value* s = find_path(*body, "pagination.starting_after"); s && s->is_string()) {
      auto k = decode(std::string(s->as_string()));
      if (!k) return error_list(400, "parameter_invalid", "Invalid starting_after");
      while (first < hits.size() && (ascending ? key_of(*hits[first]) <= *k : key_of(*hits[first]) >= *k)) ++first;
    }
    std::size_t last = std::min(hits.size(), first + static_cast<std::size_t>(per_page));
    json::array page;
    for (std::size_t i = first; i < last; ++i) {
      json::object c = *hits[i];
      c.erase("conversation_parts");  // search results come without their parts
      page.push_back(std::move(c));
    }
    std::int64_t total_pages =
        (static_cast<std::int64_t>(hits.size()) + per_page - 1) / std::max<std::int64_t>(per_page, 1);
    json::object pages{{"type", "pages"},
                       {"page", static_cast<std::int64_t>(first) / per_page + 1},
                       {"per_page", per_page},
                       {"total_pages", total_pages}};
    if (last < hits.size())
      pages["next"] = json::object{{"page", static_cast<std::int64_t>(first) / per_page + 2},
                                   {"starting_after", encode(key_of(*hits[last - 1]))}};
    return json_reply(200, json::object{{"type", "conversation.list"},
                                        {"pages", std::move(pages)},
                                        {"total_count", hits.size()},
                                        {"conversations", std::move(page)}});
  }

  http::Response one(http::Request& req) {
    const std::string& id = req.params.at("id");
    for (const auto& c : conversations_)
      if (c.at("id").as_string() == id) return json_reply(200, c);
    return error_list(404, "not_found", "Resource Not Found");
  }

  std::vector<json::object> conversations_;
  std::int64_t max_per_page_ = 3;
  FakeHttpService http_;  // last: its server stops before the state above goes
};

}  // namespace chorus::testing

// What a SourceSpec may hold. A schedule's "every" is a duration from 10 seconds to a year, and a number too large
// to multiply out is refused instead of wrapping to a negative interval that would sync on every tick. A base URL
// carries no user name or password (the config is shown on every read), and a Standard Webhooks secret is one
// that deliveries can be checked with.
#include "api/source_spec.hpp"

#include <gtest/gtest.h>

#include "unit/api/wired_api.hpp"

namespace chorus::api {
namespace {

TEST(ScheduleEvery, DurationsFromTenSecondsToAYear) {
  EXPECT_EQ(*parse_every("10s"), 10);
  EXPECT_EQ(*parse_every("15m"), 900);
  EXPECT_EQ(*parse_every("365d"), kMaxEverySeconds);
  EXPECT_EQ(*parse_every("8760h"), kMaxEverySeconds);
  EXPECT_EQ(format_every(*parse_every("2h")), "2h");
  for (const char* bad : {"9s", "0m", "-1d", "1w", "often", "", "15 m"}) {
    auto r = parse_every(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::bad_request) << bad;
  }
  for (const char* huge : {"366d", "8761h", "9223372036854775807d", "2562047788015216h", "106751991167d"}) {
    auto r = parse_every(huge);
    ASSERT_FALSE(r) << huge;
    EXPECT_NE(r.error().message.find("at most 365d"), std::string::npos) << huge << ": " << r.error().message;
  }
}

std::string text_at(const json::value& body, std::string_view path) {
  const json::value* v = find_path(body, path);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

class SourceSpecRoutes : public TwoTenantApi {
 protected:
  void wire(http::Router& router, AppContext& ctx) override {
    add_system_routes(router, ctx);
    add_api_routes(router, ctx);
  }
  Reply create(const std::string& every) {
    return call("POST", "/v1/workspaces/" + ws_ + "/sources",
                json::serialize(json::object{{"type", "hackernews"},
                                             {"name", "HN"},
                                             {"config", json::object{{"query", "notes app"}}},
                                             {"schedule", json::object{{"every", every}}}}));
  }
};

TEST_F(SourceSpecRoutes, AnIntervalPastAYearIsRefusedOnCreateAndOnChange) {
  auto refused = create("9223372036854775807d");
  EXPECT_EQ(refused.status, 400) << refused.raw;
  EXPECT_NE(refused.raw.find("schedule.every must be at most 365d"), std::string::npos) << refused.raw;
  auto made = create("1d");
  ASSERT_EQ(made.status, 201) << made.raw;
  const std::string id = text_at(made.body, "id");
  auto changed = call("PATCH", "/v1/workspaces/" + ws_ + "/sources/" + id,
                      json::serialize(json::object{{"schedule", json::object{{"every", "2562047788015216h"}}}}));
  EXPECT_EQ(changed.status, 400) << changed.raw;
  auto kept = call("GET", "/v1/workspaces/" + ws_ + "/sources/" + id);
  EXPECT_EQ(text_at(kept.body, "schedule.every"), "1d") << kept.raw;
}

TEST_F(SourceSpecRoutes, ABaseUrlWithAPasswordAndAnUnreadableWebhookKeyAreRefused) {
  const std::string sources = "/v1/workspaces/" + ws_ + "/sources";
  auto post = [&](const std::string& body) { return call("POST", sources, body); };
  auto with_password = post(R"({"type":"discourse","config":{"base_url":"https://ann:hunter2@forum.example.com"}})");
  EXPECT_EQ(with_password.status, 400) << with_password.raw;
  EXPECT_NE(with_password.raw.find("must not carry a user name or password"), std::string::npos) << with_password.raw;
  EXPECT_EQ(with_password.raw.find("hunter2"), std::string::npos) << "the password is not echoed";
  auto github = post(R"({"type":"github","config":{"repo":"a/b","base_url":"https://x:y@ghe.example.com/api/v3"}})");
  EXPECT_EQ(github.status, 400) << github.raw;
  // An @ in the path is no password.
  EXPECT_EQ(post(R"({"type":"discourse","config":{"base_url":"https://forum.example.com/u/@ann"}})").status, 201);

  // A Standard Webhooks secret that does not decode would fail every delivery: refused when it is given.
  const std::string jsonl = R"({"type":"jsonl","config":{"fields":{"id":"id","text":"t"}},"webhook":)";
  for (const char* bad : {"whsec_!!!", "whsec_", "whsec_ab cd"}) {
    auto r = post(jsonl + R"({"scheme":"standard","secret":")" + bad + R"("}})");
    EXPECT_EQ(r.status, 400) << bad << ": " << r.raw;
    EXPECT_NE(r.raw.find("whsec_"), std::string::npos) << r.raw;
  }
  EXPECT_EQ(post(jsonl + R"({"scheme":"token","secret":"a-long-random-token"}})").status, 201);
  EXPECT_EQ(post(jsonl + R"({"scheme":"standard","secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}})").status, 201);
}

}  // namespace
}  // namespace chorus::api

// Zendesk tickets and satisfaction ratings -> MappedItem, and the connector's settings checks.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "core/time.hpp"
#include "support/fake_http_service.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "zendesk";

class ZendeskMapping : public ::testing::Test {
 protected:
  ZendeskMapping() {
    source.type = "zendesk";
    source.config = json::object{{"subdomain", "acme"}};
  }
  json::value ticket(std::int64_t id) {
    for (const auto& t : tickets.as_array())
      if (t.at("id").to_number<std::int64_t>() == id) return t;
    throw std::runtime_error("no fixture ticket " + std::to_string(id));
  }
  json::value rating(std::int64_t id) {
    for (const auto& r : ratings.as_array())
      if (r.at("id").to_number<std::int64_t>() == id) return r;
    throw std::runtime_error("no fixture rating " + std::to_string(id));
  }

  const Connector& connector = *find_connector("zendesk");
  SourceSettings source;
  json::value tickets = testing::read_fixture(kFixtures / "tickets.json");
  json::value ratings = testing::read_fixture(kFixtures / "satisfaction_ratings.json");
};

TEST_F(ZendeskMapping, TicketBecomesARecordWithItsFilterableFields) {
  json::value t = ticket(48101);
  t.as_object()["requester"] =
      json::object{{"id", 9001}, {"name", "Ines Duarte"}, {"email", "ines.duarte@example.com"}};
  auto m = connector.map(t, source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "48101");
  EXPECT_EQ(m->source_info, "ZendeskTicket");
  EXPECT_EQ(m->format, MappedItem::Format::plain);
  EXPECT_EQ(m->title, "Notes stop syncing after the 3.2 update");
  EXPECT_TRUE(m->text.starts_with("Notes stop syncing after the 3.2 update\n\nSince updating to 3.2 yesterday"));
  EXPECT_EQ(m->url, "https://acme.zendesk.com/agent/tickets/48101");  // from the subdomain
  EXPECT_EQ(m->timestamp, parse_time("2026-03-02T08:14:03Z"));
  EXPECT_EQ(m->user_id, "9001");
  EXPECT_EQ(m->username, "Ines Duarte");
  EXPECT_EQ(m->email, "ines.duarte@example.com");
  EXPECT_FALSE(m->rating.has_value()) << "unoffered carries no verdict";
  EXPECT_EQ(m->extra.at("status"), "open");
  EXPECT_EQ(m->extra.at("priority"), "high");
  EXPECT_EQ(m->extra.at("type"), "problem");
  EXPECT_EQ(m->extra.at("channel"), "email");
  EXPECT_EQ(m->extra.at("tags"), (json::array{"sync", "v3_2"}));
  EXPECT_EQ(m->extra.at("satisfaction"), "unoffered");
  EXPECT_FALSE(m->extra.contains("organization_id")) << "null fields are left out";
}

TEST_F(ZendeskMapping, GoodIsFiveAndBadIsOne) {
  auto good = connector.map(ticket(48104), source);
  auto bad = connector.map(ticket(48103), source);
  ASSERT_TRUE(good && bad);
  EXPECT_EQ(good->rating, 5.0);
  EXPECT_EQ(bad->rating, 1.0);
  EXPECT_EQ(bad->extra.at("satisfaction"), "bad");
}

TEST_F(ZendeskMapping, BaseUrlOverridesTheSubdomainForLinks) {
  source.config["base_url"] = "https://support.acme.example/";
  auto m = connector.map(ticket(48102), source);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->url, "https://support.acme.example/agent/tickets/48102");
}

TEST_F(ZendeskMapping, RatingCommentIsItsOwnRecord) {
  auto m = connector.map(rating(5501), source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "satisfaction_rating/5501");
  EXPECT_EQ(m->source_info, "ZendeskSatisfactionRating");
  EXPECT_EQ(m->text, "Took three days to get a refund for your own mistake.");
  EXPECT_EQ(m->rating, 1.0);
  EXPECT_EQ(m->url, "https://acme.zendesk.com/agent/tickets/48103");
  EXPECT_EQ(m->user_id, "9003");
  EXPECT_EQ(m->timestamp, parse_time("2026-03-04T16:25:12Z"));
  EXPECT_EQ(m->extra.at("ticket_id"), 48103);
  EXPECT_EQ(m->extra.at("reason"), "Issue took too long to resolve");
  EXPECT_EQ(m->extra.at("satisfaction"), "bad");

  auto five = connector.map(rating(5502), source);
  ASSERT_TRUE(five);
  EXPECT_EQ(five->rating, 5.0);
}

TEST_F(ZendeskMapping, ItemsThatCannotMapSayWhy) {
  auto no_comment = connector.map(rating(5504), source);
  ASSERT_FALSE(no_comment);
  EXPECT_NE(no_comment.error().message.find("5504 has no comment"), std::string::npos) << no_comment.error().message;

  json::value t = ticket(48101);
  t.as_object().erase("id");
  auto no_id = connector.map(t, source);
  ASSERT_FALSE(no_id);
  EXPECT_EQ(no_id.error().message, "zendesk ticket has no id");

  json::value empty = ticket(48101);
  empty.as_object()["description"] = "";
  empty.as_object()["subject"] = nullptr;
  auto no_text = connector.map(empty, source);
  ASSERT_FALSE(no_text);
  EXPECT_NE(no_text.error().message.find("neither a description nor a subject"), std::string::npos);

  EXPECT_FALSE(connector.map(json::value("48101"), source));
}

TEST_F(ZendeskMapping, WrappedWebhookTicketMapsLikeTheTicket) {
  auto body = testing::read_fixture(kFixtures / "webhook_ticket.json");
  auto m = connector.map(body, source);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "48120");
  EXPECT_EQ(m->extra.at("channel"), "web");
}

Status validate(json::object config, json::object credentials = {}) {
  return validate_fields(*find_connector("zendesk"), config, credentials);
}

TEST(ZendeskSettings, SubdomainIsRequiredAndAloneAndCredentialsComeInPairs) {
  EXPECT_TRUE(validate(json::object{{"subdomain", "acme"}}));
  auto missing = validate(json::object{});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "config.subdomain is required");
  auto host = validate(json::object{{"subdomain", "acme.zendesk.com"}});
  ASSERT_FALSE(host);
  EXPECT_NE(host.error().message.find("config.subdomain must be the subdomain alone"), std::string::npos);
  auto base = validate(json::object{{"subdomain", "acme"}, {"base_url", "support.acme.example"}});
  ASSERT_FALSE(base);
  EXPECT_NE(base.error().message.find("config.base_url"), std::string::npos);
  auto half = validate(json::object{{"subdomain", "acme"}}, json::object{{"email", "a@acme.example"}});
  ASSERT_FALSE(half);
  EXPECT_EQ(half.error().message, "credentials.api_token is required with credentials.email");
  EXPECT_TRUE(
      validate(json::object{{"subdomain", "acme"}}, json::object{{"email", "a@acme.example"}, {"api_token", "t"}}));
  auto pages = validate(json::object{{"subdomain", "acme"}, {"max_pages", 0}});
  ASSERT_FALSE(pages);
  EXPECT_EQ(pages.error().message, "config.max_pages must be at least 1");
}

TEST(ZendeskSettings, DefaultsAreApplied) {
  json::object config{{"subdomain", "acme"}};
  json::object credentials;
  ASSERT_TRUE(validate_fields(*find_connector("zendesk"), config, credentials));
  EXPECT_EQ(config.at("include_satisfaction_ratings"), true);
  EXPECT_EQ(config.at("max_pages"), 50);
}

}  // namespace
}  // namespace chorus::connectors

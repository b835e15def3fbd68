// Zendesk on a recorded export (tests/fixtures/zendesk/recorded/SOURCE.md): every ticket of a real
// incremental export maps, and a sync through the fake API keeps all but the deleted one.
#include <gtest/gtest.h>

#include <set>

#include "connectors/connector.hpp"
#include "support/fake_zendesk.hpp"
#include "support/sync_harness.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kRecorded = std::filesystem::path(CHORUS_FIXTURES) / "zendesk" / "recorded";

TEST(ZendeskRecorded, EveryTicketOfARealExportMaps) {
  const Connector& connector = *find_connector("zendesk");
  SourceSettings source;
  source.type = "zendesk";
  source.config = json::object{{"subdomain", "z3n-jteitelbaum"}};
  auto page = testing::read_fixture(kRecorded / "tickets_cursor_export.json");
  EXPECT_EQ(find_path(page, "end_of_stream")->as_bool(), true);
  const auto& tickets = page.as_object().at("tickets").as_array();
  ASSERT_EQ(tickets.size(), 87u);
  for (const auto& t : tickets) {
    auto m = connector.map(t, source);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->external_id, *get_string(t, "id"));
    EXPECT_EQ(m->title, get_string(t, "subject"));
    const std::string subject = *get_string(t, "subject"), description = *get_string(t, "description");
    // The subject is read with the description, once.
    EXPECT_EQ(m->text, description.starts_with(subject) ? description : subject + "\n\n" + description);
    EXPECT_TRUE(m->timestamp);
    EXPECT_EQ(m->user_id, get_string(t, "requester_id"));
  }
  const json::value* sample = nullptr;
  for (const auto& t : tickets)
    if (get_string(t, "id") == "1") sample = &t;
  ASSERT_NE(sample, nullptr);
  auto m = connector.map(*sample, source);
  EXPECT_EQ(m->title, "Sample ticket: Meet the ticket");
  EXPECT_EQ(m->text.rfind("Sample ticket: Meet the ticket\n\nHi there,\n\nI\u2019m sending an email because I\u2019m having a "
                          "problem",
                          0),
            0u);
  EXPECT_EQ(m->extra.at("channel"), json::value("sample_ticket"));
  EXPECT_EQ(m->extra.at("status"), json::value("open"));
  EXPECT_EQ(m->url, "https://z3n-jteitelbaum.zendesk.com/agent/tickets/1");
}

TEST(ZendeskRecorded, ASyncOfTheRealTicketsLeavesTheDeletedOneOut) {
  testing::FakeZendesk fake(kRecorded);
  json::object config{{"subdomain", "z3n-jteitelbaum"},
                      {"base_url", fake.base_url()},
                      {"include_satisfaction_ratings", true},
                      {"since", "2023-01-01T00:00:00Z"}};
  json::object creds{{"email", testing::FakeZendesk::kEmail}, {"api_token", testing::FakeZendesk::kToken}};
  const Connector& connector = *find_connector("zendesk");
  ASSERT_TRUE(validate_fields(connector, config, creds));
  testing::SyncHarness h(connector, std::move(config), std::move(creds));
  auto r = h.sync();
  ASSERT_TRUE(r) << r.error().message;
  std::set<std::string> ids;
  for (const auto& item : h.admitted().kept) ids.insert(*get_string(item, "id"));
  EXPECT_EQ(ids.size(), 86u);
  EXPECT_FALSE(ids.contains("4034"));  // status "deleted", subject "SCRUBBED"
  EXPECT_TRUE(ids.contains("4037"));
}

}  // namespace
}  // namespace chorus::connectors

// Alerts end to end on a running Chorus: a live burst pushed through the API reaches a fake Slack endpoint
// and a local SMTP server once each, with the theme and quotes; the same burst with old timestamps (a
// backfill, a fetcher catching up after an outage) sends nothing; a 410 disables the rule; a dead
// endpoint is retried and logged while ingestion goes on; webhook signatures verify with an independent
// implementation of the Standard Webhooks algorithm.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>

#include "insights/weekly_digest.hpp"
#include "integration/harness.hpp"
#include "support/fake_algolia.hpp"
#include "support/fake_http_service.hpp"
#include "support/smtp_sink.hpp"

namespace chorus::testing {
namespace {

std::string insights_week(TimeMs t) { return insights::iso_week_of(t); }

const char* kBurst[] = {
    "The checkout page crashes every time I try to pay with my card",
    "Checkout is broken again, payment fails with an error",
    "Cannot complete checkout, the payment button does nothing",
    "Payment failed three times at checkout today, so frustrating",
    "My card gets declined at checkout although it works everywhere else",
    "Checkout payment spinner never ends, I gave up on my order",
    "Paying by credit card at checkout throws an error page",
    "The payment step at checkout is broken on mobile",
    "Checkout will not accept my card, payment error every time",
    "Your checkout keeps failing on the payment screen",
    "Order lost because checkout payment crashed",
    "Payment at checkout broke after the update, please fix",
};

class AlertsFlow : public WorkspaceFixture {
 protected:
  void SetUp() override {
    WorkspaceFixture::SetUp();
    if (HasFatalFailure()) return;
    slack_.route("POST", "/services/T1/B2/slacksecret", [this](http::Request& req) {
      ++slack_posts_;
      http::Response res;
      res.status = slack_status_.load();
      res.content_type = "text/plain";
      res.body = res.status == 200 ? "ok" : "channel_is_archived";
      (void)req;
      return res;
    });
    slack_.route("POST", "/hooks/receiver", [](http::Request&) { return json_reply(200, json::object{{"ok", true}}); });
    slack_.start();
    src_ = add_source(json::object{
        {"type", "jsonl"},
        {"name", "survey"},
        {"config",
         json::object{{"fields", json::object{{"id", "id"}, {"text", "text"}, {"timestamp", "at"}, {"url", "url"}}}}}});
  }

  std::string alerts() { return "/v1/workspaces/" + ws_ + "/alerts"; }
  std::string slack_url() { return slack_.base_url() + "/services/T1/B2/slacksecret"; }

  std::string create(const json::object& rule) {
    auto r = api().post(alerts(), key_, rule);
    EXPECT_EQ(r.status, 201) << r.raw;
    created_ = r.body;
    return str(r.body, "id");
  }
  json::object emerging_rule(json::object channel) {
    return json::object{{"name", "Checkout problems"},
                        {"kind", "emerging"},
                        {"params", json::object{{"themes", json::array{"payments"}}, {"min_count", 8}}},
                        {"channel", std::move(channel)}};
  }

  // Pushes the burst in `batches` pushes, each item stamped `age` before now.
  void push_burst(std::chrono::milliseconds age, const std::string& tag, int batches = 3) {
    TimeMs at = now_ms() - age.count();
    const int n = static_cast<int>(std::size(kBurst));
    for (int b = 0; b < batches; ++b) {
      json::array items;
      for (int i = b * n / batches; i < (b + 1) * n / batches; ++i)
        items.push_back(json::object{{"id", tag + std::to_string(i)},
                                     {"text", kBurst[i]},
                                     {"at", format_time(at + i * 1000)},
                                     {"url", "https://support.example.com/t/" + tag + std::to_string(i)}});
      auto r = api().post("/v1/workspaces/" + ws_ + "/sources/" + src_ + "/items", key_, items);
      ASSERT_EQ(r.status, 202) << r.raw;
    }
    ASSERT_TRUE(eventually([&] { return stored(tag) >= n; })) << "records not stored";
  }
  std::int64_t stored(const std::string& tag) {
    auto r = api().get("/v1/workspaces/" + ws_ + "/feedback?limit=500", key_);
    std::int64_t count = 0;
    if (const auto* items = find_path(r.body, "items"); items && items->is_array())
      for (const auto& it : items->as_array())
        if (str(it, "metadata_attributes.external_id").starts_with(tag)) ++count;
    return count;
  }
  json::array deliveries(const std::string& id) {
    auto r = api().get(alerts() + "/" + id + "/deliveries", key_);
    const auto* items = find_path(r.body, "items");
    return items && items->is_array() ? items->as_array() : json::array{};
  }

  FakeHttpService slack_;
  std::atomic<int> slack_posts_{0};
  std::atomic<int> slack_status_{200};
  std::string src_;
  json::value created_;
};

TEST_F(AlertsFlow, LiveBurstSendsOneSlackMessageAndOneEmailWithThemeAndQuotes) {
  SmtpSink smtp;  // offers no STARTTLS: without a login, e-mail uses it only when offered
  std::string slack_rule = create(emerging_rule(json::object{{"type", "slack"}, {"url", slack_url()}}));
  std::string mail_rule = create(emerging_rule(json::object{{"type", "email"},
                                                            {"host", "127.0.0.1"},
                                                            {"port", smtp.port()},
                                                            {"from", "chorus@example.com"},
                                                            {"to", json::array{"product@example.com"}}}));
  push_burst(std::chrono::minutes(30), "live-");
  ASSERT_TRUE(eventually([&] { return slack_posts_ >= 1 && !smtp.mails().empty(); }, std::chrono::seconds(30)))
      << "slack posts " << slack_posts_ << ", mails " << smtp.mails().size();
  // A burst that grew over three pushes is one message, however many evaluations saw it.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(slack_posts_.load(), 1);
  ASSERT_EQ(smtp.mails().size(), 1u);

  auto posts = slack_.requests();
  ASSERT_EQ(posts.size(), 1u);
  auto message = parse_json(posts[0].body);
  ASSERT_TRUE(message) << posts[0].body;
  std::string text = json::serialize(*message);
  EXPECT_NE(str(*message, "text").find("payments"), std::string::npos) << text;
  int quotes = 0, links = 0;
  for (const auto& block : find_path(*message, "blocks")->as_array()) {
    std::string t = str(block, "text.text");
    if (t.starts_with("> ")) ++quotes;
    if (t.find("support.example.com/t/live-") != std::string::npos) ++links;
  }
  EXPECT_EQ(quotes, 3) << text;
  EXPECT_EQ(links, 3) << text;
  EXPECT_NE(text.find("\"type\":\"actions\""), std::string::npos) << "a button to the dashboard: " << text;
  EXPECT_NE(text.find("/#/" + ws_ + "/feedback"), std::string::npos) << text;

  auto mail = smtp.mails()[0];
  EXPECT_EQ(mail.from, "chorus@example.com");
  ASSERT_EQ(mail.to.size(), 1u);
  EXPECT_EQ(mail.to[0], "product@example.com");
  EXPECT_NE(mail.data.find("Subject: [Chorus] Emerging: \"payments\""), std::string::npos) << mail.data;
  EXPECT_NE(mail.data.find("support.example.com/t/live-"), std::string::npos) << mail.data;
  int mail_quotes = 0;
  for (const char* q : kBurst)
    if (mail.data.find(q) != std::string::npos) ++mail_quotes;
  EXPECT_EQ(mail_quotes, 3) << mail.data;

  auto log = deliveries(slack_rule);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(str(log[0], "state"), "delivered");
  EXPECT_EQ(str(log[0], "theme"), "payments");
  EXPECT_EQ(num(log[0], "status"), 200);
  EXPECT_EQ(deliveries(mail_rule).size(), 1u);
}

// A burst that keeps growing after its alert went out: one update on every channel once it has doubled
// (the rules' default update_factor), and nothing more however much further it grows.
TEST_F(AlertsFlow, AGrowingBurstSendsOneUpdateAndNoMore) {
  SmtpSink smtp;
  std::string slack_rule = create(emerging_rule(json::object{{"type", "slack"}, {"url", slack_url()}}));
  create(emerging_rule(json::object{{"type", "webhook"}, {"url", slack_.base_url() + "/hooks/receiver"}}));
  create(emerging_rule(json::object{{"type", "email"},
                                    {"host", "127.0.0.1"},
                                    {"port", smtp.port()},
                                    {"from", "chorus@example.com"},
                                    {"to", json::array{"product@example.com"}}}));
  auto all_sent = [&](int n) {
    return slack_posts_ >= n && slack_.count("/hooks/receiver") >= n && static_cast<int>(smtp.mails().size()) >= n;
  };
  push_burst(std::chrono::minutes(30), "live-");
  ASSERT_TRUE(eventually([&] { return all_sent(1); }, std::chrono::seconds(30)));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  ASSERT_EQ(slack_posts_.load(), 1);
  const std::int64_t first_count = num(deliveries(slack_rule)[0], "count");
  EXPECT_GE(first_count, 8);

  // Twice as many again, and more: the burst has at least doubled since its alert.
  push_burst(std::chrono::minutes(20), "grow-a-");
  push_burst(std::chrono::minutes(15), "grow-b-");
  ASSERT_TRUE(eventually([&] { return all_sent(2); }, std::chrono::seconds(30)))
      << "slack " << slack_posts_ << ", webhook " << slack_.count("/hooks/receiver") << ", mail " << smtp.mails().size();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(slack_posts_.load(), 2);

  std::vector<std::string> slack_bodies, hook_bodies;
  for (const auto& req : slack_.requests())
    (req.path == "/hooks/receiver" ? hook_bodies : slack_bodies).push_back(req.body);
  ASSERT_EQ(slack_bodies.size(), 2u);
  auto update = parse_json(slack_bodies[1]);
  ASSERT_TRUE(update) << slack_bodies[1];
  EXPECT_TRUE(str(*update, "blocks.0.text.text").starts_with("Update: Emerging")) << slack_bodies[1];
  EXPECT_NE(slack_bodies[1].find("*Count, updated*"), std::string::npos) << slack_bodies[1];
  EXPECT_NE(slack_bodies[1].find("up from " + std::to_string(first_count) + " in the first alert"), std::string::npos)
      << slack_bodies[1];
  ASSERT_EQ(hook_bodies.size(), 2u);
  auto hook = parse_json(hook_bodies[1]);
  ASSERT_TRUE(hook) << hook_bodies[1];
  EXPECT_EQ(str(*hook, "type"), "alert.updated");
  EXPECT_GE(num(*hook, "count"), 2 * first_count);
  EXPECT_EQ(num(*hook, "update.previous_count"), first_count);
  EXPECT_EQ(str(*parse_json(hook_bodies[0]), "type"), "alert.fired");
  auto mails = smtp.mails();
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_NE(mails[1].data.find("Subject: [Chorus] Update: Emerging: \"payments\""), std::string::npos) << mails[1].data;
  EXPECT_NE(mails[1].data.find("grown from " + std::to_string(first_count) + " to "), std::string::npos)
      << mails[1].data;

  // Growing on: the alert had its one update.
  push_burst(std::chrono::minutes(10), "grow-c-");
  push_burst(std::chrono::minutes(5), "grow-d-");
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(slack_posts_.load(), 2);
  EXPECT_EQ(slack_.count("/hooks/receiver"), 2);
  EXPECT_EQ(smtp.mails().size(), 2u);
  auto log = deliveries(slack_rule);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(str(log[0], "type"), "alert.updated");
  EXPECT_EQ(str(log[0], "state"), "delivered");
}

TEST_F(AlertsFlow, BackfillAndCatchUpAfterAnOutageSendNothing) {
  SmtpSink smtp;
  std::string slack_rule = create(emerging_rule(json::object{{"type", "slack"}, {"url", slack_url()}}));
  std::string new_theme_rule = create(json::object{{"name", "New things"},
                                                   {"kind", "new_theme"},
                                                   {"channel", json::object{{"type", "slack"}, {"url", slack_url()}}}});
  // Last month's tickets imported today, and a fetcher back after a 10-hour outage bringing what it missed.
  push_burst(std::chrono::hours(24 * 20), "import-");
  push_burst(std::chrono::hours(10), "outage-");
  // Long enough for many evaluations, the settle time and a send.
  std::this_thread::sleep_for(std::chrono::seconds(4));
  EXPECT_EQ(slack_posts_.load(), 0);
  EXPECT_TRUE(deliveries(slack_rule).empty());
  EXPECT_TRUE(deliveries(new_theme_rule).empty());
  // The same rules do fire for live items: the silence above was the lag, not a broken rule.
  push_burst(std::chrono::minutes(5), "live-");
  EXPECT_TRUE(eventually([&] { return slack_posts_ >= 1; }, std::chrono::seconds(30)));
}

// The fetcher path: a Hacker News source synced before an outage, then catching up on ten hours of
// comments it could not fetch; they are history. Comments made just now, fetched the same way, are live.
TEST_F(AlertsFlow, AFetcherCatchingUpAfterAnOutageSendsNothing) {
  FakeAlgolia hn;
  auto hit = [](const std::string& id, TimeMs at, const std::string& text) {
    return json::object{{"objectID", id},
                        {"created_at_i", at / 1000},
                        {"created_at", format_time(at)},
                        {"author", "user" + id},
                        {"comment_text", text},
                        {"story_id", 1},
                        {"story_title", "Shop"},
                        {"points", nullptr},
                        {"title", nullptr},
                        {"_tags", json::array{"comment", "author_user" + id, "story_1"}}};
  };
  hn.add_hit(hit("100", now_ms() - 11 * 3600000LL, "I bought a lamp at checkout, delivery was fine"));
  std::string hn_src =
      add_source(json::object{{"type", "hackernews"},
                              {"name", "HN"},
                              {"config", json::object{{"query", "checkout"}, {"base_url", hn.base_url()}}}});
  std::string id = create(emerging_rule(json::object{{"type", "slack"}, {"url", slack_url()}}));
  EXPECT_EQ(str(sync_and_wait(hn_src), "state"), "done");
  // The outage: nothing could be fetched while these were written, ten hours ago and after.
  for (int i = 0; i < static_cast<int>(std::size(kBurst)); ++i)
    hn.add_hit(hit(std::to_string(200 + i), now_ms() - 10 * 3600000LL + i * 60000, kBurst[i]));
  auto caught_up = sync_and_wait(hn_src);
  EXPECT_EQ(str(caught_up, "state"), "done") << json::serialize(caught_up);
  EXPECT_EQ(num(caught_up, "items"), static_cast<std::int64_t>(std::size(kBurst)));
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(slack_posts_.load(), 0);
  EXPECT_TRUE(deliveries(id).empty());
  for (int i = 0; i < static_cast<int>(std::size(kBurst)); ++i)
    hn.add_hit(hit(std::to_string(300 + i), now_ms() - 2 * 60000 + i * 1000, kBurst[i]));
  EXPECT_EQ(str(sync_and_wait(hn_src), "state"), "done");
  EXPECT_TRUE(eventually([&] { return slack_posts_ >= 1; }, std::chrono::seconds(30))) << "live comments did alert";
}

TEST_F(AlertsFlow, SlackAnswering410DisablesTheRuleWithAReason) {
  slack_status_ = 410;
  std::string id = create(emerging_rule(json::object{{"type", "slack"}, {"url", slack_url()}}));
  push_burst(std::chrono::minutes(10), "live-");
  json::value rule;
  ASSERT_TRUE(eventually(
      [&] {
        rule = api().get(alerts() + "/" + id, key_).body;
        return find_path(rule, "enabled") && !find_path(rule, "enabled")->as_bool();
      },
      std::chrono::seconds(30)))
      << json::serialize(rule);
  EXPECT_NE(str(rule, "disabled_reason").find("410"), std::string::npos) << json::serialize(rule);
  auto log = deliveries(id);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(str(log[0], "state"), "failed");
  EXPECT_EQ(num(log[0], "status"), 410);
  EXPECT_EQ(num(log[0], "attempts"), 1);
  // Nothing is sent while it is disabled; enabling it again is a PATCH.
  auto on = api().call("PATCH", alerts() + "/" + id, key_, R"({"enabled":true})");
  EXPECT_EQ(on.status, 200) << on.raw;
  EXPECT_EQ(str(on.body, "disabled_reason"), "null");
}

TEST_F(AlertsFlow, DeadEndpointIsRetriedAndLoggedWhileIngestionContinues) {
  // A port that was just free: connections are refused.
  std::string dead_url;
  {
    FakeHttpService gone;
    gone.start();
    dead_url = gone.base_url() + "/hook";
  }
  // How long a batch takes to be stored with no alert failing anywhere.
  auto timed_push = [&](const std::string& tag) {
    auto start = std::chrono::steady_clock::now();
    push_burst(std::chrono::minutes(1), tag, 1);
    return std::chrono::steady_clock::now() - start;
  };
  const auto healthy = timed_push("before-");
  std::string id = create(emerging_rule(json::object{{"type", "webhook"}, {"url", dead_url}}));
  push_burst(std::chrono::minutes(10), "live-");
  json::array log;
  ASSERT_TRUE(eventually(
      [&] {
        log = deliveries(id);
        return !log.empty() && num(log[0], "attempts") >= 3;
      },
      std::chrono::seconds(30)))
      << json::serialize(log);
  // Between attempts it waits (pending), or is in the middle of one (sending): never given up on so soon.
  EXPECT_TRUE(str(log[0], "state") == "pending" || str(log[0], "state") == "sending") << json::serialize(log);
  EXPECT_NE(str(log[0], "error").find("could not be reached"), std::string::npos) << json::serialize(log);
  // Ingestion is not held up: while the endpoint is retried, a batch is stored as fast as before it failed
  // (twice the time at most, with a second's room for a loaded machine).
  const auto retrying = timed_push("more-");
  EXPECT_LT(retrying, 2 * healthy + std::chrono::seconds(1))
      << "healthy " << std::chrono::duration_cast<std::chrono::milliseconds>(healthy).count() << " ms, retrying "
      << std::chrono::duration_cast<std::chrono::milliseconds>(retrying).count() << " ms";
}

// The live burst and the backfill on both deployments: SQLite with the embedded log, PostgreSQL with Kafka.
class AlertsOnEveryBackend : public OnEveryBackend<AlertsFlow> {};

TEST_P(AlertsOnEveryBackend, LiveBurstAlertsOnceAndABackfillNever) {
  std::string id = create(emerging_rule(json::object{{"type", "slack"}, {"url", slack_url()}}));
  push_burst(std::chrono::hours(24 * 3), "import-");
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(slack_posts_.load(), 0);
  push_burst(std::chrono::minutes(15), "live-");
  ASSERT_TRUE(eventually([&] { return slack_posts_ >= 1; }, std::chrono::seconds(40)));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(slack_posts_.load(), 1);
  auto log = deliveries(id);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(str(log[0], "state"), "delivered");
  EXPECT_EQ(str(log[0], "theme"), "payments");
}

INSTANTIATE_TEST_SUITE_P(Backends, AlertsOnEveryBackend, ::testing::Values(Backend::embedded, Backend::kafka_postgres),
                         backend_name);

std::pair<int, std::string> run(const std::string& command) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST_F(AlertsFlow, DigestPrintsTheWeekInTheTerminalAndAsJson) {
  push_burst(std::chrono::hours(24 * 7), "last-week-");
  std::string week = insights_week(now_ms() - 7LL * 86400000);
  std::string base = std::string(CHORUS_BINARY) + " digest " + ws_ + " --server " + api().base() + " --key " + key_;
  auto [code, text] = run(base + " --week " + week);
  EXPECT_EQ(code, 0) << text;
  EXPECT_NE(text.find("Weekly digest " + week), std::string::npos) << text;
  EXPECT_NE(text.find("payments"), std::string::npos) << text;
  auto [jcode, json_text] = run(base + " --week " + week + " --json");
  EXPECT_EQ(jcode, 0) << json_text;
  auto parsed = parse_json(json_text);
  ASSERT_TRUE(parsed) << json_text;
  EXPECT_EQ(str(*parsed, "week"), week);
  EXPECT_GE(num(*parsed, "volume.count"), 1);
  auto [bad, message] = run(base + " --week 2026-10");
  EXPECT_EQ(bad, 2) << message;
  EXPECT_NE(message.find("ISO week"), std::string::npos) << message;
  auto r = api().get("/v1/workspaces/" + ws_ + "/digest?week=W10", key_);
  EXPECT_EQ(r.status, 400) << r.raw;
}

// Standard Webhooks, written from the specification and independent of src/alerts: the key is the base64
// after "whsec_"; the signature is base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)), as "v1,<sig>".
std::string b64(const unsigned char* data, int len) {
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, len);
  out.resize(static_cast<std::size_t>(n));
  return out;
}
std::string unb64(const std::string& text) {
  std::string out(text.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return "";
  std::size_t pad = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}
bool verify_standard_webhook(const std::string& secret, const std::string& id, const std::string& timestamp,
                             const std::string& body, const std::string& signature_header) {
  std::string key = unb64(secret.substr(std::string("whsec_").size()));
  std::string content = id + "." + timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(content.data()),
       content.size(), mac, &mac_len);
  std::string expected = "v1," + b64(mac, static_cast<int>(mac_len));
  // The header may carry several space-separated signatures.
  std::stringstream ss(signature_header);
  std::string sig;
  while (ss >> sig)
    if (sig.size() == expected.size() && CRYPTO_memcmp(sig.data(), expected.data(), sig.size()) == 0) return true;
  return false;
}

TEST_F(AlertsFlow, WebhookSignaturesVerifyWithTheStandardWebhooksAlgorithm) {
  std::string id =
      create(emerging_rule(json::object{{"type", "webhook"}, {"url", slack_.base_url() + "/hooks/receiver"}}));
  std::string secret = str(created_, "channel.secret");
  ASSERT_TRUE(secret.starts_with("whsec_")) << json::serialize(created_);
  auto t = api().post(alerts() + "/" + id + "/test", key_, json::object{});
  ASSERT_EQ(t.status, 200) << t.raw;
  EXPECT_EQ(str(t.body, "delivered"), "true") << t.raw;
  push_burst(std::chrono::minutes(10), "live-");
  ASSERT_TRUE(eventually([&] { return slack_.count("/hooks/receiver") >= 2; }, std::chrono::seconds(30)));
  for (const auto& req : slack_.requests()) {
    if (req.path != "/hooks/receiver") continue;
    auto wid = req.headers.get("webhook-id"), ts = req.headers.get("webhook-timestamp"),
         sig = req.headers.get("webhook-signature");
    ASSERT_TRUE(wid && ts && sig);
    EXPECT_TRUE(verify_standard_webhook(secret, *wid, *ts, req.body, *sig)) << *sig;
    EXPECT_FALSE(verify_standard_webhook(secret, *wid, *ts, req.body + " ", *sig)) << "a changed body must fail";
    EXPECT_LE(std::abs(std::stoll(*ts) - now_ms() / 1000), 60);
    auto body = parse_json(req.body);
    ASSERT_TRUE(body);
    EXPECT_TRUE(str(*body, "type") == "alert.test" || str(*body, "theme") == "payments") << req.body;
  }
}

}  // namespace
}  // namespace chorus::testing

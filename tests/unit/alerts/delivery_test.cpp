// Outbox delivery against loopback endpoints: retries back off exponentially with jitter and give up after
// 24 hours; 410 disables the rule; claims hand each message to one sender; signatures and Slack's blocks.
#include "alerts/delivery.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "alerts/channel.hpp"
#include "alerts/outbound_url.hpp"
#include "alerts/standard_webhooks.hpp"
#include "core/secrets.hpp"
#include "store/store.hpp"

namespace chorus::alerts {
namespace {

TEST(RetryDelay, DoublesWithJitterUpToTheCap) {
  DeliveryOptions o;
  std::mt19937_64 random(7);
  for (int attempts = 1; attempts <= 12; ++attempts) {
    double full = std::min<double>(30000.0 * std::pow(2.0, attempts - 1), 3600000.0);
    for (int k = 0; k < 50; ++k) {
      TimeMs d = retry_delay(o, attempts, random);
      EXPECT_GE(d, static_cast<TimeMs>(full * 0.5) - 1);
      EXPECT_LE(d, static_cast<TimeMs>(full));
    }
  }
  std::set<TimeMs> seen;
  for (int k = 0; k < 20; ++k) seen.insert(retry_delay(o, 3, random));
  EXPECT_GT(seen.size(), 10u) << "jitter spreads retries";
}

TEST(StandardWebhooks, KnownVector) {
  // The example of the Standard Webhooks specification's reference libraries.
  auto key = webhook_secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(key);
  EXPECT_EQ(standard_webhook_signature(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  EXPECT_FALSE(webhook_secret_key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
  EXPECT_FALSE(webhook_secret_key("whsec_%%%"));
  auto made = generate_webhook_secret();
  EXPECT_TRUE(made.starts_with("whsec_"));
  EXPECT_TRUE(webhook_secret_key(made));
}

// Which destinations are refused is the egress policy's call (ingest/egress.hpp): the same ranges a
// connection meets, checked when a channel is saved.
TEST(OutboundUrl, RefusesWhatTheEgressPolicyRefuses) {
  const ingest::EgressPolicy strict;
  EXPECT_TRUE(check_outbound_url("https://hooks.slack.com/services/T/B/X", "url", strict));
  EXPECT_TRUE(check_outbound_url("http://localhost:8080/x", "url", strict)) << "names meet the policy on connecting";
  for (const char* bad : {"file:///etc/passwd", "ftp://example.com/", "http://169.254.169.254/", "http://[fe80::1]/",
                          "http://0.0.0.0/", "http://224.0.0.1/", "http://[ff02::1]/", "https://u:p@example.com/",
                          "http:///nohost", "", "javascript:alert(1)", "http://metadata.google.internal/",
                          "http://2852039166/", "http://0xa9fea9fe/", "http://169.254.43518/", "http://0/",
                          "http://127.0.0.1:8080/x", "https://10.1.2.3/x", "http://[::1]/x", "http://[fe80::1%25eth0]/"})
    EXPECT_FALSE(check_outbound_url(bad, "url", strict)) << bad;
  auto loopback = check_outbound_url("http://127.0.0.1:8080/x", "channel.url", strict);
  EXPECT_EQ(loopback.error().message,
            "channel.url is refused: 127.0.0.1 is a loopback address, refused unless an operator allows its range "
            "with --egress-allow");
  EXPECT_NE(check_outbound_url("http://[::ffff:169.254.169.254]/", "url", strict).error().message.find("metadata"),
            std::string::npos);

  auto opened = ingest::EgressPolicy::with_allowed("127.0.0.0/8,10.0.0.0/8");
  ASSERT_TRUE(opened);
  EXPECT_TRUE(check_outbound_url("http://127.0.0.1:8080/x", "url", *opened));
  EXPECT_TRUE(check_outbound_url("https://10.1.2.3/x", "url", *opened));
  EXPECT_FALSE(check_outbound_url("http://169.254.169.254/", "url", *opened));
  // Legacy numeric forms stay refused even where the address they spell is allowed.
  for (const char* legacy : {"http://2130706433/", "http://0x7f.1/", "http://127.1/", "http://017700000001/"}) {
    auto r = check_outbound_url(legacy, "channel.url", *opened);
    ASSERT_FALSE(r) << legacy;
    EXPECT_NE(r.error().message.find("legacy numeric form"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("127.0.0.1"), std::string::npos) << r.error().message;
  }

  EXPECT_FALSE(check_outbound_host("169.254.0.1", "host", strict));
  EXPECT_FALSE(check_outbound_host("127.0.0.1", "host", strict));
  EXPECT_TRUE(check_outbound_host("127.0.0.1", "host", *opened));
  EXPECT_TRUE(check_outbound_host("smtp.example.com", "host", strict));
  EXPECT_FALSE(check_outbound_host("smtp example com", "host", strict));
  EXPECT_FALSE(check_outbound_host("2852039166", "host", *opened));
  EXPECT_EQ(check_outbound_host("metadata", "channel.host", *opened).error().message,
            "channel.host is refused: metadata is a cloud metadata service");
}

}  // namespace
}  // namespace chorus::alerts

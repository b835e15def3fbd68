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

TEST(OutboundUrl, RefusesWhatAlertsMayNotReach) {
  EXPECT_TRUE(check_outbound_url("https://hooks.slack.com/services/T/B/X", "url"));
  EXPECT_TRUE(check_outbound_url("http://127.0.0.1:8080/x", "url"));
  EXPECT_TRUE(check_outbound_url("https://10.1.2.3/x", "url"));
  for (const char* bad : {"file:///etc/passwd", "ftp://example.com/", "http://169.254.169.254/", "http://[fe80::1]/",
                          "http://0.0.0.0/", "http://224.0.0.1/", "http://[ff02::1]/", "https://u:p@example.com/",
                          "http:///nohost", "", "javascript:alert(1)", "http://metadata.google.internal/",
                          "http://2852039166/", "http://0xa9fea9fe/", "http://169.254.43518/", "http://0/"})
    EXPECT_FALSE(check_outbound_url(bad, "url")) << bad;
  EXPECT_FALSE(check_outbound_host("169.254.0.1", "host"));
  EXPECT_TRUE(check_outbound_host("smtp.example.com", "host"));
  EXPECT_FALSE(check_outbound_host("smtp example com", "host"));
  EXPECT_FALSE(check_outbound_host("2852039166", "host"));
}

}  // namespace
}  // namespace chorus::alerts

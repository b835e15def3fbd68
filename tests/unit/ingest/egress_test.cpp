// The egress policy on its own, and applied by the HTTP client to the address each connection opens to.
#include "ingest/egress.hpp"

#include <gtest/gtest.h>

#include "ingest/http_client.hpp"
#include "unit/ingest/local_server.hpp"

namespace chorus::ingest {
namespace {

using test::LocalServer;

IpAddress ip(std::string_view text) {
  auto a = IpAddress::parse(text);
  EXPECT_TRUE(a) << text;
  return a.value_or(IpAddress{});
}

TEST(Egress, RefusesTheServersNeighbourhoodByDefault) {
  EgressPolicy policy;
  const std::pair<std::string_view, std::string_view> refused[] = {
      {"127.0.0.1", "loopback"},           {"127.9.9.9", "loopback"},         {"::1", "loopback"},
      {"10.20.30.40", "private"},          {"172.16.0.1", "private"},         {"172.31.255.255", "private"},
      {"192.168.1.1", "private"},          {"fd12:3456::1", "private"},       {"169.254.169.254", "metadata"},
      {"fd00:ec2::254", "metadata"},       {"169.254.10.1", "link-local"},    {"fe80::1", "link-local"},
      {"0.0.0.0", "this network"},         {"100.64.0.1", "carrier-grade"},   {"224.0.0.1", "multicast"},
      {"::ffff:127.0.0.1", "loopback"},    {"::ffff:10.0.0.1", "private"},    {"[::1]", "loopback"},
  };
  for (const auto& [address, kind] : refused) {
    auto why = policy.refusal(ip(address));
    ASSERT_TRUE(why) << address << " must be refused";
    EXPECT_NE(why->find(kind), std::string::npos) << *why;
  }
  for (std::string_view address : {"8.8.8.8", "172.32.0.1", "192.169.0.1", "2606:4700::1111", "100.128.0.1"})
    EXPECT_FALSE(policy.refusal(ip(address))) << address << " is public";
}

TEST(Egress, AllowedRangesOpenOnlyThemselves) {
  auto policy = EgressPolicy::with_allowed("10.0.0.0/8, 127.0.0.1,fd00::/8");
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_FALSE(policy->refusal(ip("10.1.2.3")));
  EXPECT_FALSE(policy->refusal(ip("127.0.0.1")));
  EXPECT_TRUE(policy->refusal(ip("127.0.0.2"))) << "a bare address is a /32";
  EXPECT_FALSE(policy->refusal(ip("fd00:ec2::254"))) << "an operator may open even the metadata range";
  EXPECT_TRUE(policy->refusal(ip("192.168.0.1")));
  EXPECT_EQ(policy->allowed().size(), 3u);
  EXPECT_EQ(policy->allowed()[0].str(), "10.0.0.0/8");
}

TEST(Egress, RangesAreNormalisedAndMalformedOnesNamed) {
  auto c = Cidr::parse("10.1.2.3/8");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->str(), "10.0.0.0/8");
  EXPECT_TRUE(c->contains(ip("10.255.0.1")));
  EXPECT_FALSE(c->contains(ip("11.0.0.1")));
  auto v6 = Cidr::parse("2001:db8::/33");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(ip("2001:db8:7fff::1")));
  EXPECT_FALSE(v6->contains(ip("2001:db8:8000::1")));
  for (std::string_view bad : {"10.0.0.0/33", "::/129", "10.0.0/8", "localhost", "10.0.0.0/", "10.0.0.0/x8", ""}) {
    auto r = EgressPolicy::with_allowed(std::string(bad) + (bad.empty() ? "nonsense" : ""));
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("--egress-allow"), std::string::npos);
  }
  EXPECT_TRUE(EgressPolicy::with_allowed("")) << "nothing more allowed";
}

TEST(Egress, HostsAreRefusedByTheirAddressesLegacyFormsAndMetadataNames) {
  EgressPolicy policy;
  EXPECT_FALSE(policy.host_refusal("hooks.slack.com"));
  EXPECT_FALSE(policy.host_refusal("8.8.8.8"));
  EXPECT_FALSE(policy.host_refusal("[2606:4700::1111]"));
  EXPECT_NE(policy.host_refusal("127.0.0.1")->find("loopback"), std::string::npos);
  EXPECT_NE(policy.host_refusal("[FE80::1]")->find("link-local"), std::string::npos);
  EXPECT_NE(policy.host_refusal("Metadata.Google.Internal")->find("metadata"), std::string::npos);
  auto opened = EgressPolicy::with_allowed("127.0.0.0/8");
  ASSERT_TRUE(opened);
  EXPECT_FALSE(opened->host_refusal("127.0.0.1"));
  for (std::string_view legacy : {"2130706433", "0x7f.1", "127.1", "0x7f000001", "017700000001"}) {
    auto why = opened->host_refusal(legacy);
    ASSERT_TRUE(why) << legacy;
    EXPECT_NE(why->find("legacy numeric form"), std::string::npos) << *why;
    EXPECT_NE(why->find("127.0.0.1"), std::string::npos) << *why;
  }
  EXPECT_FALSE(EgressPolicy::unrestricted().host_refusal("2130706433"));
}

TEST(Egress, UnrestrictedAllowsEverything) {
  EXPECT_FALSE(EgressPolicy::unrestricted().refusal(ip("127.0.0.1")));
  EXPECT_FALSE(EgressPolicy::unrestricted().refusal(ip("169.254.169.254")));
}

HttpClientOptions guarded(std::string_view allow = "") {
  HttpClientOptions o;
  o.egress = EgressPolicy::with_allowed(allow).value();
  return o;
}

TEST(EgressClient, ALoopbackServerIsRefusedInWordsAndNeverConnected) {
  LocalServer server;
  server.script("/data", {LocalServer::answer(200, "secret internal data")});
  HttpClient client(guarded());
  OutboundRequest req;
  req.url = server.url("/data?token=abc");
  auto res = client.send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_NE(res.error().message.find("refused by the egress policy: 127.0.0.1 is a loopback address"),
            std::string::npos)
      << res.error().message;
  EXPECT_NE(res.error().message.find("--egress-allow"), std::string::npos);
  EXPECT_EQ(res.error().message.find("token"), std::string::npos);
  EXPECT_EQ(server.hits("/data"), 0);
}

TEST(EgressClient, ANameThatResolvesToLoopbackIsRefusedToo) {
  LocalServer server;
  server.script("/data", {LocalServer::answer(200, "x")});
  HttpClient client(guarded());
  OutboundRequest req;
  std::string url = server.url("/data");
  req.url = "http://localhost" + url.substr(url.rfind(':'));
  auto res = client.send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_NE(res.error().message.find("loopback"), std::string::npos) << res.error().message;
  EXPECT_EQ(server.hits("/data"), 0);
}

TEST(EgressClient, TheAllowedRangeIsReached) {
  LocalServer server;
  server.script("/data", {LocalServer::answer(200, "hello")});
  HttpClient client(guarded("127.0.0.0/8"));
  OutboundRequest req;
  req.url = server.url("/data");
  auto res = client.send(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->body, "hello");
}

// An allowed host that redirects elsewhere: the new connection is checked on its own.
TEST(EgressClient, ARedirectToARefusedAddressIsRefused) {
  LocalServer server;
  std::string url = server.url("/inner");
  std::string port = url.substr(url.rfind(':') + 1);
  port = port.substr(0, port.find('/'));
  server.script("/start", {LocalServer::answer(302, "", {{"Location", "http://127.0.0.2:" + port + "/inner"}})});
  server.script("/inner", {LocalServer::answer(200, "internal")});
  HttpClient client(guarded("127.0.0.1/32"));
  OutboundRequest req;
  req.url = server.url("/start");
  auto res = client.send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_NE(res.error().message.find("127.0.0.2 is a loopback address"), std::string::npos) << res.error().message;
  EXPECT_EQ(server.hits("/start"), 1);
  EXPECT_EQ(server.hits("/inner"), 0);
}

}  // namespace
}  // namespace chorus::ingest

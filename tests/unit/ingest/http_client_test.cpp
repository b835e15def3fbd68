// The outbound client against a real chorus server on loopback.
#include "ingest/http_client.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <thread>

#include "unit/ingest/local_server.hpp"

namespace chorus::ingest {
namespace {

using namespace std::chrono_literals;
using test::closed_port;
using test::LocalServer;

OutboundRequest get(std::string url) {
  OutboundRequest req;
  req.url = std::move(url);
  return req;
}

// A valid gzip member holding `data` in one stored (uncompressed) deflate block: enough to prove that
// the client negotiates and decodes Content-Encoding without pulling zlib into the test.
std::string gzip_stored(const std::string& data) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  crc ^= 0xFFFFFFFFu;
  auto le32 = [](std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  std::string out = {'\x1f', '\x8b', '\x08', '\x00', '\x00', '\x00', '\x00', '\x00', '\x00', '\x03'};
  auto len = static_cast<std::uint16_t>(data.size());
  out.push_back('\x01');  // final block, stored
  out.push_back(static_cast<char>(len & 0xFF));
  out.push_back(static_cast<char>(len >> 8));
  out.push_back(static_cast<char>(~len & 0xFF));
  out.push_back(static_cast<char>((~len >> 8) & 0xFF));
  out += data;
  le32(out, crc);
  le32(out, static_cast<std::uint32_t>(data.size()));
  return out;
}

TEST(RedactUrl, DropsQueryFragmentAndUserInfo) {
  EXPECT_EQ(redact_url("https://api.example.com/a/b?token=s3cret&x=1"), "https://api.example.com/a/b");
  EXPECT_EQ(redact_url("https://user:pw@host:8443/p#frag"), "https://host:8443/p");
  EXPECT_EQ(redact_url("http://host"), "http://host");
  EXPECT_EQ(redact_url("http://host/a@b"), "http://host/a@b");
}

TEST(HttpClient, GetSendsHeadersAndReceivesThemLowerCased) {
  LocalServer server([](http::Request& req) {
    return LocalServer::answer(200, "hello " + req.headers.get("x-caller").value_or("?"),
                               {{"X-Reply-Header", "Yes"}, {"Link", "<a>"}, {"Link", "<b>"}});
  });
  HttpClientOptions opts;
  opts.user_agent = "ChorusTest/1";
  HttpClient client(opts);
  OutboundRequest req = get(server.url("/hello?q=1"));
  req.headers.set("X-Caller", "tester");
  auto res = client.send(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "hello tester");
  EXPECT_EQ(res->headers.get("x-reply-header"), "Yes");
  int links = 0;
  for (const auto& [name, value] : res->headers.items) {
    for (char c : name) EXPECT_FALSE(c >= 'A' && c <= 'Z') << name;
    if (name == "link") ++links;
  }
  EXPECT_EQ(links, 2);

  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].query_param("q"), "1");
  EXPECT_EQ(seen[0].headers.get("user-agent"), "ChorusTest/1");
  EXPECT_NE(seen[0].headers.get("accept-encoding").value_or("").find("gzip"), std::string::npos);
}

TEST(HttpClient, PostSendsTheBody) {
  LocalServer server([](http::Request& req) {
    return LocalServer::answer(201, req.method + ":" + req.headers.get("content-type").value_or("") + ":" + req.body);
  });
  HttpClient client;
  OutboundRequest req;
  req.method = "POST";
  req.url = server.url("/items");
  req.headers.set("Content-Type", "application/json");
  req.body = std::string(5000, 'x');  // large enough that curl would otherwise wait for 100-continue
  auto t0 = std::chrono::steady_clock::now();
  auto res = client.send(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->body, "POST:application/json:" + req.body);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 900ms);
}

TEST(HttpClient, OtherMethodsAndErrorStatusesAreResponses) {
  LocalServer server([](http::Request& req) { return LocalServer::answer(503, req.method + " " + req.body); });
  HttpClient client;
  OutboundRequest req;
  req.method = "PUT";
  req.url = server.url("/thing");
  req.body = "v";
  auto res = client.send(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->body, "PUT v");
  req.method = "DELETE";
  req.body.clear();
  res = client.send(req);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->body, "DELETE ");
}

TEST(HttpClient, DecodesGzip) {
  const std::string text = R"({"items":["gzip works"]})";
  LocalServer server([&](http::Request& req) {
    if (req.headers.get("accept-encoding").value_or("").find("gzip") == std::string::npos) {
      return LocalServer::answer(406, "no gzip offered");
    }
    return LocalServer::answer(200, gzip_stored(text), {{"Content-Encoding", "gzip"}});
  });
  HttpClient client;
  auto res = client.send(get(server.url("/zipped")));
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, text);
}

TEST(HttpClient, FollowsRedirectsKeepingTheLastHeaders) {
  LocalServer server;
  server.script("/start", {LocalServer::answer(302, "", {{"Location", "/middle"}, {"X-Hop", "1"}})});
  server.script("/middle", {LocalServer::answer(301, "", {{"Location", "/end"}, {"X-Hop", "2"}})});
  server.script("/end", {LocalServer::answer(200, "arrived", {{"X-Final", "yes"}})});
  HttpClient client;
  auto res = client.send(get(server.url("/start")));
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "arrived");
  EXPECT_EQ(res->headers.get("x-final"), "yes");
  EXPECT_EQ(res->headers.get("x-hop"), std::nullopt);
}

TEST(HttpClient, RedirectLoopIsAnError) {
  LocalServer server;
  server.script("/loop", {LocalServer::answer(302, "", {{"Location", "/loop"}})});
  HttpClient client;
  auto res = client.send(get(server.url("/loop?key=secret")));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::upstream);
  EXPECT_EQ(server.hits("/loop"), 6);  // the first request and five redirects
  EXPECT_EQ(res.error().message.find("secret"), std::string::npos);
}

TEST(HttpClient, BodyOverTheCapIsAnError) {
  LocalServer server([](http::Request&) { return LocalServer::answer(200, std::string(1000, 'z')); });
  HttpClientOptions opts;
  opts.max_body = 100;
  HttpClient client(opts);
  auto res = client.send(get(server.url("/big")));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::upstream);
  EXPECT_EQ(res.error().message, "GET " + server.url("/big") + ": response body exceeds 100 bytes");
}

TEST(HttpClient, ConnectionRefusedIsAnUpstreamErrorWithoutTheQuery) {
  HttpClient client;
  std::string base = "http://127.0.0.1:" + std::to_string(closed_port()) + "/path";
  auto res = client.send(get(base + "?api_key=s3cret"));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::upstream);
  EXPECT_EQ(res.error().message, "GET " + base + ": Couldn't connect to server");
}

TEST(HttpClient, PerRequestTimeout) {
  LocalServer server([](http::Request&) {
    std::this_thread::sleep_for(600ms);
    return LocalServer::answer(200, "late");
  });
  HttpClient client;
  OutboundRequest req = get(server.url("/slow"));
  req.timeout = 150ms;
  auto t0 = std::chrono::steady_clock::now();
  auto res = client.send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 550ms);
  EXPECT_EQ(res.error().message, "GET " + server.url("/slow") + ": Timeout was reached");
}

TEST(HttpClient, ReusesTheConnectionAcrossCalls) {
  LocalServer server([](http::Request& req) { return LocalServer::answer(200, req.remote); });
  HttpClient client;
  auto a = client.send(get(server.url("/a")));
  auto b = client.send(get(server.url("/b")));
  std::vector<OutboundRequest> batch = {get(server.url("/c"))};
  auto c = client.send_all(batch);
  ASSERT_TRUE(a.ok() && b.ok() && c[0].ok());
  EXPECT_EQ(a->body, b->body);
  EXPECT_EQ(a->body, c[0]->body);
}

TEST(HttpClient, SendAllRunsConcurrentlyAndKeepsOrder) {
  LocalServer server(
      [](http::Request& req) {
        std::this_thread::sleep_for(100ms);
        return LocalServer::answer(200, req.path, {{"X-Remote", req.remote}});
      },
      16);
  HttpClientOptions opts;
  opts.max_concurrency = 10;
  HttpClient client(opts);
  std::vector<OutboundRequest> batch;
  for (int i = 0; i < 20; ++i) batch.push_back(get(server.url("/n" + std::to_string(i))));

  auto t0 = std::chrono::steady_clock::now();
  auto results = client.send_all(batch);
  auto took = std::chrono::steady_clock::now() - t0;

  ASSERT_EQ(results.size(), 20u);
  std::set<std::string> connections;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].error().message;
    EXPECT_EQ(results[i]->body, "/n" + std::to_string(i));
    connections.insert(results[i]->headers.get("x-remote").value_or(""));
  }
  EXPECT_LT(took, 1500ms);             // serially it would take 2 s
  EXPECT_LE(connections.size(), 10u);  // never more than max_concurrency connections
}

TEST(HttpClient, SendAllMixesFailuresAndSuccesses) {
  LocalServer server([](http::Request& req) { return LocalServer::answer(200, req.path); });
  HttpClient client;
  std::vector<OutboundRequest> batch = {
      get(server.url("/ok")), get("http://127.0.0.1:" + std::to_string(closed_port()) + "/down"), get("not a url")};
  auto results = client.send_all(batch);
  ASSERT_EQ(results.size(), 3u);
  ASSERT_TRUE(results[0].ok());
  EXPECT_EQ(results[0]->body, "/ok");
  EXPECT_FALSE(results[1].ok());
  EXPECT_FALSE(results[2].ok());
  EXPECT_TRUE(client.send_all({}).empty());
}

TEST(HttpClient, UsableFromSeveralThreadsAtOnce) {
  LocalServer server([](http::Request& req) { return LocalServer::answer(200, req.path); }, 8);
  HttpClient client;
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        std::vector<OutboundRequest> batch = {get(server.url(path)), get(server.url(path + "b"))};
        auto results = client.send_all(batch);
        if (results[0].ok() && results[0]->body == path && results[1].ok() && results[1]->body == path + "b") ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good, 40);
}

}  // namespace
}  // namespace chorus::ingest

// The HTTP server over real loopback connections: round trips, keep-alive, limits, errors, shutdown.
#include "http/server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "ingest/http_client.hpp"
#include "unit/http/raw_http.hpp"

namespace chorus::http {
namespace {

using namespace std::chrono_literals;
using test::RawConnection;

ServerOptions test_options() {
  ServerOptions o;
  o.port = 0;
  o.threads = 4;
  o.log_requests = false;
  return o;
}

std::string base_url(const Server& s) { return "http://127.0.0.1:" + std::to_string(s.port()); }

TEST(Server, BindsAnEphemeralPortAndReportsATakenOne) {
  Server a(test_options(), [](Request&) { return Response{}; });
  ASSERT_TRUE(a.start().ok());
  EXPECT_NE(a.port(), 0);

  ServerOptions o = test_options();
  o.port = a.port();
  Server b(o, [](Request&) { return Response{}; });
  Status st = b.start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("127.0.0.1:" + std::to_string(a.port())), std::string::npos);
  EXPECT_NE(st.error().message.find("in use"), std::string::npos) << st.error().message;
}

TEST(Server, RoundTripThroughTheHttpClient) {
  Server server(test_options(), [](Request& req) {
    Response res;
    res.status = 201;
    res.content_type = "text/plain";
    res.headers.set("X-Echo-Header", req.headers.get("x-caller").value_or("none"));
    res.body = req.method + " " + req.path + " q=" + req.query_param("q").value_or("-") + " body=" + req.body;
    return res;
  });
  ASSERT_TRUE(server.start().ok());

  ingest::HttpClient client;
  ingest::OutboundRequest out;
  out.method = "POST";
  out.url = base_url(server) + "/a%20b/c?q=x+y&z=1";
  out.headers.set("X-Caller", "tests");
  out.body = "hello";
  auto res = client.send(out);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->body, "POST /a b/c q=x y body=hello");
  EXPECT_EQ(res->headers.get("x-echo-header"), "tests");
  EXPECT_EQ(res->headers.get("content-type"), "text/plain");
  EXPECT_EQ(res->headers.get("server"), "chorus");
  EXPECT_EQ(res->headers.get("content-length"), std::to_string(res->body.size()));
}

TEST(Server, KeepAliveServesTwoRequestsOnOneConnection) {
  Server server(test_options(), [](Request& req) {
    Response res;
    res.body = req.path + " from " + req.remote;
    return res;
  });
  ASSERT_TRUE(server.start().ok());

  RawConnection conn(server.port());
  conn.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
  auto first = conn.read_response();
  ASSERT_TRUE(first);
  conn.send("GET /two HTTP/1.1\r\nHost: x\r\n\r\n");
  auto second = conn.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(first->body.substr(0, 14), "/one from 127.");
  // The same client port on both answers proves the same connection carried them.
  EXPECT_EQ(first->body.substr(first->body.find(':')), second->body.substr(second->body.find(':')));
  EXPECT_EQ(first->headers["content-type"], "application/json");
}

TEST(Server, HeadIsAnsweredWithTheHeadersOfAGetAndNoBody) {
  Server server(test_options(), [](Request& req) {
    Response res;
    res.body = req.path + " answered";
    return res;
  });
  ASSERT_TRUE(server.start().ok());
  RawConnection conn(server.port());
  // Pipelined: a body after the HEAD's answer would be read as the start of the GET's.
  conn.send("HEAD /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n");
  auto head = conn.read_response(/*answers_head=*/true);
  auto get = conn.read_response();
  ASSERT_TRUE(head && get);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->headers["content-length"], std::to_string(std::string("/one answered").size()));
  EXPECT_EQ(head->headers["content-type"], "application/json");
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "/two answered");
}

TEST(Server, PipelinedRequestsAreAnsweredInOrder) {
  Server server(test_options(), [](Request& req) {
    Response res;
    res.body = req.path;
    return res;
  });
  ASSERT_TRUE(server.start().ok());
  RawConnection conn(server.port());
  conn.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n");
  auto a = conn.read_response();
  auto b = conn.read_response();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->body, "/1");
  EXPECT_EQ(b->body, "/2");
}

TEST(Server, OversizeBodyIs413AndCloses) {
  ServerOptions o = test_options();
  o.body_limit = 16;
  std::atomic<int> calls{0};
  Server server(o, [&](Request&) {
    ++calls;
    return Response{};
  });
  ASSERT_TRUE(server.start().ok());

  RawConnection conn(server.port());
  conn.send("POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'a'));
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(res->body, R"({"error":{"code":"too_large","message":"request body exceeds 16 bytes"}})");
  EXPECT_EQ(res->headers["connection"], "close");
  EXPECT_TRUE(conn.peer_closed());
  EXPECT_EQ(calls, 0);
}

TEST(Server, ClientStillUploadingSeesThe413RatherThanAReset) {
  ServerOptions o = test_options();
  o.body_limit = 1024;
  Server server(o, [](Request&) { return Response{}; });
  ASSERT_TRUE(server.start().ok());
  ingest::HttpClient client;
  ingest::OutboundRequest req;
  req.method = "POST";
  req.url = base_url(server) + "/items";
  req.body = std::string(4 * 1024 * 1024, 'a');
  auto res = client.send(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(res->body, R"({"error":{"code":"too_large","message":"request body exceeds 1024 bytes"}})");
}

// A client that writes its whole body before reading (as curl does when "100 Continue" is slow to come)
// still reads the 413: the server drains what it sends instead of resetting the connection.
TEST(Server, ClientThatSendsItsWholeBodyFirstSeesThe413) {
  ServerOptions o = test_options();
  o.body_limit = 1024;
  Server server(o, [](Request&) { return Response{}; });
  ASSERT_TRUE(server.start().ok());
  RawConnection conn(server.port());
  const std::size_t size = 8 * 1024 * 1024;
  conn.send("POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n" +
            std::string(size, 'a'));
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
}

TEST(Server, OversizeChunkedBodyIs413) {
  ServerOptions o = test_options();
  o.body_limit = 16;
  Server server(o, [](Request&) { return Response{}; });
  ASSERT_TRUE(server.start().ok());

  RawConnection conn(server.port());
  conn.send(
      "POST /items HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "10\r\n0123456789abcdef\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n");
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
}

TEST(Server, BodyAtTheLimitIsAccepted) {
  ServerOptions o = test_options();
  o.body_limit = 16;
  Server server(o, [](Request& req) {
    Response res;
    res.body = std::to_string(req.body.size());
    return res;
  });
  ASSERT_TRUE(server.start().ok());
  RawConnection conn(server.port());
  conn.send("POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\n\r\n" + std::string(16, 'a'));
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "16");
}

TEST(Server, MalformedRequestIs400AndCloses) {
  Server server(test_options(), [](Request&) { return Response{}; });
  ASSERT_TRUE(server.start().ok());
  RawConnection conn(server.port());
  conn.send("THIS IS NOT HTTP\r\n\r\n");
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find(R"({"error":{"code":"bad_request","message":"malformed request)"), std::string::npos)
      << res->body;
  EXPECT_TRUE(conn.peer_closed());
}

TEST(Server, BadContentLengthIs400) {
  Server server(test_options(), [](Request&) { return Response{}; });
  ASSERT_TRUE(server.start().ok());
  RawConnection conn(server.port());
  conn.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
}

TEST(Server, HandlerExceptionIs500AndTheServerCarriesOn) {
  Server server(test_options(), [](Request& req) -> Response {
    if (req.path == "/boom") throw std::runtime_error("store exploded");
    return Response{};
  });
  ASSERT_TRUE(server.start().ok());
  RawConnection conn(server.port());
  conn.send("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n");
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(res->body, R"({"error":{"code":"internal","message":"internal error"}})");
  conn.send("GET /fine HTTP/1.1\r\nHost: x\r\n\r\n");
  res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST(Server, NoContentHasNoBodyHeaders) {
  Server server(test_options(), [](Request&) {
    Response res;
    res.status = 204;
    res.body = "ignored";
    return res;
  });
  ASSERT_TRUE(server.start().ok());
  RawConnection conn(server.port());
  conn.send("DELETE /x HTTP/1.1\r\nHost: x\r\n\r\n");
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  EXPECT_EQ(res->headers.count("content-length"), 0u);
  EXPECT_EQ(res->headers.count("content-type"), 0u);
  EXPECT_EQ(res->headers["server"], "chorus");
  // The connection stays usable: the 204 carried no stray bytes.
  conn.send("DELETE /y HTTP/1.1\r\nHost: x\r\n\r\n");
  res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
}

TEST(Server, AnswersExpectContinueBeforeTheBody) {
  Server server(test_options(), [](Request& req) {
    Response res;
    res.body = req.body;
    return res;
  });
  ASSERT_TRUE(server.start().ok());
  RawConnection conn(server.port());
  conn.send("POST /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  auto interim = conn.read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  conn.send("hello");
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "hello");
}

TEST(Server, HeaderTimeoutClosesASlowClient) {
  ServerOptions o = test_options();
  o.header_timeout = 1s;
  Server server(o, [](Request&) { return Response{}; });
  ASSERT_TRUE(server.start().ok());
  RawConnection conn(server.port());
  conn.send("GET / HTTP/1.1\r\nHost:");
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(conn.peer_closed());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

TEST(Server, StopLetsAnInFlightRequestFinishAndClosesIdleConnections) {
  std::promise<void> entered;
  Server server(test_options(), [&](Request& req) {
    if (req.path == "/slow") {
      entered.set_value();
      std::this_thread::sleep_for(400ms);
    }
    Response res;
    res.body = "done " + req.path;
    return res;
  });
  ASSERT_TRUE(server.start().ok());

  RawConnection idle(server.port());
  idle.send("GET /warm HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(idle.read_response());

  auto slow = std::async(std::launch::async, [&] {
    ingest::HttpClient client;
    ingest::OutboundRequest req;
    req.url = base_url(server) + "/slow";
    return client.send(req);
  });
  entered.get_future().wait();
  auto t0 = std::chrono::steady_clock::now();
  server.stop(5s);
  auto took = std::chrono::steady_clock::now() - t0;

  auto res = slow.get();
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "done /slow");
  EXPECT_LT(took, 3s);
  EXPECT_TRUE(idle.peer_closed());
  EXPECT_THROW(RawConnection late(server.port(), 500), std::runtime_error);
  server.stop();  // a second stop is harmless, and so is the destructor's
}

TEST(Server, StopGivesUpWaitingAfterTheGrace) {
  std::promise<void> entered;
  Server server(test_options(), [&](Request&) {
    entered.set_value();
    std::this_thread::sleep_for(800ms);
    return Response{};
  });
  ASSERT_TRUE(server.start().ok());
  RawConnection conn(server.port());
  conn.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  entered.get_future().wait();
  auto t0 = std::chrono::steady_clock::now();
  server.stop(100ms);
  // stop() cannot interrupt a running handler; it returns once that handler does.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

// Deferred answers: the handler runs on the I/O thread, takes Request::defer and answers from elsewhere.
struct LaterReplies {
  std::mutex mu;
  std::condition_variable arrived;
  std::vector<Reply> replies;

  void add(Reply r) {
    std::lock_guard lock(mu);
    replies.push_back(std::move(r));
    arrived.notify_all();
  }
  Reply wait_for(std::size_t n) {
    std::unique_lock lock(mu);
    if (!arrived.wait_for(lock, 5s, [&] { return replies.size() >= n; })) throw std::runtime_error("no request came");
    return replies[n - 1];
  }
};

ServerOptions deferring_options() {
  ServerOptions o = test_options();
  o.io_threads = 1;
  o.on_io_thread = [](const Request&) { return true; };
  return o;
}

// Sends GET `path` on `conn` and reads its answer.
test::RawResponse get(RawConnection& conn, const std::string& path) {
  conn.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
  auto res = conn.read_response();
  if (!res) throw std::runtime_error("no answer to GET " + path);
  return *res;
}

Response text(int status, std::string body) {
  Response res;
  res.status = status;
  res.content_type = "text/plain";
  res.body = std::move(body);
  return res;
}

TEST(Server, ADeferredAnswerIsWrittenWhenItsReplyComesAndHoldsNoThread) {
  LaterReplies later;
  std::vector<int> answered_statuses;
  std::mutex statuses_mu;
  ServerOptions o = deferring_options();
  o.on_answer = [&](int status) {
    std::lock_guard lock(statuses_mu);
    answered_statuses.push_back(status);
  };
  Server server(o, [&](Request& req) {
    if (req.path == "/now") return text(200, "now");
    later.add(req.defer());
    return text(500, "the handler's own return value is not sent");
  });
  ASSERT_TRUE(server.start().ok());

  RawConnection waiting(server.port());
  waiting.send("POST /later HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  Reply reply = later.wait_for(1);
  // One I/O thread, and it is free: another connection is served while the first waits.
  RawConnection other(server.port());
  EXPECT_EQ(get(other, "/now").body, "now");

  std::thread([reply] {
    std::this_thread::sleep_for(50ms);
    reply(text(202, "stored"));
    reply(text(500, "a second answer is ignored"));
  }).join();
  auto first = waiting.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 202);
  EXPECT_EQ(first->body, "stored");
  // The connection carries on with the next request.
  auto next = get(waiting, "/now");
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(next.body, "now");
  std::lock_guard lock(statuses_mu);
  EXPECT_EQ(answered_statuses, (std::vector<int>{200, 202, 200}));
}

TEST(Server, AHandlerThatThrowsAfterDeferringAnswers500AndItsLateReplyIsDropped) {
  LaterReplies later;
  Server server(deferring_options(), [&](Request& req) -> Response {
    if (req.path == "/now") return text(200, "now");
    later.add(req.defer());
    throw std::runtime_error("failed after deferring");
  });
  ASSERT_TRUE(server.start().ok());
  RawConnection conn(server.port());
  EXPECT_EQ(get(conn, "/later").status, 500);
  later.wait_for(1)(text(202, "too late"));
  EXPECT_EQ(get(conn, "/now").body, "now");
}

TEST(Server, StopDoesNotWaitForeverOnADeferredAnswerAndALateReplyIsHarmless) {
  LaterReplies later;
  auto server = std::make_unique<Server>(deferring_options(), [&](Request& req) {
    later.add(req.defer());
    return Response{};
  });
  ASSERT_TRUE(server->start().ok());
  RawConnection conn(server->port());
  conn.send("GET /never HTTP/1.1\r\nHost: x\r\n\r\n");
  Reply reply = later.wait_for(1);
  auto t0 = std::chrono::steady_clock::now();
  server->stop(100ms);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  server.reset();
  reply(text(202, "after the server is gone"));  // dropped: nothing to write to
  EXPECT_TRUE(conn.peer_closed());
}

// On the handler threads too: the handler returns without an answer, its thread serves the next request,
// and the Reply answers later; a handler that throws after deferring still answers 500.
TEST(Server, AHandlerOnTheHandlerThreadsMayDeferItsAnswer) {
  LaterReplies later;
  ServerOptions o = test_options();
  o.threads = 1;
  Server server(o, [&](Request& req) -> Response {
    if (req.path == "/now") return text(200, "now");
    if (req.path == "/throws") {
      later.add(req.defer());
      throw std::runtime_error("failed after deferring");
    }
    later.add(req.defer());
    return text(500, "not sent");
  });
  ASSERT_TRUE(server.start().ok());
  RawConnection waiting(server.port());
  waiting.send("GET /later HTTP/1.1\r\nHost: x\r\n\r\n");
  Reply reply = later.wait_for(1);
  RawConnection other(server.port());  // the one handler thread is free again
  EXPECT_EQ(get(other, "/now").body, "now");
  reply(text(202, "stored"));
  auto answer = waiting.read_response();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 202);
  EXPECT_EQ(answer->body, "stored");

  EXPECT_EQ(get(waiting, "/throws").status, 500);
  later.wait_for(2)(text(202, "too late"));
  EXPECT_EQ(get(waiting, "/now").body, "now");
}

TEST(Server, AHandlerThatBlocksDoesNotHoldUpTheIoThread) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> entered;
  ServerOptions o = test_options();
  o.io_threads = 1;
  o.threads = 1;
  o.on_io_thread = [](const Request& req) { return req.path == "/fast"; };
  Server server(o, [&](Request& req) {
    if (req.path == "/slow") {
      entered.set_value();
      released.wait();
    }
    return text(200, req.path);
  });
  ASSERT_TRUE(server.start().ok());
  RawConnection slow(server.port());
  slow.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  entered.get_future().wait();
  RawConnection fast(server.port());
  EXPECT_EQ(get(fast, "/fast").body, "/fast");
  release.set_value();
  auto late = slow.read_response();
  ASSERT_TRUE(late);
  EXPECT_EQ(late->body, "/slow");
}

TEST(Server, StopWithoutStartAndTwiceIsSafe) {
  Server never(test_options(), [](Request&) { return Response{}; });
  never.stop();
  Server twice(test_options(), [](Request&) { return Response{}; });
  ASSERT_TRUE(twice.start().ok());
  twice.stop();
  twice.stop();
}

}  // namespace
}  // namespace chorus::http

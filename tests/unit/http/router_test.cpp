// Router: pattern matching, path parameters, precedence, 404 and 405.
#include "http/router.hpp"

#include <gtest/gtest.h>

namespace chorus::http {
namespace {

Handler answer(std::string name) {
  return [name](Request& req) {
    Response res;
    res.body = name;
    for (const auto& [k, v] : req.params) res.body += " " + k + "=" + v;
    return res;
  };
}

Request make(std::string method, std::string target) {
  Request req;
  req.method = std::move(method);
  req.target = target;
  req.path = percent_decode(target.substr(0, target.find('?')), false);
  return req;
}

Router api_router() {
  Router r;
  r.add("GET", "/v1/workspaces", answer("list"));
  r.add("POST", "/v1/workspaces", answer("create"));
  r.add("GET", "/v1/workspaces/{ws}", answer("one"));
  r.add("GET", "/v1/workspaces/{ws}/sources/{src}", answer("source"));
  r.add("DELETE", "/v1/workspaces/{ws}/sources/{src}", answer("delete"));
  r.add("GET", "/", answer("root"));
  return r;
}

TEST(Router, MatchesLiteralRoutes) {
  Router r = api_router();
  auto req = make("GET", "/v1/workspaces");
  EXPECT_EQ(r.dispatch(req).body, "list");
  req = make("POST", "/v1/workspaces");
  EXPECT_EQ(r.dispatch(req).body, "create");
  req = make("GET", "/");
  EXPECT_EQ(r.dispatch(req).body, "root");
}

TEST(Router, FillsPathParameters) {
  Router r = api_router();
  auto req = make("GET", "/v1/workspaces/42/sources/7?x=1");
  Response res = r.dispatch(req);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "source src=7 ws=42");
  EXPECT_EQ(req.params.at("ws"), "42");
  EXPECT_EQ(req.params.at("src"), "7");
}

TEST(Router, EncodedSlashStaysInsideItsParameter) {
  Router r;
  r.add("GET", "/v1/workspaces/{ws}/feedback/{uid}", answer("record"));
  auto req = make("GET", "/v1/workspaces/1/feedback/github%3Aacme%2Fapp%2317");
  EXPECT_EQ(r.dispatch(req).body, "record uid=github:acme/app#17 ws=1");
}

TEST(Router, WorksFromThePathAloneWhenThereIsNoTarget) {
  Router r = api_router();
  Request req;
  req.method = "GET";
  req.path = "/v1/workspaces/9";
  EXPECT_EQ(r.dispatch(req).body, "one ws=9");
}

TEST(Router, LiteralSegmentsBeatParametersWhateverTheOrder) {
  Router r;
  r.add("GET", "/v1/workspaces/{ws}/items/{id}", answer("param"));
  r.add("GET", "/v1/workspaces/{ws}/items/latest", answer("literal"));
  auto req = make("GET", "/v1/workspaces/3/items/latest");
  EXPECT_EQ(r.dispatch(req).body, "literal ws=3");
  req = make("GET", "/v1/workspaces/3/items/8");
  EXPECT_EQ(r.dispatch(req).body, "param id=8 ws=3");
}

TEST(Router, EarlierLiteralSegmentDecides) {
  Router r;
  r.add("GET", "/{a}/fixed", answer("second-literal"));
  r.add("GET", "/fixed/{b}", answer("first-literal"));
  auto req = make("GET", "/fixed/fixed");
  EXPECT_EQ(r.dispatch(req).body, "first-literal b=fixed");
}

TEST(Router, NoMatchIs404WithTheErrorObject) {
  Router r = api_router();
  auto req = make("GET", "/x");
  Response res = r.dispatch(req);
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.body, R"({"error":{"code":"not_found","message":"no route for GET /x"}})");
}

TEST(Router, SegmentCountAndTrailingSlashMatter) {
  Router r = api_router();
  auto req = make("GET", "/v1/workspaces/1/sources");
  EXPECT_EQ(r.dispatch(req).status, 404);
  req = make("GET", "/v1/workspaces/");
  EXPECT_EQ(r.dispatch(req).status, 404);
  req = make("GET", "/v1/workspaces/1/sources/2/extra");
  EXPECT_EQ(r.dispatch(req).status, 404);
}

TEST(Router, WrongMethodIs405WithAllow) {
  Router r = api_router();
  auto req = make("PUT", "/v1/workspaces/1/sources/2");
  Response res = r.dispatch(req);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.headers.get("allow"), "GET, HEAD, DELETE");
  EXPECT_NE(res.body.find(R"("code":"method_not_allowed")"), std::string::npos);

  req = make("DELETE", "/v1/workspaces");
  res = r.dispatch(req);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.headers.get("Allow"), "GET, HEAD, POST");

  // HEAD is answered by the GET route; a route without GET has no HEAD.
  req = make("HEAD", "/v1/workspaces");
  EXPECT_EQ(r.dispatch(req).status, 200);
  r.add("POST", "/v1/hooks/{src}", answer("hook"));
  req = make("HEAD", "/v1/hooks/2");
  res = r.dispatch(req);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.headers.get("Allow"), "POST");
}

TEST(Router, ListsRoutesInRegistrationOrder) {
  Router r = api_router();
  auto routes = r.routes();
  ASSERT_EQ(routes.size(), 6u);
  EXPECT_EQ(routes[0], (std::pair<std::string, std::string>{"GET", "/v1/workspaces"}));
  EXPECT_EQ(routes[4], (std::pair<std::string, std::string>{"DELETE", "/v1/workspaces/{ws}/sources/{src}"}));
}

TEST(Router, TellsWhichRequestsRunOnTheIoThread) {
  Router r = api_router();
  r.add("POST", "/v1/hooks/{src}", answer("hook"), Router::Thread::io);
  EXPECT_TRUE(r.runs_on_io_thread(make("POST", "/v1/hooks/7")));
  EXPECT_FALSE(r.runs_on_io_thread(make("GET", "/v1/workspaces/3")));
  EXPECT_FALSE(r.runs_on_io_thread(make("POST", "/v1/workspaces")));
  // 404 and 405 are answered at once.
  EXPECT_TRUE(r.runs_on_io_thread(make("GET", "/v1/nothing/here")));
  EXPECT_TRUE(r.runs_on_io_thread(make("GET", "/v1/hooks/7")));
  auto req = make("POST", "/v1/hooks/7");
  EXPECT_EQ(r.dispatch(req).body, "hook src=7");
}

}  // namespace
}  // namespace chorus::http

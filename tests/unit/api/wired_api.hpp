// A router over a throwaway data dir (SQLite store, embedded bus, a fixed secret box), wired by each test
// suite as `chorus serve` wires it; and the two tenants the route suites call it as.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "api/auth.hpp"
#include "api/context.hpp"
#include "bus/bus.hpp"
#include "store/store.hpp"

namespace chorus::api {

class WiredApi : public ::testing::Test {
 protected:
  // The routes the suite serves.
  virtual void wire(http::Router& router, AppContext& ctx) = 0;

  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "chorus-api-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto store = store::open_sqlite_store(dir_);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(store.value());
    auto bus = bus::open_embedded_bus(dir_);
    ASSERT_TRUE(bus) << bus.error().message;
    bus_ = std::move(bus.value());
    box_.emplace(SecretBox::from_raw_key(std::string(32, 'k')));
    ctx_.reset(new AppContext{*store_, *bus_, *box_, "admin-key", metrics_, nullptr, ""});
    wire(router_, *ctx_);
  }
  void TearDown() override {
    router_ = http::Router();  // workers behind the routes stop before the store they use
    ctx_.reset();
    bus_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<bus::Bus> bus_;
  std::optional<SecretBox> box_;
  Metrics metrics_;
  std::unique_ptr<AppContext> ctx_;
  http::Router router_;
};

// A response as the suites read it: the status, the body parsed (null when it is not JSON) and as sent.
struct Reply {
  int status = 0;
  json::value body;
  std::string raw;
};

// The API routes with two customers: acme (key "key-acme", workspace ws_) and globex (key "key-globex",
// workspace other_ws_), so every suite can call as one tenant and reach for the other's ids.
class TwoTenantApi : public WiredApi {
 protected:
  void wire(http::Router& router, AppContext& ctx) override { add_api_routes(router, ctx); }

  void SetUp() override {
    WiredApi::SetUp();
    if (HasFatalFailure()) return;
    auto acme = store_->create_customer("acme", hash_api_key("key-acme"));
    auto globex = store_->create_customer("globex", hash_api_key("key-globex"));
    ASSERT_TRUE(acme && globex);
    ws_ = std::to_string(store_->create_workspace(acme->id, "app")->id);
    other_ws_ = std::to_string(store_->create_workspace(globex->id, "theirs")->id);
  }

  // One request through the router as an HTTP client sends it; no key sends no authorization.
  Reply call(const std::string& method, const std::string& target, const std::string& body = "",
             const std::string& key = "key-acme") {
    http::Request req;
    req.method = method;
    req.target = target;
    auto q = target.find('?');
    req.path = http::percent_decode(target.substr(0, q), false);
    if (q != std::string::npos) req.query = http::parse_query(target.substr(q + 1));
    if (!key.empty()) req.headers.set("authorization", "Bearer " + key);
    req.body = body;
    auto res = router_.dispatch(req);
    Reply out{res.status, nullptr, res.body};
    if (auto v = parse_json(res.body)) out.body = std::move(*v);
    return out;
  }
  // The error message of a reply, or the whole reply when it has none.
  static std::string message(const Reply& r) {
    const auto* m = find_path(r.body, "error.message");
    return m && m->is_string() ? std::string(m->as_string()) : r.raw;
  }

  std::string ws_, other_ws_;
};

}  // namespace chorus::api

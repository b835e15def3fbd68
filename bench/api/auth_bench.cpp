// Authorisation per request: what add_route adds before a handler runs (the bearer key hashed, looked up in
// the in-process key cache, its revocation, expiry, role and workspace scope checked), against the same check
// with the cache emptied before each request (a store read on SQLite's reader connection).
//
//   auth_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "api/auth.hpp"
#include "api/context.hpp"
#include "bus/bus.hpp"
#include "store/store.hpp"

namespace {

using namespace chorus;

// A data dir with one customer, one workspace and a viewer key over it.
struct Setup {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<bus::Bus> bus;
  std::optional<SecretBox> box;
  api::Metrics metrics;
  std::unique_ptr<api::AppContext> ctx;
  std::string secret = "chk_benchmark-viewer-key-0123456789abcdef";
  Id workspace = 0, key_id = 0;

  Setup() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "chorus-auth-bench-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) std::abort();
    dir = tmpl;
    store = std::move(store::open_sqlite_store(dir).value());
    bus = std::move(bus::open_embedded_bus(dir).value());
    box.emplace(SecretBox::from_raw_key(std::string(32, 'k')));
    ctx.reset(new api::AppContext{*store, *bus, *box, "operator-key", metrics, nullptr, ""});
    auto customer = store->create_customer("acme", api::hash_api_key("chk_customer"))->id;
    workspace = store->create_workspace(customer, "app")->id;
    store::ApiKey key;
    key.customer_id = customer;
    key.name = "support";
    key.role = "viewer";
    key.workspaces = std::vector<Id>{workspace};
    key.key_hash = api::hash_api_key(secret);
    key_id = store->create_api_key(key)->id;
  }
  ~Setup() {
    ctx.reset();
    bus.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  http::Request request() const {
    http::Request req;
    req.method = "GET";
    req.path = req.target = "/v1/workspaces/" + std::to_string(workspace) + "/feedback";
    req.params["ws"] = std::to_string(workspace);
    req.headers.set("authorization", "Bearer " + secret);
    return req;
  }
};

Setup& setup() {
  static Setup s;
  return s;
}

void BM_AuthorizeCachedKey(benchmark::State& state) {
  auto& s = setup();
  http::Request req = s.request();
  for (auto _ : state) {
    req.auth.reset();
    auto ok = api::authorize(req, *s.ctx, api::Access::viewer);
    if (!ok) state.SkipWithError(ok.error().message.c_str());
    benchmark::DoNotOptimize(req.auth);
  }
}
BENCHMARK(BM_AuthorizeCachedKey);

void BM_AuthorizeCachedKeyWrongRole(benchmark::State& state) {
  auto& s = setup();
  http::Request req = s.request();
  for (auto _ : state) {
    req.auth.reset();
    auto refused = api::authorize(req, *s.ctx, api::Access::editor);
    if (refused) state.SkipWithError("a viewer passed an editor route");
    benchmark::DoNotOptimize(refused);
  }
}
BENCHMARK(BM_AuthorizeCachedKeyWrongRole);

void BM_AuthorizeUncachedKey(benchmark::State& state) {
  auto& s = setup();
  http::Request req = s.request();
  for (auto _ : state) {
    s.ctx->keys->forget_key(s.key_id);
    req.auth.reset();
    auto ok = api::authorize(req, *s.ctx, api::Access::viewer);
    if (!ok) state.SkipWithError(ok.error().message.c_str());
  }
}
BENCHMARK(BM_AuthorizeUncachedKey);

}  // namespace

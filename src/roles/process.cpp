// ChorusProcess wiring.
#include "roles/process.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <set>
#include <sstream>

#include "api/context.hpp"
#include "http/server.hpp"
#include "roles/alerts_role.hpp"
#include "roles/ingress_yield.hpp"
#include "roles/roles.hpp"
#include "roles/rollup_pace.hpp"

namespace chorus::roles {

// raw.items messages a parser takes at once while webhook deliveries arrive in its process.
constexpr std::size_t kBatchBesideIngress = 256;

namespace {

Result<std::set<std::string>> parse_roles(const std::string& text) {
  static const std::set<std::string> known{"api", "webhook", "fetcher", "parser", "reports"};
  if (text.empty() || text == "all") return known;
  std::set<std::string> out;
  std::stringstream ss(text);
  std::string role;
  while (std::getline(ss, role, ',')) {
    if (!known.contains(role))
      return make_error(ErrorCode::bad_request,
                        "unknown role '" + role + "'; roles are all, or a comma list of api,webhook,fetcher,parser,reports");
    out.insert(role);
  }
  if (out.empty()) return make_error(ErrorCode::bad_request, "--roles names no role");
  return out;
}

Result<std::pair<std::string, std::uint16_t>> parse_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return make_error(ErrorCode::bad_request, "--listen must be HOST:PORT, e.g. 127.0.0.1:8080");
  unsigned port = 0;
  auto [p, ec] = std::from_chars(listen.data() + colon + 1, listen.data() + listen.size(), port);
  if (ec != std::errc() || p != listen.data() + listen.size() || port > 65535)
    return make_error(ErrorCode::bad_request, "--listen port must be a number from 0 to 65535");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::make_pair(host, static_cast<std::uint16_t>(port));
}

Result<std::unique_ptr<store::Store>> open_store(const ServeConfig& config) {
  if (config.store == "sqlite") return store::open_sqlite_store(config.data_dir);
  if (config.store == "postgres") return store::open_postgres_store(config.postgres_url);
  return make_error(ErrorCode::bad_request, "--store must be sqlite or postgres, not '" + config.store + "'");
}

Result<std::unique_ptr<bus::Bus>> open_bus(const ServeConfig& config) {
  if (config.bus == "embedded") {
    if (config.bus_retention_hours < 0)
      return make_error(ErrorCode::bad_request, "--bus-retention-hours must be 0 (keep every message) or more");
    bus::EmbeddedBusOptions options;
    options.retention = std::nullopt;
    if (config.bus_retention_hours > 0)
      options.retention = std::chrono::milliseconds(static_cast<std::int64_t>(config.bus_retention_hours * 3'600'000.0));
    return bus::open_embedded_bus(config.data_dir, options);
  }
  if (config.bus != "kafka")
    return make_error(ErrorCode::bad_request, "--bus must be embedded or kafka, not '" + config.bus + "'");
  bus::KafkaOptions options;
  options.brokers = config.kafka_brokers;
  options.topic_prefix = config.kafka_topic_prefix;
  if (!config.kafka_config.empty()) {
    auto parsed = bus::parse_kafka_config(config.kafka_config);
    if (!parsed) return make_error(ErrorCode::bad_request, "--kafka-config: " + parsed.error().message);
    options.config = std::move(parsed).value();
  }
  return bus::open_kafka_bus(options);
}

}  // namespace

struct ChorusProcess::Impl {
  ServeConfig config;
  std::set<std::string> roles;
  // Above the bus, which outlives everything else but the store: a publish answered as the bus closes may
  // still count itself.
  api::Metrics metrics;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<bus::Bus> bus;
  std::optional<SecretBox> box;
  std::string admin_key;
  std::filesystem::path admin_key_file;
  std::unique_ptr<api::IngressBacklog> webhook_backlog;
  std::unique_ptr<IngressYield> ingress_yield;  // the parser's, when it runs beside the webhook role
  std::unique_ptr<RollupPace> rollup_pace;      // the parser's, when it runs beside the reports role
  std::unique_ptr<api::AppContext> app;
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::unique_ptr<ParserRole> parser;
  std::unique_ptr<ReportsRole> reports;
  std::unique_ptr<FetcherRole> fetcher;
  std::unique_ptr<AlertsRole> alerts;
  bool stopped = false;

  json::object role_health() const {
    json::object h;
    if (server) {
      if (roles.contains("api")) h["api"] = json::object{{"state", "running"}};
      if (roles.contains("webhook")) {
        json::object w{{"state", "running"}};
        if (webhook_backlog) w["backpressure"] = webhook_backlog->health();
        h["webhook"] = std::move(w);
      }
    }
    if (fetcher) h["fetcher"] = fetcher->health();
    if (parser) {
      json::object p = parser->health();
      if (ingress_yield) p["ingress_yield"] = ingress_yield->health();
      if (rollup_pace) p["rollup_pace"] = rollup_pace->health();
      h["parser"] = std::move(p);
    }
    if (reports) h["reports"] = reports->health();
    if (alerts) h["alerts"] = alerts->health();
    return h;
  }
};

ChorusProcess::ChorusProcess(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ChorusProcess::~ChorusProcess() { stop(); }

Result<std::unique_ptr<ChorusProcess>> ChorusProcess::start(const ServeConfig& config) {
  init_crypto();
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  auto roles = parse_roles(config.roles);
  if (!roles) return roles.error();
  impl->roles = *roles;
  auto egress = ingest::EgressPolicy::with_allowed(config.egress_allow);
  if (!egress) return egress.error();

  auto store = open_store(config);
  if (!store) return store.error();
  impl->store = std::move(store.value());

  auto bus = open_bus(config);
  if (!bus) return bus.error();
  impl->bus = std::move(bus.value());

  auto box = SecretBox::load(config.master_key, config.data_dir / "master.key");
  if (!box) return box.error();
  impl->box.emplace(std::move(box.value()));
  impl->admin_key_file = config.admin_key.empty() ? config.data_dir / "admin.key" : std::filesystem::path();
  auto admin = load_or_create_key_file(config.admin_key, config.data_dir / "admin.key", "chadm_");
  if (!admin) return admin.error();
  impl->admin_key = *admin;

  RoleDeps deps{*impl->store, *impl->bus, *impl->box, impl->metrics};
  if (impl->roles.contains("reports"))
    impl->reports = std::make_unique<ReportsRole>(deps, config.pipeline_priority);
  if (impl->roles.contains("webhook"))
    impl->webhook_backlog = std::make_unique<api::IngressBacklog>(*impl->bus, api::BacklogPolicy{config.webhook_max_backlog});
  if (impl->roles.contains("parser")) {
    ParserOptions po;
    po.batch_messages = config.parser_batch;
    po.priority = config.pipeline_priority;
    if (auto* backlog = impl->webhook_backlog.get(); backlog && config.parser_yield_backlog > 0) {
      IngressYieldPolicy yp;
      yp.busy_per_s = config.parser_yield_rate;
      // Well under the bound where webhooks are refused, so stepping aside never causes a refusal.
      yp.max_lag = config.webhook_max_backlog > 0 ? std::min(config.parser_yield_backlog, config.webhook_max_backlog / 2)
                                                  : config.parser_yield_backlog;
      impl->ingress_yield = std::make_unique<IngressYield>([backlog] { return backlog->accepted_total(); },
                                                           [backlog] { return backlog->cached_lag(); }, yp);
      po.hold = [y = impl->ingress_yield.get()] { return y->hold(); };
      // While deliveries arrive, small batches: a burst's first batch runs before the burst is measured, and
      // a large one would hold the CPU for most of a second. The backlog left after a burst drains in full
      // batches, a fraction of the commits.
      po.batch_cap = [y = impl->ingress_yield.get()] {
        return y->ingress_active() ? kBatchBesideIngress : std::numeric_limits<std::size_t>::max();
      };
    }
    // Beside the reports role on the embedded bus, the parser keeps about one reports batch ahead (RollupPace).
    if (impl->reports && impl->bus->kind() == "embedded" && config.parser_rollup_lag > 0) {
      impl->rollup_pace = std::make_unique<RollupPace>(
          [bus = impl->bus.get()] { return bus->group_position(bus::kFeedbackRecords, "reports"); },
          RollupPacePolicy{.max_lag = config.parser_rollup_lag});
      po.pace = [pace = impl->rollup_pace.get()] { return pace->hold(); };
    }
    impl->parser = std::make_unique<ParserRole>(deps, po);
  }
  if (impl->roles.contains("fetcher")) {
    FetcherOptions fo;
    fo.egress = *egress;
    fo.workers = config.fetch_workers;
    fo.schedule_tick = std::chrono::milliseconds(config.schedule_tick_ms);
    impl->fetcher = std::make_unique<FetcherRole>(deps, fo);
  }

  Impl* raw = impl.get();
  impl->app = std::make_unique<api::AppContext>(api::AppContext{*impl->store, *impl->bus, *impl->box,
                                                                impl->admin_key, impl->metrics,
                                                                [raw] { return raw->role_health(); },
                                                                config.web_root, impl->webhook_backlog.get()});
  impl->app->egress = *egress;
  bool listens = impl->roles.contains("api") || impl->roles.contains("webhook");
  if (listens) {
    api::add_system_routes(impl->router, *impl->app);
    if (impl->roles.contains("api")) api::add_api_routes(impl->router, *impl->app);
    if (impl->roles.contains("webhook")) api::add_webhook_routes(impl->router, *impl->app);
    auto listen = parse_listen(config.listen);
    if (!listen) return listen.error();
    http::ServerOptions so;
    so.host = listen->first;
    so.port = listen->second;
    so.io_threads = config.http_io_threads;
    so.threads = config.http_threads;
    // A webhook reads its source from the store: a local read with SQLite, a network round trip with
    // PostgreSQL, which would hold up every connection of the I/O thread; there it runs on the handler threads
    // (and still answers when its delivery is durable, without holding one).
    if (config.store == "sqlite")
      so.on_io_thread = [raw](const http::Request& req) { return raw->router.runs_on_io_thread(req); };
    so.body_limit = config.body_limit;
    so.on_answer = [raw](int status) {
      raw->metrics.add("chorus_http_requests_total{code=\"" + std::to_string(status / 100) + "xx\"}");
    };
    impl->server = std::make_unique<http::Server>(so, [raw](http::Request& req) { return raw->router.dispatch(req); });
  }

  if (impl->reports) impl->reports->start();
  if (impl->parser) impl->parser->start();
  if (impl->fetcher) impl->fetcher->start();
  // The constructor is private: only start() makes a process, and only with everything opened.
  std::unique_ptr<ChorusProcess> process(new ChorusProcess(std::move(impl)));
  if (process->impl_->server) {
    if (auto s = process->impl_->server->start(); !s) {
      process->stop();
      return s.error();
    }
  }
  // Alerts run with the reports role, started once the server knows its port (for links in messages).
  if (Impl& im = *process->impl_; im.reports) {
    AlertsOptions ao;
    ao.evaluate_every = std::chrono::milliseconds(config.alerts_evaluate_ms);
    ao.evaluator.settle_ms = config.alerts_settle_ms;
    ao.delivery.retry_base_ms = config.alerts_retry_base_ms;
    ao.delivery.egress = im.app->egress;
    ao.evaluator.dashboard_base = !config.public_url.empty() ? config.public_url
                                  : im.server                ? process->base_url()
                                                             : "http://127.0.0.1:8080";
    im.alerts = std::make_unique<AlertsRole>(RoleDeps{*im.store, *im.bus, *im.box, im.metrics}, ao);
    im.alerts->start();
  }
  return process;
}

std::uint16_t ChorusProcess::port() const { return impl_->server ? impl_->server->port() : 0; }

std::string ChorusProcess::base_url() const {
  auto listen = parse_listen(impl_->config.listen);
  std::string host = listen ? listen->first : "127.0.0.1";
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port());
}

std::filesystem::path ChorusProcess::admin_key_file() const { return impl_->admin_key_file; }
const std::string& ChorusProcess::admin_key() const { return impl_->admin_key; }

std::vector<std::pair<std::string, std::string>> ChorusProcess::routes() const { return impl_->router.routes(); }

const api::RouteAccessTable& ChorusProcess::route_access() const {
  static const api::RouteAccessTable none;
  return impl_->app ? *impl_->app->access : none;
}

void ChorusProcess::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  // Ingress first, so nothing new arrives; then the roles downstream of it, each finishing its batch.
  if (impl_->server) impl_->server->stop();
  if (impl_->fetcher) impl_->fetcher->stop();
  if (impl_->parser) impl_->parser->stop();
  if (impl_->reports) impl_->reports->stop();
  if (impl_->alerts) impl_->alerts->stop();
}

}  // namespace chorus::roles

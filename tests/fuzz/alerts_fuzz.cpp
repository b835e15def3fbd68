// Fuzz target: alert rule bodies, alert events and the URLs, hosts and ISO weeks inside them, all of which come
// from API callers. A rule that is accepted must never show a secret it was given; what this server writes
// as an event it reads back the same; an ISO week it names it parses back to the same Monday.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string_view>

#include "alerts/alert_rule.hpp"
#include "alerts/outbound_url.hpp"
#include "insights/weekly_digest.hpp"

namespace {

struct Fixture {
  chorus::SecretBox box = chorus::SecretBox::from_raw_key(std::string(32, 'f'));
  chorus::ingest::EgressPolicy egress;
  std::unique_ptr<chorus::store::Store> store;
  chorus::Id ws = 0;
  Fixture() {
    chorus::init_crypto();
    std::string dir =
        (std::filesystem::temp_directory_path() / ("chorus-alerts-fuzz-" + std::to_string(getpid()))).string();
    store = std::move(chorus::store::open_sqlite_store(dir).value());
    auto c = store->create_customer("fuzz", "hash-" + std::to_string(getpid()));
    ws = store->create_workspace(c->id, "fuzz")->id;
  }
};

void check_rule(Fixture& f, const chorus::json::object& body) {
  using namespace chorus;
  auto made = alerts::rule_from_body(body, f.box, f.egress, *f.store, f.ws, std::nullopt);
  if (!made) return;
  std::string shown = to_json_string(alerts::rule_to_json(made->rule));
  if (const auto* channel = body.if_contains("channel"); channel && channel->is_object())
    if (const auto* c = alerts::find_channel(made->rule.channel_type))
      for (const auto& field : c->fields()) {
        const auto* v = channel->get_object().if_contains(field.name);
        if (field.secret && v && v->is_string() && v->get_string().size() >= 8 &&
            shown.find(std::string(v->get_string())) != std::string::npos)
          std::abort();  // a secret leaked into the API's view
      }
  // A PATCH with the same body over the rule is accepted too, and keeps the kind.
  auto again = alerts::rule_from_body(body, f.box, f.egress, *f.store, f.ws, made->rule);
  if (again && again->rule.kind != made->rule.kind) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chorus;
  static Fixture fixture;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)alerts::check_outbound_url(input, "url", fixture.egress);
  (void)alerts::check_outbound_host(input, "host", fixture.egress);
  if (auto week = insights::parse_iso_week(input))
    if (insights::parse_iso_week(insights::iso_week_of(*week)) != week) std::abort();
  if (auto event = alerts::event_from_json(input)) {
    std::string once = to_json_string(alerts::event_to_json(*event));
    auto back = alerts::event_from_json(once);
    if (!back || to_json_string(alerts::event_to_json(*back)) != once) std::abort();
  }
  auto v = parse_json(input);
  if (v && v->is_object()) check_rule(fixture, v->get_object());
  return 0;
}

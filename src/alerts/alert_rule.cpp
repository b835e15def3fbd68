// Alert rule kinds, parameters and channels: validation, defaults, sealing and the API's view.
#include "alerts/alert_rule.hpp"

#include <cmath>
#include <cstdio>

namespace chorus::alerts {

namespace {

const ParamSpec kLag{"live_lag_hours",
                     "number",
                     0.25,
                     168,
                     "6",
                     false,
                     "an item that arrives more than this long after its own time is history: it never triggers"};
const ParamSpec kWindow{"window_hours", "integer", 1, 168, "24", false, "the window items are counted over"};
const ParamSpec kUpdateFactor{"update_factor",
                              "number",
                              1.1,
                              100,
                              "2",
                              false,
                              "after the alert was sent, one update follows when the count reaches this many times "
                              "the count it sent (2: it doubled); never more than one update per alert"};

const std::vector<RuleKind>& kinds() {
  static const std::vector<RuleKind> all{
      {"emerging",
       "a theme bursts far above its baseline (live items in the window against the trailing 28 days)",
       {{"themes", "string[]", 0, 0, "[]", false, "the themes to watch; empty watches every theme"},
        {"min_score", "number", 0.5, 300, "6", false, "how surprising the count must be: -log10 of its chance"},
        {"min_count", "integer", 1, 1000000, "8", false, "live items the burst needs at least"},
        kWindow,
        kLag,
        kUpdateFactor}},
      {"negative_share",
       "the share of negative feedback among live items over the window rises above a threshold",
       {{"threshold", "number", 0.01, 1, "", false, "the share, from 0.01 to 1, such as 0.4"},
        {"min_items", "integer", 1, 1000000, "20", false, "live items the window needs before the share counts"},
        kWindow,
        kLag,
        kUpdateFactor}},
      {"new_theme",
       "a theme not seen in the trailing days reaches a number of live items",
       {{"min_count", "integer", 1, 1000000, "5", false, "live items the new theme needs"},
        {"lookback_days", "integer", 1, 365, "28", false, "how far back the theme must be unseen"},
        kWindow,
        kLag,
        kUpdateFactor}},
      {"source_stale",
       "a source fails, or brings nothing for its expected interval",
       {{"sources", "string[]", 0, 0, "[]", false, "the source ids to watch; empty watches every source"},
        {"expected_every_hours", "number", 0.25, 720, "", true,
         "for sources without a schedule (webhook and push sources): how long they may bring nothing; left out, "
         "1.5 times the longest quiet spell of their last 28 days (at least 2 h, at most 7 days), once they "
         "have 3 days of history"}}},
      {"weekly_digest",
       "every Monday, the digest of the week that ended: volume, sentiment, top themes, movers, new themes, "
       "emerging issues",
       {{"hour_utc", "integer", 0, 23, "8", false, "the hour (UTC) on Monday after which it is sent"}}},
  };
  return all;
}

Error bad(std::string message) { return make_error(ErrorCode::bad_request, std::move(message)); }

std::string names_of(const std::vector<ParamSpec>& params) {
  std::string out;
  for (const auto& p : params) out += (out.empty() ? "" : ", ") + p.name;
  return out;
}

Result<json::object> parse_params(const RuleKind& kind, const json::object* given, const json::object* previous) {
  json::object out;
  if (given)
    for (const auto& kv : *given) {
      bool known = false;
      for (const auto& p : kind.params) known = known || p.name == kv.key();
      if (!known)
        return bad("params." + std::string(kv.key()) + " is not a setting of " + kind.name + " alerts; they take " +
                   (kind.params.empty() ? std::string("none") : names_of(kind.params)));
    }
  for (const auto& p : kind.params) {
    const json::value* v = given ? given->if_contains(p.name) : nullptr;
    if ((!v || v->is_null()) && previous) v = previous->if_contains(p.name);
    json::value value;
    if (v && !v->is_null()) {
      value = *v;
    } else if (!p.default_value.empty()) {
      value = *parse_json(p.default_value);
    } else {
      if (p.optional) continue;
      return bad("params." + p.name + " is required for " + kind.name + " alerts: " + p.description);
    }
    const std::string what = "params." + p.name;
    if (p.type == "string[]") {
      if (!value.is_array()) return bad(what + " must be a list of strings");
      json::array cleaned;
      for (const auto& x : value.get_array()) {
        auto s = scalar_to_string(x);
        if (!s || s->empty() || s->size() > 200) return bad(what + " must be a list of non-empty strings");
        cleaned.emplace_back(*s);
      }
      if (cleaned.size() > 100) return bad(what + " may list at most 100 entries");
      out[p.name] = std::move(cleaned);
      continue;
    }
    // Bounds as people write them ("1 to 1000000", "0.01 to 1"), not as JSON serialises doubles ("1E0").
    auto plain = [](double x) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.10g", x);
      return std::string(buf);
    };
    if (!value.is_number()) return bad(what + " must be a number from " + plain(p.min) + " to " + plain(p.max));
    double d = value.to_number<double>();
    if (!std::isfinite(d) || d < p.min || d > p.max || (p.type == "integer" && d != std::floor(d)))
      return bad(what + " must be " + (p.type == "integer" ? "a whole number" : "a number") + " from " + plain(p.min) +
                 " to " + plain(p.max));
    if (p.type == "integer")
      out[p.name] = static_cast<std::int64_t>(d);
    else
      out[p.name] = d;
  }
  return out;
}

// Splits a channel body into settings (defaults applied) and secrets, refusing unknown names and wrong types.
Result<ChannelSettings> parse_channel(const Channel& channel, const json::object& body,
                                      const ChannelSettings* previous) {
  ChannelSettings s;
  for (const auto& kv : body) {
    if (kv.key() == "type") continue;
    bool known = false;
    for (const auto& f : channel.fields()) known = known || f.name == kv.key();
    if (!known) {
      std::string names;
      for (const auto& f : channel.fields()) names += (names.empty() ? "" : ", ") + f.name;
      return bad("channel." + std::string(kv.key()) + " is not a setting of " + std::string(channel.type()) +
                 " channels; they take " + names);
    }
  }
  for (const auto& f : channel.fields()) {
    const json::value* v = body.if_contains(f.name);
    json::object& target = f.secret ? s.secrets : s.config;
    const std::string what = "channel." + f.name;
    if (!v || v->is_null()) {
      // A PATCH that leaves a secret out keeps the one stored (secrets are never shown, so never sent back).
      if (previous && f.secret && previous->secrets.contains(f.name)) {
        target[f.name] = previous->secrets.at(f.name);
        continue;
      }
      if (!f.default_value.empty()) {
        target[f.name] = *parse_json(f.default_value);
        continue;
      }
      if (f.required) return bad(what + " is required: " + f.description);
      continue;
    }
    if (f.type == "url" || f.type == "string") {
      if (!v->is_string()) return bad(what + " must be a string");
      if (v->get_string().size() > 2048) return bad(what + " is too long");
      target[f.name] = *v;
    } else if (f.type == "integer") {
      if (!v->is_int64() && !v->is_uint64()) return bad(what + " must be a whole number");
      if (v->is_uint64() && v->as_uint64() > 1000000) return bad(what + " is out of range");
      target[f.name] = v->to_number<std::int64_t>();
    } else if (f.type == "boolean") {
      if (!v->is_bool()) return bad(what + " must be true or false");
      target[f.name] = *v;
    } else if (f.type == "string[]") {
      json::array list;
      if (v->is_string())
        list.push_back(*v);
      else if (v->is_array())
        list = v->get_array();
      else
        return bad(what + " must be a list of strings");
      for (const auto& x : list)
        if (!x.is_string()) return bad(what + " must be a list of strings");
      target[f.name] = std::move(list);
    }
  }
  return s;
}

Status check_sources(store::Store& store, Id workspace_id, const json::object& params) {
  const auto* sources = params.if_contains("sources");
  if (!sources || !sources->is_array()) return {};
  for (const auto& s : sources->get_array()) {
    std::string text(s.get_string());
    Id id = 0;
    try {
      std::size_t used = 0;
      id = std::stoll(text, &used);
      if (used != text.size() || id <= 0) id = 0;
    } catch (...) {
      id = 0;
    }
    if (id == 0) return bad("params.sources: \"" + text + "\" is not a source id");
    auto found = store.get_source(workspace_id, id);
    if (!found) {
      if (found.error().code != ErrorCode::not_found) return found.error();
      return bad("params.sources: source " + text + " does not exist in this workspace");
    }
  }
  return {};
}

// The channel of a POST, or of a PATCH that sends one: its settings validated, secrets sealed, secrets the
// channel made kept for the one response that shows them.
Status apply_channel(const json::object& body, const SecretBox& box, const ingest::EgressPolicy& egress,
                     const std::optional<store::AlertRule>& existing, RuleChange& change) {
  store::AlertRule& rule = change.rule;
  const json::value* channel_v = body.if_contains("channel");
  if (channel_v && !channel_v->is_null()) {
    if (!channel_v->is_object()) return bad("channel must be an object such as {\"type\":\"slack\",\"url\":\"...\"}");
    const auto& ch = channel_v->get_object();
    std::string types;
    for (const Channel* c : all_channels()) types += (types.empty() ? "" : ", ") + std::string(c->type());
    const auto* type_v = ch.if_contains("type");
    std::string type =
        type_v && type_v->is_string() ? std::string(type_v->get_string()) : (existing ? existing->channel_type : "");
    if (type.empty()) return bad("channel.type is required: one of " + types);
    const Channel* channel = find_channel(type);
    if (!channel) return bad("channel.type \"" + type + "\" is not a channel; use one of " + types);
    std::optional<ChannelSettings> previous;
    if (existing && existing->channel_type == type) {
      auto opened = open_channel(*existing, box);
      if (!opened) return opened.error();
      previous = std::move(*opened);
    }
    auto settings = parse_channel(*channel, ch, previous ? &*previous : nullptr);
    if (!settings) return settings.error();
    for (const auto& name : channel->complete(*settings)) change.shown_once[name] = settings->secrets.at(name);
    if (auto s = channel->validate(*settings, egress); !s) return s.error();
    rule.channel_type = type;
    rule.channel = settings->config;
    rule.sealed_secrets = settings->secrets.empty() ? "" : box.seal(to_json_string(settings->secrets));
  } else if (!existing) {
    return bad(
        "channel is required: {\"type\":\"slack\",\"url\":...}, {\"type\":\"webhook\",\"url\":...} or "
        "{\"type\":\"email\",\"host\":...,\"from\":...,\"to\":[...]}");
  }
  return {};
}

}  // namespace

std::span<const RuleKind> rule_kinds() { return kinds(); }

const RuleKind* find_rule_kind(std::string_view name) {
  for (const auto& k : kinds())
    if (k.name == name) return &k;
  return nullptr;
}

Result<ChannelSettings> open_channel(const store::AlertRule& rule, const SecretBox& box) {
  ChannelSettings s;
  s.config = rule.channel;
  if (rule.sealed_secrets.empty()) return s;
  auto opened = box.open(rule.sealed_secrets);
  if (!opened)
    return make_error(ErrorCode::internal, "the secrets of alert " + std::to_string(rule.id) +
                                               " cannot be opened with this server's master key");
  auto v = parse_json(*opened);
  if (!v || !v->is_object())
    return make_error(ErrorCode::internal, "the secrets of alert " + std::to_string(rule.id) + " are unreadable");
  s.secrets = v->get_object();
  return s;
}

Result<RuleChange> rule_from_body(const json::object& body, const SecretBox& box, const ingest::EgressPolicy& egress,
                                  store::Store& store, Id workspace_id,
                                  const std::optional<store::AlertRule>& existing) {
  static const char* kTop[] = {"name", "kind", "params", "channel", "enabled"};
  for (const auto& kv : body) {
    bool known = false;
    for (const char* k : kTop) known = known || kv.key() == k;
    if (!known)
      return bad(std::string(kv.key()) + " is not a field of an alert; send name, kind, params, channel and enabled");
  }
  if (existing) {
    // A change names something to change; null is no value for any of an alert's fields.
    bool any = false;
    for (const auto& kv : body) {
      if (kv.value().is_null()) return bad(std::string(kv.key()) + " cannot be null; leave it out to keep it as it is");
      any = true;
    }
    if (!any) return bad("nothing to change; send one or more of name, params, channel, enabled");
  }
  RuleChange change;
  store::AlertRule& rule = change.rule;
  if (existing) rule = *existing;
  rule.workspace_id = workspace_id;

  if (const auto* name = body.if_contains("name"); name && !name->is_null()) {
    if (!name->is_string() || name->get_string().find_first_not_of(" \t\r\n") == std::string_view::npos ||
        name->get_string().size() > 200)
      return bad("name must be a string of 1 to 200 characters, not only spaces, such as \"Checkout problems\"");
    rule.name = std::string(name->get_string());
  } else if (!existing) {
    return bad("name is required: a string such as \"Checkout problems\"");
  }

  const json::value* kind_v = body.if_contains("kind");
  if (existing && kind_v && !kind_v->is_null() && (!kind_v->is_string() || kind_v->get_string() != existing->kind))
    return bad("kind cannot change; create a new alert instead");
  if (!existing) {
    std::string known;
    for (const auto& k : kinds()) known += (known.empty() ? "" : ", ") + k.name;
    if (!kind_v || !kind_v->is_string()) return bad("kind is required: one of " + known);
    if (!find_rule_kind(kind_v->get_string()))
      return bad("kind \"" + std::string(kind_v->get_string()) + "\" is not an alert kind; use one of " + known);
    rule.kind = std::string(kind_v->get_string());
  }
  const RuleKind& kind = *find_rule_kind(rule.kind);

  const json::value* params_v = body.if_contains("params");
  if (params_v && !params_v->is_null() && !params_v->is_object()) return bad("params must be an object");
  const json::object* given = params_v && params_v->is_object() ? &params_v->get_object() : nullptr;
  auto params = parse_params(kind, given, existing ? &existing->params : nullptr);
  if (!params) return params.error();
  if (auto s = check_sources(store, workspace_id, *params); !s) return s.error();
  rule.params = std::move(*params);

  if (auto s = apply_channel(body, box, egress, existing, change); !s) return s.error();

  if (const auto* enabled = body.if_contains("enabled"); enabled && !enabled->is_null()) {
    if (!enabled->is_bool()) return bad("enabled must be true or false");
    rule.enabled = enabled->as_bool();
    if (rule.enabled)
      rule.disabled_reason.reset();
    else if (!rule.disabled_reason)
      rule.disabled_reason = "disabled through the API";
  } else if (!existing) {
    rule.enabled = true;
  }
  return change;
}

json::object rule_to_json(const store::AlertRule& rule) {
  json::object channel{{"type", rule.channel_type}};
  for (const auto& kv : rule.channel) channel[kv.key()] = kv.value();
  json::array secrets_set;
  if (const Channel* c = find_channel(rule.channel_type))
    for (const auto& f : c->fields())
      if (f.secret && !rule.sealed_secrets.empty()) secrets_set.emplace_back(f.name);
  channel["secrets_set"] = std::move(secrets_set);
  std::string base = "/v1/workspaces/" + std::to_string(rule.workspace_id) + "/alerts/" + std::to_string(rule.id);
  return json::object{
      {"id", std::to_string(rule.id)},
      {"workspace_id", std::to_string(rule.workspace_id)},
      {"name", rule.name},
      {"kind", rule.kind},
      {"params", rule.params},
      {"channel", std::move(channel)},
      {"enabled", rule.enabled},
      {"disabled_reason", rule.disabled_reason ? json::value(*rule.disabled_reason) : json::value(nullptr)},
      {"created_at", format_time(rule.created_at)},
      {"updated_at", format_time(rule.updated_at)},
      {"deliveries_url", base + "/deliveries"}};
}

double param_number(const store::AlertRule& rule, std::string_view name, double fallback) {
  const auto* v = rule.params.if_contains(name);
  return v && v->is_number() ? v->to_number<double>() : fallback;
}

std::vector<std::string> param_strings(const store::AlertRule& rule, std::string_view name) {
  std::vector<std::string> out;
  const auto* v = rule.params.if_contains(name);
  if (v && v->is_array())
    for (const auto& x : v->get_array())
      if (x.is_string()) out.emplace_back(x.get_string());
  return out;
}

}  // namespace chorus::alerts

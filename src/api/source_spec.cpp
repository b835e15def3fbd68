// SourceSpec validation and the public views of workspaces, sources and syncs.
#include "api/source_spec.hpp"

#include <algorithm>
#include <charconv>

#include "api/respond.hpp"
#include "ingest/webhook_scheme.hpp"

namespace chorus::api {

Result<std::int64_t> parse_every(std::string_view text) {
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  std::string_view unit(p, static_cast<std::size_t>(text.data() + text.size() - p));
  std::int64_t scale = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
  if (ec != std::errc() || scale == 0 || n <= 0)
    return make_error(ErrorCode::bad_request,
                      "schedule.every must be a duration such as \"30s\", \"15m\", \"1h\" or \"1d\"");
  // Checked before multiplying: a number of days near the integer's limit would wrap to a negative interval,
  // and a source would sync on every tick.
  if (n > kMaxEverySeconds / scale)
    return make_error(ErrorCode::bad_request, "schedule.every must be at most 365d; to stop syncing, pause the source");
  if (n * scale < 10) return make_error(ErrorCode::bad_request, "schedule.every must be at least 10s");
  return n * scale;
}

std::string format_every(std::int64_t s) {
  if (s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

namespace {

Result<json::object> optional_object(const json::object& spec, std::string_view key, const std::string& where) {
  auto it = spec.find(key);
  if (it == spec.end() || it->value().is_null()) return json::object{};
  if (!it->value().is_object())
    return make_error(ErrorCode::bad_request, where + std::string(key) + " must be a JSON object");
  return it->value().get_object();
}

Error prefixed(const Error& e, const std::string& where) {
  return Error{e.code, where + e.message};
}

// {"every": "15m"} of a connector that pulls.
Result<std::int64_t> parse_schedule(const json::object& schedule, const connectors::Connector& connector,
                                    const std::string& where) {
  auto every = get_string(schedule, "every");
  if (!every) return make_error(ErrorCode::bad_request, where + "schedule.every is required, e.g. \"15m\"");
  auto secs = parse_every(*every);
  if (!secs) return prefixed(secs.error(), where);
  if (!connector.pulls())
    return make_error(ErrorCode::bad_request,
                      where + "schedule is not available: " + std::string(connector.type()) + " sources are push-only");
  return *secs;
}

// {"scheme", "secret"}: the scheme one of the connector's (the current one when omitted and there is one).
Result<std::pair<std::string, std::string>> parse_webhook(const json::object& webhook,
                                                          const connectors::Connector& connector,
                                                          const std::optional<std::string>& current_scheme,
                                                          const std::string& where) {
  json::value wv(webhook);
  auto scheme = get_string(wv, "scheme");
  if (!webhook.contains("scheme") && current_scheme) scheme = current_scheme;
  auto schemes = connector.webhook_schemes();
  std::string allowed;
  for (auto s : schemes) allowed += (allowed.empty() ? "" : ", ") + std::string(s);
  if (!scheme || std::find(schemes.begin(), schemes.end(), *scheme) == schemes.end())
    return make_error(ErrorCode::bad_request,
                      where + "webhook.scheme must be one of: " +
                          (allowed.empty() ? "(none for " + std::string(connector.type()) + ")" : allowed));
  auto secret = get_string(wv, "secret");
  if (!secret || secret->empty() || !webhook.at("secret").is_string())
    return make_error(ErrorCode::bad_request,
                      where + "webhook.secret is required: the shared secret the sender signs with");
  if (const auto* s = ingest::find_webhook_scheme(*scheme))
    if (auto ok = s->check_secret(*secret); !ok) return prefixed(ok.error(), where);
  return std::pair{*scheme, *secret};
}

}  // namespace

Result<store::Source> parse_source_spec(const json::object& spec, const std::string& where, AppContext& ctx) {
  if (auto s = only_known_fields(spec, {"type", "name", "config", "credentials", "schedule", "webhook"}, "a source");
      !s)
    return prefixed(s.error(), where);
  auto type_it = spec.find("type");
  if (type_it == spec.end() || !type_it->value().is_string())
    return make_error(ErrorCode::bad_request, where + "type is required (GET /v1/connectors lists the types)");
  std::string type(type_it->value().get_string());
  const auto* connector = connectors::find_connector(type);
  if (!connector)
    return make_error(ErrorCode::bad_request,
                      where + "type '" + type + "' is not a known source type; GET /v1/connectors lists them");
  store::Source src;
  src.type = type;
  src.name = type;
  if (auto it = spec.find("name"); it != spec.end() && !it->value().is_null()) {  // null: not given
    auto name = display_name(it->value(), where + "name");
    if (!name) return name.error();
    src.name = std::move(*name);
  }
  auto config = optional_object(spec, "config", where);
  if (!config) return config.error();
  auto credentials = optional_object(spec, "credentials", where);
  if (!credentials) return credentials.error();
  if (auto s = connectors::validate_fields(*connector, *config, *credentials); !s) return prefixed(s.error(), where);
  src.config = std::move(*config);

  auto schedule = optional_object(spec, "schedule", where);
  if (!schedule) return schedule.error();
  if (!schedule->empty()) {
    auto secs = parse_schedule(*schedule, *connector, where);
    if (!secs) return secs.error();
    src.schedule_every_s = *secs;
  }

  std::string webhook_secret;
  auto webhook = optional_object(spec, "webhook", where);
  if (!webhook) return webhook.error();
  if (!webhook->empty()) {
    auto w = parse_webhook(*webhook, *connector, std::nullopt, where);
    if (!w) return w.error();
    src.webhook_scheme = w->first;
    webhook_secret = w->second;
  }
  json::object sealed{{"credentials", std::move(*credentials)}, {"webhook_secret", webhook_secret}};
  src.sealed_secrets = ctx.secrets.seal(to_json_string(sealed));
  return src;
}

Result<SourceChange> patch_source(const store::Source& current, const json::object& body, AppContext& ctx) {
  static constexpr std::string_view kFields[] = {"name", "config", "credentials", "schedule", "webhook", "paused"};
  for (const auto& kv : body) {
    if (kv.key() == "type")
      return make_error(ErrorCode::bad_request,
                        "type cannot be changed; create a new source of the other type and delete this one");
    if (std::find(std::begin(kFields), std::end(kFields), kv.key()) == std::end(kFields))
      return make_error(ErrorCode::bad_request, std::string(kv.key()) +
                                                    " cannot be changed; send name, config, credentials, schedule, "
                                                    "webhook or paused");
  }
  if (body.empty())
    return make_error(ErrorCode::bad_request,
                      "nothing to change; send one or more of name, config, credentials, schedule, webhook, paused");
  const auto* connector = connectors::find_connector(current.type);
  if (!connector) return make_error(ErrorCode::internal, "source type " + current.type + " is not registered");
  auto secrets = open_source_secrets(current, ctx.secrets);
  if (!secrets) return secrets.error();

  SourceChange change;
  change.source = current;
  store::Source& src = change.source;
  for (const auto& kv : body) change.changed.emplace_back(kv.key());

  if (const json::value* v = body.if_contains("name")) {
    auto name = display_name(*v, "name");
    if (!name) return name.error();
    src.name = std::move(*name);
  }
  if (const json::value* v = body.if_contains("paused")) {
    if (!v->is_bool()) return make_error(ErrorCode::bad_request, "paused must be true or false");
    src.paused = v->get_bool();
  }
  // config and credentials are whole replacements, checked together as on create: a new config is checked
  // against the stored credentials, new credentials against the stored config.
  json::object config = current.config;
  json::object credentials = secrets->credentials;
  if (const json::value* v = body.if_contains("config")) {
    if (!v->is_object()) return make_error(ErrorCode::bad_request, "config must be a JSON object");
    config = v->get_object();
  }
  if (const json::value* v = body.if_contains("credentials")) {
    if (!v->is_object()) return make_error(ErrorCode::bad_request, "credentials must be a JSON object");
    credentials = v->get_object();
  }
  if (body.contains("config") || body.contains("credentials"))
    if (auto s = connectors::validate_fields(*connector, config, credentials); !s) return s.error();
  // Another config may name another place to read from: the next sync starts from the beginning there.
  change.reset_cursor = config != current.config;
  src.config = std::move(config);

  if (const json::value* v = body.if_contains("schedule")) {
    if (v->is_null()) {
      src.schedule_every_s.reset();
    } else if (!v->is_object()) {
      return make_error(ErrorCode::bad_request,
                        "schedule must be {\"every\": \"15m\"}, or null for syncs on demand only");
    } else {
      auto secs = parse_schedule(v->get_object(), *connector, "");
      if (!secs) return secs.error();
      src.schedule_every_s = *secs;
    }
  }
  std::string webhook_secret = secrets->webhook_secret;
  if (const json::value* v = body.if_contains("webhook")) {
    if (v->is_null()) {
      src.webhook_scheme.reset();
      webhook_secret.clear();
    } else if (!v->is_object()) {
      return make_error(ErrorCode::bad_request, "webhook must be {\"scheme\", \"secret\"}, or null to turn it off");
    } else {
      for (const auto& kv : v->get_object())
        if (kv.key() != "scheme" && kv.key() != "secret")
          return make_error(ErrorCode::bad_request,
                            "webhook." + std::string(kv.key()) + " is not a webhook field; send scheme and secret");
      auto w = parse_webhook(v->get_object(), *connector, current.webhook_scheme, "");
      if (!w) return w.error();
      src.webhook_scheme = w->first;
      webhook_secret = w->second;
    }
  }
  json::object sealed{{"credentials", std::move(credentials)}, {"webhook_secret", webhook_secret}};
  src.sealed_secrets = ctx.secrets.seal(to_json_string(sealed));
  return change;
}

Result<SourceSecrets> open_source_secrets(const store::Source& source, const SecretBox& box) {
  auto plain = box.open(source.sealed_secrets);
  if (!plain) return plain.error();
  auto v = parse_json(*plain);
  if (!v || !v->is_object()) return make_error(ErrorCode::internal, "source secrets are corrupt");
  SourceSecrets out;
  if (auto it = v->get_object().find("credentials"); it != v->get_object().end() && it->value().is_object())
    out.credentials = it->value().get_object();
  out.webhook_secret = get_string(*v, "webhook_secret").value_or("");
  return out;
}

connectors::SourceSettings source_settings(const store::Source& source, json::object credentials) {
  return connectors::SourceSettings{source.workspace_id, source.id, source.type, source.config, std::move(credentials)};
}

json::object source_view(const store::Source& s) {
  json::object status{{"state", s.status.state},
                      {"last_sync_at", s.status.last_sync_at ? json::value(format_time(*s.status.last_sync_at))
                                                             : json::value(nullptr)},
                      {"last_error", s.status.last_error ? json::value(*s.status.last_error) : json::value(nullptr)},
                      {"items_total", s.status.items_total},
                      {"cursor", s.status.cursor.empty() ? json::value(nullptr) : json::value(s.status.cursor)}};
  return json::object{
      {"id", std::to_string(s.id)},
      {"workspace_id", std::to_string(s.workspace_id)},
      {"type", s.type},
      {"name", s.name},
      {"config", s.config},
      {"schedule", s.schedule_every_s ? json::value(json::object{{"every", format_every(*s.schedule_every_s)}})
                                      : json::value(nullptr)},
      {"webhook", s.webhook_scheme ? json::value(json::object{{"scheme", *s.webhook_scheme}}) : json::value(nullptr)},
      {"webhook_url", "/v1/hooks/" + std::to_string(s.id)},
      {"paused", s.paused},
      {"created_at", format_time(s.created_at)},
      {"status", std::move(status)},
  };
}

json::object workspace_view(const store::Workspace& ws, const std::vector<store::Source>& sources) {
  json::array srcs;
  for (const auto& s : sources) srcs.push_back(source_view(s));
  json::array redact;
  for (const auto& k : ws.settings.redact) redact.emplace_back(k);
  // The governance settings (PATCH /v1/workspaces/{ws}); the salt of erased persons' hashes is never shown.
  return json::object{{"id", std::to_string(ws.id)},
                      {"name", ws.name},
                      {"created_at", format_time(ws.created_at)},
                      {"retention_days", ws.settings.retention_days ? json::value(*ws.settings.retention_days)
                                                                    : json::value(nullptr)},
                      {"redact", std::move(redact)},
                      {"keep_raw", ws.settings.keep_raw},
                      {"drop_erased_authors", ws.settings.drop_erased_authors},
                      {"sources", std::move(srcs)}};
}

json::object skipped_view(const std::map<std::string, std::int64_t>& reasons) {
  json::object out;
  for (const auto& [reason, n] : reasons) out[reason] = n;
  return out;
}

json::object sync_view(const store::Sync& y) {
  return json::object{{"sync_id", std::to_string(y.id)},
                      {"source_id", std::to_string(y.source_id)},
                      {"state", y.state},
                      {"items", y.items},
                      {"new_items", y.new_items},
                      {"skipped", y.skipped},
                      {"skipped_reasons", skipped_view(y.skipped_reasons)},
                      {"error", y.error ? json::value(*y.error) : json::value(nullptr)},
                      {"created_at", format_time(y.created_at)},
                      {"updated_at", format_time(y.updated_at)}};
}

}  // namespace chorus::api

// What every connector shares: declared-field validation, the GET /v1/connectors description, and the
// defaults for push-only sources and plain webhook bodies.
#include "connectors/connector.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/time.hpp"
#include "nlp/clean.hpp"
#include "nlp/record_analysis.hpp"

namespace chorus::connectors {

Result<std::string> Connector::sync(SyncContext& /*ctx*/, PageSink& /*sink*/) const {
  return make_error(ErrorCode::bad_request,
                    std::string(type()) +
                        " sources are push-only: send items to POST /v1/workspaces/{ws}/sources/{src}/items "
                        "or a webhook");
}

Result<WebhookItems> Connector::from_webhook(const http::Headers& /*headers*/, const json::value& body,
                                             const SourceSettings& /*source*/) const {
  WebhookItems out;
  if (body.is_object()) {
    out.items.push_back(body);
  } else if (body.is_array()) {
    for (const auto& item : body.get_array()) out.items.push_back(item);
  } else {
    return make_error(ErrorCode::bad_request, "webhook body must be a JSON object or an array of objects");
  }
  return out;
}

std::optional<std::string> Connector::skip_reason(const json::value& /*raw*/,
                                                  const SourceSettings& /*source*/) const {
  return std::nullopt;
}

bool has_text_to_analyse(const MappedItem& item) {
  if (item.format == MappedItem::Format::plain) {
    // Plain text needs no parsing: any character that is not white space is something to read.
    bool blank = std::all_of(item.text.begin(), item.text.end(),
                             [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
    if (blank) return false;
  }
  nlp::Document doc;
  doc.raw = item.text;
  doc.format = nlp::text_format(item.format);
  nlp::CleanStage().run(doc);
  // Embeds (oneboxes), quotes, code and links are shown but not read; a stack trace is a bug report.
  return !doc.analysis_text.empty() || doc.has_stack_trace;
}

Result<Admission> admit_item(const Connector& connector, const json::value& raw, const SourceSettings& source) {
  Admission out;
  if (auto reason = connector.skip_reason(raw, source)) {
    out.skipped = std::move(*reason);
    return out;
  }
  auto mapped = connector.map(raw, source);
  if (!mapped) return mapped.error();
  if (!has_text_to_analyse(*mapped)) {
    out.skipped = kNoText;
    return out;
  }
  out.item = std::move(*mapped);
  return out;
}

Status Connector::check_settings(const json::object& /*config*/, const json::object& /*credentials*/) const {
  return {};
}

namespace {

bool is_integral(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  return v.is_double() && std::isfinite(v.get_double()) && std::floor(v.get_double()) == v.get_double();
}

// A hint for the commonest mistake: the right value written as a JSON string.
std::string quoted_hint(const json::value& v) {
  if (!v.is_string()) return "";
  return " (got the string " + json::serialize(v) + "; write it without quotes)";
}

bool looks_integral(std::string_view s) {
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) s.remove_prefix(1);
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Checks one present, non-null value against its declared type. `name` is "config.x" or "credentials.x".
Status check_type(const FieldSpec& spec, const json::value& v, const std::string& name) {
  auto fail = [&](std::string what) { return make_error(ErrorCode::bad_request, name + " must be " + what); };
  const std::string& t = spec.type;
  if (t == "string") {
    if (!v.is_string()) return fail("a string");
  } else if (t == "integer") {
    if (!is_integral(v)) {
      std::string hint = v.is_string() && looks_integral(v.get_string()) ? quoted_hint(v) : "";
      return fail("an integer" + hint);
    }
  } else if (t == "boolean") {
    if (!v.is_bool()) {
      bool boolish = v.is_string() && (v.get_string() == "true" || v.get_string() == "false");
      return fail("a boolean" + (boolish ? quoted_hint(v) : std::string()));
    }
  } else if (t == "string[]") {
    if (!v.is_array()) {
      std::string hint = v.is_string() ? " (got a single string; wrap it in [ ])" : "";
      return fail("an array of strings" + hint);
    }
    const auto& a = v.get_array();
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!a[i].is_string())
        return make_error(ErrorCode::bad_request, name + "[" + std::to_string(i) + "] must be a string");
  } else if (t == "object") {
    if (!v.is_object()) return fail("an object");
  } else if (t == "time") {
    if (!v.is_string() || !parse_time(v.get_string()))
      return fail("an ISO-8601 time such as 2026-03-10T00:00:00Z");
  } else {
    return make_error(ErrorCode::internal, name + " declares an unknown field type \"" + t + "\"");
  }
  return {};
}

bool is_empty(const json::value& v) {
  if (v.is_string()) return v.get_string().empty();
  if (v.is_array()) return v.get_array().empty();
  return false;
}

// "plain, html or markdown"
std::string list_of(const std::vector<std::string>& choices) {
  std::string out;
  for (std::size_t i = 0; i < choices.size(); ++i)
    out += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
  return out;
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Enums longer than this are named by a few examples in a refusal, not in full.
constexpr std::size_t kChoicesQuotedInFull = 24;

// A value that matches a choice but for case is stored as the choice ("GB" as "gb").
Status check_choice(const FieldSpec& spec, json::value& v, const std::string& name) {
  if (spec.choices.empty() || !v.is_string()) return {};
  for (const std::string& c : spec.choices)
    if (v.get_string() == c) return {};
  for (const std::string& c : spec.choices) {
    if (same_ignoring_case(v.get_string(), c)) {
      v = c;
      return {};
    }
  }
  if (spec.choices.size() <= kChoicesQuotedInFull || spec.examples.empty())
    return make_error(ErrorCode::bad_request, name + " must be " + list_of(spec.choices));
  return make_error(ErrorCode::bad_request, name + " must be one of the " + std::to_string(spec.choices.size()) +
                                                " values GET /v1/connectors lists for it, such as " +
                                                list_of(spec.examples));
}

Status validate_group(std::span<const FieldSpec> specs, json::object& values, const char* group) {
  for (const FieldSpec& spec : specs) {
    std::string name = std::string(group) + "." + spec.name;
    auto it = values.find(spec.name);
    bool absent = it == values.end() || it->value().is_null();
    if (absent) {
      if (spec.required) return make_error(ErrorCode::bad_request, name + " is required");
      if (spec.default_value.empty()) {
        if (it != values.end()) values.erase(it);  // a JSON null reads as "not given"
        continue;
      }
      auto parsed = parse_json(spec.default_value);
      if (!parsed)
        return make_error(ErrorCode::internal, name + " declares a default that is not JSON: " + spec.default_value);
      values[spec.name] = std::move(parsed.value());
      continue;
    }
    if (auto st = check_type(spec, it->value(), name); !st) return st;
    if (auto st = check_choice(spec, it->value(), name); !st) return st;
    if (spec.required && is_empty(it->value()))
      return make_error(ErrorCode::bad_request, name + (it->value().is_string() ? " is required" : " must not be empty"));
  }
  // A field the connector does not read is a typo or a setting of another type: stored, it would be ignored
  // without a word, and the user would learn of it from a sync that does not do what they asked.
  for (const auto& kv : values) {
    const bool known = std::any_of(specs.begin(), specs.end(), [&](const FieldSpec& f) { return f.name == kv.key(); });
    if (known) continue;
    std::string names;
    for (const FieldSpec& f : specs) names += (names.empty() ? "" : ", ") + std::string(f.name);
    return make_error(ErrorCode::bad_request, std::string(group) + "." + std::string(kv.key()) +
                                                  " is not a field of this source type's " + group + "; " +
                                                  (names.empty() ? std::string("it takes none") : "it takes " + names));
  }
  return {};
}

json::array describe_fields(std::span<const FieldSpec> specs) {
  json::array out;
  for (const FieldSpec& spec : specs) {
    json::value def = nullptr;
    if (!spec.default_value.empty()) {
      if (auto parsed = parse_json(spec.default_value)) def = std::move(parsed.value());
    }
    json::object field{{"name", spec.name},
                       {"type", spec.type},
                       {"required", spec.required},
                       {"default", std::move(def)},
                       {"description", spec.description}};
    if (!spec.choices.empty()) {
      json::array values;
      for (const std::string& c : spec.choices) values.emplace_back(c);
      field["enum"] = std::move(values);
    }
    out.push_back(std::move(field));
  }
  return out;
}

}  // namespace

Status validate_fields(const Connector& connector, json::object& config, json::object& credentials) {
  if (auto st = validate_group(connector.config_fields(), config, "config"); !st) return st;
  if (auto st = validate_group(connector.credential_fields(), credentials, "credentials"); !st) return st;
  return connector.check_settings(config, credentials);
}

json::object describe_connector(const Connector& connector) {
  json::array schemes;
  for (std::string_view s : connector.webhook_schemes()) schemes.emplace_back(s);
  return json::object{{"type", connector.type()},
                      {"description", connector.description()},
                      {"pulls", connector.pulls()},
                      {"config", describe_fields(connector.config_fields())},
                      {"credentials", describe_fields(connector.credential_fields())},
                      {"webhook_schemes", std::move(schemes)}};
}

}  // namespace chorus::connectors

// The alert event as JSON (the outbox payload and the webhook channel's body) and as plain text.
#include "alerts/alert_event.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace chorus::alerts {

namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// An id as the event writes it (a decimal string); anything else reads as 0.
Id id_of(const json::value& parent) {
  auto text = get_string(parent, "id").value_or("");
  Id id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  return ec == std::errc() && p == text.data() + text.size() ? id : 0;
}

// Times from 1970 to 9999 only: what format_time writes and parse_time reads back alike.
TimeMs time_of(const json::value* v) {
  if (!v || !v->is_string()) return 0;
  auto t = parse_time(v->get_string());
  return t && *t > 0 && *t < 253402300800000 ? *t : 0;
}

}  // namespace

json::object event_to_json(const AlertEvent& e) {
  json::object o;
  o["type"] = e.type;
  o["rule"] = json::object{{"id", std::to_string(e.rule_id)}, {"name", e.rule_name}, {"kind", e.kind}};
  o["workspace"] = json::object{{"id", std::to_string(e.workspace_id)}, {"name", e.workspace_name}};
  o["subject"] = e.subject;
  o["theme"] = e.theme ? json::value(*e.theme) : json::value(nullptr);
  o["title"] = e.title;
  o["summary"] = e.summary;
  o["count"] = e.count;
  o["baseline"] = e.baseline ? json::value(*e.baseline) : json::value(nullptr);
  o["score"] = e.score ? json::value(*e.score) : json::value(nullptr);
  o["share"] = e.share ? json::value(*e.share) : json::value(nullptr);
  o["sentiment_type"] = e.sentiment_type;
  o["window"] =
      json::object{{"start", e.window_start ? json::value(format_time(e.window_start)) : json::value(nullptr)},
                   {"end", e.window_end ? json::value(format_time(e.window_end)) : json::value(nullptr)}};
  json::array quotes;
  for (const auto& q : e.quotes)
    quotes.push_back(json::object{{"unique_identifier", q.unique_identifier},
                                  {"text", q.text},
                                  {"url", q.url ? json::value(*q.url) : json::value(nullptr)},
                                  {"sentiment_type", q.sentiment_type}});
  o["quotes"] = std::move(quotes);
  o["dashboard_url"] = e.dashboard_url;
  o["fired_at"] = format_time(e.fired_at);
  if (!e.details.empty()) o["details"] = e.details;
  if (e.previous_count)
    o["update"] = json::object{{"previous_count", *e.previous_count},
                               {"first_fired_at", format_time(e.first_fired_at)}};
  return o;
}

Result<AlertEvent> event_from_json(std::string_view text) {
  auto v = parse_json(text);
  if (!v) return v.error();
  if (!v->is_object()) return make_error(ErrorCode::internal, "an alert event must be a JSON object");
  const json::value& o = *v;
  AlertEvent e;
  e.type = get_string(o, "type").value_or("alert.fired");
  if (const auto* r = find_path(o, "rule")) {
    e.rule_id = id_of(*r);
    e.rule_name = get_string(*r, "name").value_or("");
    e.kind = get_string(*r, "kind").value_or("");
  }
  if (const auto* w = find_path(o, "workspace")) {
    e.workspace_id = id_of(*w);
    e.workspace_name = get_string(*w, "name").value_or("");
  }
  e.subject = get_string(o, "subject").value_or("");
  e.theme = get_string(o, "theme");
  e.title = get_string(o, "title").value_or("");
  e.summary = get_string(o, "summary").value_or("");
  e.count = get_int(o, "count").value_or(0);
  e.baseline = get_double(o, "baseline");
  e.score = get_double(o, "score");
  e.share = get_double(o, "share");
  e.sentiment_type = get_string(o, "sentiment_type").value_or("");
  e.window_start = time_of(find_path(o, "window.start"));
  e.window_end = time_of(find_path(o, "window.end"));
  if (const auto* qs = find_path(o, "quotes"); qs && qs->is_array())
    for (const auto& q : qs->get_array())
      e.quotes.push_back(AlertQuote{get_string(q, "unique_identifier").value_or(""), get_string(q, "text").value_or(""),
                                    get_string(q, "url"), get_string(q, "sentiment_type").value_or("")});
  e.dashboard_url = get_string(o, "dashboard_url").value_or("");
  e.fired_at = time_of(find_path(o, "fired_at"));
  if (const auto* d = find_path(o, "details"); d && d->is_object()) e.details = d->get_object();
  if (const auto* u = find_path(o, "update"); u && u->is_object()) {
    e.previous_count = get_int(*u, "previous_count");
    e.first_fired_at = time_of(find_path(*u, "first_fired_at"));
  }
  return e;
}

std::string event_text(const AlertEvent& e) {
  std::string out = e.title + "\n\n" + e.summary + "\n";
  if (e.previous_count)
    out += "This updates the alert of " + format_time(e.first_fired_at) + ": the count has grown from " +
           std::to_string(*e.previous_count) + " to " + std::to_string(e.count) + ".\n";
  if (e.baseline) out += "Count " + std::to_string(e.count) + " against a baseline of " + fixed(*e.baseline, 1) + ".\n";
  if (!e.quotes.empty()) {
    out += "\nWhat customers say:\n";
    for (const auto& q : e.quotes) {
      out += "  \"" + q.text + "\"";
      if (q.url) out += " <" + *q.url + ">";
      out += "\n";
    }
  }
  if (!e.dashboard_url.empty()) out += "\nOpen in Chorus: " + e.dashboard_url + "\n";
  out += "\n-- Chorus alert \"" + e.rule_name + "\" (" + e.kind + ")\n";
  return out;
}

}  // namespace chorus::alerts

// Rule judgement on live items: emerging themes, negative share, new themes, stale or quiet sources and the
// weekly digest; and the outbox entries they make, with one update for a burst that keeps growing.
#include "alerts/evaluator.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "alerts/alert_rule.hpp"
#include "alerts/live_items.hpp"
#include "insights/statistics.hpp"
#include "insights/weekly_digest.hpp"

namespace chorus::alerts {

namespace {

constexpr TimeMs kDayMs = 24 * kHourMs;
constexpr TimeMs kClockSkew = 5 * 60000;       // items stamped a little in the future still count
constexpr TimeMs kSourceEpisode = 15 * 60000;  // a bad source stays one episode while seen bad this often
constexpr TimeMs kArrivalHistory = 28 * kDayMs;   // a push source's expected interval is learnt over this
constexpr TimeMs kArrivalLearning = 3 * kDayMs;   // and only once it has this much history
constexpr double kRateFloorPerDay = 0.1;       // a theme never seen is expected this often (as the detector does)
constexpr double kMinVariation = 0.25;         // day-to-day variation assumed at least, as a fraction of the rate

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string percent_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else
      out += '%', out += hex[c >> 4], out += hex[c & 15];
  }
  return out;
}

TimeMs floor_to(TimeMs t, TimeMs unit) { return t - ((t % unit) + unit) % unit; }

std::string hours(TimeMs ms) {
  double h = static_cast<double>(ms) / kHourMs;
  return h == std::floor(h) ? std::to_string(static_cast<std::int64_t>(h)) + " h" : fixed(h, 1) + " h";
}

// Kinds whose count can grow within an episode, and so may send an update.
bool updatable(const std::string& kind) {
  return kind == "emerging" || kind == "negative_share" || kind == "new_theme";
}

// Makes `e` the update of an alert that said `previous_count` when it fired at `first_fired_at`.
void make_update(AlertEvent& e, std::int64_t previous_count, TimeMs first_fired_at) {
  e.type = "alert.updated";
  e.previous_count = previous_count;
  e.first_fired_at = first_fired_at;
  e.title = "Update: " + e.title;
  e.summary = "Grown from " + std::to_string(previous_count) + " to " + std::to_string(e.count) +
              " since the alert of " + format_time(first_fired_at) + ". " + e.summary;
}

store::LiveWindow live_window(const store::AlertRule& rule, TimeMs now) {
  TimeMs window = static_cast<TimeMs>(param_number(rule, "window_hours", 24) * kHourMs);
  TimeMs lag = static_cast<TimeMs>(param_number(rule, "live_lag_hours", 6) * kHourMs);
  return store::LiveWindow{rule.workspace_id, now - window, now + kClockSkew, lag};
}

}  // namespace

std::string dashboard_link(const std::string& base, Id workspace_id, const std::optional<std::string>& theme) {
  std::string url = base;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/#/" + std::to_string(workspace_id) + "/feedback?period=7d";
  if (theme) url += "&theme=" + percent_encode(*theme);
  return url;
}

AlertEvent AlertEvaluator::base_event(const store::AlertRule& rule, TimeMs now) {
  AlertEvent e;
  e.rule_id = rule.id;
  e.rule_name = rule.name;
  e.kind = rule.kind;
  e.workspace_id = rule.workspace_id;
  e.workspace_name = "workspace " + std::to_string(rule.workspace_id);
  e.fired_at = now;
  e.dashboard_url = dashboard_link(options_.dashboard_base, rule.workspace_id, std::nullopt);
  return e;
}

Status AlertEvaluator::add_quotes(AlertEvent& event, const store::LiveWindow& window, const std::string& theme) {
  auto uids = store_.live_items_of_theme(window, theme, 3);
  if (!uids) return uids.error();
  for (auto uid : *uids) {
    auto r = store_.get_record(window.workspace_id, uid);
    if (!r) {
      if (r.error().code == ErrorCode::not_found) continue;
      return r.error();
    }
    std::string text = r->text.size() > 400 ? r->text.substr(0, 400) : r->text;
    while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back();
    event.quotes.push_back(AlertQuote{std::to_string(uid), text, r->url, r->sentiment_type});
  }
  return {};
}

Result<std::vector<AlertEvaluator::Firing>> AlertEvaluator::judge_emerging(const store::AlertRule& rule, TimeMs now) {
  std::vector<Firing> out;
  auto window = live_window(rule, now);
  const TimeMs length = now - window.from;
  auto counts = store_.live_theme_counts(window);
  if (!counts) return counts.error();
  auto watched = param_strings(rule, "themes");
  const auto min_count = static_cast<std::int64_t>(param_number(rule, "min_count", 8));
  const double min_score = param_number(rule, "min_score", 6);
  for (const auto& c : *counts) {
    if (c.theme.empty() || c.count < min_count) continue;
    if (!watched.empty() && std::find(watched.begin(), watched.end(), c.theme) == watched.end()) continue;
    // The baseline is every item of the theme in the 28 days before the window, history included: a
    // backfill teaches what is normal even though it never triggers.
    store::FeedbackFilter before;
    before.workspace_id = rule.workspace_id;
    before.theme = c.theme;
    before.from = window.from - 28 * kDayMs;
    before.to = window.from;
    auto base = store_.totals(before);
    if (!base) return base.error();
    const double days = static_cast<double>(length) / kDayMs;
    const double rate = static_cast<double>(base->count) / 28.0;
    const double expected = std::max(rate, kRateFloorPerDay) * days;
    const double variance = std::max(expected, expected + kMinVariation * kMinVariation * expected * expected);
    const double score = insights::negative_binomial_surprise(c.count, expected, variance);
    if (static_cast<double>(c.count) < 2.0 * expected || score < min_score) continue;
    Firing f;
    f.subject = c.theme;
    f.window_end = now + length;
    f.window_key = format_time(floor_to(now, length));
    AlertEvent& e = f.event = base_event(rule, now);
    e.subject = e.theme.emplace(c.theme);
    e.count = c.count;
    e.baseline = expected;
    e.score = score;
    e.sentiment_type = c.negative * 2 >= c.count ? "negative" : "mixed";
    e.window_start = window.from;
    e.window_end = now;
    e.title = "Emerging: \"" + c.theme + "\" is spiking";
    e.summary = std::to_string(c.count) + " live items about \"" + c.theme + "\" in the last " + hours(length) +
                ", against " + fixed(expected, 1) + " expected from the 28 days before; " + std::to_string(c.negative) +
                " of them negative.";
    e.dashboard_url = dashboard_link(options_.dashboard_base, rule.workspace_id, c.theme);
    if (auto s = add_quotes(e, window, c.theme); !s) return s.error();
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<AlertEvaluator::Firing>> AlertEvaluator::judge_negative_share(const store::AlertRule& rule,
                                                                                 TimeMs now) {
  std::vector<Firing> out;
  auto window = live_window(rule, now);
  const TimeMs length = now - window.from;
  auto counts = store_.live_theme_counts(window);
  if (!counts) return counts.error();
  const double threshold = param_number(rule, "threshold", 0.5);
  const auto min_items = static_cast<std::int64_t>(param_number(rule, "min_items", 20));
  for (const auto& c : *counts) {
    if (!c.theme.empty()) continue;
    if (c.count < min_items) break;
    double share = static_cast<double>(c.negative) / static_cast<double>(c.count);
    if (share < threshold) break;
    Firing f;
    f.subject = "workspace";
    f.window_end = now + length;
    f.window_key = format_time(floor_to(now, length));
    AlertEvent& e = f.event = base_event(rule, now);
    e.subject = "workspace";
    e.count = c.count;
    e.share = share;
    e.sentiment_type = "negative";
    e.window_start = window.from;
    e.window_end = now;
    e.title = "Negative feedback at " + fixed(share * 100, 0) + "% of the last " + hours(length);
    e.summary = std::to_string(c.negative) + " of " + std::to_string(c.count) + " live items in the last " +
                hours(length) + " are negative, above the alert's threshold of " + fixed(threshold * 100, 0) + "%.";
    if (auto s = add_quotes(e, window, ""); !s) return s.error();
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<AlertEvaluator::Firing>> AlertEvaluator::judge_new_theme(const store::AlertRule& rule, TimeMs now) {
  std::vector<Firing> out;
  auto window = live_window(rule, now);
  auto counts = store_.live_theme_counts(window);
  if (!counts) return counts.error();
  const auto min_count = static_cast<std::int64_t>(param_number(rule, "min_count", 5));
  const auto lookback = static_cast<TimeMs>(param_number(rule, "lookback_days", 28)) * kDayMs;
  for (const auto& c : *counts) {
    if (c.theme.empty() || c.count < min_count) continue;
    store::FeedbackFilter before;
    before.workspace_id = rule.workspace_id;
    before.theme = c.theme;
    before.from = c.first_timestamp - lookback;
    before.to = c.first_timestamp;
    auto seen = store_.totals(before);
    if (!seen) return seen.error();
    if (seen->count > 0) continue;
    Firing f;
    f.subject = c.theme;
    f.window_end = now + lookback;  // a new theme is new once
    f.window_key = format_time(floor_to(c.first_timestamp, kDayMs));
    AlertEvent& e = f.event = base_event(rule, now);
    e.subject = e.theme.emplace(c.theme);
    e.count = c.count;
    e.baseline = 0.0;
    e.sentiment_type = c.negative * 2 >= c.count ? "negative" : "mixed";
    e.window_start = c.first_timestamp;
    e.window_end = now;
    e.title = "New theme: \"" + c.theme + "\"";
    e.summary = "\"" + c.theme + "\" was not seen in the " + std::to_string(lookback / kDayMs) + " days before " +
                format_time(c.first_timestamp) + " and now has " + std::to_string(c.count) + " live items.";
    e.dashboard_url = dashboard_link(options_.dashboard_base, rule.workspace_id, c.theme);
    if (auto s = add_quotes(e, window, c.theme); !s) return s.error();
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<AlertEvaluator::Firing>> AlertEvaluator::judge_source_stale(const store::AlertRule& rule,
                                                                               TimeMs now) {
  std::vector<Firing> out;
  auto sources = store_.list_sources(rule.workspace_id);
  if (!sources) return sources.error();
  auto watched = param_strings(rule, "sources");
  for (const auto& s : *sources) {
    std::string id = std::to_string(s.id);
    if (!watched.empty() && std::find(watched.begin(), watched.end(), id) == watched.end()) continue;
    const std::string& state = s.status.state;
    if (state != "failed" && state != "stale") {
      // A scheduled source is marked stale by the fetcher; one without a schedule is judged on its arrivals.
      if (s.schedule_every_s) continue;
      auto quiet = judge_quiet_source(rule, s, now);
      if (!quiet) return quiet.error();
      if (*quiet) out.push_back(std::move(**quiet));
      continue;
    }
    Firing f;
    f.subject = "source:" + id;
    f.window_end = now + kSourceEpisode;
    f.window_key = state + "@" + format_time(s.status.last_sync_at.value_or(0));
    AlertEvent& e = f.event = base_event(rule, now);
    e.subject = f.subject;
    e.title = state == "failed" ? "Source \"" + s.name + "\" is failing" : "Source \"" + s.name + "\" has gone quiet";
    e.summary = state == "failed"
                    ? "The last sync of " + s.type + " source \"" + s.name + "\" failed" +
                          (s.status.last_error ? ": " + *s.status.last_error : std::string("."))
                    : s.type + " source \"" + s.name + "\" has brought nothing for longer than its schedule expects" +
                          (s.status.last_sync_at ? " (last sync " + format_time(*s.status.last_sync_at) + ")." : ".");
    e.details = json::object{{"source_id", id}, {"state", state}};
    e.dashboard_url = options_.dashboard_base + "/#/" + std::to_string(rule.workspace_id) + "/sources";
    out.push_back(std::move(f));
  }
  return out;
}

// A source nobody fetches (webhooks, pushes) is quiet when nothing arrived for its expected interval: the
// rule's expected_every_hours, or else learnt from its own arrivals as 1.5 times the longest quiet spell of
// the last 28 days, bounded to 2 hours .. 7 days, once it has 3 days of history. Until then it is not judged.
Result<std::optional<AlertEvaluator::Firing>> AlertEvaluator::judge_quiet_source(const store::AlertRule& rule,
                                                                                 const store::Source& s, TimeMs now) {
  auto arrivals = store_.live_source_arrivals(rule.workspace_id, s.id, now - kArrivalHistory);
  if (!arrivals) return arrivals.error();
  TimeMs expected = 0;
  std::string why;
  if (const auto* given = rule.params.if_contains("expected_every_hours"); given && given->is_number()) {
    expected = static_cast<TimeMs>(given->to_number<double>() * kHourMs);
    why = "the alert's expected_every_hours";
  } else {
    const auto& seen = arrivals->hours;
    if (seen.empty() || now - seen.front() < kArrivalLearning) return std::optional<Firing>{};
    TimeMs longest = kHourMs;
    for (std::size_t i = 1; i < seen.size(); ++i) longest = std::max(longest, seen[i] - seen[i - 1]);
    expected = std::clamp<TimeMs>(longest * 3 / 2, 2 * kHourMs, 7 * kDayMs);
    why = "1.5 times its longest quiet spell of the last 28 days";
  }
  const TimeMs since = arrivals->last.value_or(s.created_at);
  if (now - since < expected) return std::optional<Firing>{};
  Firing f;
  f.subject = "source:" + std::to_string(s.id);
  f.window_end = now + kSourceEpisode;
  f.window_key = "quiet@" + format_time(since);
  AlertEvent& e = f.event = base_event(rule, now);
  e.subject = f.subject;
  e.title = "Source \"" + s.name + "\" has gone quiet";
  e.summary = s.type + " source \"" + s.name + "\" has received nothing for " + hours(now - since) +
              (arrivals->last ? " (the last item arrived " + format_time(since) + ")" : " (nothing since it was made)") +
              ", longer than the " + hours(expected) + " expected: " + why + ".";
  e.details = json::object{{"source_id", std::to_string(s.id)},
                           {"state", "quiet"},
                           {"expected_every_hours", static_cast<double>(expected) / kHourMs},
                           {"last_received_at", arrivals->last ? json::value(format_time(since)) : json::value(nullptr)}};
  e.dashboard_url = options_.dashboard_base + "/#/" + std::to_string(rule.workspace_id) + "/sources";
  return std::optional<Firing>{std::move(f)};
}

// Once a week, after the rule's hour on Monday: the digest of the week that just ended.
Result<std::vector<AlertEvaluator::Firing>> AlertEvaluator::judge_weekly_digest(const store::AlertRule& rule,
                                                                                TimeMs now) {
  std::vector<Firing> out;
  const TimeMs this_monday = *insights::parse_iso_week(insights::iso_week_of(now));
  const TimeMs send_after = this_monday + static_cast<TimeMs>(param_number(rule, "hour_utc", 8)) * kHourMs;
  if (now < send_after) return out;
  const TimeMs week = this_monday - 7 * kDayMs;
  auto digest = insights::build_weekly_digest(store_, rule.workspace_id, week);
  if (!digest) return digest.error();
  Firing f;
  f.subject = "digest";
  f.window_end = send_after + 7 * kDayMs;  // the next one is next week's
  f.window_key = insights::iso_week_of(week);
  AlertEvent& e = f.event = base_event(rule, now);
  e.type = "digest.weekly";
  e.subject = "digest";
  const json::value v = *digest;
  e.count = find_path(v, "volume.count")->to_number<std::int64_t>();
  e.baseline = find_path(v, "volume.previous_count")->to_number<double>();
  e.window_start = week;
  e.window_end = this_monday;
  e.title = "Weekly digest " + f.window_key + ": " + std::to_string(e.count) + " items (previous week " +
            std::to_string(static_cast<std::int64_t>(*e.baseline)) + ")";
  e.summary = insights::digest_text(*digest);
  e.details = std::move(*digest);
  if (const auto* top = find_path(v, "top_themes"); top && top->is_array() && !top->as_array().empty()) {
    e.theme = get_string(top->as_array()[0], "theme");
    if (const auto* qs = find_path(top->as_array()[0], "quotes"); qs && qs->is_array())
      for (const auto& q : qs->as_array())
        e.quotes.push_back(AlertQuote{get_string(q, "unique_identifier").value_or(""),
                                      get_string(q, "text").value_or(""), get_string(q, "url"),
                                      get_string(q, "sentiment_type").value_or("")});
  }
  e.dashboard_url = options_.dashboard_base + "/#/" + std::to_string(rule.workspace_id) + "/overview";
  out.push_back(std::move(f));
  return out;
}

Result<std::vector<AlertEvaluator::Firing>> AlertEvaluator::judge(const store::AlertRule& rule, TimeMs now) {
  if (rule.kind == "emerging") return judge_emerging(rule, now);
  if (rule.kind == "negative_share") return judge_negative_share(rule, now);
  if (rule.kind == "new_theme") return judge_new_theme(rule, now);
  if (rule.kind == "source_stale") return judge_source_stale(rule, now);
  if (rule.kind == "weekly_digest") return judge_weekly_digest(rule, now);
  return std::vector<Firing>{};
}

// One message per rule, subject and episode: while an episode is open it is only extended (and a message not
// yet sent takes the newer numbers); the dedup key keeps a second evaluator from adding the same one. Once
// the message has gone out, a count that grows to update_factor times what it said adds one update, the
// episode's last message.
Result<bool> AlertEvaluator::put(const store::AlertRule& rule, Firing f, TimeMs now) {
  auto open = store_.open_alert_episode(rule.id, f.subject, now);
  if (!open) return open.error();
  if (*open) return follow_up(rule, **open, std::move(f));
  store::AlertDelivery d;
  d.rule_id = rule.id;
  d.workspace_id = rule.workspace_id;
  d.dedup_key = rule.kind + ":" + f.subject + ":" + f.window_key;
  d.subject = f.subject;
  d.payload = to_json_string(event_to_json(f.event));
  d.state = "pending";
  d.next_attempt_at = now + options_.settle_ms;
  d.window_end = f.window_end;
  auto added = store_.add_alert_delivery(d);
  if (!added) return added.error();
  return added->has_value();
}

Result<bool> AlertEvaluator::follow_up(const store::AlertRule& rule, const store::AlertDelivery& last, Firing f) {
  auto said = event_from_json(last.payload);
  const bool is_update = said && said->type == "alert.updated";
  const bool sent = last.state == "sending" || last.state == "delivered";
  if (is_update) make_update(f.event, said->previous_count.value_or(0), said->first_fired_at);
  if (last.state == "pending" || is_update || !sent || !said || !updatable(rule.kind) ||
      static_cast<double>(f.event.count) < param_number(rule, "update_factor", 2) * static_cast<double>(said->count)) {
    // A message still waiting takes the newer numbers; one already sent stays as it was.
    auto s = store_.extend_alert_episode(last.id, f.window_end, to_json_string(event_to_json(f.event)));
    if (!s) return s.error();
    return false;
  }
  make_update(f.event, said->count, said->fired_at);
  store::AlertDelivery d;
  d.rule_id = rule.id;
  d.workspace_id = rule.workspace_id;
  d.dedup_key = last.dedup_key + ":update";
  d.subject = f.subject;
  d.payload = to_json_string(event_to_json(f.event));
  d.state = "pending";
  d.next_attempt_at = f.event.fired_at + options_.settle_ms;
  d.window_end = f.window_end;
  auto added = store_.add_alert_delivery(d);
  if (!added) return added.error();
  return added->has_value();
}

Result<std::size_t> AlertEvaluator::evaluate(const std::vector<store::AlertRule>& rules, TimeMs now) {
  std::size_t fired = 0;
  for (const auto& rule : rules) {
    if (!rule.enabled) continue;
    auto firings = judge(rule, now);
    if (!firings) return firings.error();
    for (auto& f : *firings) {
      auto added = put(rule, std::move(f), now);
      if (!added) return added.error();
      if (*added) ++fired;
    }
  }
  return fired;
}

Result<AlertEvent> AlertEvaluator::sample_event(const store::AlertRule& rule, TimeMs now) {
  AlertEvent e = base_event(rule, now);
  e.type = "alert.test";
  e.subject = "test";
  store::FeedbackFilter f;
  f.workspace_id = rule.workspace_id;
  auto newest = store_.query_feedback(f, 3, std::nullopt);
  if (!newest) return newest.error();
  std::string theme = "sample theme";
  for (const auto& r : newest->items) {
    if (theme == "sample theme" && !r.themes.empty()) theme = r.themes.front();
    e.quotes.push_back(AlertQuote{std::to_string(r.unique_identifier), r.text.substr(0, 400), r.url, r.sentiment_type});
  }
  if (e.quotes.empty())
    e.quotes.push_back(
        AlertQuote{"0", "This is what a customer's words will look like here.", std::nullopt, "neutral"});
  e.theme = theme;
  e.count = 12;
  e.baseline = 1.5;
  e.sentiment_type = "negative";
  e.window_start = now - 24 * kHourMs;
  e.window_end = now;
  e.title = "Test of \"" + rule.name + "\": this is how its alerts will look";
  e.summary = "A sample " + rule.kind +
              " alert, sent on request; the numbers are made up and the quotes are the "
              "workspace's newest feedback.";
  e.dashboard_url = dashboard_link(options_.dashboard_base, rule.workspace_id, std::nullopt);
  return e;
}

}  // namespace chorus::alerts

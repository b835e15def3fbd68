// Fetcher: decides, answer by answer, whether to return, retry after a backoff, wait out a rate limit,
// or give up with an error that names the status and the URL (never its query).
#include "ingest/fetcher.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <locale>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "core/time.hpp"

namespace chorus::ingest {

namespace {

using std::chrono::milliseconds;

constexpr std::size_t kSnippetChars = 200;

std::string host_of(const std::string& url) {
  std::string clean = redact_url(url);
  std::size_t scheme = clean.find("://");
  std::size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  return clean.substr(start, clean.find('/', start) - start);
}

// The start of a body for an error message: whitespace collapsed, cut on a UTF-8 boundary.
std::string snippet(std::string_view body) {
  std::string out;
  bool space = false;
  for (char c : body) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
    if (out.size() > kSnippetChars) break;
  }
  if (out.size() <= kSnippetChars) return out;
  std::size_t cut = kSnippetChars - 3;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  return out + "...";
}

std::string answered(const OutboundRequest& req, const OutboundResponse& res) {
  std::string msg = req.method + " " + redact_url(req.url) + " answered " + std::to_string(res.status) + " " +
                    std::string(http::reason_phrase(res.status));
  return msg;
}

std::string with_snippet(std::string msg, const OutboundResponse& res) {
  std::string s = snippet(res.body);
  if (!s.empty()) msg += ": " + s;
  return msg;
}

// IMF-fixdate, the form RFC 9110 requires senders to use: "Sun, 06 Nov 1994 08:49:37 GMT".
std::optional<TimeMs> parse_http_date(const std::string& text) {
  std::istringstream in(text);
  in.imbue(std::locale::classic());
  std::tm tm{};
  in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S");
  if (in.fail()) return std::nullopt;
  std::int64_t days =
      days_from_civil(tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1), static_cast<unsigned>(tm.tm_mday));
  return ((days * 24 + tm.tm_hour) * 60 + tm.tm_min) * 60000 + tm.tm_sec * 1000;
}

std::optional<std::int64_t> parse_seconds(std::string_view s) {
  if (s.empty() || s.size() > 12) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// A non-negative decimal number of seconds as rate-limit headers carry it: "42", and also "42.0" or
// "0.5" (Reddit sends floats), in milliseconds rounded up.
std::optional<std::int64_t> parse_decimal_ms(std::string_view s) {
  std::size_t dot = s.find('.');
  auto whole = parse_seconds(s.substr(0, dot));
  if (!whole) return std::nullopt;
  std::int64_t ms = *whole * 1000;
  if (dot != std::string_view::npos) {
    std::string_view frac = s.substr(dot + 1);
    if (frac.empty() || frac.size() > 9) return std::nullopt;
    std::int64_t scale = 100, part = 0;
    bool rest = false;
    for (std::size_t i = 0; i < frac.size(); ++i) {
      char c = frac[i];
      if (c < '0' || c > '9') return std::nullopt;
      if (i < 3) {
        part += (c - '0') * scale;
        scale /= 10;
      } else if (c != '0') {
        rest = true;
      }
    }
    ms += part + (rest ? 1 : 0);
  }
  return ms;
}

// X-RateLimit-Remaining as a number ("0", "0.0"); nullopt when absent or unreadable.
std::optional<std::int64_t> remaining_quota(const http::Headers& headers) {
  auto remaining = headers.get("x-ratelimit-remaining");
  if (!remaining) return std::nullopt;
  auto ms = parse_decimal_ms(*remaining);
  if (!ms) return std::nullopt;
  return *ms / 1000;
}

// How long the server asked us to wait: Retry-After (seconds or a date), else X-RateLimit-Reset when the
// quota is spent (or not stated). The reset is an epoch second or, for Reddit, seconds from now, as the
// policy says. nullopt when the server did not say.
std::optional<milliseconds> requested_wait(const RetryPolicy& policy, const http::Headers& headers) {
  TimeMs now = now_ms();
  if (auto wait = retry_after(headers, now)) return wait;
  // With quota left, the reset is the end of the regular window, not when this limit (GitHub's secondary
  // one, say) lifts.
  if (auto left = remaining_quota(headers); left && *left > 0) return std::nullopt;
  if (auto reset = headers.get("x-ratelimit-reset")) {
    if (auto ms = parse_decimal_ms(*reset)) {
      if (policy.rate_limit_reset == RateLimitReset::seconds_from_now) return milliseconds(*ms);
      return milliseconds(std::max<TimeMs>(0, *ms - now));
    }
  }
  return std::nullopt;
}

bool mentions_rate_limit(std::string_view body) {
  std::string lower(body.substr(0, 4096));
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("rate limit") != std::string::npos;
}

// 429, or GitHub's 403 forms: the primary limit (no quota left) and the secondary one (Retry-After, or
// only a message saying so).
bool is_rate_limit(const OutboundResponse& res) {
  if (res.status == 429) return true;
  if (res.status != 403) return false;
  if (remaining_quota(res.headers) == std::optional<std::int64_t>(0)) return true;
  return res.headers.get("retry-after").has_value() || mentions_rate_limit(res.body);
}

long long ceil_seconds(milliseconds ms) { return (ms.count() + 999) / 1000; }

}  // namespace

std::optional<milliseconds> retry_after(const http::Headers& headers, TimeMs now) {
  auto value = headers.get("retry-after");
  if (!value) return std::nullopt;
  if (auto ms = parse_decimal_ms(*value)) return milliseconds(*ms);
  if (auto at = parse_http_date(*value)) return milliseconds(std::max<TimeMs>(0, *at - now));
  return std::nullopt;
}

Fetcher::Fetcher(HttpClient& client, RetryPolicy policy, Sleeper sleeper)
    : client_(client), policy_(policy), sleep_(std::move(sleeper)) {
  if (!sleep_) sleep_ = [](milliseconds d) { std::this_thread::sleep_for(d); };
  policy_.max_attempts = std::max(1, policy_.max_attempts);
}

namespace {

// Full jitter: a uniform wait in [0, min(max_delay, base * 2^(attempt-1))], so clients that failed
// together do not retry together.
milliseconds backoff(const RetryPolicy& policy, int attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  double ceiling = static_cast<double>(policy.base_delay.count()) * std::ldexp(1.0, std::min(attempt - 1, 30));
  auto cap = static_cast<std::int64_t>(std::min(ceiling, static_cast<double>(policy.max_delay.count())));
  std::uniform_int_distribution<std::int64_t> pick(0, std::max<std::int64_t>(0, cap));
  return milliseconds(pick(rng));
}

// What to do with one answer: return it, fail with an error, or try again after `wait`.
struct Verdict {
  enum Kind { accept, fail, retry } kind;
  milliseconds wait{0};
  std::optional<Error> error;
};

Verdict judge(const RetryPolicy& policy, const OutboundRequest& req, const Result<OutboundResponse>& result,
              int attempt) {
  bool last = attempt >= policy.max_attempts;
  std::string after = " (after " + std::to_string(attempt) + " attempts)";
  if (!result.ok()) {
    if (last) return {Verdict::fail, {}, Error{result.error().code, result.error().message + after}};
    return {Verdict::retry, backoff(policy, attempt), {}};
  }
  const OutboundResponse& res = *result;
  // 304 only comes back to a conditional request, whose sender wants to see it.
  if ((res.status >= 200 && res.status < 300) || res.status == 304) return {Verdict::accept, {}, {}};

  if (is_rate_limit(res)) {
    std::optional<milliseconds> wait = requested_wait(policy, res.headers);
    // A 403 rate limit with no hint at all: GitHub asks for at least a minute, then exponential backoff.
    if (!wait && res.status == 403)
      wait = policy.min_unhinted_rate_limit_wait * (std::int64_t{1} << std::min(attempt - 1, 20));
    if (wait && *wait > policy.max_rate_limit_wait) {
      return {Verdict::fail,
              {},
              Error{ErrorCode::rate_limited, "rate limited by " + host_of(req.url) + " for " +
                                                 std::to_string(ceil_seconds(*wait)) + "s; giving up"}};
    }
    if (last) {
      return {Verdict::fail,
              {},
              Error{ErrorCode::rate_limited, "rate limited by " + host_of(req.url) + "; giving up" + after}};
    }
    return {Verdict::retry, wait ? *wait : backoff(policy, attempt), {}};
  }

  if (res.status >= 500) {
    if (last) return {Verdict::fail, {}, Error{ErrorCode::upstream, with_snippet(answered(req, res) + after, res)}};
    // A 503 often says when to come back; honour it when it is reasonable.
    std::optional<milliseconds> wait = requested_wait(policy, res.headers);
    if (wait && *wait <= policy.max_rate_limit_wait) return {Verdict::retry, *wait, {}};
    return {Verdict::retry, backoff(policy, attempt), {}};
  }

  // 404 and 410: the thing asked for does not exist (any more), which callers often treat differently
  // (a post deleted between listing and fetching).
  ErrorCode code = res.status == 404 || res.status == 410 ? ErrorCode::not_found : ErrorCode::upstream;
  return {Verdict::fail, {}, Error{code, with_snippet(answered(req, res), res)}};
}

// Carries one request from its first answer to a final one, sleeping and resending as the verdicts say.
Result<OutboundResponse> settle(HttpClient& client, const RetryPolicy& policy, const Fetcher::Sleeper& sleep,
                                int& attempts, const OutboundRequest& req, Result<OutboundResponse> result) {
  for (int attempt = 1;; ++attempt) {
    Verdict v = judge(policy, req, result, attempt);
    if (v.kind == Verdict::accept) return result;
    if (v.kind == Verdict::fail) return std::move(*v.error);
    sleep(v.wait);
    result = client.send(req);
    ++attempts;
  }
}

}  // namespace

Result<OutboundResponse> Fetcher::get(const OutboundRequest& request) {
  attempts_ = 1;
  return settle(client_, policy_, sleep_, attempts_, request, client_.send(request));
}

std::vector<Result<OutboundResponse>> Fetcher::get_all(std::span<const OutboundRequest> requests) {
  attempts_ = static_cast<int>(requests.size());
  std::vector<Result<OutboundResponse>> first = client_.send_all(requests);
  std::vector<Result<OutboundResponse>> out;
  out.reserve(first.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    out.push_back(settle(client_, policy_, sleep_, attempts_, requests[i], std::move(first[i])));
  }
  return out;
}

Result<json::value> Fetcher::get_json(const OutboundRequest& request) {
  auto res = get(request);
  if (!res) return res.error();
  auto parsed = parse_json(res->body);
  if (!parsed) {
    std::string_view reason = parsed.error().message;
    if (reason.starts_with("malformed JSON: ")) reason.remove_prefix(16);
    return make_error(ErrorCode::upstream,
                      "malformed JSON from " + redact_url(request.url) + ": " + std::string(reason));
  }
  return std::move(parsed).value();
}

}  // namespace chorus::ingest

// Fetcher: the HTTP client with the shared fault handling every connector uses: retries with exponential
// backoff and jitter on 5xx and transport errors, 429 / 403-rate-limit with Retry-After and
// X-RateLimit-Reset honoured, and clear errors for the rest (ErrorCode::not_found for 404 and 410).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "ingest/http_client.hpp"

namespace chorus::ingest {

// What an X-RateLimit-Reset header counts. GitHub (and most APIs) send the Unix time the window resets;
// Reddit sends the seconds left until it does.
enum class RateLimitReset { epoch_seconds, seconds_from_now };

struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds base_delay{250};
  std::chrono::milliseconds max_delay{30000};
  // Longest a Retry-After or rate-limit reset may make us wait before the sync gives up with an error.
  std::chrono::milliseconds max_rate_limit_wait{120000};
  RateLimitReset rate_limit_reset = RateLimitReset::epoch_seconds;
  // A 403 that says it is a rate limit but gives no Retry-After and no reset (GitHub's secondary rate
  // limit can) waits at least this long, doubling on each further attempt, as GitHub asks.
  std::chrono::milliseconds min_unhinted_rate_limit_wait{60000};
};

// How long a Retry-After header asks the client to wait from `now`: delay-seconds ("120", or "0.5" as some
// APIs send) or an HTTP date. nullopt when there is none or it cannot be read.
std::optional<std::chrono::milliseconds> retry_after(const http::Headers& headers, TimeMs now);

class Fetcher {
 public:
  using Sleeper = std::function<void(std::chrono::milliseconds)>;

  Fetcher(HttpClient& client, RetryPolicy policy = {}, Sleeper sleeper = {});

  // Sends with retries; returns the first 2xx response. A 4xx other than a rate limit is an error naming
  // the status and URL (without query secrets), with ErrorCode::not_found for 404 and 410 (the thing is
  // gone) and upstream for the rest; so is a final 5xx after the retries.
  Result<OutboundResponse> get(const OutboundRequest& request);
  // Same for many requests, sent with the client's concurrency; results in order.
  std::vector<Result<OutboundResponse>> get_all(std::span<const OutboundRequest> requests);

  // GET and parse the body as JSON; a malformed body is an upstream error naming the URL.
  Result<json::value> get_json(const OutboundRequest& request);

  int attempts_made() const { return attempts_; }

  // A connector adjusts the policy to its API before its first request (Reddit's reset header counts
  // seconds from now, not an epoch).
  RetryPolicy& policy() { return policy_; }
  const RetryPolicy& policy() const { return policy_; }

 private:
  HttpClient& client_;
  RetryPolicy policy_;
  Sleeper sleep_;
  int attempts_ = 0;
};

}  // namespace chorus::ingest

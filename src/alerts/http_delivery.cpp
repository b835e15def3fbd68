// HTTP deliveries through the one outbound HTTP client.
#include "alerts/http_delivery.hpp"

#include "alerts/outbound_url.hpp"
#include "ingest/http_client.hpp"

namespace chorus::alerts {

namespace {

// scheme://host[:port] only: the path of a Slack incoming webhook is its secret.
std::string endpoint_origin(std::string_view url) {
  std::string redacted = ingest::redact_url(url);
  std::size_t scheme = redacted.find("://");
  std::size_t path = redacted.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return path == std::string::npos ? redacted : redacted.substr(0, path);
}

}  // namespace

DeliveryOutcome post_json(const std::string& url, const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers, std::string_view what,
                          const ingest::EgressPolicy& egress) {
  ingest::HttpClientOptions options;
  options.max_concurrency = 1;
  options.max_body = 64 * 1024;
  options.egress = egress;
  ingest::HttpClient client(options);
  ingest::OutboundRequest req;
  req.method = "POST";
  req.url = url;
  req.body = body;
  req.timeout = std::chrono::milliseconds(15000);
  req.headers.set("content-type", "application/json");
  for (const auto& [k, v] : headers) req.headers.set(k, v);
  DeliveryOutcome out;
  auto res = client.send(req);
  // The URL itself may be the secret (Slack's incoming webhooks): errors name only its host and path.
  const std::string where = std::string(what) + " at " + endpoint_origin(url);
  if (!res) {
    out.error = where + " could not be reached: " + res.error().message;
    for (std::size_t p; (p = out.error.find(ingest::redact_url(url))) != std::string::npos;)
      out.error.replace(p, ingest::redact_url(url).size(), endpoint_origin(url));
    return out;
  }
  out.status = res->status;
  std::string snippet = res->body.substr(0, 200);
  if (res->status >= 200 && res->status < 300) {
    out.delivered = true;
    return out;
  }
  out.error = where + " answered HTTP " + std::to_string(res->status) + (snippet.empty() ? "" : ": " + snippet);
  if (res->status == 410) {
    out.permanent = true;
    out.disable_rule = std::string(what) + " answered 410 Gone at " + format_time(now_ms()) +
                       ": the endpoint no longer exists (for Slack, the webhook was removed or its channel archived); "
                       "give the alert a new URL and enable it again";
  } else if (res->status >= 400 && res->status < 500 && res->status != 408 && res->status != 429) {
    out.permanent = true;
  }
  return out;
}

}  // namespace chorus::alerts

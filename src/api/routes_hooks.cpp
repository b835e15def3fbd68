// Webhook ingress: verify the sender's signature, append the raw delivery durably, answer 202 once it is.
// It never parses the payload deeply and never waits on another role.
#include <future>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "api/context.hpp"
#include "api/respond.hpp"
#include "api/source_spec.hpp"
#include "bus/messages.hpp"
#include "ingest/webhook_scheme.hpp"

namespace chorus::api {

namespace {

// Headers worth keeping for the parser (event names, delivery ids); anything that could carry a secret is dropped.
bool keep_header(std::string_view name) {
  for (std::string_view secret : {"authorization", "cookie", "token", "signature", "secret"})
    if (name.find(secret) != std::string_view::npos) return false;
  return name.starts_with("x-") || name == "content-type" || name.starts_with("webhook-") || name == "user-agent";
}

bool is_ping(const store::Source& source, const http::Request& req) {
  if (source.webhook_scheme == "discourse") return req.headers.get("x-discourse-event").value_or("") == "ping";
  if (source.webhook_scheme == "github") return req.headers.get("x-github-event").value_or("") == "ping";
  return false;
}

// Slack checks a new event subscription URL with a signed url_verification body and expects its challenge
// back at once, before any event is sent.
std::optional<std::string> url_verification_challenge(const store::Source& source, const json::value& body) {
  if (source.webhook_scheme != "slack" || get_string(body, "type") != std::optional<std::string>("url_verification"))
    return std::nullopt;
  return get_string(body, "challenge");
}

// Webhook secrets opened from their sealed form, by source: opening one takes a decode and a decryption,
// which a burst of deliveries would repeat for each. An entry holds only while its sealed text is the
// source's current one, so a rotated or removed secret is never used.
class OpenedSecrets {
 public:
  Result<std::string> webhook_secret(const store::Source& source, const SecretBox& box) {
    {
      std::lock_guard lock(mu_);
      if (auto it = kept_.find(source.id); it != kept_.end() && it->second.sealed == source.sealed_secrets)
        return it->second.secret;
    }
    auto secrets = open_source_secrets(source, box);
    if (!secrets) return secrets.error();
    std::lock_guard lock(mu_);
    if (kept_.size() >= kKept) kept_.clear();
    kept_[source.id] = Entry{source.sealed_secrets, secrets->webhook_secret};
    return std::move(secrets->webhook_secret);
  }

 private:
  struct Entry {
    std::string sealed, secret;
  };
  static constexpr std::size_t kKept = 10000;
  std::mutex mu_;
  std::unordered_map<Id, Entry> kept_;
};

// Appends a delivery to the bus and answers 202 once it is durable, or 503 when it cannot be stored.
void append_delivery(AppContext& ctx, std::vector<bus::OutgoingMessage> delivery, http::Reply reply) {
  ctx.bus.publish_async(bus::kRawItems, std::move(delivery),
                        [reply = std::move(reply), &metrics = ctx.metrics, backlog = ctx.webhook_backlog](Status s) {
                          if (!s) {
                            reply(error_response(ErrorCode::unavailable,
                                                 "could not store the delivery, retry later: " + s.error().message));
                            return;
                          }
                          metrics.add("chorus_webhook_accepted_total");
                          if (backlog) backlog->accepted();
                          reply(json_response(202, json::object{{"accepted", 1}}));
                        });
}

http::Response receive(http::Request& req, AppContext& ctx, OpenedSecrets& opened) {
  auto id = path_id(req, "src", "webhook endpoint");
  if (!id) return error_response(id.error());
  // Refused before any work while the parser is too far behind: the sender retries later, and the log
  // stops growing without end.
  if (ctx.webhook_backlog)
    if (auto wait = ctx.webhook_backlog->refuse()) {
      ctx.metrics.add("chorus_webhook_refused_total");
      auto res = error_response(ErrorCode::unavailable, "the ingest backlog is over its bound; retry after " +
                                                            std::to_string(*wait) + " s");
      res.headers.set("retry-after", std::to_string(*wait));
      return res;
    }
  // Anyone may call this route, so a source that does not exist and one without a webhook answer alike: the
  // answer must not tell a stranger which source ids are in use.
  auto no_endpoint = [&] {
    return error_response(ErrorCode::not_found, "webhook endpoint /v1/hooks/" + std::to_string(*id) +
                                                    " does not exist: no source with this id has a webhook "
                                                    "(give a source a webhook {scheme, secret} to receive deliveries)");
  };
  auto source = ctx.store.get_webhook_source(*id);
  if (!source) {
    if (source.error().code == ErrorCode::not_found) return no_endpoint();
    return error_response(source.error());
  }
  if (!source->webhook_scheme) return no_endpoint();
  const auto* scheme = ingest::find_webhook_scheme(*source->webhook_scheme);
  if (!scheme) return error_response(ErrorCode::internal, "webhook scheme " + *source->webhook_scheme + " is not available");
  auto secret = opened.webhook_secret(*source, ctx.secrets);
  if (!secret) return error_response(secret.error());
  if (auto ok = scheme->verify(req.headers, req.body, *secret, now_ms()); !ok) {
    ctx.metrics.add("chorus_webhook_rejected_total");
    return error_response(ok.error());
  }
  if (is_ping(*source, req)) return json_response(200, json::object{{"ok", true}, {"event", "ping"}});
  auto body = parse_json(req.body);
  if (!body) {
    ctx.metrics.add("chorus_webhook_rejected_total");
    return error_response(ErrorCode::bad_request, "webhook body is " + body.error().message);
  }
  if (!body->is_object() && !body->is_array()) {
    // Every connector's deliveries are an object or an array of them; anything else would only reach the
    // dead letters.
    ctx.metrics.add("chorus_webhook_rejected_total");
    return error_response(ErrorCode::bad_request, "webhook body must be a JSON object or an array of objects");
  }
  if (auto challenge = url_verification_challenge(*source, *body))
    return json_response(200, json::object{{"challenge", *challenge}});
  bus::RawItems m;
  m.kind = bus::RawItems::Kind::webhook;
  m.workspace_id = source->workspace_id;
  m.source_id = source->id;
  m.source_type = source->type;
  m.received_at = now_ms();
  m.body = req.body;
  for (const auto& [name, value] : req.headers.items)
    if (keep_header(name)) m.headers[name] = value;
  std::vector<bus::OutgoingMessage> delivery;
  delivery.push_back({bus::workspace_key(source->workspace_id), bus::encode(m)});
  if (req.defer) {
    // The 202 goes out once the delivery's batch is durable; meanwhile this server thread serves others.
    append_delivery(ctx, std::move(delivery), req.defer());
    return {};  // not sent: the Reply answers
  }
  // The router called on its own, without a server: wait here.
  auto answer = std::make_shared<std::promise<http::Response>>();
  auto answered = answer->get_future();
  append_delivery(ctx, std::move(delivery), [answer](http::Response res) { answer->set_value(std::move(res)); });
  return answered.get();
}

}  // namespace

void add_webhook_routes(http::Router& router, AppContext& ctx) {
  auto opened = std::make_shared<OpenedSecrets>();
  add_route(router, ctx, "POST", "/v1/hooks/{src}", Access::signed_webhook,
            [&ctx, opened](http::Request& r) { return receive(r, ctx, *opened); });
}

}  // namespace chorus::api

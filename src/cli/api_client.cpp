// The CLI's HTTP calls to a Chorus server, shared by import, sync and report.
#include "cli/api_client.hpp"

#include <cctype>

#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "core/time.hpp"
#include "ingest/fetcher.hpp"
#include "ingest/http_client.hpp"

namespace chorus::cli {

namespace {

ErrorCode code_for_status(int status) {
  switch (status) {
    case 400:
      return ErrorCode::bad_request;
    case 401:
      return ErrorCode::unauthorized;
    case 403:
      return ErrorCode::forbidden;
    case 404:
      return ErrorCode::not_found;
    case 409:
      return ErrorCode::conflict;
    case 413:
      return ErrorCode::too_large;
    case 429:
      return ErrorCode::rate_limited;
    case 503:
      return ErrorCode::unavailable;
    default:
      return ErrorCode::internal;
  }
}

std::string server_message(const ingest::OutboundResponse& r) {
  if (auto v = parse_json(r.body))
    if (const auto* m = find_path(*v, "error.message"); m && m->is_string()) return std::string(m->get_string());
  if (r.status == 401) return "the API key was not accepted (check --key or CHORUS_API_KEY)";
  return "the server answered HTTP " + std::to_string(r.status);
}

}  // namespace

void add_api_options(CLI::App& cmd, ApiOptions& o) {
  cmd.add_option("--server", o.server, "Chorus API base URL")->envname("CHORUS_SERVER")->capture_default_str();
  cmd.add_option("--key", o.key, "Customer API key")->envname("CHORUS_API_KEY");
  cmd.add_option("--config", o.config_file, "TOML file with any of these flags as keys: server = \"http://...\"")
      ->envname("CHORUS_CONFIG")
      ->check(CLI::ExistingFile);
}

int with_config(CLI::App& cmd, const ApiOptions& o, const std::function<int()>& run) {
  if (!o.config_file.empty())
    if (auto s = apply_config_file(cmd, o.config_file); !s) return fail(s.error().message, 2);
  return run();
}

ApiClient::ApiClient(ApiOptions options) : options_(std::move(options)), http_(std::make_unique<ingest::HttpClient>()) {
  while (!options_.server.empty() && options_.server.back() == '/') options_.server.pop_back();
}

ApiClient::~ApiClient() = default;

Result<json::value> ApiClient::call(std::string_view method, const std::string& path, std::string body,
                                    std::string_view content_type, std::chrono::milliseconds timeout) {
  retry_after_.reset();
  if (options_.key.empty()) return make_error(ErrorCode::unauthorized, "no API key: pass --key or set CHORUS_API_KEY");
  ingest::OutboundRequest req;
  req.method = std::string(method);
  req.url = options_.server + path;
  req.headers.set("authorization", "Bearer " + options_.key);
  req.headers.set("accept", "application/json");
  if (!body.empty() || method == "POST") req.headers.set("content-type", std::string(content_type));
  req.body = std::move(body);
  req.timeout = timeout;
  auto res = http_->send(req);
  if (!res)
    return make_error(ErrorCode::upstream, "cannot reach " + ingest::redact_url(options_.server) + ": " +
                                               res.error().message + " (is `chorus serve` running?)");
  if (res->status < 200 || res->status >= 300) {
    retry_after_ = ingest::retry_after(res->headers, now_ms());
    return make_error(code_for_status(res->status), server_message(*res));
  }
  if (res->body.empty()) return json::value(nullptr);
  auto v = parse_json(res->body);
  if (!v) return make_error(ErrorCode::internal, "the server's answer is not JSON: " + v.error().message);
  return std::move(v.value());
}

std::string url_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace chorus::cli

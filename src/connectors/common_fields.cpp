// The shared field declarations and the readers of validated settings.
#include "connectors/common_fields.hpp"

namespace chorus::connectors {

FieldSpec base_url_field(std::string_view public_api, std::string_view other_hosts) {
  return FieldSpec{"base_url", "string", false, json::serialize(json::value(json::string(public_api))),
                   "The API's address; change it for " + std::string(other_hosts) + " or a test server."};
}

FieldSpec since_field() {
  return FieldSpec{"since", "time", false, "",
                   "Where the first sync starts (ISO-8601, e.g. 2026-01-01T00:00:00Z); without it the first sync "
                   "reads as far back as max_pages allows. Later syncs continue from the cursor."};
}

FieldSpec max_pages_field(int default_pages, std::string_view page) {
  return FieldSpec{"max_pages", "integer", false, std::to_string(default_pages),
                   "Most pages (" + std::string(page) + " each) read in one sync."};
}

FieldSpec concurrency_field(int default_requests) {
  return FieldSpec{"concurrency", "integer", false, std::to_string(default_requests),
                   "Pages requested at once once the number of pages is known (1 to 32)."};
}

Status check_base_url(std::string_view url, std::string_view example) {
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    return make_error(ErrorCode::bad_request, "config.base_url must be an http:// or https:// address" +
                                                  (example.empty() ? "" : ", e.g. " + std::string(example)));
  // The config is shown on every read of the source; a user name or password in it would be too.
  std::string_view rest = url.substr(url.find("://") + 3);
  if (rest.substr(0, rest.find_first_of("/?#")).find('@') != std::string_view::npos)
    return make_error(ErrorCode::bad_request,
                      "config.base_url must not carry a user name or password; put them in credentials, which are "
                      "sealed at rest and never shown");
  return {};
}

Status check_common_fields(const json::object& config) {
  if (auto it = config.find("base_url"); it != config.end() && it->value().is_string())
    if (auto s = check_base_url(it->value().get_string()); !s) return s;
  if (auto it = config.find("max_pages");
      it != config.end() && it->value().is_number() && it->value().to_number<double>() < 1)
    return make_error(ErrorCode::bad_request, "config.max_pages must be at least 1");
  if (auto it = config.find("concurrency"); it != config.end() && it->value().is_number()) {
    double n = it->value().to_number<double>();
    if (n < 1 || n > 32) return make_error(ErrorCode::bad_request, "config.concurrency must be between 1 and 32");
  }
  return {};
}

namespace {

const json::value* setting(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && !v->is_null() ? v : nullptr;
}

}  // namespace

std::string setting_string(const SourceSettings& source, std::string_view key, std::string_view fallback) {
  const json::value* v = setting(source.config, key);
  if (!v) return std::string(fallback);
  return scalar_to_string(*v).value_or(std::string(fallback));
}

std::int64_t setting_int(const SourceSettings& source, std::string_view key, std::int64_t fallback) {
  const json::value* v = setting(source.config, key);
  if (!v || !v->is_number()) return fallback;
  return static_cast<std::int64_t>(v->to_number<double>());
}

bool setting_bool(const SourceSettings& source, std::string_view key, bool fallback) {
  const json::value* v = setting(source.config, key);
  return v && v->is_bool() ? v->get_bool() : fallback;
}

std::string setting_base_url(const SourceSettings& source, std::string_view fallback) {
  std::string url = setting_string(source, "base_url");
  if (url.empty()) url = fallback;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string credential(const SourceSettings& source, std::string_view key) {
  const json::value* v = setting(source.credentials, key);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

bool read_time(const json::value& item, std::string_view key, TimeMs& out) {
  auto text = get_string(item, key);
  if (!text) return false;
  auto t = parse_time(*text);
  if (!t) return false;
  out = *t;
  return true;
}

std::optional<TimeMs> backfill_since(const SourceSettings& source) {
  std::string since = setting_string(source, "since");
  if (since.empty()) return std::nullopt;
  return parse_time(since);
}

}  // namespace chorus::connectors

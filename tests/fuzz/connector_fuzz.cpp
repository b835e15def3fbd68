// Fuzz target: arbitrary bytes as a pushed item, a fetched page item or a webhook body, through every
// connector's mapping, webhook splitting and field validation.
#include <cstdint>
#include <string_view>

#include "connectors/connector.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chorus;
  auto value = parse_json(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!value) return 0;
  http::Headers headers;
  headers.set("x-github-event", "issues");
  headers.set("x-discourse-event", "post_created");
  for (const auto* c : connectors::all_connectors()) {
    connectors::SourceSettings settings{1, 1, std::string(c->type()), {}, {}};
    settings.config["base_url"] = "http://127.0.0.1:9";
    settings.config["fields"] = json::object{{"id", "id"}, {"text", "text"}, {"timestamp", "created_at"}};
    (void)c->map(*value, settings);
    (void)c->from_webhook(headers, *value, settings);
    (void)c->from_webhook(http::Headers{}, *value, settings);
    if (value->is_object()) {
      json::object config = value->get_object();
      json::object credentials = value->get_object();
      (void)connectors::validate_fields(*c, config, credentials);
    }
  }
  return 0;
}

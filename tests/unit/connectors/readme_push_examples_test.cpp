// The README's push and support-desk SourceSpecs stay valid: each parses, names a registered connector,
// passes that connector's field validation, and uses a webhook scheme the connector accepts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "connectors/connector.hpp"
#include "core/secrets.hpp"

namespace chorus::connectors {
namespace {

// The ```json blocks between `heading` and the next heading of any level.
std::vector<std::string> json_blocks_under(const std::string& readme, const std::string& heading) {
  std::size_t start = readme.find(heading);
  if (start == std::string::npos) return {};
  std::size_t end = readme.find("\n#", start + heading.size());
  std::string section = readme.substr(start, end == std::string::npos ? std::string::npos : end - start);
  std::vector<std::string> out;
  for (std::size_t at = section.find("```json\n"); at != std::string::npos; at = section.find("```json\n", at)) {
    std::size_t body = at + 8;
    std::size_t close = section.find("```", body);
    out.push_back(section.substr(body, close - body));
    at = close + 3;
  }
  return out;
}

TEST(ReadmePushExamples, EveryExampleValidates) {
  std::ifstream in(std::filesystem::path(CHORUS_FIXTURES) / ".." / ".." / "README.md");
  ASSERT_TRUE(in) << "README.md not found";
  std::stringstream text;
  text << in.rdbuf();
  std::set<std::string> types;
  for (const std::string& block : json_blocks_under(text.str(), "### Push and support-desk connectors")) {
    auto spec = parse_json(block);
    ASSERT_TRUE(spec) << block;
    std::string type = get_string(*spec, "type").value_or("");
    const Connector* c = find_connector(type);
    ASSERT_NE(c, nullptr) << type;
    types.insert(type);
    const json::value* config_value = find_path(*spec, "config");
    const json::value* creds_value = find_path(*spec, "credentials");
    json::object config = config_value ? config_value->as_object() : json::object{};
    json::object creds = creds_value ? creds_value->as_object() : json::object{};
    auto st = validate_fields(*c, config, creds);
    EXPECT_TRUE(st) << type << ": " << (st ? "" : st.error().message);
    if (const json::value* scheme = find_path(*spec, "webhook.scheme")) {
      auto schemes = c->webhook_schemes();
      EXPECT_NE(std::find(schemes.begin(), schemes.end(), scheme->as_string()), schemes.end()) << type;
      // A Standard Webhooks secret is "whsec_" and base64 of the key.
      if (scheme->as_string() == "standard") {
        std::string secret(find_path(*spec, "webhook.secret")->as_string());
        ASSERT_TRUE(secret.starts_with("whsec_")) << secret;
        EXPECT_TRUE(base64_decode(secret.substr(6))) << secret;
      }
    }
  }
  EXPECT_EQ(types, (std::set<std::string>{"zendesk", "intercom", "typeform", "slack", "jsonl", "csv"}));
}

}  // namespace
}  // namespace chorus::connectors

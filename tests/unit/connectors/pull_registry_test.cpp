// The pull connectors are registered, describe themselves for GET /v1/connectors, and share the common
// fields (base_url with the public API as default, since as a time).
#include <gtest/gtest.h>

#include "connectors/connector.hpp"

namespace chorus::connectors {
namespace {

const json::object& field(const json::array& fields, std::string_view name) {
  for (const json::value& f : fields)
    if (f.as_object().at("name").as_string() == name) return f.as_object();
  throw std::runtime_error("no field " + std::string(name));
}

TEST(PullConnectors, RegisteredWithTheirPublicApisAndBackfill) {
  const std::vector<std::pair<std::string, std::string>> expected{
      {"github", "https://api.github.com"},
      {"hackernews", "https://hn.algolia.com/api/v1"},
      {"reddit", "https://oauth.reddit.com"},
      {"appstore", "https://itunes.apple.com"},
      {"googleplay", "https://androidpublisher.googleapis.com"},
  };
  for (const auto& [type, api] : expected) {
    const Connector* c = find_connector(type);
    ASSERT_NE(c, nullptr) << type;
    EXPECT_TRUE(c->pulls()) << type;
    json::object d = describe_connector(*c);
    const json::array& config = d.at("config").as_array();
    EXPECT_EQ(field(config, "base_url").at("default"), json::value(api)) << type;
    EXPECT_EQ(field(config, "base_url").at("required"), json::value(false)) << type;
    EXPECT_EQ(field(config, "since").at("type"), json::value("time")) << type;
    EXPECT_TRUE(field(config, "since").at("default").is_null()) << type;
    EXPECT_EQ(field(config, "max_pages").at("type"), json::value("integer")) << type;
  }
}

TEST(PullConnectors, CredentialsAndSchemesAsTheContractSays) {
  auto names = [](const Connector& c) {
    std::vector<std::string> out;
    for (const FieldSpec& f : c.credential_fields()) out.push_back(f.name);
    return out;
  };
  EXPECT_EQ(names(*find_connector("github")), (std::vector<std::string>{"token"}));
  EXPECT_EQ(names(*find_connector("reddit")), (std::vector<std::string>{"access_token"}));
  EXPECT_EQ(names(*find_connector("googleplay")), (std::vector<std::string>{"access_token"}));
  EXPECT_TRUE(names(*find_connector("hackernews")).empty());
  EXPECT_TRUE(names(*find_connector("appstore")).empty());
  json::object gh = describe_connector(*find_connector("github"));
  EXPECT_EQ(gh.at("webhook_schemes"), json::value(json::array{"github"}));
}

}  // namespace
}  // namespace chorus::connectors

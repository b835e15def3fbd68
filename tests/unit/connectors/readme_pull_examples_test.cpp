// The README's pull-connector SourceSpecs stay valid: each parses, names a registered connector, passes
// that connector's field validation, and uses a webhook scheme the connector accepts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "connectors/connector.hpp"

namespace chorus::connectors {
namespace {

std::vector<std::string> json_blocks_of_section(const std::string& readme, const std::string& heading) {
  std::size_t start = readme.find(heading);
  if (start == std::string::npos) return {};
  std::size_t end = readme.find("\n## ", start);
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

TEST(ReadmePullExamples, EveryExampleValidates) {
  std::ifstream in(std::filesystem::path(CHORUS_FIXTURES) / ".." / ".." / "README.md");
  ASSERT_TRUE(in) << "README.md not found";
  std::stringstream text;
  text << in.rdbuf();
  auto blocks = json_blocks_of_section(text.str(), "### Pull connectors");
  std::set<std::string> types;
  for (const std::string& block : blocks) {
    auto spec = parse_json(block);
    ASSERT_TRUE(spec) << block;
    std::string type = get_string(*spec, "type").value_or("");
    const Connector* c = find_connector(type);
    ASSERT_NE(c, nullptr) << type;
    types.insert(type);
    json::object config = find_path(*spec, "config") ? find_path(*spec, "config")->as_object() : json::object{};
    json::object creds =
        find_path(*spec, "credentials") ? find_path(*spec, "credentials")->as_object() : json::object{};
    auto st = validate_fields(*c, config, creds);
    EXPECT_TRUE(st) << type << ": " << (st ? "" : st.error().message);
    if (auto scheme = find_path(*spec, "webhook.scheme")) {
      auto schemes = c->webhook_schemes();
      EXPECT_NE(std::find(schemes.begin(), schemes.end(), scheme->as_string()), schemes.end()) << type;
    }
  }
  EXPECT_EQ(types, (std::set<std::string>{"github", "hackernews", "reddit", "appstore", "googleplay"}));
}

}  // namespace
}  // namespace chorus::connectors

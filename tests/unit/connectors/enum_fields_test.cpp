// Enum fields: GET /v1/connectors lists the values each one may take, and validation holds sources to them.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"

namespace chorus::connectors {
namespace {

const json::object* field_named(const json::object& described, std::string_view group, std::string_view name) {
  for (const auto& f : described.at(group).as_array())
    if (f.as_object().at("name").as_string() == name) return &f.as_object();
  return nullptr;
}

TEST(EnumFields, EveryDeclaredChoiceIsListedAndEveryDefaultIsOneOfThem) {
  int enums = 0;
  for (const Connector* c : all_connectors()) {
    json::object described = describe_connector(*c);
    for (auto [group, specs] : {std::pair{"config", c->config_fields()}, std::pair{"credentials", c->credential_fields()}})
      for (const FieldSpec& spec : specs) {
        const json::object* f = field_named(described, group, spec.name);
        ASSERT_NE(f, nullptr) << c->type() << " " << spec.name;
        if (spec.choices.empty()) {
          EXPECT_FALSE(f->contains("enum")) << c->type() << " " << spec.name;
          continue;
        }
        ++enums;
        json::array want;
        for (const auto& choice : spec.choices) want.emplace_back(choice);
        EXPECT_EQ(f->at("enum"), json::value(want)) << c->type() << " " << spec.name;
        if (!spec.default_value.empty()) {
          auto def = parse_json(spec.default_value);
          ASSERT_TRUE(def && def->is_string()) << c->type() << " " << spec.name;
          EXPECT_NE(std::find(spec.choices.begin(), spec.choices.end(), std::string(def->get_string())),
                    spec.choices.end())
              << c->type() << " " << spec.name << " defaults to " << spec.default_value;
        }
      }
  }
  EXPECT_GE(enums, 3);  // jsonl and csv format, intercom api_version, at least
}

TEST(EnumFields, TheGenericSourcesListTheirTextFormats) {
  for (const char* type : {"jsonl", "csv"}) {
    const Connector* c = find_connector(type);
    ASSERT_NE(c, nullptr);
    const json::object described = describe_connector(*c);
    const json::object* format = field_named(described, "config", "format");
    ASSERT_NE(format, nullptr) << type;
    EXPECT_EQ(format->at("enum"), (json::value(json::array{"plain", "html", "markdown"}))) << type;
  }
}

TEST(EnumFields, IntercomListsTheApiVersionsItCanSpeak) {
  const json::object described = describe_connector(*find_connector("intercom"));
  const json::object* version = field_named(described, "config", "api_version");
  ASSERT_NE(version, nullptr);
  const json::array& values = version->at("enum").as_array();
  EXPECT_EQ(values.front(), json::value("2.0"));
  EXPECT_NE(std::find(values.begin(), values.end(), json::value("2.11")), values.end());
  EXPECT_EQ(version->at("default"), json::value("2.11"));
  json::object bad{{"api_version", "1.4"}};
  json::object creds;
  auto refused = validate_fields(*find_connector("intercom"), bad, creds);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("config.api_version must be 2.0, 2.1"), std::string::npos)
      << refused.error().message;
}

TEST(EnumFields, AValueOutsideTheChoicesIsRefusedByName) {
  const Connector& jsonl = *find_connector("jsonl");
  json::object fields{{"id", "id"}, {"text", "body"}};
  json::object creds;
  json::object bad{{"fields", fields}, {"format", "rtf"}};
  auto refused = validate_fields(jsonl, bad, creds);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::bad_request);
  EXPECT_EQ(refused.error().message, "config.format must be plain, html or markdown");
  json::object good{{"fields", fields}, {"format", "html"}};
  EXPECT_TRUE(validate_fields(jsonl, good, creds));
  json::object defaulted{{"fields", fields}};
  ASSERT_TRUE(validate_fields(jsonl, defaulted, creds));
  EXPECT_EQ(defaulted.at("format"), json::value("plain"));
}

TEST(EnumFields, AValueDifferingOnlyInCaseIsStoredAsTheDeclaredChoice) {
  json::object creds;
  json::object fields{{"id", "id"}, {"text", "body"}};
  json::object shouted{{"fields", fields}, {"format", "HTML"}};
  ASSERT_TRUE(validate_fields(*find_connector("jsonl"), shouted, creds));
  EXPECT_EQ(shouted.at("format"), json::value("html"));
  json::object unstable{{"api_version", "unstable"}};
  ASSERT_TRUE(validate_fields(*find_connector("intercom"), unstable, creds));
  EXPECT_EQ(unstable.at("api_version"), json::value("Unstable"));
}

TEST(EnumFields, EveryLongEnumNamesExamplesFromItsChoices) {
  for (const Connector* c : all_connectors())
    for (const FieldSpec& spec : c->config_fields()) {
      for (const auto& example : spec.examples)
        EXPECT_NE(std::find(spec.choices.begin(), spec.choices.end(), example), spec.choices.end())
            << c->type() << " " << spec.name << " " << example;
      if (spec.choices.size() > 24) EXPECT_FALSE(spec.examples.empty()) << c->type() << " " << spec.name;
    }
}

}  // namespace
}  // namespace chorus::connectors

// validate_fields: required fields, declared types, defaults, and errors that name the field.
#include <gtest/gtest.h>

#include <array>

#include "connectors/connector.hpp"

namespace chorus::connectors {
namespace {

// A connector declaring one field of every type, so each check is exercised without a real source.
class EveryTypeConnector final : public Connector {
 public:
  std::string_view type() const override { return "every_type"; }
  std::string_view description() const override { return "test connector"; }
  std::span<const FieldSpec> config_fields() const override { return config_; }
  std::span<const FieldSpec> credential_fields() const override { return credentials_; }
  std::span<const std::string_view> webhook_schemes() const override { return {}; }
  bool pulls() const override { return false; }
  Result<MappedItem> map(const json::value&, const SourceSettings&) const override { return MappedItem{}; }

 private:
  std::array<FieldSpec, 7> config_{{
      {"base_url", "string", true, "", "where"},
      {"include_comments", "boolean", false, "true", "comments too"},
      {"max_pages", "integer", false, "50", "pages"},
      {"channels", "string[]", false, "[]", "channel ids"},
      {"fields", "object", false, "", "field paths"},
      {"since", "time", false, "", "start"},
      {"country", "string", false, "\"us\"", "store country"},
  }};
  std::array<FieldSpec, 1> credentials_{{{"api_key", "string", true, "", "key"}}};
};

const EveryTypeConnector kConnector;

Status check(const char* config_text, const char* credentials_text = R"({"api_key":"k"})") {
  json::object config = parse_json(config_text).value().as_object();
  json::object credentials = parse_json(credentials_text).value().as_object();
  return validate_fields(kConnector, config, credentials);
}

std::string message(const Status& st) { return st ? std::string("ok") : st.error().message; }

TEST(ValidateFields, RequiredFieldMissingNamesIt) {
  Status st = check(R"({})");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::bad_request);
  EXPECT_EQ(st.error().message, "config.base_url is required");
}

TEST(ValidateFields, RequiredFieldNullOrEmptyIsMissing) {
  EXPECT_EQ(message(check(R"({"base_url":null})")), "config.base_url is required");
  EXPECT_EQ(message(check(R"({"base_url":""})")), "config.base_url is required");
}

TEST(ValidateFields, RequiredCredentialMissing) {
  EXPECT_EQ(message(check(R"({"base_url":"x"})", "{}")), "credentials.api_key is required");
}

TEST(ValidateFields, WrongTypesNameTheFieldAndType) {
  EXPECT_EQ(message(check(R"({"base_url":7})")), "config.base_url must be a string");
  EXPECT_EQ(message(check(R"({"base_url":"x","include_comments":1})")), "config.include_comments must be a boolean");
  EXPECT_EQ(message(check(R"({"base_url":"x","max_pages":2.5})")), "config.max_pages must be an integer");
  EXPECT_EQ(message(check(R"({"base_url":"x","channels":[1]})")), "config.channels[0] must be a string");
  EXPECT_EQ(message(check(R"({"base_url":"x","channels":{}})")), "config.channels must be an array of strings");
  EXPECT_EQ(message(check(R"({"base_url":"x","fields":[]})")), "config.fields must be an object");
  EXPECT_EQ(message(check(R"({"base_url":"x","since":"last tuesday"})")),
            "config.since must be an ISO-8601 time such as 2026-03-10T00:00:00Z");
  EXPECT_EQ(message(check(R"({"base_url":"x"})", R"({"api_key":42})")), "credentials.api_key must be a string");
}

TEST(ValidateFields, QuotedScalarsAreRejectedWithAHint) {
  Status st = check(R"({"base_url":"x","max_pages":"50"})");
  ASSERT_FALSE(st);
  EXPECT_TRUE(st.error().message.starts_with("config.max_pages must be an integer")) << st.error().message;
  EXPECT_NE(st.error().message.find("without quotes"), std::string::npos) << st.error().message;

  st = check(R"({"base_url":"x","include_comments":"false"})");
  ASSERT_FALSE(st);
  EXPECT_TRUE(st.error().message.starts_with("config.include_comments must be a boolean")) << st.error().message;

  st = check(R"({"base_url":"x","channels":"C024BE91L"})");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("wrap it in [ ]"), std::string::npos) << st.error().message;
}

TEST(ValidateFields, DefaultsApplied) {
  json::object config = parse_json(R"({"base_url":"https://x","since":null})").value().as_object();
  json::object credentials{{"api_key", "k"}};
  ASSERT_TRUE(validate_fields(kConnector, config, credentials));
  EXPECT_EQ(config.at("include_comments"), json::value(true));
  EXPECT_EQ(config.at("max_pages"), json::value(50));
  EXPECT_EQ(config.at("channels"), json::value(json::array{}));
  EXPECT_EQ(config.at("country"), json::value("us"));
  EXPECT_FALSE(config.contains("fields"));  // no default: stays absent
  EXPECT_FALSE(config.contains("since"));   // null reads as not given
}

// A key the connector does not read is a typo ("qeury") or another type's setting: refused by name with the
// fields there are, in config and in credentials alike, rather than stored and ignored.
TEST(ValidateFields, UnknownKeysAreRefusedByName) {
  json::object config = parse_json(R"({"base_url":"https://x","extra_knob":3})").value().as_object();
  json::object credentials{{"api_key", "k"}};
  auto st = validate_fields(kConnector, config, credentials);
  ASSERT_FALSE(st);
  EXPECT_TRUE(st.error().message.starts_with("config.extra_knob is not a field")) << st.error().message;
  EXPECT_NE(st.error().message.find("base_url"), std::string::npos) << st.error().message;

  config = parse_json(R"({"base_url":"https://x"})").value().as_object();
  credentials = json::object{{"api_key", "k"}, {"api_kye", "k"}};
  st = validate_fields(kConnector, config, credentials);
  ASSERT_FALSE(st);
  EXPECT_TRUE(st.error().message.starts_with("credentials.api_kye is not a field")) << st.error().message;
}

TEST(ValidateFields, GivenValuesWinOverDefaults) {
  json::object config =
      parse_json(R"({"base_url":"x","include_comments":false,"max_pages":3,"since":"2026-03-10"})").value().as_object();
  json::object credentials{{"api_key", "k"}};
  ASSERT_TRUE(validate_fields(kConnector, config, credentials));
  EXPECT_EQ(config.at("include_comments"), json::value(false));
  EXPECT_EQ(config.at("max_pages"), json::value(3));
  EXPECT_EQ(config.at("since"), json::value("2026-03-10"));
}

TEST(ValidateFields, IntegralDoublesAreIntegers) { EXPECT_TRUE(check(R"({"base_url":"x","max_pages":5.0})")); }

TEST(ValidateFields, DiscourseRulesBeyondTypes) {
  const Connector* discourse = find_connector("discourse");
  ASSERT_NE(discourse, nullptr);
  auto run = [&](const char* config_text, const char* credentials_text) {
    json::object config = parse_json(config_text).value().as_object();
    json::object credentials = parse_json(credentials_text).value().as_object();
    Status st = validate_fields(*discourse, config, credentials);
    return st ? std::string("ok") : st.error().message;
  };
  EXPECT_EQ(run("{}", "{}"), "config.base_url is required");
  EXPECT_EQ(run(R"({"base_url":"meta.discourse.org"})", "{}"),
            "config.base_url must be an http:// or https:// address, e.g. https://meta.discourse.org");
  EXPECT_EQ(run(R"({"base_url":"https://f"})", R"({"api_key":"k"})"),
            "credentials.api_username is required with credentials.api_key");
  EXPECT_EQ(run(R"({"base_url":"https://f","max_pages":0})", "{}"), "config.max_pages must be at least 1");
  EXPECT_EQ(run(R"({"base_url":"https://f","concurrency":100})", "{}"), "config.concurrency must be between 1 and 32");
  EXPECT_EQ(run(R"({"base_url":"https://f","query":"sync"})", R"({"api_key":"k","api_username":"system"})"), "ok");
}

TEST(ValidateFields, DiscourseDefaults) {
  json::object config{{"base_url", "https://forum.example.com"}};
  json::object credentials;
  Status st = validate_fields(*find_connector("discourse"), config, credentials);
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(config.at("query"), json::value(""));
  EXPECT_EQ(config.at("max_pages"), json::value(50));
  EXPECT_EQ(config.at("concurrency"), json::value(4));
  EXPECT_FALSE(config.contains("since"));
}

}  // namespace
}  // namespace chorus::connectors

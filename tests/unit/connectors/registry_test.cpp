// The registry, the GET /v1/connectors description, and the defaults for push-only sources.
#include <gtest/gtest.h>

#include "connectors/connector.hpp"
#include "ingest/fetcher.hpp"

namespace chorus::connectors {
namespace {

TEST(Registry, FindsDiscourseAndNothingUnknown) {
  const Connector* c = find_connector("discourse");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->type(), "discourse");
  EXPECT_EQ(find_connector("myspace"), nullptr);
  EXPECT_EQ(find_connector(""), nullptr);
}

TEST(Registry, TypesAreUnique) {
  auto all = all_connectors();
  ASSERT_FALSE(all.empty());
  for (std::size_t i = 0; i < all.size(); ++i)
    for (std::size_t j = i + 1; j < all.size(); ++j) EXPECT_NE(all[i]->type(), all[j]->type());
}

TEST(Registry, EveryDeclaredDefaultIsJsonOfItsType) {
  for (const Connector* c : all_connectors()) {
    json::object config, credentials;
    for (const FieldSpec& f : c->config_fields()) {
      if (f.default_value.empty()) continue;
      auto v = parse_json(f.default_value);
      ASSERT_TRUE(v) << c->type() << " config." << f.name << " default: " << f.default_value;
      EXPECT_FALSE(f.required) << c->type() << " config." << f.name << " is required and has a default";
    }
    for (const FieldSpec& f : c->config_fields()) EXPECT_FALSE(f.description.empty()) << c->type() << "." << f.name;
    for (const FieldSpec& f : c->credential_fields()) EXPECT_FALSE(f.description.empty()) << c->type() << "." << f.name;
  }
}

TEST(DescribeConnector, DiscourseShape) {
  json::object d = describe_connector(*find_connector("discourse"));
  EXPECT_EQ(d.at("type"), json::value("discourse"));
  EXPECT_TRUE(d.at("description").is_string());
  EXPECT_FALSE(d.at("description").as_string().empty());
  EXPECT_EQ(d.at("webhook_schemes"), json::value(json::array{"discourse"}));

  const json::array& config = d.at("config").as_array();
  ASSERT_EQ(config.size(), 5u);
  for (const json::value& f : config) {
    const json::object& o = f.as_object();
    for (const char* key : {"name", "type", "required", "default", "description"})
      EXPECT_TRUE(o.contains(key)) << key << " missing in " << json::serialize(f);
  }
  const json::object& base_url = config[0].as_object();
  EXPECT_EQ(base_url.at("name"), json::value("base_url"));
  EXPECT_EQ(base_url.at("type"), json::value("string"));
  EXPECT_EQ(base_url.at("required"), json::value(true));
  EXPECT_TRUE(base_url.at("default").is_null());

  auto field = [&](std::string_view name) -> const json::object& {
    for (const json::value& f : config)
      if (f.as_object().at("name").as_string() == name) return f.as_object();
    throw std::runtime_error("no field " + std::string(name));
  };
  EXPECT_EQ(field("max_pages").at("default"), json::value(50));  // parsed JSON, not the text "50"
  EXPECT_EQ(field("query").at("default"), json::value(""));
  EXPECT_EQ(field("since").at("type"), json::value("time"));
  EXPECT_TRUE(field("since").at("default").is_null());

  const json::array& creds = d.at("credentials").as_array();
  ASSERT_EQ(creds.size(), 2u);
  EXPECT_EQ(creds[0].as_object().at("name"), json::value("api_key"));
  EXPECT_EQ(creds[1].as_object().at("name"), json::value("api_username"));
}

// A push-only connector that keeps every default.
class PushOnly final : public Connector {
 public:
  std::string_view type() const override { return "jsonl_test"; }
  std::string_view description() const override { return "pushed lines"; }
  std::span<const FieldSpec> config_fields() const override { return {}; }
  std::span<const FieldSpec> credential_fields() const override { return {}; }
  std::span<const std::string_view> webhook_schemes() const override { return {}; }
  bool pulls() const override { return false; }
  Result<MappedItem> map(const json::value&, const SourceSettings&) const override { return MappedItem{}; }
};

TEST(ConnectorDefaults, SyncOfPushOnlySourceExplainsWhereToSend) {
  PushOnly c;
  struct NullSink : PageSink {
    Status emit(RawPage) override { return {}; }
  } sink;
  SourceSettings source;
  ingest::HttpClient client;
  ingest::Fetcher fetcher(client);
  SyncContext ctx{source, "", fetcher};
  auto r = c.sync(ctx, sink);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::bad_request);
  EXPECT_EQ(r.error().message,
            "jsonl_test sources are push-only: send items to POST /v1/workspaces/{ws}/sources/{src}/items or a webhook");
  EXPECT_EQ(describe_connector(c).at("webhook_schemes"), json::value(json::array{}));
}

TEST(ConnectorDefaults, WebhookObjectIsOneItemArrayIsMany) {
  PushOnly c;
  SourceSettings source;
  http::Headers headers;
  auto one = c.from_webhook(headers, parse_json(R"({"id":1})").value(), source);
  ASSERT_TRUE(one);
  ASSERT_EQ(one->items.size(), 1u);
  EXPECT_FALSE(one->fetch);
  auto many = c.from_webhook(headers, parse_json(R"([{"id":1},{"id":2},{"id":3}])").value(), source);
  ASSERT_TRUE(many);
  EXPECT_EQ(many->items.size(), 3u);
  auto bad = c.from_webhook(headers, json::value("text"), source);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::bad_request);
}

}  // namespace
}  // namespace chorus::connectors

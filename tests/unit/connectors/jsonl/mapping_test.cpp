// The generic jsonl source: items mapped through config.fields by dotted path, its type errors, and the
// validation of the mapping itself.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "connectors/connector.hpp"
#include "core/time.hpp"

namespace chorus::connectors {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CHORUS_FIXTURES) / "jsonl";

std::vector<json::value> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<json::value> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(parse_json(line).value());
  return out;
}

class JsonlMapping : public ::testing::Test {
 protected:
  JsonlMapping() {
    source.type = "jsonl";
    source.config = json::object{{"fields", json::object{{"id", "id"},
                                                         {"text", "answers.comment"},
                                                         {"timestamp", "submitted"},
                                                         {"author", "respondent.name"},
                                                         {"rating", "answers.score"},
                                                         {"url", "link"},
                                                         {"email", "respondent.email"},
                                                         {"user_id", "respondent.id"}}},
                                 {"metadata", json::object{{"plan", "plan"}}},
                                 {"format", "plain"}};
  }
  Result<MappedItem> map(const json::value& item) { return connector.map(item, source); }
  Result<MappedItem> map_text(std::string_view text) { return connector.map(parse_json(text).value(), source); }

  const Connector& connector = *find_connector("jsonl");
  SourceSettings source;
  std::vector<json::value> items = read_lines(kFixtures / "survey.jsonl");
};

TEST_F(JsonlMapping, EveryFieldComesFromItsDottedPath) {
  auto m = map(items[0]);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "s-101");
  EXPECT_EQ(m->text, "Sync lost my edits twice this week.");
  EXPECT_EQ(m->rating, 2.0);
  EXPECT_EQ(m->timestamp, parse_time("2026-03-02T08:14:03Z"));
  EXPECT_EQ(m->username, "Ines Duarte");
  EXPECT_EQ(m->email, "ines.duarte@example.com");
  EXPECT_EQ(m->user_id, "1001");
  EXPECT_EQ(m->url, "https://surveys.acme.example/r/s-101");
  EXPECT_FALSE(m->title);
  EXPECT_EQ(m->source_info, "JsonlItem");
  EXPECT_EQ(m->format, MappedItem::Format::plain);
  EXPECT_EQ(m->extra.at("plan"), "pro");
}

TEST_F(JsonlMapping, EpochSecondsNumericIdsAndAbsentOptionalsAreFine) {
  auto m = map(items[1]);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->timestamp, std::int64_t{1772449200} * 1000);
  EXPECT_FALSE(m->email);
  EXPECT_FALSE(m->url);
  auto numeric = map(items[2]);
  ASSERT_TRUE(numeric) << numeric.error().message;
  EXPECT_EQ(numeric->external_id, "103");
  EXPECT_EQ(numeric->text, "") << "an empty comment with a score is still feedback";
  EXPECT_EQ(numeric->rating, 3.0);
}

TEST_F(JsonlMapping, AKeySpelledLikeThePathWinsAndArraysAreIndexed) {
  source.config["fields"] = json::object{{"id", "meta.id"}, {"text", "answers.1.text"}, {"author", "user.name"}};
  auto m = map_text(R"({"meta.id":"flat-1","meta":{"id":"nested"},"user.name":"flat name",
                        "answers":[{"text":"first"},{"text":"second"}]})");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->external_id, "flat-1");
  EXPECT_EQ(m->text, "second");
  EXPECT_EQ(m->username, "flat name");
}

TEST_F(JsonlMapping, MissingIdOrTextIsNamed) {
  auto no_id = map_text(R"({"answers":{"comment":"hello"}})");
  ASSERT_FALSE(no_id);
  EXPECT_EQ(no_id.error().code, ErrorCode::bad_request);
  EXPECT_EQ(no_id.error().message, "item has no id at \"id\" (config.fields.id)");
  auto null_id = map_text(R"({"id":null,"answers":{"comment":"hello"}})");
  ASSERT_FALSE(null_id);
  EXPECT_EQ(null_id.error().message, "item has no id at \"id\" (config.fields.id)");
  auto no_text = map_text(R"({"id":"x1","answers":{}})");
  ASSERT_FALSE(no_text);
  EXPECT_EQ(no_text.error().message, "item x1 has no text at \"answers.comment\" (config.fields.text)");
  auto empty_id = map_text(R"({"id":"","answers":{"comment":"hello"}})");
  ASSERT_FALSE(empty_id);
  EXPECT_EQ(empty_id.error().message, "the id at \"id\" is empty");
  auto nothing = map_text(R"({"id":"x2","answers":{"comment":"  "}})");
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().message, "item x2 has an empty text at \"answers.comment\" and no rating");
}

TEST_F(JsonlMapping, WrongTypesAreNamedWithWhatWasFound) {
  struct Case {
    const char* item;
    const char* message;
  };
  for (const Case& c : {
           Case{R"({"id":{"n":1},"answers":{"comment":"x"}})",
                "the id at \"id\" must be a string or a number (got {\"n\":1})"},
           Case{R"({"id":true,"answers":{"comment":"x"}})", "the id at \"id\" must be a string or a number (got true)"},
           Case{R"({"id":"a","answers":{"comment":42}})", "the text at \"answers.comment\" must be a string (got 42)"},
           Case{R"({"id":"a","answers":{"comment":"x","score":"five"}})",
                "the rating at \"answers.score\" must be a number (got \"five\")"},
           Case{R"({"id":"a","answers":{"comment":"x","score":true}})",
                "the rating at \"answers.score\" must be a number (got true)"},
           Case{R"({"id":"a","answers":{"comment":"x","score":"0x10"}})",
                "the rating at \"answers.score\" must be a number (got \"0x10\")"},
           Case{R"({"id":"a","answers":{"comment":"x","score":1e308}})",
                "the rating at \"answers.score\" must be a number from 0 to 100 (got 1E308)"},
           Case{R"({"id":"a","answers":{"comment":"x","score":-5}})",
                "the rating at \"answers.score\" must be a number from 0 to 100 (got -5)"},
           Case{R"({"id":"a","answers":{"comment":"x"},"submitted":"2026-02-30T00:00:00Z"})",
                "the timestamp at \"submitted\" must be an ISO-8601 time or epoch seconds (got "
                "\"2026-02-30T00:00:00Z\")"},
           Case{R"({"id":"a","answers":{"comment":"x"},"submitted":99999999999999999})",
                "the timestamp at \"submitted\" must be an ISO-8601 time or epoch seconds (got 99999999999999999)"},
           Case{R"({"id":"a","answers":{"comment":"x"},"submitted":"yesterday"})",
                "the timestamp at \"submitted\" must be an ISO-8601 time or epoch seconds (got \"yesterday\")"},
           Case{R"({"id":"a","answers":{"comment":"x"},"submitted":{"at":1}})",
                "the timestamp at \"submitted\" must be an ISO-8601 time or epoch seconds (got {\"at\":1})"},
           Case{R"({"id":"a","answers":{"comment":"x"},"respondent":{"name":["a","b"]}})",
                "the author at \"respondent.name\" must be a string (got [\"a\",\"b\"])"},
       }) {
    auto m = map_text(c.item);
    ASSERT_FALSE(m) << c.item;
    EXPECT_EQ(m.error().code, ErrorCode::bad_request);
    EXPECT_EQ(m.error().message, c.message) << c.item;
  }
  auto array = connector.map(json::array{1, 2}, source);
  ASSERT_FALSE(array);
  EXPECT_EQ(array.error().message, "item must be a JSON object (got [1,2])");
}

TEST_F(JsonlMapping, NumericStringsAreReadAsNumbers) {
  auto m = map_text(R"({"id":"a","answers":{"comment":"ok","score":" 4.5 "},"submitted":"1772449200"})");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->rating, 4.5);
  EXPECT_EQ(m->timestamp, std::int64_t{1772449200} * 1000);
}

TEST_F(JsonlMapping, SourceInfoAndFormatAreConfigurable) {
  source.config["source_info"] = "NpsSurvey";
  source.config["format"] = "html";
  auto m = map(items[0]);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->source_info, "NpsSurvey");
  EXPECT_EQ(m->format, MappedItem::Format::html);
}

Status validate(json::object config) {
  json::object credentials;
  return validate_fields(*find_connector("jsonl"), config, credentials);
}

TEST(JsonlSettings, TheFieldMappingIsCheckedFieldByField) {
  EXPECT_TRUE(validate(json::object{{"fields", json::object{{"id", "id"}, {"text", "body"}}}}));
  struct Case {
    json::object config;
    const char* message;
  };
  for (const Case& c : {
           Case{json::object{}, "config.fields is required"},
           Case{json::object{{"fields", "id,text"}}, "config.fields must be an object"},
           Case{json::object{{"fields", json::object{{"text", "body"}}}},
                "config.fields.id is required: the path of each item's unique id"},
           Case{json::object{{"fields", json::object{{"id", "id"}}}},
                "config.fields.text is required: the path of each item's text"},
           Case{json::object{{"fields", json::object{{"id", "id"}, {"text", 7}}}},
                "config.fields.text must be a dotted path string, e.g. \"user.name\""},
           Case{json::object{{"fields", json::object{{"id", "id"}, {"text", ""}}}},
                "config.fields.text must be a dotted path string, e.g. \"user.name\""},
           Case{json::object{{"fields", json::object{{"id", "id"}, {"text", "t"}, {"comment", "c"}}}},
                "config.fields.comment is not a record field; use id, text, timestamp, author, rating, title, url, "
                "email, user_id, and config.metadata for anything else"},
           Case{json::object{{"fields", json::object{{"id", "id"}, {"text", "t"}}},
                             {"metadata", json::object{{"plan", 1}}}},
                "config.metadata.plan must be a dotted path string, e.g. \"user.name\""},
           Case{json::object{{"fields", json::object{{"id", "id"}, {"text", "t"}}}, {"format", "rtf"}},
                "config.format must be plain, html or markdown"},
       }) {
    auto st = validate(c.config);
    ASSERT_FALSE(st) << json::serialize(c.config);
    EXPECT_EQ(st.error().code, ErrorCode::bad_request);
    EXPECT_EQ(st.error().message, c.message);
  }
}

TEST(JsonlSettings, GenericSourcesArePushOnlyWithStandardAndTokenWebhooks) {
  for (const char* type : {"jsonl", "csv"}) {
    const Connector& c = *find_connector(type);
    EXPECT_FALSE(c.pulls()) << type;
    ASSERT_EQ(c.webhook_schemes().size(), 2u);
    EXPECT_EQ(c.webhook_schemes()[0], "standard");
    EXPECT_EQ(c.webhook_schemes()[1], "token");
    EXPECT_TRUE(c.credential_fields().empty());
  }
}

}  // namespace
}  // namespace chorus::connectors

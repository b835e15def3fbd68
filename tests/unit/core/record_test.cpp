// Core values: the record's stable id, its JSON shape, time parsing and the JSON writer.
#include <gtest/gtest.h>

#include <charconv>
#include <functional>

#include "core/json.hpp"
#include "core/record.hpp"
#include "core/time.hpp"

namespace chorus {
namespace {

TEST(UniqueIdentifier, IsStableAndSeparatesItsParts) {
  auto id = make_unique_identifier(1, "discourse", "872227");
  EXPECT_EQ(id, make_unique_identifier(1, "discourse", "872227"));
  // FNV-1a 64 of "1\x1f" "discourse\x1f" "872227", as a signed decimal: a fixed value across builds.
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : std::string("1\x1f" "discourse\x1f" "872227")) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  EXPECT_EQ(id, static_cast<std::int64_t>(h));
  EXPECT_NE(id, make_unique_identifier(2, "discourse", "872227"));
  EXPECT_NE(id, make_unique_identifier(1, "github", "872227"));
  EXPECT_NE(id, make_unique_identifier(1, "discourse", "872228"));
  // The separator keeps ("1", "2x") and ("12", "x") apart.
  EXPECT_NE(make_unique_identifier(1, "2x", "y"), make_unique_identifier(12, "x", "y"));
}

FeedbackRecord record_with_every_field_group() {
  FeedbackRecord r;
  r.unique_identifier = -3161350398033114604;
  r.workspace_id = 1;
  r.source_id = 3;
  r.customer_id = 9;
  r.source_type = "discourse";
  r.language = "English";
  r.language_code = "en";
  r.source_info = "DiscoursePost";
  r.rating = 4.5;
  r.title = "Bounces";
  r.text = "I've set up email feedback forwarding";
  r.sentiment_type = "negative";
  r.sentiment_score = -3;
  r.sentiment_compound = -0.31;
  r.category = "question";
  r.category_confidence = 0.7;
  r.themes = {"bounce notifications"};
  r.duplicate_of = 42;
  r.external_id = "872227";
  r.url = "https://meta.discourse.org/t/45343/173";
  r.raw_ref = "raw.items/0/17";
  r.extra["topic_id"] = 45343;
  r.platform_user_id = "79907";
  r.username = "taher1";
  r.timestamp = *parse_time("2021-01-11T03:24:05.977Z");
  r.received_at = *parse_time("2026-03-01T00:00:00Z");
  r.nlp_version = "clean@1";
  r.revision = 2;
  r.taxonomy_version = 5;
  r.sub_themes = {{"notifications", "bounce notifications"}};
  r.evidence["sentiment"] = json::array{json::object{{"term", "bounces"}, {"weight", -0.4}}};
  return r;
}

TEST(RecordJson, RoundTripsEveryFieldGroup) {
  const FeedbackRecord r = record_with_every_field_group();
  json::value v = record_to_json(r);
  EXPECT_EQ(find_path(v, "unique_identifier")->as_string(), "-3161350398033114604");
  EXPECT_EQ(find_path(v, "core_attributes.tenant_info")->as_string(), "9");
  EXPECT_EQ(find_path(v, "context_info.timestamp")->as_string(), "2021-01-11T03:24:05.977Z");
  EXPECT_TRUE(find_path(v, "user_attributes.email")->is_null());
  auto back = record_from_json(parse_json(to_json_string(v)).value());
  ASSERT_TRUE(back);
  EXPECT_EQ(to_json_string(record_to_json(*back)), to_json_string(v));
  EXPECT_FALSE(record_from_json(json::value("nope")));
  EXPECT_FALSE(record_from_json(json::object{{"workspace_id", "1"}}));
}

TEST(RecordJson, TheCountsReaderReadsWhatTheRollupsAndAlertsCountAndNothingElse) {
  const FeedbackRecord r = record_with_every_field_group();
  const std::string text = to_json_string(record_to_json(r));
  unsigned char buffer[512];  // smaller than the record: the parse spills to the heap and is freed with it
  json::monotonic_resource scratch(buffer, sizeof buffer);
  auto v = parse_json(text, &scratch);
  ASSERT_TRUE(v);
  auto counts = record_counts_from_json(*v);
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->unique_identifier, r.unique_identifier);
  EXPECT_EQ(counts->workspace_id, r.workspace_id);
  EXPECT_EQ(counts->source_id, r.source_id);
  EXPECT_EQ(counts->timestamp, r.timestamp);
  EXPECT_EQ(counts->received_at, r.received_at);  // alerts tell live items from a backfill by it
  EXPECT_EQ(counts->revision, r.revision);
  EXPECT_EQ(counts->language_code, r.language_code);
  EXPECT_EQ(counts->sentiment_type, r.sentiment_type);
  EXPECT_EQ(counts->sentiment_compound, r.sentiment_compound);
  EXPECT_EQ(counts->category, r.category);
  EXPECT_EQ(counts->themes, r.themes);
  EXPECT_EQ(counts->rating, r.rating);
  const FeedbackRecord blank;
  EXPECT_EQ(counts->text, blank.text);
  EXPECT_TRUE(counts->evidence.empty());
  EXPECT_TRUE(counts->extra.empty());
  EXPECT_TRUE(counts->sub_themes.empty());
  EXPECT_EQ(counts->username, blank.username);
  EXPECT_EQ(counts->nlp_version, blank.nlp_version);
  EXPECT_FALSE(record_counts_from_json(json::object{{"workspace_id", "1"}})) << "no unique_identifier";
  EXPECT_FALSE(record_counts_from_json(json::value(7)));
  EXPECT_FALSE(parse_json("{\"unique_identifier\":", &scratch));
}

// The same record through the tree and straight into a string: the same document, keys in the same order.
TEST(RecordJson, TheDirectWriterSaysWhatTheTreeSays) {
  auto both_ways = [](const FeedbackRecord& r) {
    std::string direct = record_json(r);
    auto parsed = parse_json(direct);
    ASSERT_TRUE(parsed) << direct;
    auto back = record_from_json(*parsed);
    ASSERT_TRUE(back) << direct;
    EXPECT_EQ(to_json_string(record_to_json(*back)), to_json_string(record_to_json(r))) << direct;
    // Key by key, in order, at every level (numbers aside, which the tree writes as 6.5E-1).
    std::function<void(const json::value&, const json::value&, const std::string&)> same_keys =
        [&](const json::value& a, const json::value& b, const std::string& at) {
          ASSERT_EQ(a.is_object(), b.is_object()) << at;
          if (!a.is_object()) return;
          const auto& x = a.get_object();
          const auto& y = b.get_object();
          ASSERT_EQ(x.size(), y.size()) << at;
          for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
            ASSERT_EQ(i->key(), j->key()) << at;
            same_keys(i->value(), j->value(), at + "." + std::string(i->key()));
          }
        };
    same_keys(*parsed, json::value(record_to_json(r)), "");
  };
  FeedbackRecord full;
  full.unique_identifier = -3161350398033114604;
  full.workspace_id = 7;
  full.source_type = "appstore";
  full.rating = 1.0;
  full.title = "Bravo \"quoted\"\n";
  full.text = "Great, another outage \u00e9\u6f22 \\ \t";
  full.sentiment_score = -8;
  full.sentiment_compound = -0.7442;
  full.category_confidence = 0.65;
  full.sentiment_confidence = 1e-7;
  full.evidence = json::object{{"sentiment", json::array{json::object{{"term", "great"}, {"weight", -1.25}}}}};
  full.themes = {"outage", "status page"};
  full.sub_themes = {{"outage", "status page green"}};
  full.duplicate_of = 12;
  full.external_id = "e1";
  full.url = "https://example.test/1";
  // A source field of the same name as the record's own takes its place; the others follow.
  full.extra["url"] = "https://source.test/own";
  full.extra["stars"] = 1;
  full.extra["nested"] = json::object{{"a", json::array{1, 2.5, nullptr}}};
  full.email = "a@b.test";
  full.timestamp = *parse_time("2026-12-05T01:02:03.004Z");
  full.nlp_version = "sentiment@8";
  full.taxonomy_version = 3;
  full.revision = 4;
  both_ways(full);
  EXPECT_EQ(find_path(parse_json(record_json(full)).value(), "metadata_attributes.url")->as_string(),
            "https://source.test/own");
  both_ways(FeedbackRecord{});  // every optional field absent
}

TEST(Time, ParsesIsoFormsAndEpochs) {
  EXPECT_EQ(parse_time("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_time("2026-03-10T01:00:00+01:00"), parse_time("2026-03-10T00:00:00Z"));
  EXPECT_EQ(parse_time("2026-03-10"), parse_time("2026-03-10T00:00:00Z"));
  EXPECT_EQ(parse_time("1700000000"), 1700000000000);
  EXPECT_EQ(parse_time("1700000000123"), 1700000000123);
  EXPECT_EQ(format_time(*parse_time("2021-01-11T03:24:05.977Z")), "2021-01-11T03:24:05.977Z");
  EXPECT_EQ(format_time(*parse_time("2024-02-29T23:59:59Z")), "2024-02-29T23:59:59Z");
  for (const char* bad : {"", "yesterday", "2026-13-01", "2026-03-10T25:00:00Z", "2026-03-10T00:00:00Q"})
    EXPECT_FALSE(parse_time(bad)) << bad;
}

TEST(Time, RefusesDatesThatDoNotExistAndEpochsPastTheYear9999) {
  for (const char* bad : {"2026-02-29", "2026-02-30T00:00:00Z", "2026-04-31", "2100-02-29", "99999999999999999",
                          "253402300800000", "9223372036854775807"})
    EXPECT_FALSE(parse_time(bad)) << bad;
  EXPECT_EQ(format_time(*parse_time("2000-02-29")), "2000-02-29T00:00:00Z");  // a leap year by the 400 rule
  EXPECT_EQ(format_time(*parse_time("2026-12-31T23:59:59Z")), "2026-12-31T23:59:59Z");
  EXPECT_EQ(parse_time("253402300799999"), kLatestTime);
  EXPECT_EQ(format_time(kLatestTime), "9999-12-31T23:59:59.999Z");
}

TEST(JsonWriter, WritesShortNumbersAndEscapes) {
  json::object o{{"c", -0.5423}, {"n", 3}, {"s", "a\"b\n"}, {"z", -0.0}, {"a", json::array{1.5, nullptr}}};
  EXPECT_EQ(to_json_string(o), R"({"c":-0.5423,"n":3,"s":"a\"b\n","z":0,"a":[1.5,null]})");
  // Numbers written directly agree with the shortest round-trip form for every magnitude and rounding.
  for (double d : {0.001, 0.0015, 0.002, 0.01, 0.1, 0.25, 0.5, 0.9999, 1.0, 2.5, 10.0, 99.99, 12345.6789, 50000.0,
                   99999.9999, 1e-4, 5e-4, 1e5, 1e6, 123456.7, 0.12345, 1.0 / 3.0, 1e-9, 3e20}) {
    for (double v : {d, -d}) {
      std::string fast;
      append_json_number(fast, v);
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
      ASSERT_EQ(ec, std::errc());
      EXPECT_EQ(fast, std::string(buf, end)) << v;
    }
  }
  EXPECT_EQ(parse_json(to_json_string(o)).value(), json::value(json::object{{"c", -0.5423},
                                                                            {"n", 3},
                                                                            {"s", "a\"b\n"},
                                                                            {"z", 0},
                                                                            {"a", json::array{1.5, nullptr}}}));
  EXPECT_FALSE(parse_json("{\"a\":"));
  auto deep = std::string(200, '[') + std::string(200, ']');
  EXPECT_FALSE(parse_json(deep)) << "nesting deeper than 64 is refused";
}

TEST(JsonPath, FindsDottedPathsThroughObjectsAndArrays) {
  auto v = parse_json(R"({"user":{"name":"ana"},"answers":[{"text":"hi"}]})").value();
  EXPECT_EQ(find_path(v, "user.name")->as_string(), "ana");
  EXPECT_EQ(find_path(v, "answers.0.text")->as_string(), "hi");
  EXPECT_EQ(find_path(v, "answers.1.text"), nullptr);
  EXPECT_EQ(find_path(v, "user.name.first"), nullptr);
  EXPECT_EQ(get_int(json::object{{"n", "42"}}, "n"), 42);
  EXPECT_EQ(get_string(json::object{{"n", 42}}, "n"), "42");
  EXPECT_FALSE(get_bool(json::object{{"b", "yes"}}, "b"));
}

TEST(JsonReads, AnObjectInHandReadsAsTheSameObjectInAValue) {
  const auto o = parse_json(R"({"s":"x","n":"42","i":7,"d":"2.5","f":2.5,"big":18446744073709551615,
    "t":"true","b":false,"nul":null,"arr":[1],"obj":{"a":1}})")
                     .value()
                     .as_object();
  const json::value v(o);
  for (const char* key : {"s", "n", "i", "d", "f", "big", "t", "b", "nul", "arr", "obj", "absent"}) {
    SCOPED_TRACE(key);
    EXPECT_EQ(get_string(o, key), get_string(v, key));
    EXPECT_EQ(get_int(o, key), get_int(v, key));
    EXPECT_EQ(get_double(o, key), get_double(v, key));
    EXPECT_EQ(get_bool(o, key), get_bool(v, key));
  }
  EXPECT_EQ(get_int(o, "n"), 42);
  EXPECT_EQ(get_double(o, "d"), 2.5);
  EXPECT_EQ(get_bool(o, "t"), true);
  EXPECT_FALSE(get_int(o, "big")) << "past int64";
  EXPECT_FALSE(get_string(o, "nul")) << "null reads as absent";
  EXPECT_FALSE(get_string(o, "obj"));
  EXPECT_FALSE(get_string(json::value(42), "s")) << "a value that is no object has no members";
}

}  // namespace
}  // namespace chorus

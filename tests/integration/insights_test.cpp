// Insights over real HTTP: a quarter of pushed feedback from two long-connected sources with a burst of
// checkout crashes reported on both (found with its window, tone, quotes and the people behind it, and
// linked into one cross-source issue), a source connected today whose backfill raises nothing, NPS and
// CSAT, trends, reports that add up, an edit that moves the rollups exactly, and exports of every record
// as JSON lines and CSV, with each record's raw payload.
#include <random>
#include <set>

#include "core/sqlite.hpp"
#include "core/time.hpp"
#include "integration/harness.hpp"

namespace chorus::testing {
namespace {

const TimeMs kJan1 = *parse_time("2025-01-01T00:00:00Z");

// "f3-1", "member7": built by appending (GCC 12 warns falsely about literal + to_string chains).
std::string name(std::string_view prefix, int a, int b = -1) {
  std::string out(prefix);
  out += std::to_string(a);
  if (b >= 0) {
    out += '-';
    out += std::to_string(b);
  }
  return out;
}
constexpr TimeMs kDay = 86400000;

const std::vector<std::string> kBackground{
    "Sync works great across all my devices", "Love how fast sync is now",
    "Search finds everything instantly",      "Please add a dark mode for night reading",
    "Login with Google fails sometimes",      "The export to PDF looks wonderful",
    "Notifications arrive late on Android",   "I was charged twice for the annual plan"};
const std::vector<std::string> kCrash{
    "The app crashes at checkout when I tap pay", "Checkout crashed again, lost my cart at the payment step",
    "Crash on the checkout screen right after entering my card", "Payment page crashes and closes the app at checkout",
    "Checkout keeps crashing since the update, cannot buy anything"};

class InsightsFlow : public ChorusFixture {
 protected:
  void SetUp() override {
    ChorusFixture::SetUp();
    key_ = customer("Acme");
    auto ws = api().post("/v1/workspaces", key_, json::object{{"name", "Shop app"}, {"sources", json::array{}}});
    ASSERT_EQ(ws.status, 201) << ws.raw;
    ws_ = str(ws.body, "id");
    forum_ = add_source("Forum");
    tickets_ = add_source("Support tickets");
    // Both were connected long before the quarter (a source's connection time is otherwise now).
    connected(forum_, *parse_time("2024-06-01T00:00:00Z"));
    connected(tickets_, *parse_time("2024-06-01T00:00:00Z"));
  }

  std::string add_source(const std::string& name) {
    auto r = api().post("/v1/workspaces/" + ws_ + "/sources", key_,
                        json::object{{"type", "jsonl"},
                                     {"name", name},
                                     {"config", json::object{{"fields", json::object{{"id", "id"},
                                                                                     {"text", "text"},
                                                                                     {"timestamp", "created_at"},
                                                                                     {"author", "user.name"},
                                                                                     {"email", "user.email"},
                                                                                     {"rating", "score"},
                                                                                     {"url", "url"}}}}}});
    EXPECT_EQ(r.status, 201) << r.raw;
    return str(r.body, "id");
  }

  void connected(const std::string& source, TimeMs at) {
    auto db = sqlite::Database::open(dir_ / "chorus.db", {});
    ASSERT_TRUE(db) << db.error().message;
    auto q = db->prepare("UPDATE sources SET created_at = ? WHERE id = ?");
    ASSERT_TRUE(q);
    ASSERT_TRUE(q->bind(1, at).bind(2, static_cast<std::int64_t>(std::stoll(source))).run());
  }

  json::object item(const std::string& id, const std::string& text, TimeMs at, const std::string& person,
                    std::optional<int> score = std::nullopt) {
    json::object o{{"id", id},
                   {"text", text},
                   {"created_at", format_time(at)},
                   {"user", json::object{{"name", person}, {"email", person + "@example.com"}}},
                   {"url", "https://support.example.com/" + id}};
    if (score) o["score"] = *score;
    return o;
  }

  void push(const std::string& source, const std::vector<json::object>& items) {
    for (std::size_t i = 0; i < items.size(); i += 200) {
      std::string body;
      for (std::size_t k = i; k < std::min(items.size(), i + 200); ++k) body += json::serialize(items[k]) + "\n";
      auto r = api().call("POST", "/v1/workspaces/" + ws_ + "/sources/" + source + "/items", key_, body,
                          {{"content-type", "application/x-ndjson"}});
      ASSERT_EQ(r.status, 202) << r.raw;
    }
    pushed_ += static_cast<std::int64_t>(items.size());
  }

  // A quarter: steady chatter on both sources, ratings 1-5 on the forum and 0-10 on tickets, and on
  // March 10-12 a crash at checkout reported on both by a dozen people, some on both.
  void push_quarter() {
    std::mt19937 rng(42);
    std::vector<json::object> forum, tickets;
    for (int d = 0; d < 90; ++d) {
      for (int i = 0; i < 3; ++i) {
        TimeMs at = kJan1 + d * kDay + static_cast<TimeMs>(rng() % kDay);
        int score = 1 + static_cast<int>(rng() % 5);
        forum.push_back(item(name("f", d, i), kBackground[rng() % kBackground.size()], at,
                             name("member", static_cast<int>(rng() % 50)), score));
        forum_scores_.push_back(score);
      }
      for (int i = 0; i < 2; ++i) {
        TimeMs at = kJan1 + d * kDay + static_cast<TimeMs>(rng() % kDay);
        int score = static_cast<int>(rng() % 11);
        tickets.push_back(item(name("t", d, i), kBackground[rng() % kBackground.size()], at,
                               name("customer", static_cast<int>(rng() % 50)), score));
        ticket_scores_.push_back(score);
      }
    }
    for (int d = 68; d < 71; ++d)
      for (int i = 0; i < 10; ++i) {
        TimeMs at = kJan1 + d * kDay + static_cast<TimeMs>(rng() % kDay);
        std::string person = name("shopper", static_cast<int>(rng() % 12));
        auto& to = i % 2 ? tickets : forum;
        to.push_back(item(name("crash-", d, i), kCrash[rng() % kCrash.size()], at, person));
        crash_people_.insert(person);
      }
    push(forum_, forum);
    push(tickets_, tickets);
  }

  json::value get(const std::string& path) {
    auto r = api().get("/v1/workspaces/" + ws_ + path, key_);
    EXPECT_EQ(r.status, 200) << path << ": " << r.raw;
    return r.body;
  }

  bool stored(std::int64_t n, const std::string& range = "") {
    return eventually([&] { return num(get("/insights" + range), "totals.count") == n; }, std::chrono::seconds(60));
  }

  std::string key_, ws_, forum_, tickets_;
  std::int64_t pushed_ = 0;
  std::vector<int> forum_scores_, ticket_scores_;
  std::set<std::string> crash_people_;
};

const std::string kMarch = "?from=2025-03-01T00:00:00Z&to=2025-04-01T00:00:00Z";

TEST_F(InsightsFlow, TheBurstIsFoundWithItsWindowQuotesPeopleAndOneCrossSourceIssue) {
  push_quarter();
  // A source connected today backfills its last days, dense with login complaints: no spike.
  std::string store_reviews = add_source("App store");
  std::vector<json::object> backfill;
  for (int i = 0; i < 60; ++i)
    backfill.push_back(item(name("r", i), "Login with Google fails sometimes", kJan1 + (80 + i / 10) * kDay + i * 60000,
                            name("reviewer", i), 1));
  push(store_reviews, backfill);
  ASSERT_TRUE(stored(pushed_));

  auto insights = get("/insights" + kMarch);
  const auto& emerging = find_path(insights, "emerging")->as_array();
  ASSERT_EQ(emerging.size(), 1u) << json::serialize(emerging);
  const auto& e = emerging[0];
  // The crash reports are filed under the built-in aspect they are about; "checkout" is their key phrase.
  EXPECT_EQ(str(e, "theme"), "crashes");
  EXPECT_EQ(str(e, "start"), "2025-03-10T00:00:00Z");
  EXPECT_EQ(str(e, "end"), "2025-03-13T00:00:00Z");
  EXPECT_EQ(str(e, "sentiment_type"), "negative");
  EXPECT_GE(num(e, "count"), 20);
  EXPECT_GT(find_path(e, "score")->to_number<double>(), 6.0);
  EXPECT_LT(find_path(e, "baseline")->to_number<double>(), 1.0);
  EXPECT_LE(num(e, "people"), static_cast<std::int64_t>(crash_people_.size()));
  EXPECT_GT(num(e, "people"), 5);
  const auto& quotes = find_path(e, "quotes")->as_array();
  ASSERT_FALSE(quotes.empty());
  std::set<std::string> texts;
  for (const auto& q : quotes) {
    EXPECT_NE(str(q, "url").find("https://support.example.com/crash-"), std::string::npos) << json::serialize(q);
    EXPECT_TRUE(texts.insert(str(q, "text")).second) << "the same words quoted twice";
  }
  EXPECT_TRUE(find_path(insights, "quotes.crashes") != nullptr);

  // The crash reported on the forum and in tickets is one issue; people are counted, not posts.
  bool linked = false;
  for (const auto& issue : find_path(insights, "issues")->as_array()) {
    if (str(issue, "theme") != "crashes") continue;
    linked = find_path(issue, "sources")->as_array().size() == 2 && str(issue, "emerging") == "true";
    EXPECT_LE(num(issue, "people"), static_cast<std::int64_t>(crash_people_.size()));
    EXPECT_LT(num(issue, "people"), num(issue, "records"));
  }
  EXPECT_TRUE(linked) << json::serialize(*find_path(insights, "issues"));

  // The original route answers the same.
  auto legacy = api().get("/GetInsightReports" + kMarch + "&workspace_id=" + ws_, key_);
  ASSERT_EQ(legacy.status, 200) << legacy.raw;
  EXPECT_EQ(json::serialize(legacy.body), json::serialize(insights));
}

TEST_F(InsightsFlow, RatingsTrendsAndReportsAddUp) {
  push_quarter();
  ASSERT_TRUE(stored(pushed_));
  auto insights = get("/insights?from=2025-01-01T00:00:00Z&to=2025-04-01T00:00:00Z");
  // CSAT from the forum's 1-5 scores, NPS from the tickets' 0-10 ones.
  std::int64_t satisfied = std::count_if(forum_scores_.begin(), forum_scores_.end(), [](int s) { return s >= 4; });
  std::int64_t promoters = std::count_if(ticket_scores_.begin(), ticket_scores_.end(), [](int s) { return s >= 9; });
  std::int64_t detractors = std::count_if(ticket_scores_.begin(), ticket_scores_.end(), [](int s) { return s <= 6; });
  EXPECT_EQ(num(insights, "ratings.count"), static_cast<std::int64_t>(forum_scores_.size() + ticket_scores_.size()));
  EXPECT_EQ(num(insights, "ratings.csat.count"), static_cast<std::int64_t>(forum_scores_.size()));
  EXPECT_EQ(num(insights, "ratings.csat.satisfied"), satisfied);
  EXPECT_NEAR(find_path(insights, "ratings.csat.score")->to_number<double>(),
              100.0 * static_cast<double>(satisfied) / static_cast<double>(forum_scores_.size()), 0.051);
  EXPECT_EQ(num(insights, "ratings.nps.promoters"), promoters);
  EXPECT_EQ(num(insights, "ratings.nps.detractors"), detractors);
  EXPECT_EQ(str(insights, "ratings.nps.sources.0"), tickets_);

  // Top themes carry their share and the previous quarter (empty: all of them are new).
  for (const auto& t : find_path(insights, "top_themes")->as_array()) {
    EXPECT_EQ(num(t, "previous_count"), 0);
    EXPECT_GT(find_path(t, "share")->to_number<double>(), 0.0);
    EXPECT_EQ(str(t, "trend"), num(t, "count") >= 5 ? "new" : "steady");
  }
  // March against February: checkout is new.
  auto march = get("/insights" + kMarch);
  for (const auto& t : find_path(march, "top_themes")->as_array()) {
    if (str(t, "theme") == "checkout") {
      EXPECT_EQ(str(t, "trend"), "new");
    }
  }

  // Day buckets add up to the totals, whatever the grouping.
  const std::int64_t total = num(insights, "totals.count");
  EXPECT_EQ(total, pushed_);
  for (std::string group : {"", "&group_by=source", "&group_by=sentiment"}) {
    auto report = get("/reports?from=2025-01-01T00:00:00Z&to=2025-04-01T00:00:00Z&bucket=day" + group);
    std::int64_t sum = 0;
    for (const auto& s : find_path(report, "series")->as_array())
      for (const auto& p : find_path(s, "points")->as_array()) sum += num(p, "count");
    EXPECT_EQ(sum, total) << group;
  }
  // A range that starts and ends inside hours is answered exactly too.
  auto odd = get("/insights?from=2025-02-03T10:17:00Z&to=2025-02-05T01:30:00Z");
  auto page = get("/feedback?from=2025-02-03T10:17:00Z&to=2025-02-05T01:30:00Z&limit=500");
  EXPECT_EQ(num(odd, "totals.count"), static_cast<std::int64_t>(find_path(page, "items")->as_array().size()));

  // An edit re-analyses one record: it moves from one sentiment to another, and nothing is counted twice.
  std::int64_t negative = num(insights, "totals.by_sentiment.negative");
  push(forum_, {item("crash-68-0", "Checkout is fast and lovely now, great work", kJan1 + 68 * kDay, "shopper1")});
  pushed_ -= 1;
  ASSERT_TRUE(eventually([&] {
    return num(get("/insights?from=2025-01-01T00:00:00Z&to=2025-04-01T00:00:00Z"), "totals.by_sentiment.negative") ==
           negative - 1;
  }));
  EXPECT_EQ(num(get("/insights?from=2025-01-01T00:00:00Z&to=2025-04-01T00:00:00Z"), "totals.count"), total);
}

TEST_F(InsightsFlow, EveryRecordExportsAsJsonLinesAndCsvWithItsRawPayload) {
  push_quarter();
  ASSERT_TRUE(stored(pushed_));
  // The paged API's records, for comparison.
  std::set<std::string> paged;
  std::string cursor;
  do {
    auto page = get("/feedback?limit=500" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const auto& r : find_path(page, "items")->as_array()) paged.insert(str(r, "unique_identifier"));
    cursor = str(page, "next_cursor");
    if (cursor == "null") cursor.clear();
  } while (!cursor.empty());
  ASSERT_EQ(static_cast<std::int64_t>(paged.size()), pushed_);

  auto jsonl = api().get("/v1/workspaces/" + ws_ + "/feedback?format=jsonl", key_);
  ASSERT_EQ(jsonl.status, 200);
  EXPECT_EQ(jsonl.headers.get("content-type").value_or(""), "application/x-ndjson");
  std::set<std::string> exported;
  std::size_t start = 0;
  std::string some_id;
  while (start < jsonl.raw.size()) {
    auto end = jsonl.raw.find('\n', start);
    auto line = parse_json(std::string_view(jsonl.raw).substr(start, end - start));
    ASSERT_TRUE(line) << "line at " << start;
    EXPECT_TRUE(exported.insert(str(*line, "unique_identifier")).second);
    if (str(*line, "metadata_attributes.external_id") == "crash-69-3") {
      some_id = str(*line, "unique_identifier");
      // The exported line is the record exactly as the API returns it.
      EXPECT_EQ(json::serialize(*line), json::serialize(get("/feedback/" + some_id)));
    }
    start = end + 1;
  }
  EXPECT_EQ(exported, paged);

  // CSV: a header and one row per record (texts have no line breaks here, so rows are lines).
  auto csv = api().get("/v1/workspaces/" + ws_ + "/feedback?format=csv&source=" + forum_, key_);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.headers.get("content-type").value_or(""), "text/csv; charset=utf-8");
  std::size_t rows = 0;
  for (std::size_t p = csv.raw.find("\r\n"); p != std::string::npos; p = csv.raw.find("\r\n", p + 2)) ++rows;
  EXPECT_EQ(rows, 1 + forum_scores_.size() + 15);
  EXPECT_EQ(csv.raw.rfind("unique_identifier,", 0), 0u);
  EXPECT_EQ(api().get("/v1/workspaces/" + ws_ + "/feedback?format=xml", key_).status, 400);

  // The raw item, as pushed.
  ASSERT_FALSE(some_id.empty());
  auto with_raw = get("/feedback/" + some_id + "?include=raw");
  EXPECT_EQ(str(with_raw, "raw.id"), "crash-69-3");
  EXPECT_EQ(str(with_raw, "raw.url"), "https://support.example.com/crash-69-3");
  EXPECT_TRUE(find_path(with_raw, "raw.user.email") != nullptr);
  EXPECT_EQ(find_path(get("/feedback/" + some_id), "raw"), nullptr);
  EXPECT_EQ(api().get("/v1/workspaces/" + ws_ + "/feedback/" + some_id + "?include=everything", key_).status, 400);
}

}  // namespace
}  // namespace chorus::testing

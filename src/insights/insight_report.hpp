// The insight report of a workspace (CONTRACT section 3, GET .../insights): totals, ratings, top themes
// against the previous period, emerging issues, quotes and cross-source issue clusters. Every number
// comes from the store's aggregates (rollups); only quotes and clusters read records, a bounded sample.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "insights/quotes.hpp"
#include "insights/ratings.hpp"
#include "insights/spike_detector.hpp"
#include "store/store.hpp"

namespace chorus::insights {

struct Quote {
  std::int64_t unique_identifier = 0;
  std::string text;
  std::optional<std::string> url;
  std::string sentiment_type;
  double sentiment_compound = 0.0;
  Id source_id = 0;
  TimeMs timestamp = 0;
};

struct ThemeInsight {
  std::string theme;
  std::int64_t count = 0;
  double share = 0.0;  // of all matching records
  double avg_compound = 0.0;
  std::optional<std::int64_t> previous_count;  // the period of equal length before, when the range is bounded
  std::string trend;                           // new | growing | fading | steady (unknown without a previous period)
};

struct EmergingIssue {
  std::string theme;
  Spike spike;
  std::string slice;           // "all": the theme's volume; else the sentiment whose volume spiked
  std::string sentiment_type;  // the slice's sentiment, or the window's most common one
  double avg_compound = 0.0;   // of the window's records in the slice
  std::vector<Quote> quotes;
  std::int64_t people = 0;                  // distinct people among the records sampled from the window
  std::vector<Id> sources;                  // sources of those records
  std::vector<std::string> related_themes;  // themes that spiked on mostly the same records, folded in here
};

struct IssueSource {
  Id source_id = 0;
  std::int64_t records = 0;
};

struct IssueInsight {
  std::string id;  // stable for the same earliest member
  std::string theme;
  std::vector<std::string> key_phrases;
  std::vector<IssueSource> sources;
  std::int64_t records = 0;
  std::int64_t people = 0;
  TimeMs first_seen = 0, last_seen = 0;
  double avg_compound = 0.0;
  std::string sentiment_type;
  std::vector<std::int64_t> record_ids;  // newest first, at most ten
  std::optional<Quote> quote;
  bool emerging = false;  // overlaps an emerging issue of its theme
};

struct InsightReport {
  store::Totals totals;
  RatingSummary ratings;
  std::vector<ThemeInsight> top_themes;
  std::vector<EmergingIssue> emerging;
  std::map<std::string, std::vector<Quote>> quotes;
  std::vector<IssueInsight> issues;
  TimeMs detection_from = 0, detection_to = 0;  // the range searched for emerging issues
  int baseline_days = 0;
  std::vector<int> window_days;
};

struct InsightOptions {
  std::size_t top_themes = 10;
  std::size_t max_emerging = 20;
  std::size_t max_issues = 15;
  std::size_t candidates_per_theme = 100;  // records sampled per theme or issue for quotes and clusters
  QuoteOptions quotes;
  DetectorOptions detector;
  TimeMs default_range = 30 * kDayMs;  // emerging issues are looked for in this much before `to` when from is open
  TimeMs now = 0;                      // 0: the clock
};

Result<InsightReport> build_insights(store::Store& store, const store::FeedbackFilter& filter,
                                     const InsightOptions& options = {});

// Emerging issues alone, over [from_day, to): the detector fed from the store's daily theme series,
// per source so that each is judged only from its connection.
Result<std::vector<EmergingIssue>> find_emerging(store::Store& store, const store::FeedbackFilter& filter,
                                                 TimeMs from_day, TimeMs to, const InsightOptions& options);

// Quotes for top themes and emerging issues, and the issue clusters among the sampled records.
Status gather_evidence(store::Store& store, const store::FeedbackFilter& filter, InsightReport& report,
                       const InsightOptions& options);

// The JSON the insight routes answer with (contract fields plus additive ones).
json::object insights_to_json(const InsightReport& report);

}  // namespace chorus::insights

// Cross-source issue clusters: records from anywhere (a GitHub issue, a forum thread, a support ticket)
// that describe the same problem, linked into one issue, with the number of distinct people behind it.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/record.hpp"

namespace chorus::insights {

struct ClusterOptions {
  double same_text = 0.35;           // TF-IDF cosine at which two texts describe the same problem
  double shared_theme_text = 0.15;   // the lower bar for two records that also share a theme
  TimeMs max_gap = 14 * 86400000LL;  // records further apart in time are not linked directly
  std::size_t min_records = 2;
};

// A theme's emerging episode: the records that carry the theme inside the window are one issue.
struct Episode {
  std::string theme;
  TimeMs start = 0, end = 0;
};

struct IssueCluster {
  std::vector<std::size_t> members;      // indices into the records, newest first
  std::vector<Id> sources;               // distinct, ascending
  std::int64_t people = 0;               // distinct people (see count_people)
  std::string theme;                     // the theme most members carry
  std::vector<std::string> key_phrases;  // themes at least half the members carry, most common first
  TimeMs first_seen = 0, last_seen = 0;
};

// Links records that are near-duplicates, that say the same thing in similar words, or that share two
// themes (or one theme and somewhat similar words) within `max_gap` of each other, and the records of
// one episode; the connected groups of at least `min_records` records, the widest (most sources, then
// people) first.
std::vector<IssueCluster> link_issues(std::span<const FeedbackRecord> records, std::span<const Episode> episodes = {},
                                      const ClusterOptions& options = {});

// Distinct people among `members`: records sharing an email (case-insensitively), or the same platform
// user id or username on one source type, are one person, and one record carrying both an email and a
// username ties those together across sources. A record with no identity at all is one person.
std::int64_t count_people(std::span<const FeedbackRecord> records, std::span<const std::size_t> members);

}  // namespace chorus::insights

// The evidence behind the numbers: a sample of recent records per top theme and per emerging issue,
// the quotes chosen from them, and the issue clusters that link them across sources.
#include <algorithm>
#include <set>
#include <unordered_map>

#include "insights/insight_report.hpp"
#include "insights/issue_clusters.hpp"

namespace chorus::insights {

namespace {

constexpr std::size_t kQuoteChars = 500;
constexpr std::size_t kIssueRecordIds = 10;
constexpr std::size_t kClusterSample = 1000;  // records examined for clusters at most (newest first)

Quote quote_of(const FeedbackRecord& r) {
  Quote q;
  q.unique_identifier = r.unique_identifier;
  q.text = r.text.size() > kQuoteChars ? r.text.substr(0, kQuoteChars) : r.text;
  q.url = r.url;
  q.sentiment_type = r.sentiment_type;
  q.sentiment_compound = r.sentiment_compound;
  q.source_id = r.source_id;
  q.timestamp = r.timestamp;
  return q;
}

std::vector<Quote> quotes_from(const std::vector<FeedbackRecord>& records, const std::optional<std::string>& tone,
                               const QuoteOptions& options) {
  std::vector<Quote> out;
  for (std::size_t i : pick_quotes(records, tone, options)) out.push_back(quote_of(records[i]));
  return out;
}

Result<std::vector<FeedbackRecord>> sample(store::Store& store, store::FeedbackFilter f, std::size_t limit) {
  auto page = store.query_feedback(f, limit, std::nullopt);
  if (!page) return page.error();
  return std::move(page->items);
}

std::string dominant_sentiment(std::span<const FeedbackRecord> records, std::span<const std::size_t> members) {
  std::map<std::string, std::size_t> n;
  for (std::size_t i : members) ++n[records[i].sentiment_type];
  std::string best = "neutral";
  std::size_t most = 0;
  for (const auto& [s, c] : n)
    if (c > most) most = c, best = s;
  return best;
}

IssueInsight describe_issue(const IssueCluster& c, std::span<const FeedbackRecord> records,
                            const std::vector<EmergingIssue>& emerging, const QuoteOptions& quote_options) {
  IssueInsight out;
  out.theme = c.theme;
  out.key_phrases = c.key_phrases;
  out.records = static_cast<std::int64_t>(c.members.size());
  out.people = c.people;
  out.first_seen = c.first_seen;
  out.last_seen = c.last_seen;
  std::map<Id, std::int64_t> per_source;
  double sum = 0.0;
  std::int64_t earliest = records[c.members.back()].unique_identifier;
  for (std::size_t i : c.members) {
    ++per_source[records[i].source_id];
    sum += records[i].sentiment_compound;
    if (out.record_ids.size() < kIssueRecordIds) out.record_ids.push_back(records[i].unique_identifier);
  }
  out.id = std::to_string(earliest);
  for (const auto& [s, n] : per_source) out.sources.push_back(IssueSource{s, n});
  out.avg_compound = sum / static_cast<double>(c.members.size());
  out.sentiment_type = dominant_sentiment(records, c.members);
  std::vector<FeedbackRecord> members;
  for (std::size_t i : c.members) members.push_back(records[i]);
  QuoteOptions one = quote_options;
  one.count = 1;
  auto picked = pick_quotes(members, out.sentiment_type, one);
  if (!picked.empty()) out.quote = quote_of(members[picked.front()]);
  for (const auto& e : emerging)
    for (std::size_t i : c.members)
      if (records[i].timestamp >= e.spike.start && records[i].timestamp < e.spike.end &&
          std::find(records[i].themes.begin(), records[i].themes.end(), e.theme) != records[i].themes.end())
        out.emerging = true;
  return out;
}

// Themes that spike together on the same records are one issue told by several key phrases ("checkout"
// and "payment page" of the same crash reports): the smaller folds into the larger as a related theme.
void fold_related(std::vector<EmergingIssue>& issues, const std::vector<std::set<std::int64_t>>& sampled) {
  constexpr double kShared = 0.6;
  std::vector<std::size_t> order(issues.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return issues[a].spike.count > issues[b].spike.count; });
  std::vector<bool> folded(issues.size(), false);
  for (std::size_t x = 0; x < order.size(); ++x) {
    std::size_t big = order[x];
    if (folded[big]) continue;
    for (std::size_t y = x + 1; y < order.size(); ++y) {
      std::size_t small = order[y];
      const auto& a = issues[big].spike;
      const auto& b = issues[small].spike;
      if (folded[small] || sampled[small].empty() || !(a.start < b.end && b.start < a.end)) continue;
      std::size_t shared = 0;
      for (auto id : sampled[small]) shared += sampled[big].count(id);
      if (static_cast<double>(shared) < kShared * static_cast<double>(sampled[small].size())) continue;
      folded[small] = true;
      auto& related = issues[big].related_themes;
      if (std::find(related.begin(), related.end(), issues[small].theme) == related.end() &&
          issues[small].theme != issues[big].theme)
        related.push_back(issues[small].theme);
    }
  }
  std::vector<EmergingIssue> kept;
  for (std::size_t i = 0; i < issues.size(); ++i)
    if (!folded[i]) kept.push_back(std::move(issues[i]));
  issues = std::move(kept);
}

}  // namespace

Status gather_evidence(store::Store& store, const store::FeedbackFilter& filter, InsightReport& report,
                       const InsightOptions& options) {
  std::vector<FeedbackRecord> pool;
  std::set<std::int64_t> pooled;
  auto add_to_pool = [&](const std::vector<FeedbackRecord>& records) {
    for (const auto& r : records)
      if (pooled.insert(r.unique_identifier).second) pool.push_back(r);
  };

  for (const auto& t : report.top_themes) {
    auto f = filter;
    f.theme = t.theme;
    auto records = sample(store, f, options.candidates_per_theme);
    if (!records) return records.error();
    report.quotes[t.theme] = quotes_from(*records, std::nullopt, options.quotes);
    add_to_pool(*records);
  }
  std::vector<std::set<std::int64_t>> sampled;
  for (auto& issue : report.emerging) {
    auto f = filter;
    f.theme = issue.theme;
    f.from = issue.spike.start;
    f.to = filter.to ? std::min(issue.spike.end, *filter.to) : issue.spike.end;
    if (issue.slice != "all") f.sentiment = issue.slice;
    // A larger sample than for quotes alone: the people behind an issue are counted from it.
    auto records = sample(store, f, 4 * options.candidates_per_theme);
    if (!records) return records.error();
    issue.quotes = quotes_from(*records, issue.sentiment_type, options.quotes);
    std::vector<std::size_t> all(records->size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    issue.people = count_people(*records, all);
    std::set<Id> sources;
    std::set<std::int64_t> ids;
    for (const auto& r : *records) {
      sources.insert(r.source_id);
      ids.insert(r.unique_identifier);
    }
    issue.sources.assign(sources.begin(), sources.end());
    sampled.push_back(std::move(ids));
    add_to_pool(*records);
  }
  fold_related(report.emerging, sampled);
  for (const auto& issue : report.emerging)
    if (!report.quotes.contains(issue.theme)) report.quotes[issue.theme] = issue.quotes;

  std::sort(pool.begin(), pool.end(), [](const FeedbackRecord& a, const FeedbackRecord& b) {
    return a.timestamp != b.timestamp ? a.timestamp > b.timestamp : a.unique_identifier > b.unique_identifier;
  });
  if (pool.size() > kClusterSample) pool.resize(kClusterSample);
  std::vector<Episode> episodes;
  for (const auto& e : report.emerging) {
    episodes.push_back(Episode{e.theme, e.spike.start, e.spike.end});
    for (const auto& t : e.related_themes) episodes.push_back(Episode{t, e.spike.start, e.spike.end});
  }
  for (const auto& c : link_issues(pool, episodes)) {
    if (report.issues.size() == options.max_issues) break;
    report.issues.push_back(describe_issue(c, pool, report.emerging, options.quotes));
  }
  return {};
}

}  // namespace chorus::insights

// Union-find over records (which problem) and over identities (which person).
#include "insights/issue_clusters.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <unordered_map>

#include "insights/text_features.hpp"

namespace chorus::insights {

namespace {

class DisjointSets {
 public:
  explicit DisjointSets(std::size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  std::size_t find(std::size_t i) {
    while (parent_[i] != i) i = parent_[i] = parent_[parent_[i]];
    return i;
  }
  void join(std::size_t a, std::size_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }
  std::size_t add() {
    parent_.push_back(parent_.size());
    return parent_.size() - 1;
  }

 private:
  std::vector<std::size_t> parent_;
};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::size_t shared_themes(const FeedbackRecord& a, const FeedbackRecord& b) {
  std::size_t n = 0;
  for (const auto& t : a.themes) n += std::count(b.themes.begin(), b.themes.end(), t) > 0 ? 1 : 0;
  return n;
}

bool copies(const FeedbackRecord& a, const FeedbackRecord& b) {
  return a.duplicate_of == b.unique_identifier || b.duplicate_of == a.unique_identifier ||
         (a.duplicate_of && a.duplicate_of == b.duplicate_of);
}

void describe(IssueCluster& c, std::span<const FeedbackRecord> records) {
  std::sort(c.members.begin(), c.members.end(), [&](std::size_t a, std::size_t b) {
    return records[a].timestamp != records[b].timestamp ? records[a].timestamp > records[b].timestamp
                                                        : records[a].unique_identifier > records[b].unique_identifier;
  });
  std::set<Id> sources;
  std::map<std::string, std::size_t> themes;
  c.first_seen = records[c.members.front()].timestamp;
  c.last_seen = c.first_seen;
  for (std::size_t i : c.members) {
    const auto& r = records[i];
    sources.insert(r.source_id);
    for (const auto& t : r.themes) ++themes[t];
    c.first_seen = std::min(c.first_seen, r.timestamp);
    c.last_seen = std::max(c.last_seen, r.timestamp);
  }
  c.sources.assign(sources.begin(), sources.end());
  std::vector<std::pair<std::string, std::size_t>> ranked(themes.begin(), themes.end());
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (!ranked.empty()) c.theme = ranked.front().first;
  for (const auto& [t, n] : ranked)
    if (2 * n >= c.members.size() && c.key_phrases.size() < 5) c.key_phrases.push_back(t);
  c.people = count_people(records, c.members);
}

}  // namespace

std::vector<IssueCluster> link_issues(std::span<const FeedbackRecord> records, std::span<const Episode> episodes,
                                      const ClusterOptions& options) {
  std::vector<std::vector<std::string>> words;
  words.reserve(records.size());
  for (const auto& r : records) words.push_back(content_words(r.title ? *r.title + " " + r.text : r.text));
  TermVectors vectors(words);
  DisjointSets sets(records.size());
  // In time order, each record is compared only with those within max_gap after it.
  std::vector<std::size_t> order(records.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return records[a].timestamp < records[b].timestamp; });
  for (std::size_t x = 0; x < order.size(); ++x) {
    for (std::size_t y = x + 1; y < order.size(); ++y) {
      const std::size_t i = order[x], j = order[y];
      const auto& a = records[i];
      const auto& b = records[j];
      if (b.timestamp - a.timestamp > options.max_gap) break;
      if (sets.find(i) == sets.find(j)) continue;
      std::size_t shared = shared_themes(a, b);
      bool linked = copies(a, b) || shared >= 2;
      if (!linked) {
        double sim = vectors.similarity(i, j);
        linked = sim >= options.same_text || (shared >= 1 && sim >= options.shared_theme_text);
      }
      if (linked) sets.join(i, j);
    }
  }
  for (const auto& e : episodes) {
    std::optional<std::size_t> first;
    for (std::size_t i = 0; i < records.size(); ++i) {
      const auto& r = records[i];
      if (r.timestamp < e.start || r.timestamp >= e.end ||
          std::find(r.themes.begin(), r.themes.end(), e.theme) == r.themes.end())
        continue;
      if (first)
        sets.join(*first, i);
      else
        first = i;
    }
  }
  std::map<std::size_t, IssueCluster> groups;
  for (std::size_t i = 0; i < records.size(); ++i) groups[sets.find(i)].members.push_back(i);
  std::vector<IssueCluster> out;
  for (auto& [root, c] : groups) {
    if (c.members.size() < options.min_records) continue;
    describe(c, records);
    out.push_back(std::move(c));
  }
  std::stable_sort(out.begin(), out.end(), [](const IssueCluster& a, const IssueCluster& b) {
    if (a.sources.size() != b.sources.size()) return a.sources.size() > b.sources.size();
    if (a.people != b.people) return a.people > b.people;
    return a.members.size() > b.members.size();
  });
  return out;
}

std::int64_t count_people(std::span<const FeedbackRecord> records, std::span<const std::size_t> members) {
  DisjointSets people(0);
  std::unordered_map<std::string, std::size_t> identity;
  auto node = [&](const std::string& key) {
    auto [it, fresh] = identity.emplace(key, 0);
    if (fresh) it->second = people.add();
    return it->second;
  };
  std::vector<std::size_t> person_of;
  person_of.reserve(members.size());
  for (std::size_t i : members) {
    const auto& r = records[i];
    std::vector<std::size_t> keys;
    if (r.email && !r.email->empty()) keys.push_back(node("email:" + lower(*r.email)));
    if (r.platform_user_id && !r.platform_user_id->empty())
      keys.push_back(node("id:" + r.source_type + ":" + *r.platform_user_id));
    if (r.username && !r.username->empty()) keys.push_back(node("name:" + r.source_type + ":" + lower(*r.username)));
    if (keys.empty()) keys.push_back(node("record:" + std::to_string(r.unique_identifier)));
    for (std::size_t k = 1; k < keys.size(); ++k) people.join(keys[0], keys[k]);
    person_of.push_back(keys[0]);
  }
  std::set<std::size_t> distinct;
  for (std::size_t p : person_of) distinct.insert(people.find(p));
  return static_cast<std::int64_t>(distinct.size());
}

}  // namespace chorus::insights

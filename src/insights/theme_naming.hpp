// Workspace-aware theme names. What nearly every record of a workspace says (the product's name, the
// thing it stores) is not a theme there, and neither is a person's name; variants of one theme ("sync
// issue", "syncing issues", "log-in" and "login") are one theme shown by its most used form.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/record.hpp"

namespace chorus::insights {

// A word in more than this share of a workspace's records is its vocabulary, not a theme.
inline constexpr double kMaxThemeWordShare = 0.25;

class WorkspaceVocabulary {
 public:
  // Learns from a sample of the workspace's records (their text, title and usernames).
  explicit WorkspaceVocabulary(const std::vector<FeedbackRecord>& sample);
  WorkspaceVocabulary() = default;

  std::size_t records() const { return records_; }
  // True when the theme is not a built-in aspect and one of its words is in more than kMaxThemeWordShare
  // of the sampled records, is a username, or is written as a name (capitalised wherever it appears, also
  // inside sentences; or inside most sentences, for a word that is also part of an @handle or is in a tenth
  // of the records). Records in languages that capitalise every noun (German) say nothing of names.
  bool hides(std::string_view theme) const;
  double share_of(std::string_view word) const;

 private:
  std::size_t records_ = 0;
  std::unordered_map<std::string, std::size_t> documents_;  // lowercase word -> records containing it
  std::unordered_set<std::string> names_;
};

// The key under which variants of a theme merge: its words' English stems, generic words dropped,
// hyphens and spaces ignored ("log-in" and "log in" and "login" alike).
std::string theme_merge_key(std::string_view theme);

}  // namespace chorus::insights

// Workspace-aware theme names (see theme_naming.hpp).
#include "insights/theme_naming.hpp"

#include <algorithm>

#include "nlp/taxonomy.hpp"
#include "nlp/themes.hpp"
#include "nlp/utf8.hpp"

namespace chorus::insights {

namespace {

constexpr std::size_t kMinNameSightings = 3;
constexpr double kNameShare = 0.9;  // of a word's sightings written capitalised
// A word that is also part of an @handle ("@Podnest", "@podnest_help") is a name when this share of its
// sightings inside sentences is capitalised: brands are written in lowercase in tweets and package names.
constexpr double kHandleNameShare = 0.7;
// And at this share when the engine does not know it as an English word: "relaykit" beside "@relaykit" and
// "`relaykit`" in code, where a handle's everyday word ("pay", "home", "help") keeps the higher share.
constexpr double kUnknownHandleNameShare = 0.5;
// A word in this share of a workspace's records that is capitalised inside most of the sentences that use it
// is what the workspace is about: the product or the company ("ChatGPT", "Echo", "Alexa"), written in
// lowercase now and then ("echo dot"), so short of kNameShare.
constexpr double kFrequentNameRecords = 0.10;
constexpr double kFrequentNameShare = 0.6;
constexpr std::size_t kFrequentNameSightings = 5;

// Languages that capitalise every noun: there, capitals say nothing of names.
bool capitalises_nouns(std::string_view language_code) { return language_code == "de" || language_code == "lb"; }

struct Sightings {
  std::size_t total = 0, capitalised = 0, inside_sentence = 0, lowercase_inside_sentence = 0;
};

bool is_upper_ascii(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower_ascii(char c) { return c >= 'a' && c <= 'z'; }

// The words of the text's @handles, split at underscores and where a capital follows a small letter:
// "@PodnestHelp" and "@podnest_help" give "podnest" and "help". An address ("me@acme.example") has none.
void collect_handle_words(std::string_view text, std::unordered_set<std::string>& out) {
  for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    if (at > 0) {
      char before = text[at - 1];
      if (is_upper_ascii(before) || is_lower_ascii(before) || (before >= '0' && before <= '9') || before == '.' ||
          before == '_')
        continue;
    }
    std::string part;
    auto flush = [&] {
      if (part.size() >= 3) out.insert(part);
      part.clear();
    };
    for (std::size_t i = at + 1; i < text.size(); ++i) {
      char c = text[i];
      if (is_upper_ascii(c)) {
        if (!part.empty() && is_lower_ascii(text[i - 1])) flush();
        part.push_back(static_cast<char>(c - 'A' + 'a'));
      } else if (is_lower_ascii(c)) {
        part.push_back(c);
      } else if (c == '_' || (c >= '0' && c <= '9')) {
        flush();
      } else {
        break;
      }
    }
    flush();
  }
}

// Counts how each word is written: "Pettit" capitalised inside a sentence is a name; "API" (all capitals)
// and a capital after a full stop say nothing.
void watch_case(std::string_view text, std::unordered_map<std::string, Sightings>& seen) {
  bool sentence_start = true;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (!(is_upper_ascii(c) || is_lower_ascii(c))) {
      if (c == '.' || c == '!' || c == '?' || c == '\n' || c == ':' || c == '"' || c == '>') sentence_start = true;
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && (is_upper_ascii(text[j]) || is_lower_ascii(text[j]) || text[j] == '\'')) ++j;
    std::string_view word = text.substr(i, j - i);
    bool all_caps = std::all_of(word.begin(), word.end(), [](char ch) { return !is_lower_ascii(ch); });
    if (word.size() >= 3 && !all_caps) {
      std::string lower = nlp::to_lower_utf8(word);
      Sightings& s = seen[lower];
      ++s.total;
      if (is_upper_ascii(word.front())) {
        ++s.capitalised;
        if (!sentence_start) ++s.inside_sentence;
      } else if (!sentence_start) {
        ++s.lowercase_inside_sentence;
      }
    }
    sentence_start = false;
    i = j;
  }
}

}  // namespace

WorkspaceVocabulary::WorkspaceVocabulary(const std::vector<FeedbackRecord>& sample) : records_(sample.size()) {
  std::unordered_map<std::string, Sightings> seen;
  std::unordered_set<std::string> handle_words;
  for (const FeedbackRecord& r : sample) {
    std::string text = r.title ? *r.title + "\n" + r.text : r.text;
    std::vector<std::string> words = nlp::matcher_words(text);
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    for (std::string& w : words) ++documents_[std::move(w)];
    if (!capitalises_nouns(r.language_code)) watch_case(text, seen);
    collect_handle_words(text, handle_words);
    for (const auto& who : {r.username, r.platform_user_id}) {
      if (!who) continue;
      for (std::string& w : nlp::matcher_words(*who))
        if (w.size() >= 3) names_.insert(std::move(w));
    }
  }
  for (const auto& [word, s] : seen) {
    if (s.total >= kMinNameSightings && s.inside_sentence > 0 &&
        static_cast<double>(s.capitalised) >= kNameShare * static_cast<double>(s.total))
      names_.insert(word);
    const std::size_t inside = s.inside_sentence + s.lowercase_inside_sentence;
    if (s.inside_sentence >= kFrequentNameSightings &&
        static_cast<double>(s.inside_sentence) >= kFrequentNameShare * static_cast<double>(inside)) {
      auto docs = documents_.find(word);
      if (docs != documents_.end() &&
          static_cast<double>(docs->second) >= kFrequentNameRecords * static_cast<double>(records_))
        names_.insert(word);
    }
    if (inside >= kMinNameSightings && handle_words.count(word)) {
      const double share = static_cast<double>(s.inside_sentence) / static_cast<double>(inside);
      if (share >= kHandleNameShare || (share >= kUnknownHandleNameShare && !nlp::is_known_english_word(word)))
        names_.insert(word);
    }
  }
}

double WorkspaceVocabulary::share_of(std::string_view word) const {
  if (records_ == 0) return 0.0;
  auto it = documents_.find(std::string(word));
  return it == documents_.end() ? 0.0 : static_cast<double>(it->second) / static_cast<double>(records_);
}

bool WorkspaceVocabulary::hides(std::string_view theme) const {
  if (records_ == 0 || nlp::Taxonomy::builtin().find(theme)) return false;
  for (const std::string& w : nlp::matcher_words(theme)) {
    if (share_of(w) > kMaxThemeWordShare || names_.count(w)) return true;
  }
  return false;
}

std::string theme_merge_key(std::string_view theme) {
  // Generic and stop words drop out ("sync issue" is "sync"), except particles of two letters, which make
  // the verb ("log in" is "login", "sign up" is "signup").
  std::string key;
  for (const std::string& w : nlp::matcher_words(theme)) {
    std::string stem = nlp::theme_key(w, "en");
    if (stem.empty() && w.size() <= 2) stem = w;
    key += stem;
  }
  return key.empty() ? std::string(theme) : key;
}

}  // namespace chorus::insights

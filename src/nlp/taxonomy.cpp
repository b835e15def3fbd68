// The aspect taxonomy and its phrase matcher (see taxonomy.hpp).
#include "nlp/taxonomy.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>

#include "core/json.hpp"
#include "nlp/embedded_data.hpp"
#include "nlp/sentiment_rules.hpp"
#include "nlp/stemmer.hpp"
#include "nlp/utf8.hpp"
#include "nlp/word_memo.hpp"

namespace chorus::nlp {

namespace {

std::string_view stem_language(std::string_view code) { return code.empty() || equal_short(code, "un") ? "en" : code; }

// The first two bytes at i, as the key substring phrases are indexed by.
std::uint16_t start_bytes(std::string_view s, std::size_t i) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(s[i]) << 8 | static_cast<unsigned char>(s[i + 1]));
}

PhraseMatcher::Hit hit(std::size_t pos, std::size_t end, std::size_t tag, bool by_word) {
  return {static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(end), static_cast<std::uint32_t>(tag), by_word};
}

// What a taxonomy tag names, in its two lowest bits (the aspect is tag / kKinds).
constexpr std::size_t kTermKind = 0;
constexpr std::size_t kNoneKind = 1;
constexpr std::size_t kContextKind = 2;
constexpr std::size_t kOpinionKind = 3;
constexpr std::size_t kKinds = 4;  // a phrase's tag is 4 * aspect + kind

}  // namespace

std::vector<std::string> matcher_words(std::string_view text, std::vector<std::uint32_t>* sentence_starts,
                                       bool skip_handles) {
  std::vector<std::string> out;
  out.reserve(text.size() / 5 + 2);
  std::string cur;
  bool ended = false;   // a sentence ended since the last word
  bool handle = false;  // the word being read is part of an @handle
  auto flush = [&] {
    if (cur.empty()) return;
    if (handle) {
      cur.clear();
      return;
    }
    if (ended && sentence_starts && !out.empty()) sentence_starts->push_back(static_cast<std::uint32_t>(out.size()));
    ended = false;
    out.push_back(std::move(cur));
    cur.clear();
  };
  for (std::size_t i = 0; i < text.size();) {
    if (take_ascii_alnum(text, i, cur)) continue;  // the bulk of most texts
    char32_t cp = next_code_point(text, i);
    bool apostrophe = (cp == '\'' || cp == 0x2019) && !cur.empty() && i < text.size();
    if (apostrophe) {
      std::size_t j = i;
      apostrophe = is_word_code_point(next_code_point(text, j));
    }
    if (is_word_code_point(cp) || apostrophe) {
      append_utf8(cur, apostrophe ? U'\'' : to_lower(cp));
      continue;
    }
    // "@acme_support_team" names an account, not customer support; "billing@acme.example" is no handle.
    const bool next_is_handle = skip_handles && ((cp == '@' && cur.empty()) || (cp == '_' && handle && !cur.empty()));
    flush();
    handle = next_is_handle;
    // A full stop ends a sentence before a space or the end, not inside "6.2" or "e.g.x".
    if (cp != ' ' &&
        (cp == '!' || cp == '?' || cp == ';' || cp == '\n' || cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F ||
         cp == 0x2026 || (cp == '.' && (i == text.size() || text[i] == ' ' || text[i] == '\n' || text[i] == '\r'))))
      ended = true;
  }
  flush();
  return out;
}

bool matches_by_substring(std::string_view code) {
  return equal_short(code, "ja") || equal_short(code, "zh") || equal_short(code, "ko") || equal_short(code, "th");
}

PhraseMatcher::Text::Text(std::string_view text) : source_(text.substr(0, std::min(text.size(), kMaxBytes))) {
  words = matcher_words(source_, &sentence_starts, true);
}

PhraseMatcher::Text::Text(std::string text, std::vector<std::string> split, std::vector<std::uint32_t> starts)
    : words(std::move(split)), sentence_starts(std::move(starts)), source_(std::move(text)) {
  if (source_.size() > kMaxBytes) source_.resize(kMaxBytes);
}

std::size_t PhraseMatcher::Text::sentence_of(std::size_t word) const {
  return static_cast<std::size_t>(std::upper_bound(sentence_starts.begin(), sentence_starts.end(), word) -
                                  sentence_starts.begin());
}

std::pair<std::size_t, std::size_t> PhraseMatcher::Text::sentence_words(std::size_t sentence) const {
  const std::size_t first = sentence == 0 ? 0 : sentence_starts[sentence - 1];
  const std::size_t last = sentence < sentence_starts.size() ? sentence_starts[sentence] : words.size();
  return {first, last};
}

const std::string& PhraseMatcher::Text::lower() const {
  if (!lower_) lower_ = to_lower_utf8(source_);
  return *lower_;
}

PhraseMatcher::Language& PhraseMatcher::language(std::string_view code) {
  for (auto& [c, lang] : by_language_)
    if (c == code) return lang;
  by_language_.emplace_back(std::string(code), Language{});
  return by_language_.back().second;
}

const PhraseMatcher::Language* PhraseMatcher::find_language(std::string_view code) const {
  for (const auto& [c, lang] : by_language_)
    if (equal_short(c, code)) return &lang;
  return nullptr;
}

void PhraseMatcher::add(std::string_view code, std::string_view phrase, std::size_t tag) {
  Language& lang = language(stem_language(code));
  if (matches_by_substring(code)) {
    std::string lower = to_lower_utf8(phrase);
    if (lower.empty()) return;
    const auto index = static_cast<std::uint32_t>(lang.substrings.entries.size());
    if (lower.size() == 1)
      lang.substrings.one_byte.push_back(index);
    else
      lang.substrings.by_start[start_bytes(lower, 0)].push_back(index);
    lang.substrings.entries.push_back({{}, std::move(lower), tag});
    return;
  }
  Entry e{{}, {}, tag};
  for (const std::string& w : matcher_words(phrase)) e.stems.push_back(stem_word(w, stem_language(code)));
  if (e.stems.empty()) return;
  lang.id = fresh_id();
  Head& head = lang.by_first_stem[e.stems.front()];
  if (e.stems.size() == 1) {
    head.tags.push_back(tag);
    return;
  }
  auto& bucket = head.by_second_stem[e.stems[1]];
  // Longest first, so a longer phrase is tried before its prefix.
  bucket.push_back(std::move(e));
  std::stable_sort(bucket.begin(), bucket.end(),
                   [](const Entry& a, const Entry& b) { return a.stems.size() > b.stems.size(); });
}

template <class StemAt>
std::optional<std::size_t> PhraseMatcher::first_at(const Head& head, std::size_t i, std::size_t n, StemAt&& stem_at,
                                                   std::size_t multiple_of) {
  if (!head.by_second_stem.empty() && i + 1 < n) {
    auto b = head.by_second_stem.find(stem_at(i + 1));
    if (b != head.by_second_stem.end()) {
      for (const Entry& e : b->second) {
        if (i + e.stems.size() > n || e.tag % multiple_of != 0) continue;
        bool all = true;
        for (std::size_t k = 2; k < e.stems.size() && all; ++k) all = stem_at(i + k) == e.stems[k];
        if (all) return e.tag;
      }
    }
  }
  for (std::size_t tag : head.tags)
    if (tag % multiple_of == 0) return tag;
  return std::nullopt;
}

template <class StemAt>
void PhraseMatcher::all_at(const Head& head, std::size_t i, std::size_t n, StemAt&& stem_at, std::vector<Hit>& hits) {
  // Positions of spaced matches are word indices scaled to stay comparable with byte offsets' order.
  for (std::size_t tag : head.tags) hits.push_back(hit(i * 8, (i + 1) * 8, tag, true));
  if (head.by_second_stem.empty() || i + 1 >= n) return;
  auto b = head.by_second_stem.find(stem_at(i + 1));
  if (b == head.by_second_stem.end()) return;
  for (const Entry& e : b->second) {
    if (i + e.stems.size() > n) continue;
    bool all = true;
    for (std::size_t k = 2; k < e.stems.size() && all; ++k) all = stem_at(i + k) == e.stems[k];
    if (all) hits.push_back(hit(i * 8, (i + e.stems.size()) * 8, e.tag, true));
  }
}

std::vector<std::size_t> PhraseMatcher::find(const Text& text, const std::vector<std::string_view>& languages) const {
  std::vector<std::size_t> tags;
  for (const Hit& hit : find_all(text, languages)) {
    if (std::find(tags.begin(), tags.end(), hit.tag) == tags.end()) tags.push_back(hit.tag);
  }
  return tags;
}

std::vector<PhraseMatcher::Hit> PhraseMatcher::find_all(const Text& text,
                                                        const std::vector<std::string_view>& languages) const {
  std::vector<Hit> hits;
  // Each word is hashed once for all the languages' memos (the phrases starting with it, its stem).
  thread_local std::vector<std::uint64_t> hashes;
  bool hashed = false;
  for (std::string_view code : languages) {
    const Language* found = find_language(stem_language(code));
    if (!found) continue;
    const Language& lang = *found;
    if (!lang.substrings.entries.empty()) find_substrings(lang.substrings, text.lower(), hits);
    if (lang.by_first_stem.empty()) continue;
    const std::vector<std::string>& words = text.words;
    if (!hashed) {
      hashes.resize(words.size());
      for (std::size_t i = 0; i < words.size(); ++i) hashes[i] = word_hash(words[i]);
      hashed = true;
    }
    // Words after a phrase's first are stemmed only when a phrase is compared with them. Their stems are
    // views kept in a per-thread list, each with the pass that made it and the count of fresh stems then: a
    // fresh stem since may have moved what it points into, and it is looked up again. Each view is used
    // before the next is asked for.
    thread_local struct {
      std::vector<std::string_view> stems;
      std::vector<std::uint64_t> made_in;  // the pass that stemmed each slot
      std::vector<std::uint64_t> fresh;    // fresh_stems() when it was stemmed
      std::uint64_t pass = 0;
    } scratch;
    const std::uint64_t pass = ++scratch.pass;
    auto stem_at = [&](std::size_t j) -> std::string_view {
      if (scratch.stems.size() < words.size()) {
        scratch.stems.resize(words.size());
        scratch.made_in.resize(words.size(), 0);
        scratch.fresh.resize(words.size(), 0);
      }
      if (scratch.made_in[j] != pass || scratch.fresh[j] != fresh_stems()) {
        scratch.stems[j] = stem_view(words[j], stem_language(code), hashes[j]);
        scratch.made_in[j] = pass;
        scratch.fresh[j] = fresh_stems();
      }
      return scratch.stems[j];
    };
    for (std::size_t i = 0; i < words.size(); ++i) {
      if (const Head* head = starting_with(lang, code, words[i], hashes[i]))
        all_at(*head, i, words.size(), stem_at, hits);
    }
  }
  std::stable_sort(hits.begin(), hits.end(),
                   [](const Hit& a, const Hit& b) { return a.pos != b.pos ? a.pos < b.pos : a.tag < b.tag; });
  return hits;
}

void PhraseMatcher::find_substrings(const Substrings& s, const std::string& lower, std::vector<Hit>& hits) {
  for (std::uint32_t e : s.one_byte) {
    const std::size_t pos = lower.find(s.entries[e].substring);
    if (pos != std::string::npos)
      hits.push_back(hit(pos, pos + s.entries[e].substring.size(), s.entries[e].tag, false));
  }
  if (s.by_start.empty()) return;
  thread_local std::vector<std::uint64_t> seen;  // the text an entry was last found in, so once per text
  thread_local std::uint64_t text_no = 0;
  ++text_no;
  if (seen.size() < s.entries.size()) seen.resize(s.entries.size(), 0);
  const std::string_view view(lower);
  // A phrase is valid UTF-8, so it starts where a character does: continuation bytes are passed over.
  for (std::size_t i = 0; i + 1 < lower.size(); ++i) {
    if ((static_cast<unsigned char>(lower[i]) & 0xC0) == 0x80) continue;
    auto it = s.by_start.find(start_bytes(lower, i));
    if (it == s.by_start.end()) continue;
    for (std::uint32_t e : it->second) {
      const Entry& entry = s.entries[e];
      if (seen[e] != text_no && equal_short(view.substr(i, entry.substring.size()), entry.substring)) {
        seen[e] = text_no;
        hits.push_back(hit(i, i + entry.substring.size(), entry.tag, false));
      }
    }
  }
}

std::uint64_t PhraseMatcher::fresh_id() {
  static std::atomic<std::uint64_t> next{1};
  return next++;
}

const PhraseMatcher::Head* PhraseMatcher::starting_with(const Language& lang, std::string_view code,
                                                        std::string_view word, std::uint64_t hash) {
  thread_local WordMemos<std::uint64_t, const Head*> memos;
  return memos.of(lang.id).get(word, hash, [&](std::string_view w) -> const Head* {
    auto b = lang.by_first_stem.find(stem_view(w, stem_language(code)));
    return b == lang.by_first_stem.end() ? nullptr : &b->second;
  });
}

std::optional<std::size_t> PhraseMatcher::find_in_phrase(std::string_view phrase, std::string_view code,
                                                         std::size_t multiple_of) const {
  const Language* lang = find_language(stem_language(code));
  if (!lang) return std::nullopt;
  for (const Entry& e : lang->substrings.entries)
    if (e.tag % multiple_of == 0 && phrase.find(e.substring) != std::string_view::npos) return e.tag;
  if (lang->by_first_stem.empty()) return std::nullopt;
  std::string_view words[8];
  std::size_t n = 0;
  for (std::size_t i = 0; i < phrase.size() && n < std::size(words);) {
    std::size_t j = phrase.find_first_of(" -", i);
    if (j == std::string_view::npos) j = phrase.size();
    if (j > i) words[n++] = phrase.substr(i, j - i);
    i = j + 1;
  }
  std::string stems[8];
  bool stemmed[8] = {};
  auto stem_at = [&](std::size_t j) -> const std::string& {
    if (!stemmed[j]) {
      stems[j] = stem_view(words[j], stem_language(code));
      stemmed[j] = true;
    }
    return stems[j];
  };
  for (std::size_t i = 0; i < n; ++i) {
    const Head* head = starting_with(*lang, code, words[i], word_hash(words[i]));
    if (!head) continue;
    if (std::optional<std::size_t> tag = first_at(*head, i, n, stem_at, multiple_of)) return tag;
  }
  return std::nullopt;
}

Result<Taxonomy> Taxonomy::parse(std::string_view text) {
  auto parsed = parse_json(text);
  if (!parsed.ok() || !parsed->is_object()) return make_error(ErrorCode::bad_request, "taxonomy is not a JSON object");
  const json::object& root = parsed->get_object();
  Taxonomy t;
  static std::atomic<std::uint64_t> next_id{1};
  t.id_ = next_id++;
  if (auto* v = root.if_contains("version"); v && v->is_int64()) t.version_ = static_cast<int>(v->get_int64());
  const json::value* aspects = root.if_contains("aspects");
  if (!aspects || !aspects->is_array()) return make_error(ErrorCode::bad_request, "taxonomy has no \"aspects\" list");
  for (const json::value& a : aspects->get_array()) {
    if (!a.is_object()) return make_error(ErrorCode::bad_request, "an aspect is not an object");
    const json::object& o = a.get_object();
    auto str = [&](std::string_view key) {
      const json::value* v = o.if_contains(key);
      return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    Aspect aspect{str("id"), str("name"), str("description")};
    if (aspect.id.empty()) return make_error(ErrorCode::bad_request, "an aspect has no id");
    if (t.find(aspect.id)) return make_error(ErrorCode::bad_request, "aspect " + aspect.id + " is listed twice");
    if (aspect.name.empty()) aspect.name = aspect.id;
    std::size_t index = t.aspects_.size();
    auto add_all = [&](std::string_view key, std::size_t kind) {
      const json::value* v = o.if_contains(key);
      if (!v || !v->is_object()) return;
      for (const auto& [lang, list] : v->get_object()) {
        if (!list.is_array()) continue;
        if (kind == kOpinionKind && matches_by_substring(lang)) continue;
        for (const json::value& term : list.get_array())
          if (term.is_string()) {
            t.phrases_.add(lang, term.get_string(), kKinds * index + kind);
            if (kind == kTermKind && lang == "en")
              for (std::string& w : matcher_words(term.get_string())) t.english_words_.push_back(std::move(w));
            if (kind == kTermKind && lang != "en")
              for (std::string& w : matcher_words(term.get_string())) t.term_words_.of(lang).push_back(std::move(w));
          }
      }
    };
    add_all("terms", kTermKind);
    add_all("none", kNoneKind);
    add_all("context", kContextKind);
    add_all("opinion_terms", kOpinionKind);
    t.aspects_.push_back(std::move(aspect));
  }
  if (const json::value* words = root.if_contains("opinion_words"); words && words->is_object()) {
    for (const auto& [lang, list] : words->get_object()) {
      if (!list.is_array()) continue;
      std::vector<std::string>& own = t.opinion_words_.of(lang);
      for (const json::value& w : list.get_array())
        if (w.is_string())
          for (std::string& word : matcher_words(w.get_string())) own.push_back(std::move(word));
    }
  }
  std::sort(t.english_words_.begin(), t.english_words_.end());
  t.english_words_.erase(std::unique(t.english_words_.begin(), t.english_words_.end()), t.english_words_.end());
  t.term_words_.sort();
  t.opinion_words_.sort();
  return t;
}

const Taxonomy& Taxonomy::builtin() {
  static const Taxonomy taxonomy = [] {
    auto parsed = parse(embedded::aspects_taxonomy);
    if (parsed.ok()) return std::move(parsed).value();
    std::fprintf(stderr, "chorus: the embedded taxonomy is unreadable (%s); no aspects\n", parsed.error().message.c_str());
    return Taxonomy();
  }();
  return taxonomy;
}

std::optional<std::size_t> Taxonomy::find(std::string_view id) const {
  for (std::size_t i = 0; i < aspects_.size(); ++i)
    if (aspects_[i].id == id) return i;
  return std::nullopt;
}

bool Taxonomy::is_english_term_word(std::string_view word) const {
  auto it = std::lower_bound(english_words_.begin(), english_words_.end(), word);
  return it != english_words_.end() && *it == word;
}

bool Taxonomy::is_term_word(std::string_view word, std::string_view language_code) const {
  return language_code == "en" ? is_english_term_word(word) : term_words_.has(language_code, word);
}

std::vector<std::string>& Taxonomy::WordsByLanguage::of(std::string_view language_code) {
  for (auto& [lang, words] : lists_)
    if (lang == language_code) return words;
  return lists_.emplace_back(std::string(language_code), std::vector<std::string>{}).second;
}

void Taxonomy::WordsByLanguage::sort() {
  for (auto& [lang, words] : lists_) {
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
  }
}

bool Taxonomy::WordsByLanguage::has(std::string_view language_code, std::string_view word) const {
  for (const auto& [lang, words] : lists_)
    if (lang == language_code) return std::binary_search(words.begin(), words.end(), word);
  return false;
}

std::optional<std::size_t> Taxonomy::aspect_of_phrase(std::string_view phrase, std::string_view code) const {
  std::string_view lang = stem_language(code);
  auto uncached = [&](std::string_view p) -> std::size_t {
    std::optional<std::size_t> found = phrases_.find_in_phrase(p, lang, kKinds);
    if (!found && lang != "en") found = phrases_.find_in_phrase(p, "en", kKinds);
    return found ? *found / kKinds : SIZE_MAX;
  };
  // Key phrases recur from text to text: each is looked up once per thread, taxonomy and language. The memo
  // asked for last is kept at hand, since a text asks for several phrases in one language.
  thread_local WordMemos<std::string, std::size_t> memos;
  thread_local std::uint64_t last_id = 0;
  thread_local std::string last_lang;
  thread_local WordMemo<std::size_t>* last = nullptr;
  if (!last || last_id != id_ || !equal_short(last_lang, lang)) {
    std::string owner;  // the taxonomy's id, then the language
    owner.assign(reinterpret_cast<const char*>(&id_), sizeof id_).append(lang);
    last = &memos.of(owner);
    last_id = id_;
    last_lang.assign(lang);
  }
  std::size_t aspect = last->get(phrase, uncached);
  if (aspect == SIZE_MAX) return std::nullopt;
  return aspect;
}

std::vector<std::size_t> Taxonomy::match(const PhraseMatcher::Text& text, std::string_view code, std::size_t max) const {
  std::vector<std::size_t> found;
  for (const Mention& m : mentions(text, code, max)) found.push_back(m.aspect);
  return found;
}

std::vector<Taxonomy::Mention> Taxonomy::mentions(const PhraseMatcher::Text& text, std::string_view code,
                                                  std::size_t max, std::vector<std::size_t>* out_of_context) const {
  thread_local std::vector<std::string_view> languages;  // kept per thread: one allocation, not one a text
  languages.assign(1, stem_language(code));
  if (!equal_short(languages.front(), "en")) languages.push_back("en");
  const bool by_word = !matches_by_substring(code);
  // Terms by first mention. A "none" phrase rules out its aspect's terms where the two overlap ("fast" in
  // "fast delivery"), and the aspect stays where a term is said elsewhere in the text. A phrase found by
  // substring has no word span, so its "none" rules out the aspect in the whole text. An opinion term
  // stands for its aspect's terms where a judgement is near it, and is dropped elsewhere.
  // A "context" phrase anywhere rules its aspect out of the whole text ("hotel" for a game's "lobby").
  const std::vector<PhraseMatcher::Hit> hits = phrases_.find_all(text, languages);
  const bool any_none =
      std::any_of(hits.begin(), hits.end(), [](const auto& h) { return h.tag % kKinds == kNoneKind; });
  std::vector<std::size_t> ruled_out_here;
  for (const PhraseMatcher::Hit& h : hits)
    if (h.tag % kKinds == kContextKind) ruled_out_here.push_back(h.tag / kKinds);
  if (out_of_context) out_of_context->insert(out_of_context->end(), ruled_out_here.begin(), ruled_out_here.end());
  auto ruled_out = [&](const PhraseMatcher::Hit& term, std::size_t none) {
    return std::any_of(hits.begin(), hits.end(), [&](const PhraseMatcher::Hit& h) {
      return h.tag == none && (!h.by_word || !term.by_word || (h.pos < term.end && term.pos < h.end));
    });
  };
  std::vector<Mention> found;
  for (const PhraseMatcher::Hit& hit : hits) {
    std::size_t tag = hit.tag;
    if (tag % kKinds == kOpinionKind) {
      if (!opinion_near(text.words, hit.pos / 8, code)) continue;
      tag = tag - kOpinionKind + kTermKind;
    }
    if (tag % kKinds != kTermKind || (any_none && ruled_out(hit, tag - kTermKind + kNoneKind))) continue;
    if (!ruled_out_here.empty() &&
        std::find(ruled_out_here.begin(), ruled_out_here.end(), tag / kKinds) != ruled_out_here.end())
      continue;
    auto it = std::find_if(found.begin(), found.end(), [&](const Mention& m) { return m.aspect == tag / kKinds; });
    if (it == found.end()) it = found.insert(found.end(), Mention{tag / kKinds, {}});
    if (by_word) it->words.push_back(hit.pos / 8);
  }
  if (found.size() > max) found.resize(max);
  return found;
}

bool Taxonomy::opinion_near(const std::vector<std::string>& words, std::size_t at, std::string_view code) const {
  const std::string_view lang = stem_language(code);
  const sentiment_rules::Vocabulary* own = sentiment_rules::Vocabulary::for_language(lang);
  const sentiment_rules::Vocabulary* english = lang == "en" ? nullptr : sentiment_rules::Vocabulary::for_language("en");
  const std::size_t first = at > kOpinionReach ? at - kOpinionReach : 0;
  const std::size_t last = std::min(words.size(), at + kOpinionReach + 2);  // one more after: a term of two words
  for (std::size_t j = first; j < last; ++j) {
    const std::string& w = words[j];
    if (opinion_words_.has(lang, w) || (lang != "en" && opinion_words_.has("en", w))) return true;
    if (own && own->valence(w)) return true;
    if (english && english->valence(w)) return true;
  }
  return false;
}

}  // namespace chorus::nlp

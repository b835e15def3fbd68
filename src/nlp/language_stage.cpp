// Language detection with CLD2. CLD2 guesses English for tiny inputs, so short texts are reported unknown,
// unless every word of them is an English word the engine knows (short_english), or their words place them in
// one of a few other languages (short_text_language).
// clang-format off
#include <cstdio>  // compact_lang_det.h uses FILE without including it
#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>
// clang-format on

#include <algorithm>
#include <array>
#include <bitset>
#include <cctype>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "nlp/language.hpp"
#include "nlp/lexicons.hpp"
#include "nlp/sentiment_rules.hpp"
#include "nlp/themes.hpp"
#include "nlp/utf8.hpp"

namespace chorus::nlp {

namespace {

constexpr std::size_t kMaxDetectBytes = 64 * 1024;
constexpr int kMinLetters = 12;
constexpr int kMinWords = 3;
constexpr int kMinUnspacedChars = 6;  // Japanese, Chinese, Thai: no spaces to count words by

constexpr std::pair<std::string_view, std::string_view> kNames[] = {
    {"af", "Afrikaans"},
    {"am", "Amharic"},
    {"ar", "Arabic"},
    {"as", "Assamese"},
    {"az", "Azerbaijani"},
    {"be", "Belarusian"},
    {"bg", "Bulgarian"},
    {"bh", "Bihari"},
    {"bn", "Bengali"},
    {"bo", "Tibetan"},
    {"br", "Breton"},
    {"bs", "Bosnian"},
    {"ca", "Catalan"},
    {"co", "Corsican"},
    {"cs", "Czech"},
    {"cy", "Welsh"},
    {"da", "Danish"},
    {"de", "German"},
    {"dv", "Dhivehi"},
    {"el", "Greek"},
    {"en", "English"},
    {"eo", "Esperanto"},
    {"es", "Spanish"},
    {"et", "Estonian"},
    {"eu", "Basque"},
    {"fa", "Persian"},
    {"fi", "Finnish"},
    {"fo", "Faroese"},
    {"fr", "French"},
    {"fy", "Frisian"},
    {"ga", "Irish"},
    {"gd", "Scottish Gaelic"},
    {"gl", "Galician"},
    {"gn", "Guarani"},
    {"gu", "Gujarati"},
    {"ha", "Hausa"},
    {"he", "Hebrew"},
    {"hi", "Hindi"},
    {"hr", "Croatian"},
    {"ht", "Haitian Creole"},
    {"hu", "Hungarian"},
    {"hy", "Armenian"},
    {"ia", "Interlingua"},
    {"id", "Indonesian"},
    {"ig", "Igbo"},
    {"is", "Icelandic"},
    {"it", "Italian"},
    {"iu", "Inuktitut"},
    {"ja", "Japanese"},
    {"jv", "Javanese"},
    {"ka", "Georgian"},
    {"kk", "Kazakh"},
    {"kl", "Greenlandic"},
    {"km", "Khmer"},
    {"kn", "Kannada"},
    {"ko", "Korean"},
    {"ku", "Kurdish"},
    {"ky", "Kyrgyz"},
    {"la", "Latin"},
    {"lb", "Luxembourgish"},
    {"lg", "Ganda"},
    {"ln", "Lingala"},
    {"lo", "Lao"},
    {"lt", "Lithuanian"},
    {"lv", "Latvian"},
    {"mg", "Malagasy"},
    {"mi", "Maori"},
    {"mk", "Macedonian"},
    {"ml", "Malayalam"},
    {"mn", "Mongolian"},
    {"mr", "Marathi"},
    {"ms", "Malay"},
    {"mt", "Maltese"},
    {"my", "Burmese"},
    {"ne", "Nepali"},
    {"nl", "Dutch"},
    {"nn", "Norwegian Nynorsk"},
    {"no", "Norwegian"},
    {"ny", "Chichewa"},
    {"oc", "Occitan"},
    {"om", "Oromo"},
    {"or", "Odia"},
    {"pa", "Punjabi"},
    {"pl", "Polish"},
    {"ps", "Pashto"},
    {"pt", "Portuguese"},
    {"qu", "Quechua"},
    {"rm", "Romansh"},
    {"ro", "Romanian"},
    {"ru", "Russian"},
    {"rw", "Kinyarwanda"},
    {"sa", "Sanskrit"},
    {"sd", "Sindhi"},
    {"si", "Sinhala"},
    {"sk", "Slovak"},
    {"sl", "Slovenian"},
    {"sm", "Samoan"},
    {"sn", "Shona"},
    {"so", "Somali"},
    {"sq", "Albanian"},
    {"sr", "Serbian"},
    {"st", "Sesotho"},
    {"su", "Sundanese"},
    {"sv", "Swedish"},
    {"sw", "Swahili"},
    {"ta", "Tamil"},
    {"te", "Telugu"},
    {"tg", "Tajik"},
    {"th", "Thai"},
    {"ti", "Tigrinya"},
    {"tk", "Turkmen"},
    {"tl", "Tagalog"},
    {"tn", "Tswana"},
    {"to", "Tongan"},
    {"tr", "Turkish"},
    {"tt", "Tatar"},
    {"ug", "Uyghur"},
    {"uk", "Ukrainian"},
    {"ur", "Urdu"},
    {"uz", "Uzbek"},
    {"vi", "Vietnamese"},
    {"wo", "Wolof"},
    {"xh", "Xhosa"},
    {"yi", "Yiddish"},
    {"yo", "Yoruba"},
    {"za", "Zhuang"},
    {"zh", "Chinese"},
    {"zu", "Zulu"},
};

// CLD2 uses a few withdrawn or regional codes ("iw", "zh-Hant"); reduce them to current ISO 639-1.
std::string iso_code(std::string_view cld2_code) {
  std::string_view base = cld2_code.substr(0, cld2_code.find('-'));
  if (base == "iw") return "he";
  if (base == "jw") return "jv";
  if (base == "in") return "id";
  if (base == "ji") return "yi";
  return std::string(base);
}

struct TextShape {
  int letters = 0;
  int words = 0;
  int unspaced = 0;
  bool only_ascii_letters = true;
};

TextShape shape_of(std::string_view s) {
  TextShape shape;
  bool in_word = false;
  std::size_t i = 0;
  while (i < s.size()) {
    char32_t cp = next_code_point(s, i);
    bool word = is_word_code_point(cp);
    if (word && !(cp >= '0' && cp <= '9')) ++shape.letters;
    if (word && cp >= 0x80) shape.only_ascii_letters = false;
    if (is_unspaced_script(cp)) ++shape.unspaced;
    if (word && !in_word) ++shape.words;
    in_word = word;
  }
  return shape;
}

// English words that no other language written in the Latin alphabet uses as an everyday word, so
// "of" (Dutch), "will" and "also" (German), "me" (Spanish, French), "is" (Dutch), "on" (French), "to"
// (Polish), "for" and "at" (Danish, Norwegian, Swedish), "a", "i", "in", "no" and "so" are not among them.
// Sorted, for binary search.
constexpr std::string_view kEnglishOnly[] = {
    "about", "after", "again", "and", "any", "are", "be", "because", "been", "before", "being", "but", "can",
    "can't", "could", "did", "didn't", "does", "doesn't", "don't", "even", "every", "from", "get", "got", "had",
    "has", "have", "how", "i'd", "i'm", "i've", "if", "into", "isn't", "it", "it's", "its", "just", "keeps",
    "my", "new", "not", "now", "only", "or", "our", "out", "please", "really", "should", "since", "some",
    "than", "thank", "thanks", "that", "the", "their", "them", "then", "there", "they", "this", "up", "us",
    "very", "wasn't", "we", "were", "what", "when", "where", "which", "who", "why", "with", "won't", "work",
    "works", "would", "you", "your",
};

static_assert(std::is_sorted(std::begin(kEnglishOnly), std::end(kEnglishOnly)));

// A word of up to eight bytes as one number, its first byte highest, so words compare as numbers.
constexpr std::uint64_t packed(std::string_view w) {
  std::uint64_t v = 0;
  for (std::size_t k = 0; k < 8; ++k) v = (v << 8) | (k < w.size() ? static_cast<unsigned char>(w[k]) : 0u);
  return v;
}

constexpr auto kEnglishOnlyPacked = [] {
  std::array<std::uint64_t, std::size(kEnglishOnly)> out{};
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = packed(kEnglishOnly[k]);
  return out;
}();
static_assert(std::ranges::all_of(kEnglishOnly, [](std::string_view w) { return w.size() <= 8; }));

// A word in kEnglishOnly, given packed (a word of up to eight bytes, as packed() makes it).
bool english_only_packed(std::uint64_t word) {
  return std::binary_search(kEnglishOnlyPacked.begin(), kEnglishOnlyPacked.end(), word);
}

// Text of four words or more whose letters are all ASCII and whose words are, one in five or more and at
// least two, English-only function words is English, without CLD2's scoring (a fifth of the pipeline's
// cost). On the labelled corpus no item in another language passes; the few texts whose answer changes are
// short English that CLD2 called unknown. "'" and "’" both join a contraction.
bool plainly_english(std::string_view s) {
  std::size_t words = 0, english = 0, i = 0;
  std::uint64_t word = 0;
  std::size_t length = 0;  // bytes in the word; more than 8 cannot be in the list
  auto end_word = [&] {
    if (length == 0) return;
    ++words;
    if (length <= 8 && english_only_packed(word << (8 * (8 - length)))) ++english;
    word = 0;
    length = 0;
  };
  auto add = [&](char c) {
    if (++length <= 8) word = (word << 8) | static_cast<unsigned char>(c);
  };
  while (i < s.size()) {
    char32_t cp = next_code_point(s, i);
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
      add(static_cast<char>(cp | 0x20));
    } else if ((cp == '\'' || cp == 0x2019) && length > 0 && i < s.size() &&
               std::isalpha(static_cast<unsigned char>(s[i]))) {
      add('\'');
    } else {
      end_word();
    }
  }
  end_word();
  return words >= 4 && english >= 2 && english * 5 >= words;
}

bool english_only(std::string_view w) { return w.size() <= 8 && english_only_packed(packed(w)); }

// Words English shares with other languages written in the Latin alphabet, which alone say nothing of it.
bool shared_word(std::string_view w) {
  static constexpr std::string_view kShared[] = {
      "a",     "i",         "in",     "is",      "to",      "for",       "at",       "of",     "so",     "me",
      "on",    "no",        "ok",     "okay",    "super",   "top",       "bravo",    "cool",   "wow",    "app",
      "apps",  "excellent", "ideal",  "total",   "normal",  "horrible",  "terrible", "simple", "genial", "fantastic",
      "class", "nice",      "fun",    "sexy",    "chat",    "film",      "video",    "radio",  "hotel",  "taxi",
      "pizza", "web",       "online", "product", "service", "lamentable"};
  return std::find(std::begin(kShared), std::end(kShared), w) != std::end(kShared);
}

// A text of up to six ASCII words, every one an English word the engine knows (a function word, a lexicon
// word, a taxonomy term's word), at least one of them English only: "Love it!", "Great", "Very good", "It
// works". Too short for CLD2, and one in eight reviews of an app or a device.
bool short_english(std::string_view s) {
  std::size_t words = 0;
  bool distinctly = false;
  std::string word;
  auto end_word = [&] {
    if (word.empty()) return true;
    ++words;
    const bool shared = shared_word(word);
    const bool known = shared || english_only(word) || is_known_english_word(word);
    if (!known) return false;
    distinctly = distinctly || !shared;
    word.clear();
    return true;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      word.push_back(static_cast<char>(c | 0x20));
    } else if (c == '\'' && !word.empty() && i + 1 < s.size() && std::isalpha(static_cast<unsigned char>(s[i + 1]))) {
      word.push_back('\'');
    } else if (!end_word()) {
      return false;
    }
    if (words > 6) return false;
  }
  return end_word() && words >= 1 && words <= 6 && distinctly;
}

// The languages a short text is read in by its words when CLD2 cannot tell (short_text_language): those with
// a sentiment vocabulary, stop words and taxonomy terms of their own, written in the Latin alphabet.
constexpr std::string_view kWordLanguages[] = {"de", "fr", "es", "pt", "it", "nl", "sv", "pl"};

// What a short text's words are in one language: every word of its stop words, sentiment vocabulary and
// taxonomy terms, written with or without accents.
struct WordLanguage {
  std::string_view code;
  const sentiment_rules::Vocabulary* vocabulary = nullptr;
  WordSet stops;  // the stop words and their plain spellings
};
const std::array<WordLanguage, std::size(kWordLanguages)>& word_languages() {
  static const auto languages = [] {
    std::array<WordLanguage, std::size(kWordLanguages)> out;
    for (std::size_t k = 0; k < out.size(); ++k) {
      WordLanguage& l = out[k];
      l.code = kWordLanguages[k];
      l.vocabulary = sentiment_rules::Vocabulary::for_language(l.code);
      for (const std::string& w : stopwords(l.code)) {
        l.stops.insert(w);
        if (std::string plain = fold_accents(w); !plain.empty()) l.stops.insert(std::move(plain));
      }
    }
    return out;
  }();
  return languages;
}

// A text of up to eight words that CLD2 cannot place ("Muito bom", "Adorei", "Produto de qualidade,
// recomendo", "Sehr zufrieden"): the one language of kWordLanguages that knows all of its words (all but one
// in four words or more) and has a word of its sentiment vocabulary or taxonomy terms, or two stop words, to
// itself: words no other of these languages lists and English does not know. Empty when no language, or more
// than one, passes: "Excelente" is Spanish and Portuguese alike, and stays unknown.
std::string_view short_text_language(std::string_view s) {
  std::vector<std::string> words;
  std::string word;
  for (std::size_t i = 0; i <= s.size();) {
    // Handles, hashtags and links are names, not words of a language ("@Uber_Support" is no German "über").
    const bool at_word_start = word.empty() && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\n');
    if (at_word_start && i < s.size() && (s[i] == '@' || s[i] == '#' || s.substr(i, 4) == "http")) {
      while (i < s.size() && s[i] != ' ' && s[i] != '\n') ++i;
      continue;
    }
    const char32_t cp = i < s.size() ? next_code_point(s, i) : (++i, U' ');
    if (is_word_code_point(cp) && !(cp >= '0' && cp <= '9')) {
      append_utf8(word, to_lower(cp));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
      if (words.size() > 8) return {};
    }
  }
  if (words.empty()) return {};
  const auto& languages = word_languages();
  constexpr std::size_t kLanguages = std::size(kWordLanguages);
  // Each word is looked up once in each language: the languages whose lists hold it (a stop word, a listed
  // sentiment word or negator, a taxonomy term's word), those that hold it as a stop word only, and those
  // that know it at all (listed, or a form of a listed sentiment word: "adorei" by "adoro").
  std::array<std::size_t, kLanguages> unknown{}, own_words{}, own_stops{};
  for (const std::string& w : words) {
    std::bitset<kLanguages> listed, stop_only, known;
    for (std::size_t k = 0; k < kLanguages; ++k) {
      const WordLanguage& l = languages[k];
      const bool stop = l.stops.find(w) != l.stops.end();
      const bool content = (l.vocabulary && l.vocabulary->lists(w)) || Taxonomy::builtin().is_term_word(w, l.code);
      listed[k] = stop || content;
      stop_only[k] = stop && !content;
      known[k] = listed[k] || (l.vocabulary && l.vocabulary->knows(w));
    }
    const bool shared = shared_word(w);  // "ok", "top" and "super" are every language's
    // A word one language alone lists, and English does not know, is that language's own.
    const bool own = listed.count() == 1 && !shared && !english_only(w) && !is_known_english_word(w);
    for (std::size_t k = 0; k < kLanguages; ++k) {
      if (!known[k] && !shared) ++unknown[k];
      if (own && listed[k]) ++(stop_only[k] ? own_stops[k] : own_words[k]);
    }
  }
  std::string_view found;
  for (std::size_t k = 0; k < kLanguages; ++k) {
    // A stop word alone is weak evidence: the lists hold interjections and loans ("hi", "comment" in French).
    if (unknown[k] > words.size() / 4 || (own_words[k] == 0 && own_stops[k] < 2)) continue;
    if (!found.empty()) return {};  // two languages claim it
    found = languages[k].code;
  }
  return found;
}

}  // namespace

std::string_view language_name(std::string_view code) {
  for (const auto& [c, n] : kNames) {
    if (c == code) return n;
  }
  return "Unknown";
}

DetectedLanguage detect_language(std::string_view text) {
  DetectedLanguage out;
  if (text.size() > kMaxDetectBytes) {
    std::size_t cut = kMaxDetectBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut);
  }
  TextShape shape = shape_of(text);
  if (shape.only_ascii_letters && shape.words <= 6 && short_english(text)) {
    out.code = "en";
    out.name = "English";
    return out;
  }
  // Too short for CLD2, or too short for it to be sure: the words may still say.
  auto by_words = [&]() {
    if (shape.words > 8 || shape.unspaced > 0) return out;
    std::string_view code = short_text_language(text);
    if (!code.empty()) {
      out.code = std::string(code);
      out.name = std::string(language_name(code));
    }
    return out;
  };
  if (shape.letters < kMinLetters || (shape.words < kMinWords && shape.unspaced < kMinUnspacedChars)) return by_words();
  if (shape.only_ascii_letters && plainly_english(text)) {
    out.code = "en";
    out.name = "English";
    return out;
  }

  CLD2::CLDHints hints{nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
  CLD2::Language language3[3];
  int percent3[3];
  double normalized_score3[3];
  int text_bytes = 0;
  bool reliable = false;
  CLD2::Language lang =
      CLD2::ExtDetectLanguageSummary(text.data(), static_cast<int>(text.size()), true, &hints, 0, language3, percent3,
                                     normalized_score3, nullptr, &text_bytes, &reliable);
  if (!reliable || lang == CLD2::UNKNOWN_LANGUAGE) return by_words();
  std::string code = iso_code(CLD2::LanguageCode(lang));
  std::string_view name = language_name(code);
  if (name == "Unknown") return out;
  out.code = std::move(code);
  out.name = std::string(name);
  return out;
}

void LanguageStage::run(Document& doc) const {
  DetectedLanguage lang = detect_language(doc.analysis_text);
  doc.language_code = std::move(lang.code);
  doc.language = std::move(lang.name);
}

}  // namespace chorus::nlp

// Language detection with CLD2. CLD2 guesses English for tiny inputs, so short texts are reported unknown.
// clang-format off
#include <cstdio>  // compact_lang_det.h uses FILE without including it
#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>
// clang-format on

#include <algorithm>
#include <utility>

#include "nlp/language.hpp"
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
};

TextShape shape_of(std::string_view s) {
  TextShape shape;
  bool in_word = false;
  std::size_t i = 0;
  while (i < s.size()) {
    char32_t cp = next_code_point(s, i);
    bool word = is_word_code_point(cp);
    if (word && !(cp >= '0' && cp <= '9')) ++shape.letters;
    if (is_unspaced_script(cp)) ++shape.unspaced;
    if (word && !in_word) ++shape.words;
    in_word = word;
  }
  return shape;
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
  if (shape.letters < kMinLetters || (shape.words < kMinWords && shape.unspaced < kMinUnspacedChars)) return out;

  CLD2::CLDHints hints{nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
  CLD2::Language language3[3];
  int percent3[3];
  double normalized_score3[3];
  int text_bytes = 0;
  bool reliable = false;
  CLD2::Language lang =
      CLD2::ExtDetectLanguageSummary(text.data(), static_cast<int>(text.size()), true, &hints, 0, language3, percent3,
                                     normalized_score3, nullptr, &text_bytes, &reliable);
  if (!reliable || lang == CLD2::UNKNOWN_LANGUAGE) return out;
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

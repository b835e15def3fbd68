// Praise said of a problem ("Great, another outage.", "Love how the update broke sync", "Thanks for
// deleting my notes"): see feedback_features.hpp. The words are the everyday ones of each language; English's
// apply to every text, since feedback mixes them in.
#include <algorithm>
#include <array>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nlp/feedback_features.hpp"
#include "nlp/utf8.hpp"

namespace chorus::nlp {

namespace {

struct IronyWords {
  std::string_view language;
  // Praise that stands alone before a comma, full stop or exclamation mark ("Great, ...", "Perfect.").
  std::vector<std::string_view> interjections;
  // Openings that aim praise at what follows ("love how", "thanks for").
  std::vector<std::string_view> leads;
  // Something went wrong (a word or a short phrase).
  std::vector<std::string_view> problems;
  // Something was put right: then the praise is sincere ("Great, thanks for the quick fix!").
  std::vector<std::string_view> resolutions;
  // A turn between two sides: then it is mixed feelings, not irony.
  std::vector<std::string_view> contrasts;
};

const std::vector<IronyWords>& irony_words() {
  static const std::vector<IronyWords> words = {
      {"en",
       {"great", "nice", "perfect", "awesome", "fantastic", "wonderful", "brilliant", "amazing", "excellent", "lovely",
        "superb", "splendid", "terrific", "marvelous", "marvellous", "fabulous", "outstanding", "bravo", "genius",
        "impressive", "wow", "yay", "cool"},
       {"love how", "love that", "love when", "love it when", "love getting", "love being", "love spending",
        "love waiting", "love paying", "love the way", "loving how", "gotta love", "got to love",
        "thanks for", "thank you for", "thanks to", "nothing like", "just what i needed", "exactly what i needed",
        "so glad", "glad to see", "great to see", "nice to see", "good to see", "amazing how", "amazing that",
        "impressive how", "impressed by", "shoutout to", "kudos to", "great job", "nice job", "good job",
        "well done", "nice work", "great work", "way to go", "what a great", "what a fantastic", "so helpful",
        "very helpful", "very reassuring", "so reassuring"},
       {"outage", "outages", "is down", "was down", "went down", "are down", "been down", "crash", "crashed",
        "crashes", "crashing", "broke", "broken", "breaking", "breaks", "bug", "bugs", "buggy", "glitch", "error",
        "errors", "failed", "fails", "failing", "lost", "losing", "deleted", "deleting", "wiped", "erased",
        "logged me out", "logged out", "logging me out", "logs me out", "kicked me", "froze", "frozen", "freezes", "stuck", "laggy", "delayed",
        "cancelled", "canceled", "charged", "overcharged", "fee", "fees", "price increase", "price hike",
        "on hold", "missing", "wrong", "doesn't work", "didn't work", "won't load", "won't open", "can't log",
        "cannot log", "unusable", "spam", "drained", "disconnected", "disconnects", "declined", "nobody", "no reply",
        "no response", "without a reply", "without any reply", "never replied",
        "turned my", "made it worse"},
       {"fix", "fixed", "fixes", "fixing", "solved", "resolved", "sorted", "restored", "works now", "working again",
        "back up", "back online", "up again", "refunded", "is back", "are back", "it back", "gone", "finally",
        "credit", "no more"},
       {"but", "however", "though", "although", "except", "apart", "otherwise", "wish", "only"}},
      {"fr",
       {"génial", "super", "parfait", "bravo", "magnifique", "formidable", "merveilleux", "excellent", "top"},
       {"merci pour", "merci de", "merci à", "j'adore quand", "j'adore comment", "j'adore le", "j'adore la",
        "rien de tel", "quel plaisir", "bravo pour", "bravo à"},
       {"panne", "bug", "bugs", "plante", "planté", "erreur", "perdu", "perdus", "supprimé", "supprimés", "attente",
        "retard", "frais", "augmentation", "bloqué", "ne marche", "marche plus", "ne fonctionne", "fonctionne plus"},
       {"réglé", "résolu", "corrigé", "remboursé"},
       {"mais", "cependant", "pourtant", "sauf", "dommage"}},
      {"es",
       {"genial", "perfecto", "estupendo", "fantástico", "maravilloso", "bravo", "excelente", "increíble"},
       {"me encanta cómo", "me encanta como", "me encanta que", "me encanta cuando", "gracias por",
        "qué maravilla", "que maravilla", "nada como", "qué bien", "que bien"},
       {"caída", "se cae", "error", "falla", "fallo", "perdí", "perdido", "borró", "borrado", "espera", "esperando",
        "retraso", "otra vez", "de nuevo", "cobraron", "comisión", "bloqueado", "no funciona"},
       {"arreglado", "resuelto", "solucionado", "reembolso"},
       {"pero", "aunque", "sin embargo", "excepto", "lástima"}},
      {"de",
       {"toll", "super", "perfekt", "klasse", "großartig", "wunderbar", "bravo", "spitze", "genial"},
       {"danke für", "danke an", "ich liebe es", "liebe es", "nichts geht über", "wie schön"},
       {"absturz", "stürzt", "abgestürzt", "fehler", "verloren", "gelöscht", "wartezeit", "verspätung",
        "verspätet", "schon wieder", "gebühr", "gebühren", "preiserhöhung", "funktioniert nicht", "hängt"},
       {"behoben", "gelöst", "repariert", "erstattet"},
       {"aber", "jedoch", "allerdings", "außer", "schade"}},
      {"it",
       {"fantastico", "perfetto", "ottimo", "geniale", "meraviglioso", "bravi", "bravo", "stupendo"},
       {"grazie per", "grazie a", "adoro come", "adoro quando", "niente come", "che bello"},
       {"crash", "errore", "perso", "persi", "cancellato", "attesa", "ritardo", "di nuovo", "aumento", "bloccato",
        "non funziona"},
       {"risolto", "sistemato", "rimborsato"},
       {"ma", "però", "tuttavia", "peccato", "tranne"}},
      {"pt",
       {"ótimo", "otimo", "perfeito", "maravilha", "genial", "parabéns", "excelente", "incrível"},
       {"obrigado por", "obrigada por", "adoro como", "adoro quando", "que maravilha", "nada como", "que bom"},
       {"trava", "travou", "erro", "perdi", "perdido", "apagou", "apagado", "espera", "atraso", "de novo",
        "outra vez", "taxa", "aumento", "bloqueado", "não funciona"},
       {"resolvido", "corrigido", "reembolso"},
       {"mas", "porém", "entretanto", "exceto", "pena"}},
      {"nl",
       {"geweldig", "perfect", "super", "fantastisch", "top", "prachtig", "bravo"},
       {"bedankt voor", "dank voor", "dank je voor", "ik hou ervan hoe", "niets zo fijn als"},
       {"storing", "crasht", "fout", "kwijt", "verwijderd", "wachten", "vertraging", "alweer", "kosten",
        "prijsverhoging", "werkt niet"},
       {"opgelost", "gerepareerd", "terugbetaald"},
       {"maar", "echter", "behalve", "jammer"}},
  };
  return words;
}

// Lowercase words of a text with what follows each: 's' a sentence's end (. ! ? or a line break), 'p' other
// punctuation that sets a word apart (a comma, a colon, a dash, an emoji), ' ' nothing. "@handles" are left
// out, so "@Brand love how" opens a sentence with "love".
struct IronyWord {
  std::string text;
  char end = ' ';
};

bool ends_sentence(char32_t cp) {
  return cp == '.' || cp == '!' || cp == '?' || cp == '\n' || cp == 0x2026 || cp == 0x3002 || cp == 0xFF01;
}

// Reads words from s[i] on into `out`, at most `max` of them, stopping after a sentence's end when
// `one_sentence`; leaves i where it stopped.
void split(std::string_view s, std::size_t& i, std::vector<IronyWord>& out, std::size_t max, bool one_sentence) {
  std::string cur;
  bool handle = false;
  auto flush = [&] {
    if (!cur.empty() && !handle && out.size() < max) out.push_back({cur, ' '});
    cur.clear();
    handle = false;
  };
  while (i < s.size() && out.size() < max) {
    char32_t cp = next_code_point(s, i);
    if (is_word_code_point(cp) || ((cp == '\'' || cp == 0x2019) && !cur.empty())) {
      append_utf8(cur, cp == 0x2019 ? U'\'' : to_lower(cp));
      continue;
    }
    if (cp == '@' && cur.empty()) {
      handle = true;
      continue;
    }
    const bool had_word = !cur.empty() && !handle;
    flush();
    char end = 0;
    if (ends_sentence(cp)) end = 's';
    else if (cp == ',' || cp == ';' || cp == ':' || cp == 0x2014 || cp == 0xFF0C) end = 'p';
    else if (is_emoji_code_point(cp)) end = 'p';
    if (end && !out.empty() && (had_word || out.back().end == ' ')) {
      if (out.back().end != 's') out.back().end = end;
    }
    if (end == 's' && one_sentence && !out.empty()) return;
  }
  flush();
}

// Whether the words from `i` on spell `phrase` (words separated by single spaces).
bool spells(const std::vector<IronyWord>& w, std::size_t i, std::string_view phrase) {
  for (std::size_t p = 0; p <= phrase.size(); ++i) {
    std::size_t sp = phrase.find(' ', p);
    if (sp == std::string_view::npos) sp = phrase.size();
    if (i >= w.size() || w[i].text != phrase.substr(p, sp - p)) return false;
    p = sp + 1;
  }
  return true;
}

// Words that deny what follows: "no crashes", "without any bugs" is praise, not a problem.
bool denies(std::string_view w) {
  for (std::string_view n : {"no", "not", "never", "without", "zero", "any", "nor", "sans", "sin", "ohne", "kein",
                             "keine", "senza", "nessun", "sem", "zonder", "geen", "pas", "jamais", "nunca", "nie"})
    if (w == n) return true;
  return false;
}

bool any_spelled(const std::vector<IronyWord>& w, std::span<const IronyWords* const> langs,
                 std::vector<std::string_view> IronyWords::*list, bool undenied) {
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (undenied && i > 0 && w[i - 1].end == ' ' && denies(w[i - 1].text)) continue;
    if (undenied && i > 1 && w[i - 2].text == "no" && w[i - 1].text == "more") continue;  // "no more crashes"
    // French and Italian elide articles into the word: "d'attente" is "attente".
    std::string_view word = w[i].text;
    std::size_t apostrophe = word.find('\'');
    std::string_view elided = apostrophe != std::string_view::npos && apostrophe <= 2 ? word.substr(apostrophe + 1) : "";
    for (const IronyWords* l : langs)
      for (std::string_view phrase : l->*list) {
        if (phrase.front() == word.front() && spells(w, i, phrase)) return true;
        if (!elided.empty() && phrase == elided) return true;
      }
  }
  return false;
}

// Words that can come before the praise, in this order ("Oh great,", "I love how", "Just perfect.").
constexpr std::string_view kFillers[] = {"oh", "ah", "well", "so", "just", "really", "i", "we", "you", "don't"};

// Whether the sentence whose words are `w` opens with praise: a word of praise standing alone, or an opening
// aimed at what follows, after the fillers that can come first ("Oh great,", "I love how", "Just perfect.").
bool opens_with_praise(const std::vector<IronyWord>& w, std::span<const IronyWords* const> langs) {
  if (w.empty()) return false;
  std::size_t at = 0;
  for (std::string_view filler : kFillers) {
    if (at < w.size() && w[at].text == filler && w[at].end == ' ') ++at;
  }
  if (at >= w.size()) return false;
  // Compared by first word before phrase by phrase: most sentences open with none of them.
  auto first_word = [](std::string_view phrase) { return phrase.substr(0, phrase.find(' ')); };
  const std::string& opener = w[at].text;
  const std::string& first = w[0].text;
  for (const IronyWords* l : langs) {
    if (w[at].end != ' ')
      for (std::string_view word : l->interjections)
        if (word == opener) return true;
    for (std::string_view lead : l->leads) {
      std::string_view head = first_word(lead);
      if ((head == opener && spells(w, at, lead)) || (at > 0 && head == first && spells(w, 0, lead))) return true;
    }
  }
  return false;
}

// Every word a praising opening can start with, in any language, after the fillers; sorted.
const std::vector<std::string_view>& opening_words() {
  static const std::vector<std::string_view> words = [] {
    std::vector<std::string_view> w;
    for (const IronyWords& l : irony_words()) {
      w.insert(w.end(), l.interjections.begin(), l.interjections.end());
      for (std::string_view lead : l.leads) w.push_back(lead.substr(0, lead.find(' ')));
    }
    std::sort(w.begin(), w.end());
    w.erase(std::unique(w.begin(), w.end()), w.end());
    return w;
  }();
  return words;
}

// The next word of the sentence from s[i] on (past spaces and "@handles"), lowercased into `out`, with i left
// after it; false at the sentence's end or the text's.
bool next_word(std::string_view s, std::size_t& i, std::string& out) {
  out.clear();
  bool handle = false;
  while (i < s.size()) {
    std::size_t at = i;
    const auto byte = static_cast<unsigned char>(s[i]);
    if (byte < 0x80 && ((byte >= 'a' && byte <= 'z') || (byte >= '0' && byte <= '9') || (byte >= 'A' && byte <= 'Z'))) {
      ++i;  // the bulk of most texts: ASCII letters and digits
      if (!handle && out.size() <= 32) out.push_back(static_cast<char>(byte >= 'A' && byte <= 'Z' ? byte + 32 : byte));
      continue;
    }
    char32_t cp = next_code_point(s, i);
    if (is_word_code_point(cp) || ((cp == '\'' || cp == 0x2019) && !out.empty())) {
      if (!handle && out.size() <= 32) append_utf8(out, cp == 0x2019 ? U'\'' : to_lower(cp));
      continue;
    }
    if (!out.empty()) {
      i = at;  // the character after the word is the caller's
      return true;
    }
    if (ends_sentence(cp)) return false;
    handle = cp == '@';
  }
  return !out.empty();
}

bool is_filler(std::string_view w) {
  return std::find(std::begin(kFillers), std::end(kFillers), w) != std::end(kFillers);
}

// Whether one of the text's first sentences opens with praise (irony in feedback comes first: the praise that
// sets up the complaint). A sentence whose first word past the fillers opens no praise in any language (most
// of them) costs those few words.
bool any_sentence_opens_with_praise(std::string_view s, std::span<const IronyWords* const> langs) {
  constexpr std::size_t kOpeningWords = 6;
  thread_local std::vector<IronyWord> words;
  thread_local std::string word;
  const std::vector<std::string_view>& openings = opening_words();
  constexpr int kSentences = 3;
  std::size_t i = 0;
  for (int sentence = 0; sentence < kSentences && i < s.size(); ++sentence) {
    std::size_t j = i;
    bool candidate = false;
    for (int n = 0; n < 3 && next_word(s, j, word); ++n) {
      if (std::binary_search(openings.begin(), openings.end(), std::string_view(word))) {
        candidate = true;
        break;
      }
      if (!is_filler(word)) break;
    }
    if (candidate) {
      words.clear();
      std::size_t k = i;
      split(s, k, words, kOpeningWords, true);
      if (opens_with_praise(words, langs)) return true;
    }
    // On to the sentence's end (std::string_view::find_first_of asks memchr about every character).
    while (i < s.size() && !ends_sentence(next_code_point(s, i))) {
    }
  }
  return false;
}

}  // namespace

bool ironic_praise(std::string_view text, std::string_view title, std::string_view language_code) {
  std::array<const IronyWords*, 2> chosen{};
  std::size_t n = 0;
  for (const IronyWords& l : irony_words())
    if (n < chosen.size() && (l.language == "en" || l.language == language_code)) chosen[n++] = &l;
  std::span<const IronyWords* const> langs(chosen.data(), n);
  // Most texts open no sentence with praise: they cost a look at each sentence's first words.
  if (!any_sentence_opens_with_praise(title, langs) && !any_sentence_opens_with_praise(text, langs)) return false;
  constexpr std::size_t kMaxWords = 400;
  std::vector<IronyWord> words;
  std::size_t i = 0;
  split(title, i, words, kMaxWords, false);
  if (!words.empty()) words.back().end = 's';  // a title is a sentence of its own
  i = 0;
  split(text, i, words, kMaxWords, false);
  return any_spelled(words, langs, &IronyWords::problems, true) &&
         !any_spelled(words, langs, &IronyWords::resolutions, false) &&
         !any_spelled(words, langs, &IronyWords::contrasts, false);
}

}  // namespace chorus::nlp

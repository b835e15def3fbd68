// Key-phrase extraction in the manner of RAKE (Rose et al. 2010) and YAKE: stop words and punctuation split
// the text into candidate phrases; phrases group by their stems and score by occurrences, position, length
// and how often their words recur elsewhere in the text.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "nlp/feedback_models.hpp"
#include "nlp/lexicons.hpp"
#include "nlp/sentiment_rules.hpp"
#include "nlp/stemmer.hpp"
#include "nlp/taxonomy.hpp"
#include "nlp/themes.hpp"
#include "nlp/utf8.hpp"
#include "nlp/word_memo.hpp"

namespace chorus::nlp {

namespace {

constexpr std::size_t kMaxWords = 20000;
constexpr std::size_t kMaxPhraseWords = 3;
constexpr std::size_t kMaxThemes = 5;
constexpr std::size_t kMaxWordBytes = 30;
constexpr float kOpinionValence = 1.0f;  // words this emotional describe how, not what
constexpr double kTitleWeight = 2.0;
constexpr double kLengthWeight[kMaxPhraseWords] = {1.0, 1.5, 1.8};  // longer phrases are more specific
constexpr double kRecurrenceWeight = 0.5;

// Words too generic to be a theme in product feedback, and common verbs of reporting. English only:
// they apply when the text is English or undetected.
const WordSet& generic_words() {
  static const WordSet words = make_word_set(
      {"app", "apps", "application", "applications", "thing", "things", "issue", "issues", "problem", "problems", "bug",
       "bugs", "please", "pls", "plz", "thanks", "thank", "thx", "hi", "hey", "lol", "ok", "okay", "yes", "yeah",
       "stuff", "lot", "lots", "today", "yesterday", "guys", "team", "everyone", "someone", "anyone", "something",
       "anything", "everything", "nothing", "people", "product", "software", "feature", "features", "question",
       "questions", "help", "stopped", "stop", "stops", "start", "started", "starts", "keep", "keeps", "kept", "try",
       "tried", "trying", "tries", "use", "used", "using", "uses", "get", "gets", "got", "getting", "make", "makes",
       "made", "want", "wanted", "need", "needed", "needs", "think", "thought", "know", "knew", "see", "saw", "seems",
       "seem", "seemed", "feel", "felt", "work", "works", "worked", "working", "fix", "fixed", "fixing", "fixes", "add",
       "added", "adding", "again", "still", "really", "just", "also", "kindly", "would", "could", "fails", "fail",
       "failed", "failing", "broken", "wrong", "error", "errors", "crash", "crashes", "crashed", "crashing", "happens",
       "happened", "happening", "going", "goes", "went", "tell", "told", "able", "unable", "sure", "able", "etc", "via",
       "im", "ive", "dont", "doesnt", "cant", "wont", "isnt", "didnt", "pretty", "bit", "way", "ways", "day", "days",
       "week", "weeks", "month", "months", "year", "years", "time", "times", "hour", "hours", "minute", "minutes",
       "ago", "regards", "cheers", "best", "dear", "wish", "hope", "possible", "maybe", "take", "takes", "took",
       "taking", "taken", "give", "gives", "gave", "put", "puts", "come", "comes", "came", "say", "says", "said",
       "look", "looks", "looked", "find", "found", "let", "lets", "ask", "asked", "wait", "waiting", "waited",
       "forever", "always", "lost", "lose", "loses", "losing", "sometimes", "everytime", "every", "anymore", "lately",
       "whenever", "morning", "mornings", "evening", "afternoon", "tonight", "weekend", "weekends", "night", "nights",
       // Buying, eating and visiting: what was done, not what it was about.
       "buy", "buys", "buying", "bought", "worth", "eat", "eats", "ate", "eaten", "eating",
       // States rather than topics.
       "freeze", "freezes", "freezing", "froze", "frozen", "hang", "hangs", "hanging", "stuck", "missing", "gone",
       "twice", "broke", "breaks", "breaking", "slow", "slower", "slowly", "faster", "quick", "quickly", "fast", "tiny",
       "huge", "little", "easy", "easier", "hard", "harder", "simple", "whole", "current", "previous", "latest", "real",
       "multiple", "single", "able", "enough", "fine", "okay", "ok", "decent", "nice", "average", "busy", "good",
       "great", "bad", "cool", "solid", "ok-ish", "meh",
       // Verbs of reporting and everyday actions.
       "arrive", "arrives", "arrived", "appear", "appears", "appeared", "show", "shows", "showing", "shown", "open",
       "opens", "opening", "opened", "click", "clicked", "clicking", "set", "sets", "guess", "mean", "means", "believe",
       "noticed", "notice", "realized", "realised", "happen", "change", "changed", "changes", "install", "installed",
       "reinstalled", "reinstall",
       // Interjections and filler.
       "meh", "wow", "omg", "ugh", "hmm", "yay", "oops", "btw", "fyi", "imo", "imho", "pls", "idea", "ideas", "version",
       "versions", "star", "stars", "honestly", "basically", "literally", "actually", "idk", "tbh", "tbf", "lmao",
       // A person in general, and a reason: "this guy", "makes sense", "for some reason".
       "guy", "sense", "reason", "reasons"});
  return words;
}

// Domain nouns that stopwords-iso's long English list treats as stop words.
const WordSet& english_keep() {
  static const WordSet words =
      make_word_set({"page",  "pages",  "system", "systems",  "line",  "lines",  "name",        "names",  "home",
                     "test",  "tests",  "value",  "values",   "order", "orders", "information", "number", "numbers",
                     "group", "groups", "area",   "areas",    "case",  "cases",  "room",        "rooms",  "results",
                     "point", "points", "side",   "interest", "parts", "part",   "face",        "member", "members"});
  return words;
}

bool is_english(std::string_view lang) { return equal_short(lang, "en") || equal_short(lang, "un"); }

// The product itself and the feedback about it, in the languages feedback most often comes in: never a
// theme in any language (English's are in generic_words).
const WordSet& generic_words_any_language() {
  static const WordSet words = make_word_set(
      {"app", "apps", "application", "applications", "appli", "aplicación", "aplicacion", "aplicaciones", "aplicativo",
       "aplicação", "aplicacao", "applicazione", "applicazioni", "anwendung", "programm", "applicatie", "appen",
       "appar", "appi", "aplikace", "aplikacja", "aplikację", "aplikacji", "uygulama", "uygulaması", "uygulamayı",
       "приложение", "приложения", "приложении", "приложением", "программа", "problème", "problèmes", "problema",
       "problemas", "problemi", "problem", "probleme", "problemen", "bug", "bugs", "fehler", "erreur", "error",
       "errore", "erro", "ошибка", "ошибки", "proszę", "bitte", "merci", "danke", "gracias", "obrigado", "obrigada",
       "grazie", "bedankt", "tack", "спасибо", "dziękuję", "teşekkürler", "super", "génial", "géniale", "genial",
       "geweldig", "fantastisch", "toll", "bien", "bueno", "buena", "bom", "boa", "buono", "goed", "bra", "хорошо",
       "dobrze", "güzel",
       // "very" and "really", and "people", where the stop-word lists lack them.
       "zeer", "echt", "wirklich", "vraiment", "realmente", "davvero", "bardzo", "очень", "çok", "verkligen", "mycket",
       "mensen", "leute", "gens", "gente", "persone", "pessoas", "люди", "ludzie", "insanlar", "graag", "gegeten",
       // Greetings and sign-offs: how a message starts or ends, never what it is about.
       "hello", "hiya", "bonjour", "bonsoir", "salut", "coucou", "cordialement", "hallo", "moin", "servus", "grüße",
       "gruß", "hola", "saludos", "olá", "oi", "abraços", "cumprimentos", "ciao", "salve", "buongiorno", "buonasera",
       "saluti", "cordiali", "hoi", "groeten", "groetjes", "goedemorgen", "goedemiddag", "hej", "hejsan", "hälsningar",
       "mvh", "cześć", "witam", "pozdrawiam", "pozdrowienia", "привет", "здравствуйте", "уважением", "merhaba", "selam",
       "saygılarımla",
       // When: minutes, hours, mornings, today and yesterday (English's are in generic_words).
       "minuten", "minutos", "minuti", "minuter", "minut", "minuty", "dakika", "secondes", "segundos", "secondi",
       "sekunden", "seconden", "sekunder", "sekund", "saniye", "heures", "horas", "stunden", "uren", "timmar", "godzin",
       "saat", "matin", "soir", "soirée", "morgens", "abend", "abends", "gestern", "heute", "ayer", "hoy", "ontem",
       "hoje", "ieri", "oggi", "stamattina", "gisteren", "vandaag", "igår", "idag", "wczoraj", "dzisiaj", "вчера",
       "сегодня", "dün", "bugün",
       // Someone, where the stop-word lists lack it.
       "alguien", "alguém", "qualcuno", "jemand", "iemand", "någon", "ktoś", "кто-то",
       // "OK", and the product itself where a review names it ("produto de qualidade").
       "ok", "okay", "produto", "produtos", "producto", "productos", "produit", "produits", "prodotto", "prodotti",
       "produkt", "produkte", "produkten",
       // Buying, receiving and seeing, "actually", "gladly" and "otherwise": what was done or how it is said.
       "kaufen", "kaufe", "gekauft", "erhalten", "bekommen", "eigentlich", "gerne", "gern", "ansonsten", "comprar",
       "compré", "compre", "comprado", "comprada", "recibido", "recibí", "usarlo", "acheter", "acheté", "achetée",
       "reçu", "reçue", "voir", "finalement", "chose", "choses", "ça", "ca", "recebido", "recebida", "recebi",
       "comprare", "comprato", "ricevuto",
       // As expected, agreed or advertised: how a thing measured up, not what it is.
       "previsto", "prevista", "esperado", "esperada", "combinado", "combinada", "anunciado", "anunciada", "estipulado",
       "estipulada", "prometido", "prometida", "descrito", "descrita",
       // French idioms of time and sequence, whose nouns say nothing alone: "du coup", "au bout de", "de temps en
       // temps", "à chaque fois", "déjà".
       "coup", "bout", "temps", "fois", "déjà",
       // Elided articles the stop-word lists lack, and "très" as often written.
       "d'un", "d'une", "qu'un", "qu'une", "trés"});
  return words;
}

// Nouns that only make sense in the plural, and words in "-s" that are no plural ("upstairs", and the names of
// software that feedback writes in lowercase or at a sentence's start: "keras", "kubernetes", "vue.js" written
// "vuejs"): never singularised for display.
bool is_plural_noun(std::string_view w) {
  return w.ends_with("js") ||
         is_one_of(w, {"settings", "analytics",  "news",    "stats",       "credentials", "graphics",      "lyrics",
                       "series",   "specs",      "options", "preferences", "permissions", "notifications", "docs",
                       "upstairs", "downstairs", "indoors", "outdoors",    "afterwards",  "towards",       "chaos",
                       "kudos",    "keras",      "pandas",  "kubernetes",  "postgres",    "jenkins",       "macos",
                       "ipados",   "watchos",    "tvos",    "chromeos"});
}

// Nouns whose singular ends in one "s" and whose plural adds "es" ("lenses", "buses"): the stemmer cannot tell
// them from plurals of nouns in "-se" ("licenses", "purchases").
bool is_singular_in_s(std::string_view w) {
  return is_one_of(w, {"lens", "bus", "gas", "alias", "atlas", "canvas", "bonus", "campus", "virus", "status", "census",
                       "iris", "plus", "apparatus", "corpus", "chorus", "focus", "minus", "radius"});
}

// Everyday phrasings of one product theme, named the way teams name it.
struct CanonicalPhrase {
  std::string_view words;
  std::string_view theme;
};
constexpr CanonicalPhrase kCanonical[] = {
    {"lost my data", "data loss"},
    {"lost all my data", "data loss"},
    {"lost all data", "data loss"},
    {"lost data", "data loss"},
    {"losing data", "data loss"},
    {"losing my data", "data loss"},
    {"lose my data", "data loss"},
    {"lose data", "data loss"},
    {"data lost", "data loss"},
    {"log in", "login"},
    {"sign in", "login"},
    {"signing in", "login"},
    {"logging in", "login"},
    {"sign-in", "login"},
    {"log-in", "login"},
};

struct Word {
  std::string lower;
  std::string stem;
  bool delimiter = false;
  std::uint32_t segment = 0;
  bool in_title = false;
  bool handle = false;       // written "@name": an account, never a theme
  bool capitalised = false;  // its first letter was a capital
  bool mixed_case = false;   // a capital after a small letter: a name as its maker writes it ("iPadOS", "GitHub")
  bool not_alone = false;    // no theme on its own (word_kind)
  bool verb_marker = false;  // a lone word after it is a verb or an adjective (word_kind)
  // For the phrase matcher's words of the same reading (matcher_words_of): a sentence ended before this word
  // and after the last word the matcher keeps, and the French or Italian elision taken off its front ("l'").
  bool after_sentence_end = false;
  std::uint8_t elided_bytes = 0;
  std::uint64_t hash = 0;  // word_hash(lower), once the words are final (themes_of_words)
  char elided[3] = {};
};

// What split_words carries from a title to its text, and what it learns of the same reading as the phrase
// matcher's (PhraseMatcher::Text, matcher_words).
struct SplitState {
  std::uint32_t segment = 0;
  bool sentence_ended = false;  // matcher_words' "ended": a sentence end since the last word it keeps
  // False when the matcher would read the text otherwise than these words and their hyphens tell: a script
  // written without spaces (the matcher keeps it inside words), a hyphen inside a handle (the matcher keeps
  // the words after it), or words past kMaxWords.
  bool matcher_exact = true;
};

// A sentence ends at these, as matcher_words has it: "!", "?", ";", a line break, their CJK forms, an ellipsis,
// and a full stop before a space, a line break or the end (not inside "6.2"). `i` is just past cp.
bool ends_sentence(char32_t cp, std::string_view text, std::size_t i) {
  return cp == '!' || cp == '?' || cp == ';' || cp == '\n' || cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F ||
         cp == 0x2026 || (cp == '.' && (i == text.size() || text[i] == ' ' || text[i] == '\n' || text[i] == '\r'));
}

// Lowercased words with their segment (punctuation and line breaks start a new segment). Inner hyphens and
// apostrophes stay inside words ("sign-in", "don't"); unspaced scripts are not segmented, so they delimit.
// A word right after an "@" that starts a token is a handle ("@LumoPay"; not the domain of an address), and
// so is each word after an underscore in it ("@KestrelCard_FR"). Sentence ends are noted as the phrase
// matcher has them, so its words can be had from these (matcher_words_of).
void split_words(std::string_view text, bool in_title, bool elide, SplitState& state, std::vector<Word>& out) {
  // The word being read is built in place at the end of `out` (a word moved into the list cost as much as
  // the reading of its letters); `reading` is false between words.
  bool reading = false;
  auto current = [&]() -> std::string& {
    if (!reading) {
      out.emplace_back();
      reading = true;
    }
    return out.back().lower;
  };
  std::size_t words_done = out.size();  // finished words in `out`
  std::size_t i = 0;
  bool handle = false;  // the word being read follows an "@"
  bool capitalised = false;
  bool mixed_case = false;
  auto flush = [&] {
    if (!reading) return;
    reading = false;
    ++words_done;
    Word& w = out.back();
    std::string& cur = w.lower;
    if (handle && cur.find('-') != std::string::npos) state.matcher_exact = false;
    if (elide) {  // French/Italian elision: "l'application" -> "application", "qu'il" -> "il"
      std::size_t apo = 0;  // the first apostrophe, looked for where an elision's can be
      while (apo < 3 && apo < cur.size() && cur[apo] != '\'') ++apo;
      if (apo < 3 && apo < cur.size()) {
        w.elided_bytes = static_cast<std::uint8_t>(apo + 1);
        cur.copy(w.elided, w.elided_bytes);
        cur.erase(0, apo + 1);
      }
    }
    w.segment = state.segment;
    w.in_title = in_title;
    w.handle = handle;
    w.capitalised = capitalised;
    w.mixed_case = mixed_case;
    w.after_sentence_end = state.sentence_ended;
    if (!handle) state.sentence_ended = false;  // the matcher does not keep handles
    handle = false;
  };
  while (i < text.size() && words_done < kMaxWords) {
    if (!reading) {
      capitalised = text[i] >= 'A' && text[i] <= 'Z';
      mixed_case = false;
    }
    // The bulk of most texts: a run of ASCII letters and digits.
    if (const std::size_t from = i;
        detail::kAsciiWordClass.of[static_cast<unsigned char>(text[i])] != 0 && take_ascii_alnum(text, i, current())) {
      for (std::size_t k = from + 1; k < i && !mixed_case; ++k)
        mixed_case = text[k] >= 'A' && text[k] <= 'Z' && text[k - 1] >= 'a' && text[k - 1] <= 'z';
      continue;
    }
    char32_t cp = next_code_point(text, i);
    if (is_word_code_point(cp)) {
      if (!is_unspaced_script(cp)) {
        const char32_t lower = to_lower(cp);
        if (!reading) capitalised = lower != cp;  // "Ärger", "Übersicht"
        append_utf8(current(), lower);
        continue;
      }
      state.matcher_exact = false;
    }
    if ((cp == '-' || cp == '\'' || cp == 0x2019) && reading && i < text.size()) {
      std::size_t j = i;
      char32_t next = next_code_point(text, j);
      if (is_word_code_point(next) && !is_unspaced_script(next)) {
        out.back().lower.push_back(cp == '-' ? '-' : '\'');
        continue;
      }
    }
    bool at_sign = cp == '@' && !reading;
    bool handle_goes_on = cp == '_' && handle && reading;  // "@KestrelCard_FR" is one handle
    flush();
    handle = at_sign || handle_goes_on;
    if (cp != ' ') {
      ++state.segment;
      if (ends_sentence(cp, text, i)) state.sentence_ended = true;
    }
  }
  if (i < text.size()) state.matcher_exact = false;  // stopped at kMaxWords
  flush();
  ++state.segment;
}

// The title's and the text's words, as one reading: the title's first, with a line break after it, as the
// phrase matcher reads "title\ntext".
struct SplitText {
  std::vector<Word> words;
  SplitState state;
};
SplitText split_title_and_text(std::string_view text, std::string_view title, std::string_view lang) {
  SplitText split;
  split.words.reserve((title.size() + text.size()) / 5 + 4);
  const bool elide = !is_english(lang);
  split_words(title, true, elide, split.state, split.words);
  if (!title.empty()) split.state.sentence_ended = true;  // the line break between them
  split_words(text, false, elide, split.state, split.words);
  return split;
}

// matcher_words(title + "\n" + text, &starts, true) from split_words' reading of the same text: handles left
// out, elided words whole again, hyphenated words split at their hyphens. Valid when state.matcher_exact.
void matcher_words_of(const std::vector<Word>& words, std::vector<std::string>& out,
                      std::vector<std::uint32_t>& starts) {
  out.reserve(words.size() + 4);
  std::string whole;
  for (const Word& w : words) {
    if (w.handle) continue;
    std::string_view word = w.lower;
    if (w.elided_bytes) {
      whole.assign(w.elided, w.elided_bytes).append(w.lower);
      word = whole;
    }
    if (w.after_sentence_end && !out.empty()) starts.push_back(static_cast<std::uint32_t>(out.size()));
    for (std::size_t from = 0, k = 0;; ++k) {  // words are short: a scan, not a call into memchr
      if (k < word.size() && word[k] != '-') continue;
      out.emplace_back(word.substr(from, k - from));
      if (k == word.size()) break;
      from = k + 1;
    }
  }
}

// Rewrites canonical phrasings ("lost my data" -> "data loss") as their theme's words, each rewrite in a
// segment of its own so it never fuses with neighbouring words.
std::vector<Word> canonicalise(std::vector<Word> words) {
  constexpr std::uint32_t kFirstCanonicalSegment = 0x80000000u;
  std::uint32_t next_segment = kFirstCanonicalSegment;
  // The rewrites by their first word, so each word is compared with only the rewrites it can start.
  static const auto by_first = [] {
    std::unordered_map<std::string_view, std::vector<const CanonicalPhrase*>, StringHash, std::equal_to<>> index;
    for (const auto& c : kCanonical) index[c.words.substr(0, c.words.find(' '))].push_back(&c);
    return index;
  }();
  // What a first word can look like (its first byte, its length), so most words are ruled out without hashing.
  struct FirstWordShape {
    bool first_byte[256] = {};
    std::size_t min_length = SIZE_MAX, max_length = 0;
  };
  static const FirstWordShape shape = [] {
    FirstWordShape f;
    for (const auto& [first, phrases] : by_first) {
      f.first_byte[static_cast<unsigned char>(first.front())] = true;
      f.min_length = std::min(f.min_length, first.size());
      f.max_length = std::max(f.max_length, first.size());
    }
    return f;
  }();
  auto may_start = [&](const std::string& w) {
    return w.size() >= shape.min_length && w.size() <= shape.max_length &&
           shape.first_byte[static_cast<unsigned char>(w.front())] && by_first.count(w) != 0;
  };
  static const std::vector<const CanonicalPhrase*> none;
  // Most texts have none of the phrasings: they keep their words as they are.
  if (std::none_of(words.begin(), words.end(), [&](const Word& w) { return may_start(w.lower); })) return words;
  std::vector<Word> out;
  out.reserve(words.size());
  for (std::size_t i = 0; i < words.size();) {
    bool rewritten = false;
    auto hit = by_first.find(words[i].lower);
    for (const CanonicalPhrase* cp : hit == by_first.end() ? none : hit->second) {
      const CanonicalPhrase& c = *cp;
      std::size_t n = 0, pos = 0;
      bool match = true;
      while (match && pos < c.words.size()) {
        std::size_t sp = c.words.find(' ', pos);
        if (sp == std::string_view::npos) sp = c.words.size();
        match = i + n < words.size() && words[i + n].lower == c.words.substr(pos, sp - pos) &&
                words[i + n].segment == words[i].segment;
        ++n;
        pos = sp + 1;
      }
      if (!match) continue;
      std::uint32_t segment = next_segment++;
      for (std::size_t p = 0; p < c.theme.size();) {
        std::size_t sp = c.theme.find(' ', p);
        if (sp == std::string_view::npos) sp = c.theme.size();
        out.push_back(Word{std::string(c.theme.substr(p, sp - p)), {}, false, segment, words[i].in_title});
        p = sp + 1;
      }
      i += n;
      rewritten = true;
      break;
    }
    if (!rewritten) out.push_back(std::move(words[i++]));
  }
  return out;
}

// Topics that carry sentiment in the lexicon but are what feedback is about.
bool is_topic_despite_valence(std::string_view w) {
  return is_one_of(w, {"loss", "lag", "latency", "security", "privacy", "spam", "price", "pricing", "battery",
                       "performance", "crash", "crashes", "ads", "trial", "refund", "refunds", "excel"});
}

bool is_delimiter_uncached(std::string_view w, std::string_view lang, const WordSet& stops) {
  if (w.size() > kMaxWordBytes) return true;
  int letters = 0, digits = 0;
  std::size_t i = 0;
  while (i < w.size()) {
    char32_t cp = next_code_point(w, i);
    if (cp >= '0' && cp <= '9') {
      ++digits;
    } else if (cp != '-' && cp != '\'') {
      ++letters;
    }
  }
  if (letters < 2 || digits >= letters) return true;  // "42", "x", "10mb"; "2fa" and "mp3" stay
  bool english = is_english(lang);
  if (stops.find(w) != stops.end() && !(english && english_keep().find(w) != english_keep().end())) return true;
  if (generic_words_any_language().find(w) != generic_words_any_language().end()) return true;
  if (!english) {
    // Opinion words, negators and the words of fixed expressions of the language's sentiment vocabulary.
    const auto* vocab = sentiment_rules::Vocabulary::for_language(lang);
    if (!vocab) return false;
    auto v = vocab->valence(w);
    return (v && std::fabs(*v) >= kOpinionValence) || vocab->negates(w) || vocab->in_expression(w) ||
           vocab->opens_clause(w);
  }
  if (generic_words().find(w) != generic_words().end()) return true;
  if (sentiment_rules::is_negator(w)) return true;
  if (is_topic_despite_valence(w)) return false;
  auto product = sentiment_rules::product_word_valence(w);
  if (product) return std::fabs(*product) >= kOpinionValence;
  const auto& lex = vader_lexicon();
  if (auto it = lex.find(w); it != lex.end()) return std::fabs(it->second) >= kOpinionValence;
  // Text of unknown language is short and often not English ("Excelente", "Perfetto"): an opinion word of the
  // languages it is most often written in is no theme either.
  if (!equal_short(lang, "un")) return false;
  return std::any_of(std::begin(sentiment_rules::kHandMadeLanguages), std::end(sentiment_rules::kHandMadeLanguages),
                     [&](std::string_view code) {
                       auto v = sentiment_rules::Vocabulary::for_language(code)->valence(w);
                       return v && std::fabs(*v) >= kOpinionValence;
                     });
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && equal_short(s.substr(s.size() - suffix.size()), suffix);
}

bool is_consonant(char c) {
  return c >= 'a' && c <= 'z' && c != 'a' && c != 'e' && c != 'i' && c != 'o' && c != 'u' && c != 'y';
}

// Days of the week, months and the units of the calendar, in the languages generic_words_any_language covers
// (English's units are generic words): alone they say when, not what ("friday", "mes"), though inside a phrase
// they may name a thing ("black friday").
bool is_calendar_word(std::string_view w) {
  static const WordSet words = make_word_set(
      {"monday",        "tuesday",     "wednesday",    "thursday",     "friday",      "saturday",  "sunday",
       "mondays",       "tuesdays",    "wednesdays",   "thursdays",    "fridays",     "saturdays", "sundays",
       "january",       "february",    "march",        "april",        "june",        "july",      "august",
       "september",     "october",     "november",     "december",     "lundi",       "mardi",     "mercredi",
       "jeudi",         "vendredi",    "samedi",       "dimanche",     "janvier",     "février",   "avril",
       "juin",          "juillet",     "septembre",    "octobre",      "novembre",    "décembre",  "montag",
       "dienstag",      "mittwoch",    "donnerstag",   "freitag",      "samstag",     "sonntag",   "januar",
       "februar",       "märz",        "dezember",     "lunes",        "martes",      "miércoles", "jueves",
       "viernes",       "sábado",      "domingo",      "enero",        "febrero",     "marzo",     "abril",
       "junio",         "julio",       "agosto",       "septiembre",   "octubre",     "noviembre", "diciembre",
       "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "janeiro",   "fevereiro",
       "março",         "maio",        "junho",        "julho",        "setembro",    "outubro",   "novembro",
       "dezembro",      "lunedì",      "martedì",      "mercoledì",    "giovedì",     "venerdì",   "sabato",
       "domenica",      "gennaio",     "febbraio",     "aprile",       "maggio",      "giugno",    "luglio",
       "settembre",     "ottobre",     "dicembre",     "maandag",      "dinsdag",     "woensdag",  "donderdag",
       "vrijdag",       "zaterdag",    "zondag",       "måndag",       "tisdag",      "onsdag",    "torsdag",
       "fredag",        "lördag",      "söndag",       "poniedziałek", "wtorek",      "środa",     "czwartek",
       "piątek",        "sobota",      "niedziela",    "понедельник",  "вторник",     "среда",     "четверг",
       "пятница",       "суббота",     "воскресенье",  "pazartesi",    "salı",        "çarşamba",  "perşembe",
       "cuma",          "cumartesi",   "pazar",        "jour",         "jours",       "semaine",   "semaines",
       "mois",          "année",       "années",       "woche",        "wochen",      "monat",     "monate",
       "monaten",       "tag",         "tage",         "tagen",        "jahren",      "jahr",      "jahre",
       "día",           "días",        "semana",       "semanas",      "mes",         "meses",     "año",
       "años",          "dias",        "mês",          "giorno",       "giorni",      "settimana", "settimane",
       "mese",          "mesi",        "maand",        "maanden",      "jaar",        "vecka",     "veckor",
       "månad",         "månader",     "dzień",        "tydzień",      "miesiąc",     "день",      "неделя",
       "месяц",         "год",         "hafta",        "yıl"});
  return words.find(w) != words.end();
}

// English words that alone say what was done or what kind of message it is, not what it is about, though a
// phrase with them names a thing: paying ("apple pay", "paid plan"), asking ("refund request", "accessibility
// options"), thanking.
bool is_generic_alone(std::string_view w) {
  static const WordSet words =
      make_word_set({"pay", "pays", "paying", "paid", "request", "requests", "suggestion", "suggestions", "option",
                     "options", "shoutout", "shoutouts", "shout-out", "kudos"});
  return words.find(w) != words.end();
}

// Words after which a lone word is a verb, a participle or an adjective, not a thing: subject pronouns and
// unambiguous clitics ("se queda", "je constate"), negation ("no llega"), auxiliaries, copulas and modals ("est
// top", "puedo borrar", "ho ordinato", "won't load") and degree adverbs ("très réactif"). Articles that are also
// clitics ("la", "le") are left out: they come before nouns as often.
bool is_verb_marker(std::string_view w, std::string_view lang) {
  static const auto markers = [] {
    std::unordered_map<std::string, WordSet, StringHash, std::equal_to<>> m;
    auto add = [&](std::string_view code, std::initializer_list<std::string_view> words) {
      m.emplace(code, make_word_set(words));
    };
    add("es", {"no",       "me",       "te",      "se",      "nos",    "os",     "lo",     "yo",     "tú",
               "nunca",    "muy",      "tan",     "es",      "son",    "era",    "eran",   "fue",    "está",
               "están",    "estaba",   "estoy",   "ha",      "han",    "he",     "has",    "hemos",  "había",
               "puedo",    "puede",    "pueden",  "podemos", "podría", "poder",  "quiero", "quería", "quisiera",
               "necesito", "debo",     "debería", "que",     "porque", "cuando", "cuándo", "si",     "podrían",
               "pudiera",  "gustaría", "bien",    "llegó",   "vino",   "quedó"});
    add("fr",
        {"je",       "tu",       "il",       "elle",    "on",       "nous",    "vous",     "ils",  "elles",   "ne",
         "me",       "te",       "se",       "est",     "sont",     "était",   "été",      "être", "très",    "trop",
         "assez",    "plutôt",   "ai",       "as",      "avons",    "avez",    "ont",      "peux", "peut",    "pouvez",
         "pouvoir",  "veux",     "voudrais", "dois",    "doit",     "faut",    "faudrait", "qui",  "comment", "pas",
         "pourrait", "pourrais", "pourriez", "voulais", "voudrait", "aimerais"});
    // "bem", "mal" and the verbs of arriving come before how a thing arrived ("bem embalado", "veio quebrado").
    // Spanish "mal" is left out: it is also an adjective before its noun ("mal servicio").
    add("pt", {"não",    "nem",     "nunca",    "me",     "te",     "se",     "lhe",     "eu",       "você",
               "ele",    "ela",     "é",        "são",    "era",    "foi",    "está",    "estão",    "estava",
               "muito",  "tão",     "bastante", "posso",  "pode",   "podem",  "poder",   "podiam",   "quero",
               "queria", "preciso", "consigo",  "que",    "quando", "porque", "poderia", "poderiam", "gostaria",
               "bem",    "mal",     "veio",     "chegou", "ficou",  "fiquei"});
    add("it", {"non",   "mi",       "ti",    "si",     "ci",     "vi",   "io",      "è",          "sono",   "era",
               "erano", "stato",    "stata", "molto",  "troppo", "poco", "tanto",   "abbastanza", "ho",     "hai",
               "ha",    "abbiamo",  "hanno", "posso",  "può",    "puoi", "possono", "vorrei",     "voglio", "devo",
               "deve",  "dovrebbe", "che",   "quando", "perché", "se",   "poter",   "potrebbe",   "potrei", "volevo"});
    // Dutch and Swedish put the object after an auxiliary or a modal ("ik heb mosselen gegeten"): only
    // pronouns, negation, copulas and "very" tell a verb or an adjective there ("je" and "zijn" are also
    // "your" and "his").
    add("nl", {"ik", "jij", "hij",   "zij", "ze",   "we",    "wij",    "jullie", "niet", "nooit",
               "is", "was", "waren", "ben", "bent", "wordt", "worden", "werd",   "erg",  "heel"});
    add("sv", {"jag", "du", "han", "hon", "vi", "ni", "inte", "aldrig", "är", "var", "väldigt", "att"});
    // Russian and Polish have no articles: pronouns, negation, "was" and the modals mark the verb.
    add("ru", {"я",    "ты",   "он",    "она",   "оно",  "мы",    "вы",     "они",  "не",    "был", "была",
               "было", "были", "будет", "может", "могу", "можно", "нельзя", "хочу", "хотим", "надо"});
    add("pl", {"nie", "się",  "ja",   "ty", "on",     "ona",  "ono",  "my",    "wy",   "oni",   "jest",
               "był", "była", "było", "są", "będzie", "mogę", "może", "można", "chcę", "trzeba"});
    // German capitalises its nouns, so only a lowercase word after these is taken for a verb or an adjective
    // ("nie angekommen", "sehr laut"); "ist Müll" keeps its noun (find_candidates).
    add("de", {"nicht", "nie",     "niemals", "ist",  "sind", "war", "waren", "wurde", "wurden", "sehr", "zu",
               "schon", "bereits", "noch",    "mehr", "sich", "mir", "mich",  "ich",   "wir",    "kann", "können"});
    // English nouns need no ending to be verbs ("won't load", "I tap"): pronouns, modals, "do" and "not" come
    // before verbs, copulas and "so", "very" and "too" before adjectives ("is confusing", "very handy"), and
    // adverbs of time and "keep" before a verb going on ("still learning", "keeps asking", "finally works").
    add("en",
        {"i",      "you",     "we",       "they",  "he",    "she",     "it",     "can",      "can't",  "cant",
         "cannot", "could",   "couldn't", "will",  "won't", "wont",    "would",  "wouldn't", "should", "shouldn't",
         "must",   "do",      "don't",    "dont",  "does",  "doesn't", "doesnt", "did",      "didn't", "didnt",
         "not",    "never",   "is",       "isn't", "was",   "wasn't",  "are",    "aren't",   "were",   "weren't",
         "be",     "been",    "am",       "so",    "very",  "too",     "still",  "keep",     "keeps",  "kept",
         "always", "already", "finally",  "just",  "really"});
    return m;
  }();
  auto it = markers.find(is_english(lang) ? std::string_view("en") : lang);
  return it != markers.end() && it->second.find(w) != it->second.end();
}

// What a word is to key phrases, remembered per thread for each language: a delimiter, a word that is no theme
// alone, a word after which a lone word is a verb or an adjective (is_verb_marker), or several of these.
constexpr std::uint8_t kDelimiterWord = 1, kNotAloneWord = 2, kVerbMarkerWord = 4;
using WordKinds = WordMemo<std::uint8_t>;
// The language's memo, looked up once a text; valid until the next call.
WordKinds& word_kinds(std::string_view lang) {
  thread_local WordMemos<std::string, std::uint8_t> memos;
  return memos.of(lang);
}
std::uint8_t word_kind(WordKinds& kinds, std::string_view w, std::uint64_t hash, std::string_view lang,
                       const WordSet& stops) {
  return kinds.get(w, hash, [&](std::string_view word) -> std::uint8_t {
    std::uint8_t kind = is_delimiter_uncached(word, lang, stops) ? kDelimiterWord : 0;
    if (is_calendar_word(word) || (is_english(lang) && is_generic_alone(word))) kind |= kNotAloneWord;
    if (is_verb_marker(word, lang)) kind |= kVerbMarkerWord;
    return kind;
  });
}

// An English adverb in "-ly" ("totally", "genuinely", "geographically"); nouns in "-ly" are listed.
bool is_adverb(std::string_view w) {
  if (w.size() < 6 || !ends_with(w, "ly")) return false;
  return !is_one_of(w, {"family", "supply", "assembly", "anomaly", "butterfly", "monopoly", "homily", "melancholy",
                        "grizzly", "firefly", "dragonfly", "underbelly"});
}

// Nouns in "-ie" whose plural ends in "-ies" like the many nouns in "-y" ("movies", not "movy").
bool is_ie_noun(std::string_view w) {
  return is_one_of(w, {"movie",  "cookie",   "calorie", "selfie", "zombie", "hoodie", "freebie", "rookie", "newbie",
                       "goodie", "smoothie", "brownie", "pie",    "tie",    "lie",    "genie",   "veggie", "auntie",
                       "techie", "indie",    "sortie",  "birdie", "bookie", "boogie", "foodie",  "junkie", "yuppie"});
}

// A word without its possessive "'s" ("ferrodb's" -> "ferrodb").
std::string_view without_possessive(std::string_view word) {
  return word.size() > 3 && ends_with(word, "'s") ? word.substr(0, word.size() - 2) : word;
}

// A readable English base form when it is safe to derive one from the stem ("syncing" -> "sync",
// "crashes" -> "crash", "settings" -> "setting", "batteries" -> "battery", "ferrodb's" -> "ferrodb");
// otherwise the word itself.
std::string english_display(const std::string& word, const std::string& stem, std::string_view lang, bool verb_forms) {
  // A singular in one "s" ("canvas", "alias") is its own display form.
  if (word == stem || is_plural_noun(word) || is_singular_in_s(word)) return word;
  if (std::string_view bare = without_possessive(word); bare.size() != word.size()) return std::string(bare);
  if (ends_with(word, "ies") && word.size() > 4 && ends_with(stem, "i") &&
      word.substr(0, word.size() - 3) == stem.substr(0, stem.size() - 1)) {
    std::string ie = word.substr(0, word.size() - 1);  // "movies" -> "movie", not "movy"
    if (is_ie_noun(ie) || is_known_english_word(ie)) return ie;
    return stem.substr(0, stem.size() - 1) + "y";
  }
  if (ends_with(word, "ses") && is_singular_in_s(std::string_view(word).substr(0, word.size() - 2)))
    return word.substr(0, word.size() - 2);
  if (ends_with(word, "es") &&
      (ends_with(stem, "s") || ends_with(stem, "sh") || ends_with(stem, "ch") || ends_with(stem, "x") ||
       ends_with(stem, "z")) &&
      word == stem + "es") {
    // A stem in one "s" is the singular less its "e" ("purchases" -> "purchase", never "purchas") where the
    // singular in "e" stems back to it; the nouns whose singular ends in "s" are listed above.
    if (ends_with(stem, "s") && !ends_with(stem, "ss")) {
      std::string with_e = word.substr(0, word.size() - 1);
      if (stem_view(with_e, lang) == stem) return with_e;
    }
    return stem;
  }
  if (word.size() > 3 && ends_with(word, "s") && !ends_with(word, "ss") && !ends_with(word, "us") &&
      !ends_with(word, "is")) {
    std::string singular = word.substr(0, word.size() - 1);
    if (stem_view(singular, lang) == stem) return singular;
  }
  // Only a base form that is itself a known word: "syncing" -> "sync", but "morning" never -> "morn".
  if (verb_forms && (word == stem + "ing" || word == stem + "ed") && stem.size() >= 3) {
    char a = stem[stem.size() - 2], b = stem[stem.size() - 1];
    if (is_consonant(a) && is_consonant(b) && a != b && is_known_english_word(stem)) return stem;
  }
  return word;
}

struct Candidate {
  std::size_t first;  // index into words
  std::size_t length;
};

constexpr std::uint32_t kNoForm = UINT32_MAX;

// One display form of a theme's word (at `position` in the phrase) and how often the text used it. The forms
// of all of a text's themes live in one list, each theme's linked in the order first used (a list of its own
// per theme cost an allocation per theme).
struct Form {
  std::size_t position = 0;
  std::string text;
  int count = 0;
  std::uint32_t next = kNoForm;  // the theme's next form
};

struct Theme {
  std::string key;  // the stems joined by spaces
  std::uint64_t key_hash = 0;
  double score = 0.0;
  std::size_t first_seen = 0;
  std::size_t length = 0;  // words
  std::uint32_t first_form = kNoForm, last_form = kNoForm;
};

struct ScoredThemes {
  std::vector<Theme> themes;
  std::vector<Form> forms;
};

// The most used form at a position; ties go to the shorter, then the alphabetically first.
const std::string& pick_form(const std::vector<Form>& forms, const Theme& theme, std::size_t position) {
  static const std::string none;
  const Form* best = nullptr;
  for (std::uint32_t at = theme.first_form; at != kNoForm; at = forms[at].next) {
    const Form& f = forms[at];
    if (f.position != position) continue;
    if (!best || f.count > best->count ||
        (f.count == best->count &&
         (f.text.size() < best->text.size() || (f.text.size() == best->text.size() && f.text < best->text))))
      best = &f;
  }
  return best ? best->text : none;
}

std::string_view effective_language(std::string_view language_code) {
  return has_stopwords(language_code) ? language_code : std::string_view("un");
}

}  // namespace

namespace {

// A word capitalised inside its sentence, not at its start: written as a name ("switched to Calendly").
bool capitalised_inside_sentence(const std::vector<Word>& words, std::size_t i) {
  return words[i].capitalised && i > 0 && words[i - 1].segment == words[i].segment;
}

// An infinitive after a preposition ("para cambiar", "per vedere", "pour ajouter"): Spanish, Portuguese,
// Italian and French verbs end in a few ways that few nouns of five letters or more share. French nouns in
// "-ier" ("fichier", "panier") are kept. The language's rule is looked up once a text.
struct InfinitiveRule {
  std::string_view lang;
  std::vector<std::string_view> prepositions, endings;
};

const InfinitiveRule* infinitive_rule(std::string_view lang) {
  static const InfinitiveRule rules[] = {
      {"es", {"para", "de", "a", "por", "sin"}, {"ar", "er", "ir"}},
      {"pt", {"para", "de", "a", "por", "sem"}, {"ar", "er", "ir"}},
      {"it", {"per", "di", "da", "a", "senza"}, {"are", "ere", "ire"}},
      {"fr", {"pour", "de", "à", "sans"}, {"er", "ir"}},
  };
  for (const InfinitiveRule& r : rules)
    if (r.lang == lang) return &r;
  return nullptr;
}

bool is_infinitive_after(const InfinitiveRule& rule, std::string_view before, std::string_view word) {
  if (word.size() < 5) return false;
  if (std::find(rule.prepositions.begin(), rule.prepositions.end(), before) == rule.prepositions.end()) return false;
  if (rule.lang == "fr" && ends_with(word, "ier")) return false;
  return std::any_of(rule.endings.begin(), rule.endings.end(), [&](std::string_view e) { return ends_with(word, e); });
}

// A Portuguese or Spanish verb by an ending few nouns have: the past of "I" and "he" in Portuguese ("comprei",
// "chegou"), the past of "he" in Spanish ("llegó"), the plural past ("chegaram", "llegaron") and the gerund
// ("aguardando", "esperando"), and the French past participle. Lone, such a word says what happened, not what
// it happened to.
bool is_inflected_verb(std::string_view w, std::string_view lang) {
  auto any_end = [&](std::initializer_list<std::string_view> endings, std::size_t min_size) {
    return w.size() >= min_size && std::any_of(endings.begin(), endings.end(), [&](auto e) { return ends_with(w, e); });
  };
  if (equal_short(lang, "pt"))
    return any_end({"ei", "ou"}, 5) || any_end({"aram", "eram", "iram", "ando", "endo", "indo"}, 6);
  if (equal_short(lang, "es")) return any_end({"ó"}, 5) || any_end({"aron", "ieron", "ando", "iendo"}, 6);
  // The French past participle of a verb in "-er" ("emballé", "indiqué", "utilisés"); nouns in "-té" ("qualité")
  // and the few others in "-é" are listed.
  if (equal_short(lang, "fr")) {
    if (!any_end({"\xC3\xA9", "\xC3\xA9s"}, 6) || any_end({"t\xC3\xA9", "t\xC3\xA9s"}, 3)) return false;
    std::string_view singular = ends_with(w, "s") ? w.substr(0, w.size() - 1) : w;
    return !is_one_of(singular, {"marché", "café",   "degré",   "comité", "résumé", "canapé",  "bébé",
                                 "fossé",  "défilé", "procédé", "congé",  "péché",  "employé", "délégué",
                                 "carré",  "curé",   "abonné",  "moitié", "pitié",  "amitié"});
  }
  return false;
}

// German writes every noun capitalised: a lone word written in lowercase by a writer who capitalises is a
// verb or an adjective ("dauert", "ständig"), not a thing. A writer capitalises who writes at least two of the
// content words inside sentences, and a quarter of them, with a capital; one who capitalises only a brand ("die
// app von Spotify") is not judged by it.
bool writes_nouns_capitalised(const std::vector<Word>& words, std::string_view lang) {
  if (lang != "de") return false;
  std::size_t inside = 0, capitalised = 0;
  for (std::size_t i = 1; i < words.size(); ++i) {
    if (words[i].in_title || words[i].delimiter || words[i - 1].segment != words[i].segment) continue;
    ++inside;
    if (words[i].capitalised) ++capitalised;
  }
  return capitalised >= 2 && capitalised * 4 >= inside;
}

// "daughter's", "else's", "ferrodb's": a possessive that names an owner; not "children's" or "women's", whose
// owner describes a kind of thing.
bool is_owner_possessive(std::string_view word) {
  if (!ends_with(word, "'s") || word.size() < 4) return false;
  static constexpr std::string_view kKinds[] = {"children's", "men's", "women's", "people's", "kid's"};
  return std::find(std::begin(kKinds), std::end(kKinds), word) == std::end(kKinds);
}

// Runs of up to kMaxPhraseWords non-delimiter words within one segment.
// Into `candidates`, which is cleared first.
void find_candidates(const std::vector<Word>& words, std::string_view lang, std::vector<Candidate>& candidates) {
  candidates.clear();
  const bool nouns_capitalised = writes_nouns_capitalised(words, lang);
  const bool english = is_english(lang);
  const InfinitiveRule* infinitives = infinitive_rule(lang);
  for (std::size_t i = 0; i < words.size();) {
    // A modal or "very" that is no stop word ("pouvoir choisir", "posso aprire", "muy caro") starts no phrase:
    // what follows it is a verb or an adjective, or a verb and its object ("posso pagare affitto").
    if (words[i].delimiter || words[i].verb_marker) {
      ++i;
      continue;
    }
    std::size_t j = i;
    // Outside English a verb marker that is no stop word ends a phrase too ("produto veio quebrado").
    while (j < words.size() && !words[j].delimiter && words[j].segment == words[i].segment && j - i < kMaxPhraseWords &&
           (english || !words[j].verb_marker))
      ++j;
    // An English possessive before the last word is the owner, not the topic: "my daughter's maths tutor",
    // "someone else's watch strap", "GitHub's code scanning" are about the tutor, the strap and the scanning.
    // Plural owners that describe a kind are kept ("children's menu", "women's sizes"), and so is a name
    // written in capitals throughout ("Luigi's Slice House").
    if (english) {
      for (std::size_t k = j - 1; k > i; --k) {
        if (is_owner_possessive(words[k - 1].lower) && !(words[k - 1].capitalised && words[k].capitalised)) {
          i = k;
          break;
        }
      }
    }
    auto participle = [&](std::size_t k) {
      return ends_with(words[k].lower, "ed") && stem_view(words[k].lower, lang, words[k].hash) != words[k].lower;
    };
    // A phrase ends at its noun: a verb or an adverb after it says what happened, or how ("payday delayed",
    // "statements finally", "reloading automatically", "produit arrivé", "pedido chegou"), and is left off. A
    // name stays whole.
    while (
        j - i > 1 &&
        (english ? participle(j - 1) || is_adverb(words[j - 1].lower) : is_inflected_verb(words[j - 1].lower, lang)) &&
        !capitalised_inside_sentence(words, j - 1))
      --j;
    // A lone past participle ("delivered", "cancelled") reports an event, not a topic.
    bool lone_participle = j - i == 1 && english && participle(i);
    // Nor does a lone adverb ("totally", "genuinely"): how, not what. A capitalised word in "-ly" inside a
    // sentence is a name ("switched to Calendly").
    bool named = capitalised_inside_sentence(words, i);
    bool lone_adverb = j - i == 1 && english && !named && is_adverb(words[i].lower);
    // Nor do days, months, paying or asking (word_kind).
    bool lone_kind = j - i == 1 && words[i].not_alone;
    // Nor a verb or an adjective, told by the word before it or, in German, by its case; a name stays.
    const bool after_in_sentence = i > 0 && words[i - 1].segment == words[i].segment;
    bool lone_verb = j - i == 1 && !named &&
                     (is_inflected_verb(words[i].lower, lang) ||
                      (after_in_sentence &&
                       ((words[i - 1].verb_marker && (lang != "de" || !words[i].capitalised)) ||
                        (infinitives && is_infinitive_after(*infinitives, words[i - 1].lower, words[i].lower)))) ||
                      (nouns_capitalised && !words[i].capitalised));
    if (!lone_participle && !lone_adverb && !lone_kind && !lone_verb) candidates.push_back(Candidate{i, j - i});
    i = j;
  }
}

// Groups candidates by stem key and scores them; stems are filled in on the way. Themes come out in the
// order they were first seen.
const ScoredThemes& score_candidates(std::vector<Word>& words, const std::vector<Candidate>& candidates,
                                     std::string_view lang) {
  const bool english = is_english(lang);
  // How often each stem occurs across all candidates: a word that recurs lifts every phrase it is in. The
  // candidates' words are sorted by stem (its hash first, so most comparisons are of two integers) and each
  // run of one stem gives its words their count.
  struct StemAt {
    std::uint64_t hash;
    std::size_t word;
  };
  // Scratch lists kept per thread, so a text's scoring allocates only what it returns.
  thread_local std::vector<StemAt> by_stem;
  by_stem.clear();
  for (const Candidate& c : candidates) {
    for (std::size_t k = c.first; k < c.first + c.length; ++k) {
      if (words[k].stem.empty()) words[k].stem = stem_view(words[k].lower, lang, words[k].hash);
      by_stem.push_back(StemAt{word_hash(words[k].stem), k});
    }
  }
  std::sort(by_stem.begin(), by_stem.end(), [&](const StemAt& a, const StemAt& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    return words[a.word].stem < words[b.word].stem;
  });
  thread_local std::vector<int> frequency;  // by word index; set for the candidates' words
  frequency.assign(words.size(), 0);
  for (std::size_t from = 0; from < by_stem.size();) {
    std::size_t to = from + 1;
    while (to < by_stem.size() && by_stem[to].hash == by_stem[from].hash &&
           words[by_stem[to].word].stem == words[by_stem[from].word].stem)
      ++to;
    for (std::size_t r = from; r < to; ++r) frequency[by_stem[r].word] = static_cast<int>(to - from);
    from = to;
  }

  thread_local ScoredThemes scored;  // kept per thread; best_themes reads it before the next text
  std::vector<Theme>& themes = scored.themes;
  std::vector<Form>& forms = scored.forms;
  themes.clear();
  forms.clear();
  themes.reserve(candidates.size());
  forms.reserve(candidates.size() + 4);
  // Themes by key in an open-addressed table of theme index + 1 (0 is empty), twice the candidates in size.
  std::size_t slots_size = 16;
  while (slots_size < candidates.size() * 2) slots_size <<= 1;
  thread_local std::vector<std::uint32_t> slots;
  slots.assign(slots_size, 0);
  std::string key;
  for (std::size_t n = 0; n < candidates.size(); ++n) {
    const Candidate& c = candidates[n];
    key.clear();
    for (std::size_t k = c.first; k < c.first + c.length; ++k) {
      if (!key.empty()) key.push_back(' ');
      key += words[k].stem;
    }
    const std::uint64_t hash = word_hash(key);
    std::size_t slot = hash & (slots_size - 1);
    while (slots[slot] != 0 && !(themes[slots[slot] - 1].key_hash == hash && themes[slots[slot] - 1].key == key))
      slot = (slot + 1) & (slots_size - 1);
    if (slots[slot] == 0) {
      Theme t;
      t.key = key;
      t.key_hash = hash;
      t.first_seen = n;
      t.length = c.length;
      for (std::size_t k = c.first; k < c.first + c.length; ++k) t.score += kRecurrenceWeight * (frequency[k] - 1);
      themes.push_back(std::move(t));
      slots[slot] = static_cast<std::uint32_t>(themes.size());
    }
    Theme& t = themes[slots[slot] - 1];
    double position = words[c.first].in_title ? kTitleWeight : 1.0 + 0.5 / (1.0 + static_cast<double>(n) / 10.0);
    t.score += position * kLengthWeight[c.length - 1];
    for (std::size_t k = 0; k < c.length; ++k) {
      const Word& w = words[c.first + k];
      // Only the head (last) word takes a base form, and verb forms only stand alone: "syncing" -> "sync",
      // "reporting dashboards" -> "reporting dashboard", "email forwarding" stays.
      bool head = k + 1 == c.length;
      // A word capitalised inside a sentence of the text is a name and keeps its letters but a possessive:
      // "Windows", "Teams" and "Maps" are not shown as "window", "team" and "map".
      const bool named = w.mixed_case || (!w.in_title && capitalised_inside_sentence(words, c.first + k));
      std::string form = !(english && head) ? w.lower
                         : named            ? std::string(without_possessive(w.lower))
                                            : english_display(w.lower, w.stem, lang, c.length == 1);
      // An elision inside a phrase is shown as written ("facile d'utilisation", "mois d'utilisation"); the
      // phrase's first word is shown without its article ("l'application" -> "application").
      if (k > 0 && w.elided_bytes) form.insert(0, w.elided, w.elided_bytes);
      std::uint32_t same = t.first_form;
      while (same != kNoForm && !(forms[same].position == k && forms[same].text == form)) same = forms[same].next;
      if (same != kNoForm) {
        ++forms[same].count;
        continue;
      }
      const auto added = static_cast<std::uint32_t>(forms.size());
      forms.push_back(Form{k, std::move(form), 1});
      if (t.last_form == kNoForm) {
        t.first_form = added;
      } else {
        forms[t.last_form].next = added;
      }
      t.last_form = added;
    }
  }
  return scored;
}

// The best kMaxThemes themes by score (earlier first on ties), each shown in its most common form.
std::vector<std::string> best_themes(const ScoredThemes& scored) {
  const std::vector<Theme>& themes = scored.themes;
  thread_local std::vector<const Theme*> ranked;
  ranked.clear();
  for (const Theme& t : themes) ranked.push_back(&t);
  std::sort(ranked.begin(), ranked.end(), [](const Theme* a, const Theme* b) {
    if (a->score != b->score) return a->score > b->score;
    return a->first_seen < b->first_seen;
  });
  std::vector<std::string> out;
  for (const Theme* t : ranked) {
    if (out.size() == kMaxThemes) break;
    std::string display;
    for (std::size_t position = 0; position < t->length; ++position) {
      if (!display.empty()) display.push_back(' ');
      display += pick_form(scored.forms, *t, position);
    }
    if (std::find(out.begin(), out.end(), display) == out.end()) out.push_back(std::move(display));
  }
  return out;
}

}  // namespace

bool is_known_english_word(std::string_view word) {
  return Taxonomy::builtin().is_english_term_word(word) || vader_lexicon().count(word) != 0;
}

namespace {

// Key phrases of split words (extract_themes).
std::vector<std::string> themes_of_words(std::vector<Word> words, std::string_view lang) {
  const WordSet& stops = stopwords(lang == "un" ? "en" : lang);
  if (is_english(lang)) words = canonicalise(std::move(words));
  WordKinds& kinds = word_kinds(lang);
  for (Word& w : words) {
    w.hash = word_hash(w.lower);
    const std::uint8_t kind = w.handle ? kDelimiterWord : word_kind(kinds, w.lower, w.hash, lang, stops);
    w.delimiter = (kind & kDelimiterWord) != 0;
    w.not_alone = (kind & kNotAloneWord) != 0;
    w.verb_marker = (kind & kVerbMarkerWord) != 0;
  }
  thread_local std::vector<Candidate> candidates;
  find_candidates(words, lang, candidates);
  if (candidates.empty()) return {};
  return best_themes(score_candidates(words, candidates, lang));
}

// The phrase matcher's reading of "title\ntext" (or the text alone, without a title), from the words of `split`
// (split_title_and_text of the same title and text) when they give it exactly, else read again.
PhraseMatcher::Text matcher_text(const SplitText& split, std::string_view text, std::string_view title) {
  std::string source;
  source.reserve(title.size() + text.size() + 2);
  if (!title.empty()) source.append(title).append("\n");
  source.append(text);
  if (!split.state.matcher_exact || source.size() > PhraseMatcher::Text::kMaxBytes) return PhraseMatcher::Text(source);
  std::vector<std::string> words;
  std::vector<std::uint32_t> starts;
  matcher_words_of(split.words, words, starts);
  return PhraseMatcher::Text(std::move(source), std::move(words), std::move(starts));
}

}  // namespace

std::vector<std::string> extract_themes(std::string_view text, std::string_view title, std::string_view language_code) {
  std::string_view lang = effective_language(language_code);
  return themes_of_words(split_title_and_text(text, title, lang).words, lang);
}

PhraseMatcher::Text matcher_text_of(std::string_view text, std::string_view title, std::string_view language_code) {
  return matcher_text(split_title_and_text(text, title, effective_language(language_code)), text, title);
}

std::string theme_key(std::string_view phrase, std::string_view language_code) {
  std::string_view lang = effective_language(language_code);
  const WordSet& stops = stopwords(lang == "un" ? "en" : lang);
  std::vector<Word> words;
  SplitState state;
  split_words(phrase, false, !is_english(lang), state, words);
  std::string key;
  WordKinds& kinds = word_kinds(lang);
  for (const Word& w : words) {
    if (word_kind(kinds, w.lower, word_hash(w.lower), lang, stops) & kDelimiterWord) continue;
    if (!key.empty()) key.push_back(' ');
    key += stem_view(w.lower, lang);
  }
  return key;
}

namespace {

// True for a phrase that only repeats its parent's name: "account" beneath "account", "support" beneath
// "customer support", "card" beneath "cards", "book" beneath "booking" (one English stem).
bool repeats_its_parent(std::string_view phrase, const Aspect& parent) {
  if (phrase == parent.id || phrase == parent.name) return true;
  if (phrase.find(' ') != std::string_view::npos) return false;
  const std::string stem = stem_word(phrase, "en");
  auto same_word = [&](std::string_view word) {
    auto plural_of = [](std::string_view many, std::string_view one) {
      return many.size() == one.size() + 1 && many.back() == 's' && many.substr(0, one.size()) == one;
    };
    return word == phrase || plural_of(word, phrase) || plural_of(phrase, word) || stem_view(word, "en") == stem;
  };
  for (std::string_view name : {std::string_view(parent.id), std::string_view(parent.name)}) {
    if (name.data() == parent.name.data() && parent.name == parent.id) break;  // the same words again
    for (std::size_t from = 0; from <= name.size();) {
      std::size_t to = std::min(name.find(' ', from), name.size());
      if (same_word(name.substr(from, to - from))) return true;
      from = to + 1;
    }
  }
  return false;
}

// The sentences that mention an aspect (as ranges of Text::words), each once, in order.
std::vector<std::pair<std::size_t, std::size_t>> sentences_with_aspects(const std::vector<Taxonomy::Mention>& aspects,
                                                                        const PhraseMatcher::Text& text) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (const Taxonomy::Mention& m : aspects)
    for (std::size_t w : m.words) out.push_back(text.sentence_words(text.sentence_of(w)));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// The aspect a key phrase with no aspect of its own is filed under: of the aspects talked about in a sentence
// where the phrase's first word is (as written, or a longer form of its display form: "email" for "emails"),
// the one nearest to it. None when no sentence has both: "bathroom sink" in a sentence of its own is not a
// pricing phrase because the review mentions a price elsewhere.
std::optional<std::size_t> nearest_aspect(const std::vector<Taxonomy::Mention>& aspects,
                                          const std::vector<std::pair<std::size_t, std::size_t>>& sentences,
                                          const std::vector<std::string>& words, std::string_view phrase) {
  const std::string_view first = phrase.substr(0, phrase.find(' '));
  if (first.empty()) return std::nullopt;
  // One pass: the nearest aspect to the word as written, and to a longer form of it, used only if the word
  // as written is in none of the sentences.
  std::optional<std::size_t> best[2];
  std::size_t best_distance[2] = {SIZE_MAX, SIZE_MAX};
  for (const auto& [from, to] : sentences)
    for (std::size_t at = from; at < to; ++at) {
      const std::string& word = words[at];
      if (word.size() < first.size() || word[0] != first[0] || word.compare(0, first.size(), first) != 0) continue;
      const int kind = word.size() == first.size() ? 0 : 1;
      for (const Taxonomy::Mention& m : aspects)
        for (std::size_t w : m.words) {
          if (w < from || w >= to) continue;
          const std::size_t distance = w > at ? w - at : at - w;
          if (distance < best_distance[kind]) best[kind] = m.aspect, best_distance[kind] = distance;
        }
    }
  return best[0] ? best[0] : best[1];
}

}  // namespace

ThemeLevels extract_theme_levels(std::string_view text, std::string_view title, std::string_view language_code,
                                 std::span<const std::string> likely) {
  constexpr std::size_t kMaxAspects = 3;
  const Taxonomy& taxonomy = Taxonomy::builtin();
  const std::string_view lang = effective_language(language_code);
  SplitText split = split_title_and_text(text, title, lang);
  const PhraseMatcher::Text matched = matcher_text(split, text, title);
  std::vector<std::size_t> out_of_context;
  const std::vector<Taxonomy::Mention> aspects =
      taxonomy.mentions(matched, language_code, kMaxAspects, &out_of_context);
  ThemeLevels out;
  for (const Taxonomy::Mention& m : aspects) out.themes.push_back(taxonomy.aspects()[m.aspect].id);
  const bool by_substring = matches_by_substring(language_code);
  std::optional<std::vector<std::pair<std::size_t, std::size_t>>> sentences;  // made when first needed
  for (std::string& phrase : themes_of_words(std::move(split.words), lang)) {
    std::optional<std::size_t> own = taxonomy.aspect_of_phrase(phrase, language_code);
    // A phrase's own aspect counts only where the text does not rule it out ("hotel lobby").
    if (own && std::find(out_of_context.begin(), out_of_context.end(), *own) != out_of_context.end()) own.reset();
    if (own) {
      // A phrase that is no more than an aspect's term ("price", "sync") adds nothing beneath it.
      const Aspect& parent = taxonomy.aspects()[*own];
      if (phrase.find(' ') == std::string::npos || repeats_its_parent(phrase, parent)) continue;
      if (std::find(out.themes.begin(), out.themes.end(), parent.id) == out.themes.end()) {
        if (out.themes.size() < kMaxAspects) out.themes.push_back(parent.id);
      }
      out.sub_themes.emplace_back(parent.id, std::move(phrase));
    } else if (!aspects.empty()) {
      // Texts matched by substring have no word positions: their phrases go under the first aspect.
      std::optional<std::size_t> parent;
      if (by_substring) {
        parent = aspects.front().aspect;
      } else {
        if (!sentences) sentences = sentences_with_aspects(aspects, matched);
        parent = nearest_aspect(aspects, *sentences, matched.words, phrase);
      }
      if (parent && !repeats_its_parent(phrase, taxonomy.aspects()[*parent]))
        out.sub_themes.emplace_back(taxonomy.aspects()[*parent].id, std::move(phrase));
    } else if (out.themes.size() < kMaxThemes) {
      out.themes.push_back(std::move(phrase));
    }
  }
  if (out.sub_themes.size() > kMaxThemes) out.sub_themes.resize(kMaxThemes);
  if (!likely.empty()) {
    auto is_aspect = [&](const std::string& t) { return taxonomy.find(t).has_value(); };
    std::size_t named = static_cast<std::size_t>(std::count_if(out.themes.begin(), out.themes.end(), is_aspect));
    for (const std::string& id : likely) {
      if (named >= kMaxAspects) break;
      const std::optional<std::size_t> index = taxonomy.find(id);
      if (!index || std::find(out.themes.begin(), out.themes.end(), id) != out.themes.end()) continue;
      if (std::find(out_of_context.begin(), out_of_context.end(), *index) != out_of_context.end()) continue;
      // Aspects come before key phrases: the model's goes after the last aspect, and when the themes are
      // full it takes the place of the last key phrase.
      if (out.themes.size() >= kMaxThemes) {
        auto phrase = std::find_if_not(out.themes.rbegin(), out.themes.rend(), is_aspect);
        if (phrase == out.themes.rend()) break;
        out.themes.erase(std::next(phrase).base());
      }
      auto last_aspect = std::find_if(out.themes.rbegin(), out.themes.rend(), is_aspect);
      out.themes.insert(last_aspect.base(), id);
      ++named;
    }
  }
  return out;
}

std::vector<std::string> likely_aspects(const LinearModel& model, const FeatureSet& features) {
  const std::vector<double> log_odds = model.scores(features);
  std::vector<std::pair<double, std::size_t>> yes;
  for (std::size_t c = 0; c < log_odds.size(); ++c)
    if (log_odds[c] > 0.0) yes.emplace_back(log_odds[c], c);
  std::sort(yes.begin(), yes.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  std::vector<std::string> out;
  for (const auto& [score, c] : yes) out.push_back(aspect_of_class(model.classes()[c]));
  return out;
}

std::string aspect_of_class(std::string_view class_name) {
  std::string id(class_name);
  std::replace(id.begin(), id.end(), '_', ' ');
  return id;
}

void ThemesStage::run(Document& doc) const {
  std::vector<std::string> likely;
  if (const LinearModel* model = aspect_model(); model && doc.features && !doc.features->tokens.empty()) {
    // The model reads what the themes read: without the form's labels and answers ("OS Platform and
    // Distribution", "Python version") that the shared features hold.
    if (std::optional<FeatureSet> form_free = theme_features(doc)) {
      likely = likely_aspects(*model, *form_free);
    } else {
      likely = likely_aspects(*model, *doc.features);
    }
  }
  ThemeLevels levels =
      extract_theme_levels(doc.theme_text ? *doc.theme_text : doc.analysis_text, doc.title, doc.language_code, likely);
  doc.themes = std::move(levels.themes);
  doc.sub_themes = std::move(levels.sub_themes);
}

}  // namespace chorus::nlp

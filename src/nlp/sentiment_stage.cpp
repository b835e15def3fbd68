// VADER-style sentiment, written from the paper's description: lexicon valences adjusted for negation,
// degree modifiers, capitals, "but" and punctuation, then normalised to a compound score in [-1, 1].
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "nlp/feedback_models.hpp"
#include "nlp/feedback_features.hpp"
#include "nlp/sentiment.hpp"
#include "nlp/sentiment_rules.hpp"
#include "nlp/sentiment_tokens.hpp"

namespace chorus::nlp {

namespace {

using namespace sentiment_rules;
using Token = SentimentToken;

constexpr std::size_t kMaxTokens = 20000;
constexpr double kClearClause = 0.5;   // a clause this far from zero has a clear polarity
constexpr double kMixedCeiling = 0.5;  // above this |compound| one side clearly wins
constexpr double kPolarThreshold = 0.05;
constexpr std::size_t kRequestReach = 8;  // words back a "would" or "wish" makes a praise word a request

double sign(double v) { return v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0); }

using Facts = Vocabulary::Facts;

// Words after which "free" names a product tier or a verb ("the free plan", "free up space").
bool is_tier_word(std::string_view w) {
  for (std::string_view tier : {"plan", "plans", "tier", "tiers", "version", "versions", "trial", "trials", "account",
                                "accounts", "edition", "user", "users", "level", "option", "options", "mode",
                                "subscription", "membership", "up"}) {
    if (w == tier) return true;
  }
  return false;
}

// Lexical valence of token i before modifiers, or 0 when it carries none itself; f holds each token's facts.
double base_valence(const std::vector<Token>& t, const std::vector<Facts>& f, std::size_t i, const Vocabulary& vocab) {
  const Token& tok = t[i];
  if (tok.preset != 0.0f) return tok.preset;
  const std::string& w = tok.word;
  if (f[i].degree != 0.0) return 0.0;
  if (vocab.is_english()) {
    bool has_next_in_clause = i + 1 < t.size() && t[i + 1].clause == tok.clause;
    if ((w == "kind" || w == "sort") && has_next_in_clause && t[i + 1].word == "of") return 0.0;
    // "free" names a tier or frees something ("the free plan", "free up space"): a feature, not praise.
    if (w == "free" && has_next_in_clause && is_tier_word(t[i + 1].word)) return 0.0;
    // "no" before a sentiment word negates it rather than scoring ("no good"); before anything else it is
    // its own verdict ("no perks", "no electricity"), as in VADER.
    if (w == "no" && has_next_in_clause && f[i + 1].valence.value_or(0.0f) != 0.0f) return 0.0;
  }
  return f[i].valence.value_or(0.0f);
}

// The longest idiom or fixed expression starting at i within one sentence, if any.
const Phrase* match_phrase(const std::vector<Token>& t, const std::vector<Facts>& f, std::size_t i) {
  const auto* candidates = f[i].phrases;
  if (!candidates) return nullptr;
  for (const Phrase& p : *candidates) {
    if (i + p.words.size() > t.size()) continue;
    bool ok = true;
    for (std::size_t k = 1; k < p.words.size() && ok; ++k) {
      ok = t[i + k].word == p.words[k] && t[i + k].sentence == t[i].sentence;
    }
    if (ok) return &p;
  }
  return nullptr;
}

struct Scoring {
  const std::vector<Token>& t;
  const Vocabulary& vocab;
  std::vector<Facts> facts;     // per token, looked up once
  std::vector<double> base;     // per token, from base_valence
  std::vector<bool> in_phrase;  // consumed by a matched phrase
  bool mixed_case = false;
};

// French puts the word that denies after the verb it denies: "je ne recommande pas", "ça marche pas", "je
// n'y retournerai jamais". Token i is denied when "pas" or "jamais" follows it in its clause (a word between
// at most), or "plus" or "point" does after a "ne" before it; not when the negator has an opinion word of its
// own right after it ("super, pas cher" denies "cher").
// German and Dutch put "nicht" and "niet" after the verb and its pronouns too: "gefällt mir nicht", "empfehle
// ich es nicht", "bevalt me niet"; a negator up to three words on denies the word, on the same terms.
bool denied_by_what_follows(const Scoring& s, std::size_t i) {
  const auto& t = s.t;
  const std::string_view code = s.vocab.code();
  if (code == "de" || code == "nl") {
    for (std::size_t k = i + 1; k < t.size() && k <= i + 3 && t[k].clause == t[i].clause; ++k) {
      const std::string& w = t[k].word;
      const bool negator =
          code == "de" ? (w == "nicht" || w == "nie" || w == "niemals") : (w == "niet" || w == "nooit");
      if (!negator) {
        if (s.base[k] != 0.0) return false;  // another opinion word comes first
        continue;
      }
      return !(k + 1 < t.size() && t[k + 1].clause == t[i].clause && s.base[k + 1] != 0.0);
    }
    return false;
  }
  if (code != "fr") return false;
  for (std::size_t k = i + 1; k < t.size() && k <= i + 2 && t[k].clause == t[i].clause; ++k) {
    const std::string& w = t[k].word;
    const bool always = w == "pas" || w == "jamais";
    if (!always && w != "plus" && w != "point") {
      if (s.base[k] != 0.0) return false;  // another opinion word comes first
      continue;
    }
    if (k + 1 < t.size() && t[k + 1].clause == t[i].clause && s.base[k + 1] != 0.0) return false;
    if (always) return true;
    for (std::size_t d = 1; d <= 3 && d <= i && t[i - d].clause == t[i].clause; ++d)
      if (t[i - d].word == "ne" || t[i - d].word == "n'") return true;
    return false;
  }
  return false;
}

// Adjusts token i's valence for the degree modifiers, negators and "least" among the three words before
// it in the same clause. The scope stops at an earlier sentiment word, so in "don't care, don't care" each
// "care" is negated once; but "well" right after its verb shares the verb's negation ("did not fit well",
// "doesn't play well with").
double apply_modifiers(const Scoring& s, std::size_t i, double v, bool self_negating) {
  const auto& t = s.t;
  bool negated = false;
  const bool manner = s.vocab.is_english() && t[i].word == "well";
  for (std::size_t d = 1; d <= 3 && d <= i; ++d) {
    std::size_t j = i - d;
    if (t[j].clause != t[i].clause) break;
    if (s.in_phrase[j]) continue;
    if (s.base[j] != 0.0 && !(manner && d == 1)) break;
    const std::string& w = t[j].word;
    double m = s.facts[j].degree;
    if (m == 0.0 && s.vocab.is_english() && w == "of" && j > 0 && t[j - 1].clause == t[i].clause &&
        (t[j - 1].word == "kind" || t[j - 1].word == "sort"))
      m = -kBoosterStep;  // "kind of", "sort of"
    if (m != 0.0) {
      if (t[j].caps && s.mixed_case) m += sign(m) * kCapsEmphasis;
      m *= d == 1 ? 1.0 : (d == 2 ? 0.95 : 0.9);
      v += sign(v) * m;
    }
    // "can't believe how good": disbelief, which heightens what follows instead of denying it ("don't
    // believe it is good" still denies).
    bool disbelief = s.vocab.is_english() && j + 1 < i && t[j + 1].word == "believe" &&
                     (t[j].word == "can't" || t[j].word == "cant" || t[j].word == "cannot" ||
                      t[j].word == "couldn't" || t[j].word == "couldnt");
    if (!self_negating && s.facts[j].negates && !disbelief) {
      // "never so good", "not been this disappointed": a comparison with everything before, not a denial.
      bool superlative = s.vocab.is_english() && t[i - 1].clause == t[i].clause &&
                         (t[i - 1].word == "this" || (w == "never" && t[i - 1].word == "so"));
      v *= superlative ? kSuperlative : kNegation;
      negated = true;
    }
  }
  if (!self_negating && !negated && denied_by_what_follows(s, i)) v *= kNegation;
  if (s.vocab.is_english() && i >= 1 && t[i - 1].word == "least" && t[i - 1].clause == t[i].clause &&
      !(i >= 2 && (t[i - 2].word == "at" || t[i - 2].word == "very")))
    v *= kNegation;
  return v;
}

// "would", "could", "I'd", "wish", "hope" earlier in the clause make a praise word part of a request; a
// question asks rather than judges. 1 when neither applies.
double request_damping(const std::vector<Token>& t, std::size_t i) {
  double factor = t[i].question ? kQuestionPositive : 1.0;
  std::size_t reach = i > kRequestReach ? i - kRequestReach : 0;
  for (std::size_t j = i; j-- > reach && t[j].clause == t[i].clause;) {
    const std::string& w = t[j].word;
    if (w == "would" || w == "could" || w == "wish" || w == "hope" || w == "wouldn't" ||
        (w.size() > 2 && w.ends_with("'d")) || w == "id" || w == "itd" || w == "wed")
      return factor * kHypotheticalPositive;
  }
  return factor;
}

// Valence of every token after phrases, capitals and modifiers, before "but" weighting. Without a
// vocabulary only emoji and emoticons carry valence.
std::vector<double> score_tokens(const std::vector<Token>& t, const Vocabulary* vocab) {
  std::vector<double> out(t.size(), 0.0);
  if (!vocab) {
    for (std::size_t i = 0; i < t.size(); ++i) out[i] = t[i].preset;
    return out;
  }
  Scoring s{t, *vocab, {}, std::vector<double>(t.size(), 0.0), std::vector<bool>(t.size(), false)};
  s.facts.reserve(t.size());
  for (const Token& x : t) s.facts.push_back(vocab->facts(x.word));
  bool any_caps = std::any_of(t.begin(), t.end(), [](const Token& x) { return x.caps; });
  bool any_lower = std::any_of(t.begin(), t.end(), [](const Token& x) { return x.has_lower; });
  s.mixed_case = any_caps && any_lower;
  for (std::size_t i = 0; i < t.size(); ++i) s.base[i] = base_valence(t, s.facts, i, *vocab);

  for (std::size_t i = 0; i < t.size(); ++i) {
    if (s.in_phrase[i]) continue;
    double v = s.base[i];
    bool self_negating = false;
    if (const Phrase* p = match_phrase(t, s.facts, i)) {
      v = p->valence;
      self_negating = p->self_negating;
      for (std::size_t k = 0; k < p->words.size(); ++k) s.in_phrase[i + k] = true;
    }
    if (v == 0.0) continue;
    if (t[i].caps && s.mixed_case) v += sign(v) * kCapsEmphasis;
    // An emoji or emoticon says how the writer feels about the whole message, not about the words before
    // it: "Nope :-)" and "not bad at all :)" smile; only words are negated or boosted.
    if (t[i].preset == 0.0f) v = apply_modifiers(s, i, v, self_negating);
    if (v > 0.0 && vocab->is_english()) v *= request_damping(t, i);
    out[i] = v;
  }
  return out;
}

// "X but Y": within a sentence, what precedes the first "but" counts half, what follows one and a half.
double weighted_sum(const std::vector<Token>& t, const std::vector<double>& v, const Vocabulary* vocab) {
  double sum = 0.0;
  std::size_t i = 0;
  while (i < t.size()) {
    std::size_t end = i;
    std::size_t but = t.size();
    while (end < t.size() && t[end].sentence == t[i].sentence) {
      if (but == t.size() && vocab && vocab->is_but(t[end].word)) but = end;
      ++end;
    }
    for (std::size_t k = i; k < end; ++k) {
      double w = but == t.size() ? 1.0 : (k < but ? kBeforeBut : (k > but ? kAfterBut : 1.0));
      sum += v[k] * w;
    }
    i = end;
  }
  return sum;
}

double punctuation_emphasis(int exclamations, int questions) {
  double e = std::min(exclamations, kMaxExclamations) * kExclamationStep;
  if (questions > 3) {
    e += kManyQuestions;
  } else if (questions > 1) {
    e += questions * kQuestionStep;
  }
  return e;
}

}  // namespace

SentimentResult analyze_sentiment(std::string_view text, std::string_view language_code) {
  SentimentResult r;
  const Vocabulary* vocab = Vocabulary::for_language(language_code);
  SentimentTokens tokens = tokenize_for_sentiment(text, vocab, kMaxTokens);
  const auto& t = tokens.tokens;
  if (t.empty()) return r;
  std::vector<double> v = score_tokens(t, vocab);
  // Praise aimed at a problem ("Great, another outage.") means the opposite of its words: its positive side
  // counts against. Negative words in it already count as meant.
  r.ironic = ironic_praise(text, {}, language_code);
  if (r.ironic)
    for (double& x : v) x = -std::fabs(x);

  double sum = weighted_sum(t, v, vocab);
  if (sum != 0.0) sum += sign(sum) * punctuation_emphasis(tokens.exclamations, tokens.questions);
  double compound = std::clamp(sum / std::sqrt(sum * sum + kNormalisation), -1.0, 1.0);

  double clause_sum = 0.0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    clause_sum += v[i];
    if (i + 1 == t.size() || t[i + 1].clause != t[i].clause) {
      r.strongest_positive_clause = std::max(r.strongest_positive_clause, clause_sum);
      r.strongest_negative_clause = std::min(r.strongest_negative_clause, clause_sum);
      clause_sum = 0.0;
    }
  }

  r.compound = compound;
  r.score = std::clamp(static_cast<int>(std::lround(compound * 10.0)), -10, 10);
  bool both_sides = r.strongest_positive_clause >= kClearClause && r.strongest_negative_clause <= -kClearClause;
  if (both_sides && std::fabs(compound) < kMixedCeiling) {
    r.type = "mixed";
  } else if (compound >= kPolarThreshold) {
    r.type = "positive";
  } else if (compound <= -kPolarThreshold) {
    r.type = "negative";
  } else {
    r.type = "neutral";
  }
  return r;
}

void SentimentStage::run(Document& doc) const {
  SentimentResult lexicon = lexicon_sentiment(doc);
  auto features = std::make_shared<const FeatureSet>(document_features(doc, lexicon));
  doc.features = features;
  double compound = lexicon.compound;
  doc.sentiment_type = std::string(lexicon.type);
  doc.sentiment_confidence = 0.0;
  doc.sentiment_evidence.clear();
  doc.lexicon_compound = lexicon.compound;
  doc.sentiment_polarity = 0.0;
  doc.category_decided = false;
  const ModelSet* models = feedback_models();
  if (models && !features->tokens.empty()) {
    std::vector<Prediction> p = models->predict(*features, kEvidenceTerms);
    const LinearModel& sentiment = models->model(0);
    const LinearModel& category = models->model(1);
    doc.sentiment_type = sentiment.classes()[p[0].best];
    doc.sentiment_confidence = std::round(p[0].probabilities[p[0].best] * 100.0) / 100.0;
    doc.sentiment_evidence = std::move(p[0].evidence);
    compound = blended_compound(lexicon.compound, sentiment.classes(), p[0].probabilities);
    doc.sentiment_polarity = p[0].probabilities[0] - p[0].probabilities[1];  // the classes start positive, negative
    doc.category = category.classes()[p[1].best];
    doc.category_confidence = std::round(p[1].probabilities[p[1].best] * 100.0) / 100.0;
    doc.category_evidence = std::move(p[1].evidence);
    doc.category_decided = true;
  }
  doc.sentiment_compound = compound;
  doc.sentiment_score = std::clamp(static_cast<int>(std::lround(compound * 10.0)), -10, 10);
}

}  // namespace chorus::nlp

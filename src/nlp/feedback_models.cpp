// The embedded models and the document-to-features step shared by the stages and `chorus train`.
#include "nlp/feedback_models.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "nlp/embedded_data.hpp"
#include "nlp/sentiment_rules.hpp"
#include "nlp/themes.hpp"

namespace chorus::nlp {

namespace {

// The stored compound is mostly the lexicon's: its sense of intensity is what correlates with how strongly
// people feel (the public human-rated sets), while the model is better at which side a text is on.
constexpr double kLexiconShare = 0.7;
constexpr double kSureOfSide = 0.8;

const LinearModel* load(std::string_view text, const char* what) {
  auto parsed = LinearModel::parse(text);
  if (!parsed.ok()) {
    // Only a broken build can get here (the model files are checked by tests); say so once and go on with
    // the fallbacks rather than refusing to analyse.
    std::fprintf(stderr, "chorus: the embedded %s model is unreadable (%s); using the lexicon and rules\n", what,
                 parsed.error().message.c_str());
    return nullptr;
  }
  if (parsed->feature_count() == 0) return nullptr;
  return new LinearModel(std::move(parsed).value());  // lives for the process
}

}  // namespace

const LinearModel* sentiment_model() {
  static const LinearModel* model = load(embedded::sentiment_model, "sentiment");
  return model;
}

const LinearModel* category_model() {
  static const LinearModel* model = load(embedded::category_model, "category");
  return model;
}

const LinearModel* aspect_model() {
  static const LinearModel* model = load(embedded::aspect_model, "aspect");
  return model;
}

const ModelSet* feedback_models() {
  static const ModelSet* models = sentiment_model() && category_model()
                                      ? new ModelSet({sentiment_model(), category_model()})  // lives for the process
                                      : nullptr;
  return models;
}

namespace {

// Texts of unknown language up to this long are read in other languages when English finds nothing in them.
constexpr std::size_t kShortUnknownBytes = 200;

// True when a word of the text is one the engine knows as English (a lexicon word or a taxonomy term's word).
bool has_english_word(std::string_view text) {
  std::string word;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : ' ';
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      word.push_back(static_cast<char>(c | 0x20));
    } else if (!word.empty()) {
      if (word.size() > 1 && is_known_english_word(word)) return true;
      word.clear();
    }
  }
  return false;
}

}  // namespace

SentimentResult lexicon_sentiment(const Document& doc) {
  std::string both;
  if (!doc.title.empty()) {
    both.reserve(doc.title.size() + doc.analysis_text.size() + 2);
    both.append(doc.title).append(".\n").append(doc.analysis_text);
  }
  std::string_view text = doc.title.empty() ? std::string_view(doc.analysis_text) : std::string_view(both);
  SentimentResult r = analyze_sentiment(text, doc.language_code);
  // Language detection errs on short informal texts ("Oh man! I love 'em!" reads as Portuguese): when the
  // detected language's words find no sentiment at all, English gets its turn.
  if (r.compound == 0.0 && doc.language_code != "en" && doc.language_code != "un") {
    SentimentResult english = analyze_sentiment(text, "en");
    if (english.compound != 0.0) return english;
  }
  // A short text of unknown language that English finds nothing in ("Excelente", "Perfetto!") is read in the
  // languages it is most often written in beside English; when those that find sentiment agree on its side,
  // the strongest reading stands. When they disagree, nothing is said; nor when a word of it is English
  // ("GitLab support pls" is no Spanish praise of "support").
  if (r.compound == 0.0 && doc.language_code == "un" && text.size() <= kShortUnknownBytes && !has_english_word(text)) {
    std::optional<SentimentResult> best;
    for (std::string_view code : sentiment_rules::kHandMadeLanguages) {
      SentimentResult other = analyze_sentiment(text, code);
      if (other.compound == 0.0) continue;
      if (best && (best->compound > 0) != (other.compound > 0)) return r;
      if (!best || std::fabs(other.compound) > std::fabs(best->compound)) best = other;
    }
    if (best) return *best;
  }
  return r;
}

FeatureSet document_features(const Document& doc, const SentimentResult& lexicon) {
  FeedbackInput in;
  in.text = doc.analysis_text;
  in.title = doc.title;
  in.language_code = doc.language_code;
  if (doc.rating && *doc.rating >= 1 && *doc.rating <= 5) in.rating = doc.rating;
  in.has_stack_trace = doc.has_stack_trace;
  in.lexicon = lexicon;
  return feedback_features(in);
}

std::optional<FeatureSet> theme_features(const Document& doc) {
  if (!doc.theme_text) return std::nullopt;
  Document form_free;
  form_free.analysis_text = *doc.theme_text;
  form_free.title = doc.title;
  form_free.rating = doc.rating;
  form_free.language_code = doc.language_code;
  form_free.has_stack_trace = doc.has_stack_trace;
  return document_features(form_free, lexicon_sentiment(form_free));
}

double blended_compound(double lexicon_compound, const std::vector<std::string>& classes,
                        const std::vector<double>& probabilities) {
  double polarity = 0.0;
  std::size_t best = 0;
  for (std::size_t c = 0; c < classes.size() && c < probabilities.size(); ++c) {
    if (classes[c] == "positive") polarity += probabilities[c];
    if (classes[c] == "negative") polarity -= probabilities[c];
    if (probabilities[c] > probabilities[best]) best = c;
  }
  double compound = std::clamp(kLexiconShare * lexicon_compound + (1.0 - kLexiconShare) * polarity, -1.0, 1.0);
  // A confident positive or negative label and a score of the other sign would contradict each other on
  // the same record: the label's side wins, with the model's own intensity.
  if (best < classes.size() && probabilities[best] >= kSureOfSide) {
    bool positive = classes[best] == "positive", negative = classes[best] == "negative";
    if ((positive && compound <= 0.0) || (negative && compound >= 0.0)) compound = (1.0 - kLexiconShare) * polarity;
  }
  return compound;
}

}  // namespace chorus::nlp

// The trained sentiment, category and aspect models carried in the binary (data/models/, built by `chorus train`
// from data/corpus/), and the one way a document becomes their input, shared by the stages and training.
#pragma once

#include <optional>

#include "nlp/feedback_features.hpp"
#include "nlp/linear_model.hpp"
#include "nlp/sentiment.hpp"
#include "nlp/stage.hpp"

namespace chorus::nlp {

// The embedded models; nullptr when the binary carries an untrained (empty) model, in which case the
// stages fall back to the lexicon's label and the category rules.
const LinearModel* sentiment_model();
const LinearModel* category_model();
// The aspect model: one yes/no decision per built-in aspect, each class's score its log-odds (themes.hpp).
const LinearModel* aspect_model();
// Both, looked up together (sentiment first, category second); nullptr unless both are trained.
const ModelSet* feedback_models();

// The lexicon analyser over the title and the analysis text together.
SentimentResult lexicon_sentiment(const Document& doc);

// The features of a cleaned, language-tagged document (after the clean and language stages).
FeatureSet document_features(const Document& doc, const SentimentResult& lexicon);

// The features of what the themes read (Document::theme_text), for the aspect model, when the document had
// form parts; nullopt when it had none and the aspect model reads document_features.
std::optional<FeatureSet> theme_features(const Document& doc);

// How many evidence terms each decision carries.
constexpr std::size_t kEvidenceTerms = 3;

// The compound score stored with a record: 0.7 of the lexicon's compound and 0.3 of the model's polarity
// (P(positive) - P(negative)); when the model is at least 80% sure of positive or negative and the blend
// says otherwise, the model's polarity alone. How these were chosen is in bench/RESULTS.md.
double blended_compound(double lexicon_compound, const std::vector<std::string>& classes,
                        const std::vector<double>& probabilities);

}  // namespace chorus::nlp

// The trained sentiment and category models carried in the binary (data/models/, built by `chorus train`
// from data/corpus/), and the one way a document becomes their input, shared by the stages and training.
#pragma once

#include "nlp/feedback_features.hpp"
#include "nlp/linear_model.hpp"
#include "nlp/sentiment.hpp"
#include "nlp/stage.hpp"

namespace chorus::nlp {

// The embedded models; nullptr when the binary carries an untrained (empty) model, in which case the
// stages fall back to the lexicon's label and the category rules.
const LinearModel* sentiment_model();
const LinearModel* category_model();

// The lexicon analyser over the title and the analysis text together.
SentimentResult lexicon_sentiment(const Document& doc);

// The features of a cleaned, language-tagged document (after the clean and language stages).
FeatureSet document_features(const Document& doc, const SentimentResult& lexicon);

// How many evidence terms each decision carries.
constexpr std::size_t kEvidenceTerms = 3;

// The compound score stored with a record: the lexicon's intensity, moved towards the model's verdict so
// that a record labelled negative never shows a clearly positive score (and the reverse).
double blended_compound(double lexicon_compound, const std::vector<std::string>& classes,
                        const std::vector<double>& probabilities);

}  // namespace chorus::nlp

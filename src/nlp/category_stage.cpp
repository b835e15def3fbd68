// Category stage: the trained category model over the document's features, with the rules as the fallback
// of a binary built without a trained model.
#include <cmath>

#include "nlp/category.hpp"
#include "nlp/feedback_models.hpp"

namespace chorus::nlp {

namespace {

double round2(double v) { return std::round(v * 100.0) / 100.0; }

CategoryResult predict_category(const FeatureSet& features, std::vector<Evidence>* evidence) {
  const LinearModel* model = category_model();
  if (!model) return {};
  Prediction p = model->predict(features, evidence ? kEvidenceTerms : 0);
  if (evidence) *evidence = std::move(p.evidence);
  return {model->classes()[p.best], round2(p.probabilities[p.best])};
}

}  // namespace

CategoryResult categorize(const CategoryInput& in) {
  if (!category_model()) return categorize_by_rules(in);
  Document doc;
  doc.analysis_text = std::string(in.text);
  doc.title = std::string(in.title);
  doc.language_code = "en";
  doc.has_stack_trace = in.has_stack_trace;
  return predict_category(document_features(doc, lexicon_sentiment(doc)), nullptr);
}

void CategoryStage::run(Document& doc) const {
  if (doc.category_decided) return;  // the sentiment stage scored both models at once
  if (!category_model()) {
    CategoryResult r = categorize_by_rules({doc.analysis_text, doc.title, doc.sentiment_compound, doc.has_stack_trace});
    doc.category = std::string(r.category);
    doc.category_confidence = r.confidence;
    return;
  }
  std::shared_ptr<const FeatureSet> features = doc.features;
  if (!features) features = std::make_shared<const FeatureSet>(document_features(doc, lexicon_sentiment(doc)));
  CategoryResult r = predict_category(*features, &doc.category_evidence);
  doc.category = std::string(r.category);
  doc.category_confidence = r.confidence;
}

}  // namespace chorus::nlp

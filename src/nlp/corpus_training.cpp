// The labelled corpus, its features, and model fitting and evaluation over it.
#include "nlp/corpus_training.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "core/json.hpp"
#include "nlp/analyze.hpp"
#include "nlp/clean.hpp"
#include "nlp/feedback_models.hpp"
#include "nlp/language.hpp"
#include "nlp/linear_model.hpp"
#include "nlp/taxonomy.hpp"
#include "nlp/themes.hpp"

namespace chorus::nlp {

namespace {

constexpr std::size_t kMinDocuments = 2;  // a word feature must occur in this many training items
// A feature none of whose weights reaches this moves no decision: it is dropped from the model (in
// evaluation too), which keeps the tables small enough to stay in cache.
constexpr double kMinRowWeight = 0.05;
// A weight of the aspect model below this is left out: with one column per aspect, the small weights are
// most of the model and move few decisions (bench/RESULTS.md).
constexpr double kMinAspectWeight = 0.2;
// The log-odds of an aspect no training item is labelled with: far below "more likely than not".
constexpr double kNeverLogOdds = 20.0;

std::vector<std::string> string_list(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (auto* v = o.if_contains(key); v && v->is_array()) {
    for (const auto& e : v->get_array())
      if (e.is_string()) out.emplace_back(e.get_string());
  }
  return out;
}

std::string string_field(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool is_dense(const FeatureName& n) { return n.a.empty(); }

std::size_t label_index(const std::vector<std::string>& classes, const std::string& label) {
  auto it = std::find(classes.begin(), classes.end(), label);
  return it == classes.end() ? classes.size() : static_cast<std::size_t>(it - classes.begin());
}

const std::string& label_of(const ModelTask& task, const CorpusItem& item) {
  return task.name == "sentiment" ? item.sentiment : item.category;
}

double round2(double v) { return std::round(v * 100.0) / 100.0; }

}  // namespace

Result<std::vector<CorpusItem>> read_corpus(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return make_error(ErrorCode::bad_request, dir + " is not a directory of corpus files (data/corpus)");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".jsonl") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) return make_error(ErrorCode::bad_request, "no .jsonl files in " + dir);
  std::vector<CorpusItem> items;
  for (const auto& path : files) {
    std::ifstream in(path);
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty()) continue;
      auto where = path.filename().string() + ":" + std::to_string(n);
      auto parsed = parse_json(line);
      if (!parsed.ok() || !parsed->is_object()) return make_error(ErrorCode::bad_request, where + ": not a JSON object");
      const json::object& o = parsed->get_object();
      CorpusItem it;
      it.id = string_field(o, "id");
      it.domain = string_field(o, "domain");
      it.register_name = string_field(o, "register");
      it.language = string_field(o, "language");
      it.title = string_field(o, "title");
      it.text = string_field(o, "text");
      it.sentiment = string_field(o, "sentiment");
      it.category = string_field(o, "category");
      it.aspects = string_list(o, "aspects");
      it.tags = string_list(o, "tags");
      if (auto* r = o.if_contains("rating"); r && r->is_int64()) it.rating = static_cast<int>(r->get_int64());
      if (it.id.empty() || it.domain.empty() || it.text.empty())
        return make_error(ErrorCode::bad_request, where + ": needs id, domain and text");
      if (label_index(kSentimentClasses, it.sentiment) == kSentimentClasses.size() ||
          label_index(kCategoryClasses, it.category) == kCategoryClasses.size())
        return make_error(ErrorCode::bad_request, where + ": unknown sentiment or category label");
      items.push_back(std::move(it));
    }
  }
  return items;
}

std::vector<PreparedItem> prepare_corpus(const std::vector<CorpusItem>& items) {
  std::vector<PreparedItem> out;
  out.reserve(items.size());
  CleanStage clean;
  LanguageStage language;
  for (const CorpusItem& item : items) {
    Document doc;
    doc.raw = item.text;
    doc.title = item.title;
    doc.rating = item.rating;
    doc.format = guess_format(doc.raw);
    clean.run(doc);
    language.run(doc);
    SentimentResult lexicon = lexicon_sentiment(doc);
    PreparedItem p;
    p.item = &item;
    p.detected_language = doc.language_code;
    p.lexicon_compound = lexicon.compound;
    p.lexicon_type = std::string(lexicon.type);
    p.features = document_features(doc, lexicon);
    p.form_free = theme_features(doc);
    p.analysis_text = doc.theme_text ? std::move(*doc.theme_text) : std::move(doc.analysis_text);
    p.title = std::move(doc.title);
    out.push_back(std::move(p));
  }
  return out;
}

namespace {

// Settings compared by leave-one-domain-out on the corpus (bench/RESULTS.md): the results move by less
// than two points across L2 from 1e-4 to 1e-3 and 80 to 300 epochs. Of those, 3e-4 on words holds the
// held-out figures and keeps single words from carrying the corpus's habits ("this" read as a sign of
// chatter, "love" as a sign of a request), which feedback written elsewhere does not share.
TrainingOptions shared_options() {
  TrainingOptions o;
  o.epochs = 150;
  o.step = 0.5;
  o.l2 = 3e-4;
  o.l2_dense = 3e-4;
  return o;
}

}  // namespace

ModelTask sentiment_task() { return {"sentiment", &kSentimentClasses, shared_options()}; }

const std::vector<std::string>& aspect_classes() {
  static const std::vector<std::string> classes = [] {
    std::vector<std::string> out;
    for (const Aspect& a : Taxonomy::builtin().aspects()) {
      std::string id = a.id;
      std::replace(id.begin(), id.end(), ' ', '_');
      out.push_back(std::move(id));
    }
    return out;
  }();
  return classes;
}

ModelTask aspect_task() { return {"aspect", &aspect_classes(), shared_options(), true}; }

ModelTask category_task() {
  TrainingOptions o = shared_options();
  o.balance_classes = true;  // macro-F1 counts the rare classes as much as the common ones
  return {"category", &kCategoryClasses, o};
}

namespace {

// A document's features that the index holds, by their index.
TrainingExample example_of(const std::vector<std::pair<std::uint64_t, std::uint32_t>>& index, const FeatureSet& fs) {
  TrainingExample ex;
  for (const Feature& f : fs.features) {
    auto it = std::lower_bound(index.begin(), index.end(), std::make_pair(f.hash, std::uint32_t{0}));
    if (it != index.end() && it->first == f.hash) ex.features.emplace_back(it->second, f.value);
  }
  return ex;
}

}  // namespace

std::vector<double> FittedModel::predict(const FeatureSet& fs) const {
  return predict_probabilities(model, example_of(index_, fs));
}

namespace {

// The features a model fitted on these items reads: every dense one seen, and words seen in at least
// kMinDocuments items; indices by name (dense first), so the same items always give the same model. The aspect
// model's (`aspects`) reads each item's aspect_input. Returns how many are dense.
std::size_t index_features(const std::vector<const PreparedItem*>& training, std::vector<std::string>& names,
                           std::vector<std::pair<std::uint64_t, std::uint32_t>>& index, bool aspects) {
  std::map<std::string, std::pair<std::size_t, std::uint64_t>> seen;  // name -> (documents, hash)
  std::set<std::string> dense;
  for (const PreparedItem* p : training) {
    for (const Feature& f : (aspects ? p->aspect_input() : p->features).features) {
      auto& entry = seen[f.name.str()];
      ++entry.first;
      entry.second = f.hash;
      if (is_dense(f.name)) dense.insert(f.name.str());
    }
  }
  auto add = [&](const std::string& name, std::uint64_t hash) {
    index.emplace_back(hash, static_cast<std::uint32_t>(names.size()));
    names.push_back(name);
  };
  for (const std::string& name : dense) add(name, seen[name].second);
  for (const auto& [name, entry] : seen) {
    if (!dense.count(name) && entry.first >= kMinDocuments) add(name, entry.second);
  }
  std::sort(index.begin(), index.end());
  return dense.size();
}

void drop_weak_rows(TrainedModel& model) {
  for (auto& row : model.weights)
    if (std::none_of(row.begin(), row.end(), [](double w) { return std::fabs(w) >= kMinRowWeight; }))
      std::fill(row.begin(), row.end(), 0.0);
}

// The training items as examples over the features they index in `fitted`, unlabelled; `options` learn which
// features are dense.
std::vector<TrainingExample> indexed_examples(const std::vector<const PreparedItem*>& training,
                                              std::vector<std::string>& names,
                                              std::vector<std::pair<std::uint64_t, std::uint32_t>>& index,
                                              TrainingOptions& options, bool aspects) {
  options.dense_features = index_features(training, names, index, aspects);
  std::vector<TrainingExample> examples;
  examples.reserve(training.size());
  for (const PreparedItem* p : training)
    examples.push_back(example_of(index, aspects ? p->aspect_input() : p->features));
  return examples;
}

}  // namespace

FittedModel fit_model(const ModelTask& task, const std::vector<const PreparedItem*>& training) {
  FittedModel fitted;
  TrainingOptions options = task.options;
  std::vector<TrainingExample> examples =
      indexed_examples(training, fitted.feature_names, fitted.index_, options, false);
  for (std::size_t i = 0; i < training.size(); ++i)
    examples[i].label = label_index(*task.classes, label_of(task, *training[i]->item));
  fitted.model = train_logistic(examples, fitted.feature_names.size(), task.classes->size(), options);
  drop_weak_rows(fitted.model);
  return fitted;
}

FittedModel fit_aspect_model(const ModelTask& task, const std::vector<const PreparedItem*>& training) {
  FittedModel fitted;
  TrainingOptions options = task.options;
  const std::vector<TrainingExample> examples =
      indexed_examples(training, fitted.feature_names, fitted.index_, options, true);
  const std::size_t classes = task.classes->size();
  fitted.model.bias.assign(classes, 0.0);
  fitted.model.weights.assign(fitted.feature_names.size(), std::vector<double>(classes, 0.0));
  // One yes/no model per aspect, each on its own thread's share; each model is fitted alone and
  // deterministically, so the threads change nothing in the result.
  auto fit_share = [&](std::size_t first, std::size_t step) {
    std::vector<TrainingExample> labelled = examples;
    for (std::size_t c = first; c < classes; c += step) {
      const std::string id = aspect_of_class((*task.classes)[c]);
      std::size_t yes = 0;
      for (std::size_t i = 0; i < training.size(); ++i) {
        const auto& gold = training[i]->item->aspects;
        labelled[i].label = std::find(gold.begin(), gold.end(), id) != gold.end() ? 1 : 0;
        yes += labelled[i].label;
      }
      if (yes == 0) {
        fitted.model.bias[c] = -kNeverLogOdds;  // nothing to learn from: never said
        continue;
      }
      TrainedModel m = train_logistic(labelled, fitted.feature_names.size(), 2, options);
      fitted.model.bias[c] = m.bias[1] - m.bias[0];
      for (std::size_t j = 0; j < m.weights.size(); ++j) {
        const double w = m.weights[j][1] - m.weights[j][0];
        if (std::fabs(w) >= kMinAspectWeight) fitted.model.weights[j][c] = w;
      }
    }
  };
  std::thread other(fit_share, 1, 2);
  fit_share(0, 2);
  other.join();
  drop_weak_rows(fitted.model);
  return fitted;
}

std::string model_file(const ModelTask& task, const FittedModel& fitted, std::size_t items, std::size_t domains) {
  std::vector<std::pair<std::string, std::vector<double>>> rows;
  for (std::size_t j = 0; j < fitted.feature_names.size(); ++j) {
    const std::vector<double>& w = fitted.model.weights[j];
    if (std::none_of(w.begin(), w.end(), [](double v) { return v != 0.0; })) continue;
    rows.emplace_back(fitted.feature_names[j], w);
  }
  std::sort(rows.begin(), rows.end());
  std::ostringstream comment;
  comment << "The " << task.name << " model of Chorus: built by `chorus train` from " << items << " items in "
          << domains << " domains of data/corpus; do not edit.\n"
          << "Epochs " << task.options.epochs << ", step " << task.options.step << ", L2 " << task.options.l2
          << " on words and " << task.options.l2_dense << " on dense features"
          << (task.options.balance_classes ? ", classes balanced" : "") << ".";
  if (task.yes_no_classes)
    comment << "\nEach class is a yes/no model of its own: a class's score is the log-odds that the text is about that "
               "aspect.";
  std::vector<std::string> classes = *task.classes;
  return LinearModel::serialize(task.name, classes, fitted.model.bias, rows, comment.str(), task.yes_no_classes);
}

std::vector<std::string> leave_one_domain_out(const std::vector<PreparedItem>& prepared,
                                              const std::function<void(const std::string&)>& progress,
                                              const ModelTask& sentiment_settings, const ModelTask& category_settings,
                                              const ModelTask& aspect_settings) {
  std::set<std::string> domains;
  for (const auto& p : prepared) domains.insert(p.item->domain);
  std::map<std::string, std::string> lines;  // id -> line, so output is in id order whatever the folds
  const ModelTask tasks[] = {sentiment_settings, category_settings};
  for (const std::string& held_out : domains) {
    if (progress) progress(held_out);
    std::vector<const PreparedItem*> training;
    for (const auto& p : prepared)
      if (p.item->domain != held_out) training.push_back(&p);
    FittedModel sentiment = fit_model(tasks[0], training);
    FittedModel category = fit_model(tasks[1], training);
    // The aspect model as the themes stage reads it: through its model file.
    Result<LinearModel> aspect = LinearModel::parse(
        model_file(aspect_settings, fit_aspect_model(aspect_settings, training), training.size(), 1));
    for (const auto& p : prepared) {
      if (p.item->domain != held_out) continue;
      const CorpusItem& it = *p.item;
      std::vector<double> ps = sentiment.predict(p.features);
      std::vector<double> pc = category.predict(p.features);
      std::size_t bs = static_cast<std::size_t>(std::max_element(ps.begin(), ps.end()) - ps.begin());
      std::size_t bc = static_cast<std::size_t>(std::max_element(pc.begin(), pc.end()) - pc.begin());
      json::array tags, gold_aspects, aspects;
      for (const auto& t : it.tags) tags.emplace_back(t);
      for (const auto& a : it.aspects) gold_aspects.emplace_back(a);
      const std::vector<std::string> likely =
          aspect.ok() ? likely_aspects(*aspect, p.aspect_input()) : std::vector<std::string>{};
      for (const std::string& theme :
           extract_theme_levels(p.analysis_text, p.title, p.detected_language, likely).themes)
        if (Taxonomy::builtin().find(theme)) aspects.emplace_back(theme);
      json::object o{
          {"id", it.id},
          {"domain", it.domain},
          {"language", it.language},
          {"detected_language", p.detected_language},
          {"register", it.register_name},
          {"tags", std::move(tags)},
          {"gold", json::object{{"sentiment", it.sentiment}, {"category", it.category}, {"aspects", std::move(gold_aspects)}}},
          {"pred", json::object{{"sentiment", kSentimentClasses[bs]},
                                {"sentiment_confidence", round2(ps[bs])},
                                {"category", kCategoryClasses[bc]},
                                {"category_confidence", round2(pc[bc])},
                                {"compound", std::round(blended_compound(p.lexicon_compound, kSentimentClasses, ps) * 10000.0) / 10000.0},
                                {"aspects", std::move(aspects)},
                                {"polarity", std::round((ps[0] - ps[1]) * 10000.0) / 10000.0}}},
          {"lexicon", json::object{{"sentiment", p.lexicon_type},
                                   {"compound", std::round(p.lexicon_compound * 10000.0) / 10000.0}}},
      };
      lines[it.id] = to_compact_json(o);
    }
  }
  std::vector<std::string> out;
  out.reserve(lines.size());
  for (auto& [id, line] : lines) out.push_back(std::move(line));
  return out;
}

}  // namespace chorus::nlp

// `chorus train`: builds the sentiment, category and aspect models from the labelled corpus, checks that the
// committed models are what the corpus gives, and evaluates leave-one-domain-out.
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "cli/commands.hpp"
#include "nlp/corpus_training.hpp"

namespace chorus::cli {

namespace {

struct TrainOptions {
  std::string corpus = "data/corpus";
  std::string out = "data/models";
  bool check = false;
  std::string lodo;  // write leave-one-domain-out predictions here
  // Overrides of the training settings, for experiments; unset keeps the task's own (0 is a setting: no L2).
  std::optional<double> l2, l2_dense;
  std::optional<std::size_t> epochs;
};

nlp::ModelTask with_overrides(nlp::ModelTask task, const TrainOptions& o) {
  if (o.l2) task.options.l2 = *o.l2;
  if (o.l2_dense) task.options.l2_dense = *o.l2_dense;
  if (o.epochs) task.options.epochs = *o.epochs;
  return task;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int train(const TrainOptions& o) {
  auto corpus = nlp::read_corpus(o.corpus);
  if (!corpus.ok()) return fail(corpus.error().message);
  std::set<std::string> domains;
  for (const auto& it : *corpus) domains.insert(it.domain);
  std::cerr << "chorus train: " << corpus->size() << " items in " << domains.size() << " domains\n";
  std::vector<nlp::PreparedItem> prepared = nlp::prepare_corpus(*corpus);

  if (!o.lodo.empty()) {
    // Opened before the folds train, so a bad path fails at once, not after them.
    std::ofstream out(o.lodo, std::ios::binary);
    if (!out) return fail("cannot write " + o.lodo + ": " + std::strerror(errno));
    const bool tty = isatty(STDERR_FILENO) != 0;  // a progress line redrawn in place only on a terminal
    std::size_t fold = 0;
    auto lines = nlp::leave_one_domain_out(
        prepared,
        [&](const std::string& d) {
          std::cerr << (tty ? "\r" : "") << "  leave-one-domain-out: fold " << ++fold << "/" << domains.size() << " ("
                    << d << ")" << (tty ? "      " : "\n") << std::flush;
        },
        with_overrides(nlp::sentiment_task(), o), with_overrides(nlp::category_task(), o),
        with_overrides(nlp::aspect_task(), o));
    if (tty) std::cerr << "\n";
    for (const auto& l : lines) out << l << '\n';
    out.flush();
    if (!out) return fail("cannot write " + o.lodo + ": " + std::strerror(errno));
    std::cerr << "chorus train: " << lines.size() << " held-out predictions in " << o.lodo
              << " (bench/nlp/lodo_report.py summarises them)\n";
    return 0;
  }

  if (!o.check) {
    std::error_code ec;
    std::filesystem::create_directories(o.out, ec);
    if (ec) return fail("cannot make the directory " + o.out + ": " + ec.message());
  }
  std::vector<const nlp::PreparedItem*> all;
  for (const auto& p : prepared) all.push_back(&p);
  int mismatches = 0;
  for (const nlp::ModelTask& task : {with_overrides(nlp::sentiment_task(), o), with_overrides(nlp::category_task(), o),
                                     with_overrides(nlp::aspect_task(), o)}) {
    nlp::FittedModel fitted = task.yes_no_classes ? nlp::fit_aspect_model(task, all) : nlp::fit_model(task, all);
    std::string text = nlp::model_file(task, fitted, corpus->size(), domains.size());
    auto path = std::filesystem::path(o.out) / (task.name + ".model");
    if (o.check) {
      if (read_file(path) != text) {
        std::cerr << "chorus train: " << path.string() << " is not what the corpus gives; run `chorus train` and commit it\n";
        ++mismatches;
      } else {
        std::cerr << "chorus train: " << path.string() << " matches the corpus\n";
      }
      continue;
    }
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.flush();
    if (!out) return fail("cannot write " + path.string() + ": " + std::strerror(errno));
    std::cerr << "chorus train: wrote " << path.string() << " (" << fitted.feature_names.size() << " features)\n";
  }
  return mismatches ? 1 : 0;
}

}  // namespace

void add_train(CLI::App& app, Commands& commands) {
  auto* cmd = app.add_subcommand("train", "Build the sentiment, category and aspect models from the labelled corpus");
  auto o = std::make_shared<TrainOptions>();
  cmd->add_option("--corpus", o->corpus, "Directory of labelled .jsonl files (docs/labelling.md)")->capture_default_str();
  cmd->add_option("--out", o->out, "Where the model files go")->capture_default_str();
  cmd->add_flag("--check", o->check, "Retrain and compare with the model files in --out instead of writing them");
  cmd->add_option("--lodo", o->lodo, "Evaluate leave-one-domain-out and write held-out predictions to this file");
  // CLI::NonNegativeNumber would name its upper bound, a number of 300 digits.
  auto non_negative = [](const std::string& v) -> std::string {
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    return !v.empty() && end == v.c_str() + v.size() && d >= 0 && std::isfinite(d) ? "" : "must be a number, 0 or more";
  };
  cmd->add_option("--l2", o->l2,
                  "L2 regularisation on word features, 0 or more (experiments; default: the committed models')")
      ->check(non_negative, "L2");
  cmd->add_option("--l2-dense", o->l2_dense, "L2 regularisation on dense features, 0 or more (experiments)")
      ->check(non_negative, "L2");
  cmd->add_option("--epochs", o->epochs, "Training epochs, 1 or more (experiments)")->check(CLI::Range(1, 100000));
  cmd->footer("\nThe models are built into the binary: after `chorus train`, rebuild.\n"
              "Examples:\n  build/chorus train && make build\n"
              "  build/chorus train --lodo /tmp/lodo.jsonl && bench/nlp/lodo_report.py /tmp/lodo.jsonl");
  cmd->callback([o, &commands] { commands.exit_code = train(*o); });
}

}  // namespace chorus::cli

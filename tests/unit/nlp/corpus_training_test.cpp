// Reading the labelled corpus and fitting models on it.
#include "nlp/corpus_training.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "nlp/linear_model.hpp"
#include "nlp/taxonomy.hpp"
#include "nlp/themes.hpp"

namespace chorus::nlp {
namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("chorus-corpus-" + std::to_string(::getpid()) + "-" +
                                                     std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  void write(const std::string& name, const std::string& text) { std::ofstream(path / name) << text; }
};

std::string item(const std::string& id, const std::string& domain, const std::string& text,
                 const std::string& sentiment, const std::string& category, const std::string& rating = "null",
                 const std::string& aspects = "[]") {
  return R"({"id":")" + id + R"(","domain":")" + domain + R"(","register":"appstore","language":"en","rating":)" +
         rating + R"(,"title":null,"text":")" + text + R"(","sentiment":")" + sentiment + R"(","category":")" +
         category + R"(","aspects":)" + aspects + R"(,"tags":[]})" + "\n";
}

TEST(Corpus, ReadsFilesInNameOrder) {
  TempDir d;
  d.write("b.jsonl", item("b-0001", "b", "Crashes on start", "negative", "bug", "1"));
  d.write("a.jsonl", item("a-0001", "a", "Love it", "positive", "praise"));
  d.write("notes.txt", "ignored");
  auto c = read_corpus(d.path.string());
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].id, "a-0001");
  EXPECT_EQ((*c)[1].rating, 1);
  EXPECT_FALSE((*c)[0].rating.has_value());
}

TEST(Corpus, BadLinesAreNamed) {
  TempDir d;
  d.write("a.jsonl", item("a-0001", "a", "fine", "positive", "praise") + "{not json\n");
  auto c = read_corpus(d.path.string());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("a.jsonl:2"), std::string::npos);

  TempDir e;
  e.write("a.jsonl", item("a-0001", "a", "fine", "happy", "praise"));
  auto bad_label = read_corpus(e.path.string());
  ASSERT_FALSE(bad_label.ok());
  EXPECT_NE(bad_label.error().message.find("unknown sentiment"), std::string::npos);

  EXPECT_FALSE(read_corpus((d.path / "missing").string()).ok());
  TempDir empty;
  EXPECT_FALSE(read_corpus(empty.path.string()).ok());
}

// A corpus of one file, domain "a", read and prepared; the items live as long as the result.
struct OneFileCorpus {
  TempDir dir;
  std::vector<CorpusItem> items;
  std::vector<PreparedItem> prepared;
  std::vector<const PreparedItem*> all;
  explicit OneFileCorpus(const std::string& lines) {
    dir.write("a.jsonl", lines);
    auto c = read_corpus(dir.path.string());
    EXPECT_TRUE(c.ok());
    if (c.ok()) items = std::move(c).value();
    prepared = prepare_corpus(items);
    for (const auto& p : prepared) all.push_back(&p);
  }
};

TEST(Corpus, FittedModelLearnsAndItsFileReadsBack) {
  std::string lines;
  const char* good[] = {"Love this app", "Great app, love it", "Works great", "Love the design", "Great support"};
  const char* bad[] = {"Crashes all the time", "It crashes on start", "Terrible, crashes", "Crashes daily",
                       "Awful crashes"};
  int n = 0;
  for (const char* t : good) lines += item("a-" + std::to_string(++n), "a", t, "positive", "praise");
  for (const char* t : bad) lines += item("a-" + std::to_string(++n), "a", t, "negative", "bug");
  OneFileCorpus c(lines);
  FittedModel fitted = fit_model(category_task(), c.all);
  std::string text = model_file(category_task(), fitted, c.items.size(), 1);
  EXPECT_EQ(text, model_file(category_task(), fit_model(category_task(), c.all), c.items.size(), 1));  // deterministic
  auto model = LinearModel::parse(text);
  ASSERT_TRUE(model.ok()) << model.error().message;
  FeedbackInput in;
  in.text = "the app crashes";
  in.language_code = "en";
  in.lexicon = analyze_sentiment(in.text);
  EXPECT_EQ(model->classes()[model->predict(feedback_features(in)).best], "bug");
}

TEST(Corpus, AspectModelLearnsAnAspectFromWordsTheTaxonomyDoesNotList) {
  std::string lines;
  const char* unanswered[] = {"Nobody answered my emails for two weeks", "Waited days and nobody answered",
                              "Still waiting for anyone to answer my ticket", "No one answered the chat",
                              "Emails never answered, nobody cares"};
  const char* colours[] = {"Love the colours", "The colours are lovely", "Nice colours", "Colours look great",
                           "Beautiful colours everywhere"};
  int n = 0;
  for (const char* t : unanswered)
    lines += item("a-" + std::to_string(++n), "a", t, "negative", "complaint", "null", R"(["customer support"])");
  for (const char* t : colours)
    lines += item("a-" + std::to_string(++n), "a", t, "positive", "praise", "null", R"(["ui design"])");
  OneFileCorpus c(lines);
  const ModelTask task = aspect_task();
  std::string text = model_file(task, fit_aspect_model(task, c.all), c.items.size(), 1);
  EXPECT_EQ(text,
            model_file(task, fit_aspect_model(task, c.all), c.items.size(), 1));  // deterministic, two threads or not
  EXPECT_NE(text.find("customer_support"), std::string::npos);                   // a class name has no space
  auto model = LinearModel::parse(text);
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_TRUE(model->sparse());
  EXPECT_EQ(model->classes().size(), Taxonomy::builtin().aspects().size());
  auto likely = [&](std::string_view t) {
    FeedbackInput in;
    in.text = t;
    in.language_code = "en";
    in.lexicon = analyze_sentiment(in.text);
    return likely_aspects(*model, feedback_features(in));
  };
  EXPECT_EQ(likely("nobody answered me"), (std::vector<std::string>{"customer support"}));
  EXPECT_EQ(likely("such lovely colours"), (std::vector<std::string>{"ui design"}));
  // Aspects no item is labelled with are never likely, whatever the text says.
  for (const std::string& a : likely("the battery drains and the price went up"))
    EXPECT_TRUE(a == "customer support" || a == "ui design") << a;
}

TEST(Corpus, LeaveOneDomainOutPredictsEveryItemOnce) {
  TempDir d;
  d.write("a.jsonl", item("a-0001", "a", "Love it", "positive", "praise") + item("a-0002", "a", "Crashes", "negative", "bug"));
  d.write("b.jsonl", item("b-0001", "b", "Love it so much", "positive", "praise") +
                         item("b-0002", "b", "It crashes", "negative", "bug"));
  auto c = read_corpus(d.path.string());
  ASSERT_TRUE(c.ok());
  auto lines = leave_one_domain_out(prepare_corpus(*c), nullptr);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_NE(lines[0].find(R"("id":"a-0001")"), std::string::npos);
  EXPECT_NE(lines[0].find(R"("gold":{"sentiment":"positive","category":"praise","aspects":[]})"), std::string::npos);
}

}  // namespace
}  // namespace chorus::nlp

// The trained models' file format, scoring, evidence and the trainer behind them.
#include "nlp/linear_model.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "nlp/model_training.hpp"

namespace chorus::nlp {
namespace {

constexpr std::string_view kModel =
    "# a comment\n"
    "model toy 1\n"
    "classes good bad\n"
    "bias 0 0.1\n"
    "w:great\t2 -2\n"
    "w:broken\t-1.5 1.5\n"
    "n:great\t-1 1\n"
    "rating:1\t-0.5 0.5\n";

FeatureSet features_of(std::string_view text, std::optional<int> rating = std::nullopt) {
  FeedbackInput in;
  in.text = text;
  in.language_code = "en";
  in.rating = rating;
  return feedback_features(in);
}

TEST(LinearModel, ParsesAndScores) {
  auto m = LinearModel::parse(kModel);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->name(), "toy");
  EXPECT_EQ(m->feature_count(), 4u);
  Prediction p = m->predict(features_of("great product"), 3);
  EXPECT_EQ(m->classes()[p.best], "good");
  EXPECT_NEAR(p.probabilities[0] + p.probabilities[1], 1.0, 1e-9);
  ASSERT_FALSE(p.evidence.empty());
  EXPECT_EQ(p.evidence[0].term, "great");
  EXPECT_EQ(m->classes()[m->predict(features_of("not great")).best], "bad");
}

TEST(LinearModel, EvidenceNamesRatingsAndNegationsReadably) {
  auto m = LinearModel::parse(kModel);
  ASSERT_TRUE(m.ok());
  Prediction p = m->predict(features_of("not great, broken", 1), 3);
  ASSERT_EQ(p.evidence.size(), 3u);
  EXPECT_EQ(p.evidence[0].term, "broken");
  EXPECT_EQ(p.evidence[1].term, "not great");
  EXPECT_EQ(p.evidence[2].term, "rating 1★");
  EXPECT_GE(p.evidence[0].weight, p.evidence[1].weight);
}

TEST(LinearModel, UnknownFeaturesLeaveTheBias) {
  auto m = LinearModel::parse(kModel);
  ASSERT_TRUE(m.ok());
  Prediction p = m->predict(features_of("lorem ipsum"), 3);
  EXPECT_EQ(m->classes()[p.best], "bad");  // bias 0.1
  EXPECT_TRUE(p.evidence.empty());
}

TEST(LinearModel, RejectsBrokenFiles) {
  EXPECT_FALSE(LinearModel::parse("").ok());
  EXPECT_FALSE(LinearModel::parse("model toy 2\nclasses a b\nbias 0 0\n").ok());
  EXPECT_FALSE(LinearModel::parse("model toy 1\nclasses a\nbias 0\n").ok());
  EXPECT_FALSE(LinearModel::parse("model toy 1\nclasses a b\nbias 0\n").ok());
  EXPECT_FALSE(LinearModel::parse("model toy 1\nclasses a b\nbias 0 0\nw:x\t1\n").ok());
  EXPECT_FALSE(LinearModel::parse("model toy 1\nclasses a b\nbias 0 0\nw:x 1 2\n").ok());
  EXPECT_FALSE(LinearModel::parse("model toy 1\nclasses a b\nbias 0 0\nw:x\t1 nan\n").ok());
  auto dup = LinearModel::parse("model toy 1\nclasses a b\nbias 0 0\nw:x\t1 2\nw:x\t1 2\n");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("line 5"), std::string::npos);
}

TEST(LinearModel, WeightsReadExactlyAsWritten) {
  // The fast reader of plain decimals agrees with the general one to the last bit, and refuses junk.
  for (std::string w : {"0", "-0", "1", "0.5", "-0.1235", "2.0001", "123.4567", "1e-3", "7.123456789"}) {
    auto m = LinearModel::parse("model t 1\nclasses a b\nbias 0 0\nw:x\t" + w + " 0\n");
    ASSERT_TRUE(m.ok()) << w;
    FeedbackInput in;
    in.text = "x";
    Prediction p = m->predict(feedback_features(in));
    double z = std::log(p.probabilities[0] / p.probabilities[1]);
    EXPECT_NEAR(z, static_cast<float>(std::stod(w)), 1e-6) << w;
  }
  for (std::string bad : {"1.2.3", "--1", "1-", "", ".", "abc", "0x10"})
    EXPECT_FALSE(LinearModel::parse("model t 1\nclasses a b\nbias 0 0\nw:x\t" + bad + " 0\n").ok()) << bad;
}

TEST(LinearModel, SerializeRoundTrips) {
  std::vector<std::string> classes = {"a", "b"};
  std::vector<double> bias = {0.25, -0.123456};
  std::vector<std::pair<std::string, std::vector<double>>> rows = {{"b:not working", {1.0, -0.00001}},
                                                                   {"w:x", {0.5, 2.0}}};
  std::string text = LinearModel::serialize("t", classes, bias, rows, "line one\nline two");
  EXPECT_EQ(text,
            "# line one\n# line two\nmodel t 1\nclasses a b\nbias 0.25 -0.1235\nb:not working\t1 0\nw:x\t0.5 2\n");
  auto m = LinearModel::parse(text);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->feature_count(), 2u);
  EXPECT_EQ(m->classes()[m->predict(features_of("not working")).best], "a");
}

TEST(LinearModel, SparseRowsScoreAsTheDenseOnes) {
  std::vector<std::string> classes = {"a", "b", "c"};
  std::vector<double> bias = {-1.0, 0.5, -20.0};
  std::vector<std::pair<std::string, std::vector<double>>> rows = {
      {"w:great", {2.0, 0.0, -0.00001}}, {"w:price", {0.0, -1.25, 0.0}}, {"w:unused", {0.0, 0.0, 0.0}}};
  std::string sparse = LinearModel::serialize("s", classes, bias, rows, "sparse", true);
  // Only the weights that round to something are written, and a feature with none is left out.
  EXPECT_EQ(sparse, "# sparse\nmodel s 1\nclasses a b c\nbias -1 0.5 -20\nw:great\t0:2\nw:price\t1:-1.25\n");
  auto s = LinearModel::parse(sparse);
  auto d = LinearModel::parse(LinearModel::serialize("d", classes, bias, rows, "dense"));
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_TRUE(s->sparse());
  EXPECT_FALSE(d->sparse());
  EXPECT_EQ(s->feature_count(), 2u);
  for (std::string_view text : {"great price", "great", "the price", "nothing known"}) {
    EXPECT_EQ(s->scores(features_of(text)), d->scores(features_of(text))) << text;
    EXPECT_EQ(s->predict(features_of(text)).best, d->predict(features_of(text)).best) << text;
  }
  const std::vector<double> z = s->scores(features_of("great price"));
  ASSERT_EQ(z.size(), 3u);
  EXPECT_DOUBLE_EQ(z[0], 1.0);
  EXPECT_DOUBLE_EQ(z[1], -0.75);
  EXPECT_DOUBLE_EQ(z[2], -20.0);
  EXPECT_EQ(s->weights_of(feature_hash("w:great", {}, {})), nullptr);  // a sparse model has no dense rows
}

TEST(LinearModel, ThousandsOfRowsEachFindTheirOwnWeights) {
  // Enough rows to grow the table several times; each feature's weights say which row it is, so a lookup
  // that lands on a neighbour's row, or a row filed under the wrong hash, shows in the scores.
  constexpr int kRows = 5000;
  std::vector<std::string> classes = {"a", "b", "c"};
  std::vector<double> bias = {0.0, 0.0, 0.0};
  std::vector<std::pair<std::string, std::vector<double>>> rows;
  for (int i = 0; i < kRows; ++i) {
    std::vector<double> w(3, 0.0);
    w[static_cast<std::size_t>(i % 3)] = (i + 1) / 1000.0;
    rows.push_back({"w:word" + std::to_string(i), w});
  }
  auto s = LinearModel::parse(LinearModel::serialize("s", classes, bias, rows, "", true));
  auto d = LinearModel::parse(LinearModel::serialize("d", classes, bias, rows, ""));
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(s->feature_count(), static_cast<std::size_t>(kRows));
  EXPECT_EQ(d->feature_count(), static_cast<std::size_t>(kRows));
  for (int i = 0; i < kRows; i += 7) {
    const std::string text = "word" + std::to_string(i) + " nosuchword" + std::to_string(i);
    const std::vector<double> z = s->scores(features_of(text));
    ASSERT_EQ(z.size(), 3u);
    for (std::size_t c = 0; c < 3; ++c) {
      if (c == static_cast<std::size_t>(i % 3))
        EXPECT_GT(z[c], 0.0) << text;
      else
        EXPECT_EQ(z[c], 0.0) << text;
    }
    EXPECT_EQ(z, d->scores(features_of(text))) << text;
    const float* w = d->weights_of(feature_hash("w:word" + std::to_string(i), {}, {}));
    ASSERT_NE(w, nullptr) << i;
    EXPECT_FLOAT_EQ(w[i % 3], static_cast<float>((i + 1) / 1000.0)) << i;
  }
  EXPECT_EQ(d->weights_of(feature_hash("w:nosuchword", {}, {})), nullptr);
  // A feature listed twice is refused however far apart the two lines are.
  std::string twice = LinearModel::serialize("s", classes, bias, rows, "", true) + "w:word3\t0:1\n";
  EXPECT_FALSE(LinearModel::parse(twice).ok());
}

TEST(LinearModel, RejectsBrokenSparseRows) {
  const std::string head = "model t 1\nclasses a b c\nbias 0 0 0\n";
  EXPECT_TRUE(LinearModel::parse(head + "w:x\t0:1 2:-1\n").ok());
  for (std::string bad : {"w:x\t3:1\n",      // no such class
                          "w:x\t1:1 0:1\n",  // out of order
                          "w:x\t1:1 1:2\n",  // twice
                          "w:x\t1:\n", "w:x\t:1\n", "w:x\t-1:1\n", "w:x\t1:abc\n", "w:x\t0x1:1\n",
                          "w:x\t0:1\nw:y\t1 2 3\n",  // sparse and dense rows mixed
                          "w:y\t1 2 3\nw:x\t0:1\n"})
    EXPECT_FALSE(LinearModel::parse(head + bad).ok()) << bad;
}

TEST(ModelTraining, LearnsASeparableProblemTheSameWayTwice) {
  // Feature 0 means class 0, feature 1 class 1, feature 2 is noise present everywhere.
  std::vector<TrainingExample> ex;
  for (int i = 0; i < 40; ++i) {
    ex.push_back({{{0, 1.0f}, {2, 1.0f}}, 0, 1.0});
    ex.push_back({{{1, 1.0f}, {2, 1.0f}}, 1, 1.0});
  }
  TrainingOptions o;
  o.epochs = 100;
  TrainedModel a = train_logistic(ex, 3, 2, o);
  TrainedModel b = train_logistic(ex, 3, 2, o);
  EXPECT_EQ(a.weights, b.weights);
  EXPECT_EQ(a.bias, b.bias);
  EXPECT_GT(predict_probabilities(a, {{{0, 1.0f}}, 0, 1.0})[0], 0.9);
  EXPECT_GT(predict_probabilities(a, {{{1, 1.0f}}, 1, 1.0})[1], 0.9);
  EXPECT_NEAR(a.weights[2][0], a.weights[2][1], 0.05);
}

TEST(ModelTraining, RegularisationShrinksWeights) {
  std::vector<TrainingExample> ex = {{{{0, 1.0f}}, 0, 1.0}, {{{1, 1.0f}}, 1, 1.0}};
  TrainingOptions weak, strong;
  weak.l2 = 1e-4;
  strong.l2 = 1.0;
  EXPECT_GT(std::fabs(train_logistic(ex, 2, 2, weak).weights[0][0]),
            std::fabs(train_logistic(ex, 2, 2, strong).weights[0][0]));
}

TEST(ModelTraining, BalancedClassesLiftTheRareOne) {
  std::vector<TrainingExample> ex;
  for (int i = 0; i < 90; ++i) ex.push_back({{{0, 1.0f}}, 0, 1.0});
  for (int i = 0; i < 10; ++i) ex.push_back({{{0, 1.0f}}, 1, 1.0});
  TrainingOptions plain, balanced;
  balanced.balance_classes = true;
  double p_plain = predict_probabilities(train_logistic(ex, 1, 2, plain), {{{0, 1.0f}}, 0, 1.0})[1];
  double p_balanced = predict_probabilities(train_logistic(ex, 1, 2, balanced), {{{0, 1.0f}}, 0, 1.0})[1];
  EXPECT_LT(p_plain, 0.2);
  EXPECT_GT(p_balanced, 0.4);
}

}  // namespace
}  // namespace chorus::nlp

// Reading, scoring and writing the trained linear models.
#include "nlp/linear_model.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace chorus::nlp {

namespace {

std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool parse_floats(std::string_view s, std::size_t count, std::vector<float>& out) {
  auto parts = split_spaces(s);
  if (parts.size() != count) return false;
  for (std::string_view p : parts) {
    double v = 0;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc() || ptr != p.data() + p.size() || !std::isfinite(v)) return false;
    out.push_back(static_cast<float>(v));
  }
  return true;
}

// The hash of a feature written as its name: the name's parts are not known, but FeatureName::str() joins
// them so that hashing the whole string equals hashing the parts (see feature_hash).
std::uint64_t name_hash(std::string_view name) { return feature_hash(name, {}, {}); }

void append_weight(std::string& out, double w) {
  char buf[32];
  double r = std::round(w * 10000.0) / 10000.0;
  if (r == 0.0) r = 0.0;  // no "-0"
  int n = std::snprintf(buf, sizeof buf, "%.4f", r);
  std::string_view s(buf, static_cast<std::size_t>(n));
  // Trailing zeros say nothing: "0.5000" -> "0.5", "2.0000" -> "2".
  while (s.find('.') != std::string_view::npos && (s.back() == '0' || s.back() == '.')) {
    bool dot = s.back() == '.';
    s.remove_suffix(1);
    if (dot) break;
  }
  out.append(s);
}

}  // namespace

Result<LinearModel> LinearModel::parse(std::string_view text) {
  LinearModel m;
  std::size_t line_no = 0;
  auto fail = [&](std::string_view what) {
    return make_error(ErrorCode::bad_request, "model line " + std::to_string(line_no) + ": " + std::string(what));
  };
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    if (m.name_.empty()) {
      auto parts = split_spaces(line);
      if (parts.size() != 3 || parts[0] != "model" || parts[2] != "1") return fail("expected `model <name> 1`");
      m.name_ = std::string(parts[1]);
    } else if (m.classes_.empty()) {
      auto parts = split_spaces(line);
      if (parts.size() < 3 || parts[0] != "classes") return fail("expected `classes` and at least two names");
      for (std::size_t i = 1; i < parts.size(); ++i) m.classes_.emplace_back(parts[i]);
    } else if (m.bias_.empty()) {
      if (!line.starts_with("bias ") || !parse_floats(line.substr(5), m.classes_.size(), m.bias_))
        return fail("expected `bias` and one number per class");
    } else {
      std::size_t tab = line.find('\t');
      if (tab == std::string_view::npos || tab == 0) return fail("expected a feature name, a tab and weights");
      auto row = static_cast<std::uint32_t>(m.weights_.size());
      if (!parse_floats(line.substr(tab + 1), m.classes_.size(), m.weights_)) return fail("bad weights");
      if (!m.rows_.emplace(name_hash(line.substr(0, tab)), row).second) return fail("feature listed twice");
    }
  }
  if (m.bias_.empty()) return make_error(ErrorCode::bad_request, "model is incomplete: no bias line");
  return m;
}

Prediction LinearModel::predict(const FeatureSet& set, std::size_t evidence) const {
  const std::size_t k = classes_.size();
  std::vector<double> z(bias_.begin(), bias_.end());
  struct Hit {
    const Feature* feature;
    const float* w;
  };
  std::vector<Hit> hits;
  hits.reserve(set.features.size());
  for (const Feature& f : set.features) {
    auto it = rows_.find(f.hash);
    if (it == rows_.end()) continue;
    const float* w = &weights_[it->second];
    for (std::size_t c = 0; c < k; ++c) z[c] += f.value * w[c];
    hits.push_back({&f, w});
  }
  Prediction p;
  for (std::size_t c = 1; c < k; ++c) {
    if (z[c] > z[p.best]) p.best = c;  // strict: ties keep the earlier class
  }
  double total = 0.0;
  p.probabilities.resize(k);
  for (std::size_t c = 0; c < k; ++c) total += p.probabilities[c] = std::exp(z[c] - z[p.best]);
  for (double& v : p.probabilities) v /= total;
  if (evidence == 0) return p;

  std::vector<std::pair<double, const Feature*>> pulls;
  for (const Hit& h : hits) {
    if (h.feature->name.prefix == "bias:any") continue;
    double others = 0.0;
    for (std::size_t c = 0; c < k; ++c) others += c == p.best ? 0.0 : h.w[c];
    double pull = h.feature->value * (h.w[p.best] - others / static_cast<double>(k - 1));
    if (pull > 0.05) pulls.emplace_back(pull, h.feature);
  }
  std::sort(pulls.begin(), pulls.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second->hash < b.second->hash;
  });
  for (const auto& [pull, f] : pulls) {
    if (p.evidence.size() == evidence) break;
    std::string term = readable_feature(f->name);
    bool repeated = std::any_of(p.evidence.begin(), p.evidence.end(), [&](const Evidence& e) { return e.term == term; });
    if (!repeated) p.evidence.push_back({std::move(term), std::round(pull * 100.0) / 100.0});
  }
  return p;
}

std::string LinearModel::serialize(std::string_view name, std::span<const std::string> classes,
                                   std::span<const double> bias,
                                   const std::vector<std::pair<std::string, std::vector<double>>>& weights,
                                   std::string_view comment) {
  std::string out;
  std::size_t start = 0;
  while (start < comment.size()) {
    std::size_t nl = comment.find('\n', start);
    if (nl == std::string_view::npos) nl = comment.size();
    out.append("# ").append(comment.substr(start, nl - start)).append("\n");
    start = nl + 1;
  }
  out.append("model ").append(name).append(" 1\nclasses");
  for (const std::string& c : classes) out.append(" ").append(c);
  out.append("\nbias");
  for (double b : bias) {
    out.push_back(' ');
    append_weight(out, b);
  }
  out.push_back('\n');
  for (const auto& [feature, w] : weights) {
    out.append(feature).push_back('\t');
    for (std::size_t c = 0; c < w.size(); ++c) {
      if (c) out.push_back(' ');
      append_weight(out, w[c]);
    }
    out.push_back('\n');
  }
  return out;
}

std::string readable_feature(const FeatureName& n) {
  std::string_view p = n.prefix;
  auto joined = [&] {
    std::string s(n.a);
    if (!n.b.empty()) s.append(" ").append(n.b);
    return s;
  };
  if (p == "w:" || p == "t:" || p == "b:") return joined();
  if (p == "p:") return std::string(n.a) + "…";
  if (p == "n:") return "not " + std::string(n.a);
  if (p == "np:") return "not " + std::string(n.a) + "…";
  if (p.starts_with("rating:")) return "rating " + std::string(p.substr(7)) + "★";
  if (p == "lex:positive" || p == "lex:is_positive") return "positive words";
  if (p == "lex:negative" || p == "lex:is_negative") return "negative words";
  if (p == "lex:positive_clause") return "a clearly positive clause";
  if (p == "lex:negative_clause") return "a clearly negative clause";
  if (p == "lex:is_mixed") return "praise and blame together";
  if (p == "lex:is_neutral") return "no opinion words";
  if (p.starts_with("rule:")) {
    std::string s(p.substr(5));
    std::replace(s.begin(), s.end(), '_', ' ');
    return s == "question form" ? "phrased as a question" : s + " words";
  }
  if (p == "form:ends_question" || p == "form:question") return "a question mark";
  if (p == "form:exclamation") return "exclamation marks";
  if (p == "form:shouting") return "capitals";
  if (p == "form:stack_trace") return "a stack trace";
  if (p == "len:tiny") return "very short";
  if (p == "len:short") return "short";
  if (p == "len:long") return "long";
  return n.str();
}

}  // namespace chorus::nlp

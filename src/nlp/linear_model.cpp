// Reading, scoring and writing the trained linear models.
#include "nlp/linear_model.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <span>

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

// A weight as serialize writes it: an optional minus, digits, and at most a few decimals. Read as an
// integer over a power of ten, which IEEE division rounds exactly as from_chars would, at a fraction of
// the cost (the models hold over a million weights, read at every start). Anything else goes to from_chars.
bool parse_weight(std::string_view p, double& v) {
  constexpr double kPowers[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
  std::size_t i = 0;
  bool negative = !p.empty() && p[0] == '-';
  if (negative) ++i;
  std::uint64_t n = 0;
  std::size_t digits = 0, decimals = 0;
  bool dot = false;
  for (; i < p.size(); ++i) {
    char c = p[i];
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (c < '0' || c > '9' || digits == 15) break;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
    ++digits;
    if (dot) ++decimals;
  }
  if (i == p.size() && digits > 0 && decimals < std::size(kPowers)) {
    v = static_cast<double>(n) / kPowers[decimals];
    if (negative) v = -v;
    return true;
  }
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  return ec == std::errc() && ptr == p.data() + p.size() && std::isfinite(v);
}

bool parse_floats(std::string_view s, std::size_t count, std::vector<float>& out) {
  std::size_t found = 0, i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    if (i == s.size()) break;
    std::size_t j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    double v = 0;
    if (++found > count || !parse_weight(s.substr(i, j - i), v)) return false;
    out.push_back(static_cast<float>(v));
    i = j;
  }
  return found == count;
}

// A sparse row, "<class index>:<weight> ...", each class at most once and in order; appended to out as
// pairs of words, the class index and the weight's bits.
bool parse_sparse(std::string_view s, std::size_t classes, std::vector<std::uint32_t>& out) {
  std::size_t i = 0, found = 0;
  std::size_t next = 0;  // the lowest class index the next pair may name
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    if (i == s.size()) break;
    std::size_t j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    std::string_view pair = s.substr(i, j - i);
    std::size_t colon = pair.find(':');
    std::uint32_t c = 0;
    double v = 0;
    if (colon == std::string_view::npos) return false;
    auto [ptr, ec] = std::from_chars(pair.data(), pair.data() + colon, c);
    if (ec != std::errc() || ptr != pair.data() + colon || c < next || c >= classes) return false;
    if (!parse_weight(pair.substr(colon + 1), v)) return false;
    out.push_back(c);
    out.push_back(std::bit_cast<std::uint32_t>(static_cast<float>(v)));
    next = c + 1;
    ++found;
    i = j;
  }
  return found > 0;
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
      std::string_view weights = line.substr(tab + 1);
      const bool sparse = weights.find(':') != std::string_view::npos;
      if (m.rows_ == 0) m.sparse_ = sparse;
      if (sparse != m.sparse_) return fail("a model's rows are all sparse (class:weight) or all dense");
      const std::uint64_t hash = name_hash(line.substr(0, tab));
      std::uint32_t row = 0;
      if (sparse) {
        row = static_cast<std::uint32_t>(m.packed_.size());
        m.packed_.insert(m.packed_.end(),
                         {static_cast<std::uint32_t>(hash), static_cast<std::uint32_t>(hash >> 32), 0});
        if (!parse_sparse(weights, m.classes_.size(), m.packed_))
          return fail("bad weights: expected class:weight pairs");
        m.packed_[row + 2] = static_cast<std::uint32_t>((m.packed_.size() - row - 3) / 2);
      } else {
        row = static_cast<std::uint32_t>(m.hashes_.size());
        m.hashes_.push_back(hash);
        if (!parse_floats(weights, m.classes_.size(), m.weights_)) return fail("bad weights");
      }
      if (!m.insert(hash, row)) return fail("feature listed twice");
    }
  }
  if (m.bias_.empty()) return make_error(ErrorCode::bad_request, "model is incomplete: no bias line");
  return m;
}

std::uint64_t LinearModel::hash_at(std::uint32_t row) const {
  if (sparse_) return (std::uint64_t{packed_[row + 1]} << 32) | packed_[row];
  return hashes_[row];
}

void LinearModel::place(std::uint64_t hash, std::uint32_t row) {
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = static_cast<std::size_t>(hash) & mask;
  while (slots_[i].row != kEmpty) i = (i + 1) & mask;
  slots_[i] = {tag_of(hash), row};
}

bool LinearModel::insert(std::uint64_t hash, std::uint32_t row) {
  if (find_row(hash) != kEmpty) return false;
  if ((rows_ + 1) * 4 > slots_.size() * 3) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
    for (const Slot& s : old)
      if (s.row != kEmpty) place(hash_at(s.row), s.row);
  }
  place(hash, row);
  ++rows_;
  return true;
}

std::uint32_t LinearModel::find_row(std::uint64_t hash) const {
  if (slots_.empty()) return kEmpty;
  const std::size_t mask = slots_.size() - 1;
  const std::uint32_t tag = tag_of(hash);
  for (std::size_t i = static_cast<std::size_t>(hash) & mask;; i = (i + 1) & mask) {
    const Slot s = slots_[i];
    if (s.row == kEmpty) return kEmpty;
    if (s.tag == tag && hash_at(s.row) == hash) return s.row;
  }
}

const float* LinearModel::find(std::uint64_t hash) const {
  if (sparse_) return nullptr;
  std::uint32_t row = find_row(hash);
  return row == kEmpty ? nullptr : &weights_[static_cast<std::size_t>(row) * classes_.size()];
}

namespace {

struct Hit {
  const Feature* feature;
  const float* w;
};

// The strongest few pulls, kept in place as they come (no allocation, no sort of them all).
class StrongestPulls {
 public:
  static constexpr std::size_t kKept = 9;  // a few more than asked: two features can read alike
  void offer(double pull, const Feature* f) {
    if (n_ == kKept && !(pull > items_[n_ - 1].first || (pull == items_[n_ - 1].first && f->hash < items_[n_ - 1].second->hash)))
      return;
    std::size_t i = n_ < kKept ? n_++ : kKept - 1;
    while (i > 0 && (pull > items_[i - 1].first || (pull == items_[i - 1].first && f->hash < items_[i - 1].second->hash))) {
      items_[i] = items_[i - 1];
      --i;
    }
    items_[i] = {pull, f};
  }
  std::span<const std::pair<double, const Feature*>> items() const { return {items_.data(), n_}; }

 private:
  std::array<std::pair<double, const Feature*>, kKept> items_{};
  std::size_t n_ = 0;
};

// The class with the highest score, the probabilities, and the features that pulled hardest towards it
// against the average of the other classes: w[best] - (sum - w[best]) / (k - 1).
Prediction decide(const double* z, std::size_t k, const std::vector<Hit>& hits, std::size_t evidence) {
  Prediction p;
  for (std::size_t c = 1; c < k; ++c) {
    if (z[c] > z[p.best]) p.best = c;  // strict: ties keep the earlier class
  }
  double total = 0.0;
  p.probabilities.resize(k);
  for (std::size_t c = 0; c < k; ++c) total += p.probabilities[c] = std::exp(z[c] - z[p.best]);
  for (double& v : p.probabilities) v /= total;
  if (evidence == 0) return p;

  StrongestPulls strongest;
  const double others = static_cast<double>(k - 1);
  for (const Hit& h : hits) {
    double sum = 0.0;
    for (std::size_t c = 0; c < k; ++c) sum += h.w[c];
    double pull = h.feature->value * (h.w[p.best] - (sum - h.w[p.best]) / others);
    if (pull > 0.05 && !(h.feature->name.prefix == "bias:any")) strongest.offer(pull, h.feature);
  }
  for (const auto& [pull, f] : strongest.items()) {
    if (p.evidence.size() == evidence) break;
    std::string term = readable_feature(f->name);
    bool repeated = std::any_of(p.evidence.begin(), p.evidence.end(), [&](const Evidence& e) { return e.term == term; });
    if (!repeated) p.evidence.push_back({std::move(term), std::round(pull * 100.0) / 100.0});
  }
  return p;
}

}  // namespace

Prediction LinearModel::predict(const FeatureSet& set, std::size_t evidence) const {
  const std::size_t k = classes_.size();
  if (sparse_) return decide(scores(set).data(), k, {}, 0);  // a sparse model names no evidence
  std::vector<double> z(bias_.begin(), bias_.end());
  std::vector<Hit> hits;
  hits.reserve(set.features.size());
  for (const Feature& f : set.features) {
    const float* w = find(f.hash);
    if (!w) continue;
    for (std::size_t c = 0; c < k; ++c) z[c] += f.value * w[c];
    hits.push_back({&f, w});
  }
  return decide(z.data(), k, hits, evidence);
}

std::vector<double> LinearModel::scores(const FeatureSet& set) const {
  const std::size_t k = classes_.size();
  std::vector<double> z(bias_.begin(), bias_.end());
  for (const Feature& f : set.features) {
    if (sparse_) {
      const std::uint32_t row = find_row(f.hash);
      if (row == kEmpty) continue;
      const std::uint32_t* e = &packed_[row + 3];
      for (const std::uint32_t* end = e + 2 * packed_[row + 2]; e != end; e += 2)
        z[e[0]] += f.value * std::bit_cast<float>(e[1]);
    } else if (const float* w = find(f.hash)) {
      for (std::size_t c = 0; c < k; ++c) z[c] += f.value * w[c];
    }
  }
  return z;
}

ModelSet::ModelSet(std::vector<const LinearModel*> models) : models_(std::move(models)) {
  std::size_t features = 0;
  for (const LinearModel* m : models_) {
    offsets_.push_back(stride_);
    stride_ += m->classes().size();
    features += m->feature_count();
  }
  std::size_t slots = 1024;
  while (slots < features * 2) slots *= 2;  // at most half full, before the overlap between models
  slots_.assign(slots, Slot{});
  rows_.reserve(features * stride_);
  const std::size_t mask = slots - 1;
  for (std::size_t m = 0; m < models_.size(); ++m) {
    const std::size_t k = models_[m]->classes().size();
    models_[m]->for_each_feature([&](std::uint64_t hash, const float* w) {
      std::uint64_t key = hash == kNoKey ? 1 : hash;  // one hash in 2^64 shares a slot with another
      std::size_t i = static_cast<std::size_t>(key) & mask;
      while (slots_[i].key != kNoKey && slots_[i].key != key) i = (i + 1) & mask;
      if (slots_[i].key == kNoKey) {
        slots_[i] = {key, static_cast<std::uint32_t>(rows_.size())};
        rows_.resize(rows_.size() + stride_, 0.0f);
      }
      std::copy(w, w + k, rows_.begin() + static_cast<std::ptrdiff_t>(slots_[i].row + offsets_[m]));
    });
  }
}

const float* ModelSet::find(std::uint64_t hash) const {
  std::uint64_t key = hash == kNoKey ? 1 : hash;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = static_cast<std::size_t>(key) & mask;; i = (i + 1) & mask) {
    if (slots_[i].key == key) return &rows_[slots_[i].row];
    if (slots_[i].key == kNoKey) return nullptr;
  }
}

std::vector<Prediction> ModelSet::predict(const FeatureSet& set, std::size_t evidence) const {
  // Scores of every model side by side, as the rows hold the weights.
  std::vector<double> z(stride_);
  for (std::size_t m = 0; m < models_.size(); ++m)
    std::copy(models_[m]->bias().begin(), models_[m]->bias().end(), z.begin() + static_cast<std::ptrdiff_t>(offsets_[m]));
  std::vector<Hit> hits;  // the row of each feature found; each model reads its columns
  hits.reserve(set.features.size());
  for (const Feature& f : set.features) {
    const float* row = find(f.hash);
    if (!row) continue;
    for (std::size_t c = 0; c < stride_; ++c) z[c] += f.value * row[c];
    hits.push_back({&f, row});
  }
  std::vector<Prediction> out;
  out.reserve(models_.size());
  std::vector<Hit> columns;
  for (std::size_t m = 0; m < models_.size(); ++m) {
    if (evidence) {
      columns.clear();
      for (const Hit& h : hits) columns.push_back({h.feature, h.w + offsets_[m]});
    }
    out.push_back(decide(z.data() + offsets_[m], models_[m]->classes().size(), columns, evidence));
  }
  return out;
}

std::string LinearModel::serialize(std::string_view name, std::span<const std::string> classes,
                                   std::span<const double> bias,
                                   const std::vector<std::pair<std::string, std::vector<double>>>& weights,
                                   std::string_view comment, bool sparse) {
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
  std::string written;
  for (const auto& [feature, w] : weights) {
    if (!sparse) {
      out.append(feature).push_back('\t');
      for (std::size_t c = 0; c < w.size(); ++c) {
        if (c) out.push_back(' ');
        append_weight(out, w[c]);
      }
      out.push_back('\n');
      continue;
    }
    std::string row;
    for (std::size_t c = 0; c < w.size(); ++c) {
      written.clear();
      append_weight(written, w[c]);
      if (written == "0") continue;
      if (!row.empty()) row.push_back(' ');
      row.append(std::to_string(c)).append(":").append(written);
    }
    if (!row.empty()) out.append(feature).append("\t").append(row).append("\n");
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
  if (p == "n:") return "not " + std::string(n.a);
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
    if (s == "question form") return "phrased as a question";
    if (s == "request form") return "titled as a request";
    return s + " words";
  }
  if (p == "form:ends_question" || p == "form:question") return "a question mark";
  if (p == "form:exclamation") return "exclamation marks";
  if (p == "form:shouting") return "capitals";
  if (p == "form:stack_trace") return "a stack trace";
  if (p == "form:scare_quotes") return "words in scare quotes";
  if (p == "len:tiny") return "very short";
  if (p == "len:short") return "short";
  if (p == "len:long") return "long";
  return n.str();
}

}  // namespace chorus::nlp

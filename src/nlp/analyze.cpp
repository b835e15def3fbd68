// Line-oriented front end of the NLP pipeline, used by `chorus analyze`.
#include "nlp/analyze.hpp"

#include <charconv>
#include <cmath>
#include <exception>
#include <optional>

#include "nlp/category.hpp"
#include "nlp/feedback_features.hpp"

namespace chorus::nlp {

namespace {

constexpr std::string_view kNeedTextField = "expected a JSON object with a string \"text\" field";

bool is_blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

bool is_html_tag_name(std::string_view name) {
  static constexpr std::string_view kTags[] = {
      "p",  "br",    "div", "span", "a",          "img",     "b",    "i",     "em",      "strong",  "ul",
      "ol", "li",    "pre", "code", "blockquote", "aside",   "h1",   "h2",    "h3",      "h4",      "h5",
      "h6", "table", "tr",  "td",   "th",         "hr",      "html", "body",  "section", "article", "u",
      "s",  "small", "sup", "sub",  "details",    "summary", "font", "center"};
  for (std::string_view t : kTags) {
    if (t == name) return true;
  }
  return false;
}

std::string error_line(std::size_t line_number, std::string_view message) {
  std::string text = line_number ? "line " + std::to_string(line_number) + ": " : std::string();
  text.append(message);
  json::object o;
  o["error"] = text;
  return to_compact_json(o);
}

std::optional<TextFormat> format_named(std::string_view name) {
  if (name == "plain" || name == "text") return TextFormat::plain;
  if (name == "html") return TextFormat::html;
  if (name == "markdown" || name == "md") return TextFormat::markdown;
  return std::nullopt;
}

}  // namespace

std::string to_compact_json(const json::value& v) { return to_json_string(v); }

// Fenced code, inline links, or lines opening with a quote or heading marker.
bool looks_like_markdown(std::string_view text) {
  if (text.find("```") != std::string_view::npos || text.find("](http") != std::string_view::npos) return true;
  for (std::size_t pos = 0; pos < text.size();) {
    std::string_view rest = text.substr(pos);
    if (rest.starts_with("> ") || rest.starts_with("# ") || rest.starts_with("## ") || rest.starts_with("### "))
      return true;
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return false;
}

TextFormat guess_format(std::string_view text) {
  std::size_t i = 0;
  int checked = 0;
  while ((i = text.find('<', i)) != std::string_view::npos && checked++ < 64) {
    std::size_t k = i + 1;
    if (k < text.size() && text[k] == '/') ++k;
    std::string name;
    while (k < text.size() && name.size() < 12 &&
           ((text[k] >= 'a' && text[k] <= 'z') || (text[k] >= 'A' && text[k] <= 'Z') ||
            (text[k] >= '0' && text[k] <= '9'))) {
      char c = text[k++];
      name.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
    }
    if (k < text.size() && (text[k] == '>' || text[k] == ' ' || text[k] == '/') && is_html_tag_name(name))
      return TextFormat::html;
    ++i;
  }
  return looks_like_markdown(text) ? TextFormat::markdown : TextFormat::plain;
}

json::object analysis_to_json(const Document& doc) {
  // The line is the one definition of the fields; it is always a JSON object.
  return parse_json(analysis_json_line(doc))->get_object();
}

// The result line, written straight into a string: numbers and strings as to_compact_json writes them.
std::string analysis_json_line(const Document& doc) {
  std::string out;
  out.reserve(192);
  out += R"({"language_code":)";
  append_json_string(out, doc.language_code);
  out += R"(,"language":)";
  append_json_string(out, doc.language);
  out += R"(,"sentiment_type":)";
  append_json_string(out, doc.sentiment_type);
  out += R"(,"sentiment_compound":)";
  append_json_number(out, std::round(doc.sentiment_compound * 10000.0) / 10000.0);
  out += R"(,"sentiment_score":)";
  out += std::to_string(doc.sentiment_score);
  out += R"(,"category":)";
  append_json_string(out, doc.category);
  out += R"(,"category_confidence":)";
  append_json_number(out, doc.category_confidence);
  out += R"(,"sentiment_confidence":)";
  append_json_number(out, doc.sentiment_confidence);
  out += R"(,"themes":[)";
  for (std::size_t i = 0; i < doc.themes.size(); ++i) {
    if (i) out.push_back(',');
    append_json_string(out, doc.themes[i]);
  }
  out += R"(],"sub_themes":[)";
  for (std::size_t i = 0; i < doc.sub_themes.size(); ++i) {
    if (i) out.push_back(',');
    out += R"({"theme":)";
    append_json_string(out, doc.sub_themes[i].first);
    out += R"(,"phrase":)";
    append_json_string(out, doc.sub_themes[i].second);
    out.push_back('}');
  }
  out += R"(],"evidence":)";
  append_evidence_json(out, doc.sentiment_evidence, doc.category_evidence);
  out += "}";
  return out;
}

void append_evidence_json(std::string& out, const std::vector<Evidence>& sentiment,
                          const std::vector<Evidence>& category) {
  auto list = [&](const std::vector<Evidence>& items) {
    out.push_back('[');
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i) out.push_back(',');
      out += R"({"term":)";
      append_json_string(out, items[i].term);
      out += R"(,"weight":)";
      append_json_number(out, items[i].weight);
      out.push_back('}');
    }
    out.push_back(']');
  };
  out += R"({"sentiment":)";
  list(sentiment);
  out += R"(,"category":)";
  list(category);
  out.push_back('}');
}

std::string analyze_line(std::string_view line, bool jsonl, std::size_t line_number) {
  return analyze_line(line, AnalyzeOptions{jsonl, false}, line_number);
}

namespace {

// The explain fields: the fingerprint and what the trained models read.
void add_explanation(json::object& o, const Document& doc) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(16, '0');
  for (int i = 0; i < 16; ++i) hex[15 - i] = kHex[(doc.simhash >> (4 * i)) & 0xf];
  o["simhash"] = hex;
  json::object features;
  if (doc.features) {
    for (const Feature& f : doc.features->features) features[f.name.str()] = static_cast<double>(f.value);
  }
  o["features"] = std::move(features);
  o["lexicon_compound"] = std::round(doc.lexicon_compound * 10000.0) / 10000.0;
  o["sentiment_polarity"] = std::round(doc.sentiment_polarity * 10000.0) / 10000.0;
}

}  // namespace

std::string analyze_line(std::string_view line, const AnalyzeOptions& options, std::size_t line_number) {
  const bool jsonl = options.jsonl;
  try {
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    if (is_blank(line)) return error_line(line_number, "empty line");
    Document doc;
    if (jsonl) {
      auto parsed = parse_json(line);
      if (!parsed.ok()) return error_line(line_number, parsed.error().message + "; " + std::string(kNeedTextField));
      const json::value& v = *parsed;
      const json::value* text = v.is_object() ? v.get_object().if_contains("text") : nullptr;
      if (!text || !text->is_string()) return error_line(line_number, kNeedTextField);
      doc.raw = std::string(text->get_string());
      if (auto title = v.get_object().if_contains("title"); title && title->is_string())
        doc.title = std::string(title->get_string());
      if (auto rating = v.get_object().if_contains("rating"); rating && (rating->is_int64() || rating->is_double())) {
        double stars = rating->is_int64() ? static_cast<double>(rating->get_int64()) : rating->get_double();
        if (stars >= 1.0 && stars <= 5.0) doc.rating = static_cast<int>(std::lround(stars));
      }
      std::optional<TextFormat> format;
      if (auto f = v.get_object().if_contains("format"); f && f->is_string()) format = format_named(f->get_string());
      doc.format = format ? *format : guess_format(doc.raw);
    } else {
      doc.raw = std::string(line);
      doc.format = guess_format(doc.raw);
    }
    Pipeline::standard().run(doc);
    if (doc.text.empty()) return error_line(line_number, "no text left to analyse");
    if (!options.explain) return analysis_json_line(doc);
    json::object o = analysis_to_json(doc);
    add_explanation(o, doc);
    return to_compact_json(o);
  } catch (const std::exception& e) {
    return error_line(line_number, std::string("analysis failed: ") + e.what());
  }
}

}  // namespace chorus::nlp

// HTML -> text with gumbo; pathological markup (deep nesting, huge tags) takes a linear tag stripper instead,
// because gumbo's tree construction is quadratic in nesting depth.
#include <gumbo.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "nlp/clean.hpp"
#include "nlp/entities.hpp"

namespace chorus::nlp {

namespace {

constexpr int kMaxGumboDepth = 256;
constexpr std::size_t kMaxGumboTagBytes = 65536;  // data: URIs make long tags legitimately
constexpr std::ptrdiff_t kMaxGumboTagSpaces = 256;  // gumbo checks each attribute against all earlier ones

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
bool ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string tag_name_of(std::string_view inside) {  // inside = text between '<' and '>'
  std::size_t i = (!inside.empty() && inside[0] == '/') ? 1 : 0;
  std::string name;
  while (i < inside.size() && (ascii_alpha(inside[i]) || (inside[i] >= '0' && inside[i] <= '9'))) {
    name.push_back(ascii_lower(inside[i++]));
    if (name.size() > 16) break;
  }
  return name;
}

bool is_void_tag(std::string_view name) {
  static constexpr std::array<std::string_view, 14> kVoid{"area",  "base", "br",   "col",   "embed",  "hr",    "img",
                                                          "input", "link", "meta", "param", "source", "track", "wbr"};
  return std::find(kVoid.begin(), kVoid.end(), name) != kVoid.end();
}

bool is_block_tag_name(std::string_view name) {
  static constexpr std::array<std::string_view, 34> kBlock{
      "p",      "div",        "li",         "ul",    "ol",    "h1",      "h2",     "h3",      "h4",
      "h5",     "h6",         "tr",         "table", "thead", "tbody",   "tfoot",  "section", "article",
      "header", "footer",     "blockquote", "pre",   "hr",    "dl",      "dt",     "dd",      "form",
      "figure", "figcaption", "aside",      "nav",   "main",  "details", "summary"};
  return std::find(kBlock.begin(), kBlock.end(), name) != kBlock.end();
}

// Cheap pre-scan: is this markup shallow enough, with few enough attributes per tag, for gumbo to stay fast?
bool suits_gumbo(std::string_view s) {
  int depth = 0;
  std::size_t i = 0;
  while ((i = s.find('<', i)) != std::string_view::npos) {
    std::size_t close = s.find('>', i);
    if (close == std::string_view::npos) break;  // no '>' anywhere after: nothing more to count
    if (close - i > kMaxGumboTagBytes) return false;
    std::string_view inside = s.substr(i + 1, close - i - 1);
    if (std::count(inside.begin(), inside.end(), ' ') > kMaxGumboTagSpaces) return false;
    if (!inside.empty() && inside[0] == '/') {
      depth = std::max(0, depth - 1);
    } else if (!inside.empty() && ascii_alpha(inside[0])) {
      if (!is_void_tag(tag_name_of(inside)) && inside.back() != '/' && ++depth > kMaxGumboDepth) return false;
    }
    i = close + 1;
  }
  return true;
}

bool has_class(const GumboElement& el, std::string_view wanted) {
  const GumboAttribute* attr = gumbo_get_attribute(&el.attributes, "class");
  if (!attr || !attr->value) return false;
  std::string_view classes = attr->value;
  std::size_t i = 0;
  while (i < classes.size()) {
    while (i < classes.size() && classes[i] == ' ') ++i;
    std::size_t j = classes.find(' ', i);
    if (j == std::string_view::npos) j = classes.size();
    if (classes.substr(i, j - i) == wanted) return true;
    i = j;
  }
  return false;
}

bool is_skipped(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_SELECT:
      return true;
    default:
      return false;
  }
}

// List items, table rows and definition terms start a line but do not end a paragraph.
bool is_line(GumboTag tag) {
  return tag == GUMBO_TAG_LI || tag == GUMBO_TAG_TR || tag == GUMBO_TAG_DT || tag == GUMBO_TAG_DD;
}

bool is_block(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_LEGEND:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_BODY:
      return true;
    default:
      return false;
  }
}

struct Frame {
  const GumboNode* node;
  unsigned next_child = 0;
  bool display_only = false;  // inside code or a quoted reply
  bool preformatted = false;
  bool in_lightbox = false;  // Discourse image wrapper, whose "meta" box is file size noise
};

void append_text(TextSink& sink, const char* text, const Frame& parent) {
  if (!text) return;
  std::string_view s = text;
  if (parent.preformatted) {
    sink.append(s, parent.display_only);
    return;
  }
  std::string flat(s);
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  sink.append(flat, parent.display_only);
}

// Handles one element child; returns the frame to descend into, or nothing when the element has been
// fully handled (void, skipped or empty).
std::optional<Frame> enter_element(TextSink& sink, const GumboNode* node, const Frame& parent) {
  const GumboElement& el = node->v.element;
  GumboTag tag = el.tag;
  if (is_skipped(tag)) return std::nullopt;
  if (tag == GUMBO_TAG_BR || tag == GUMBO_TAG_HR) {
    sink.line_break();
    return std::nullopt;
  }
  if (tag == GUMBO_TAG_IMG) {
    // Forum emoji are images whose alt text is the shortcode (":smile:") or the emoji itself.
    const GumboAttribute* alt = gumbo_get_attribute(&el.attributes, "alt");
    if (alt && alt->value && has_class(el, "emoji")) {
      sink.append(" ", parent.display_only);
      sink.append(alt->value, parent.display_only);
      sink.append(" ", parent.display_only);
    }
    return std::nullopt;
  }
  if (tag == GUMBO_TAG_DIV && parent.in_lightbox && has_class(el, "meta")) return std::nullopt;

  Frame f{node};
  f.preformatted = parent.preformatted || tag == GUMBO_TAG_PRE;
  f.in_lightbox = parent.in_lightbox || has_class(el, "lightbox-wrapper");
  bool quoted =
      tag == GUMBO_TAG_BLOCKQUOTE || (tag == GUMBO_TAG_ASIDE && (has_class(el, "quote") || has_class(el, "onebox")));
  f.display_only = parent.display_only || quoted || tag == GUMBO_TAG_PRE;
  if (is_block(tag) || is_line(tag)) sink.line_break();
  return f;
}

void leave_element(TextSink& sink, const Frame& f) {
  if (f.node->type != GUMBO_NODE_ELEMENT) return;
  GumboTag tag = f.node->v.element.tag;
  if (is_block(tag)) {
    sink.line_break();
  } else if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) {
    sink.append(" ", f.display_only);
  }
}

CleanText walk_with_gumbo(std::string_view html) {
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;  // parse errors are irrelevant here; recording them costs memory
  auto destroy = [&options](GumboOutput* out) { gumbo_destroy_output(&options, out); };
  std::unique_ptr<GumboOutput, decltype(destroy)> output(gumbo_parse_with_options(&options, html.data(), html.size()),
                                                         destroy);
  TextSink sink;
  if (!output || !output->root) return sink.take();

  std::vector<Frame> stack;
  stack.push_back(Frame{output->root});
  while (!stack.empty()) {
    Frame& top = stack.back();
    const GumboVector* children = top.node->type == GUMBO_NODE_ELEMENT || top.node->type == GUMBO_NODE_TEMPLATE
                                      ? &top.node->v.element.children
                                      : nullptr;
    if (!children || top.next_child >= children->length) {
      Frame done = top;
      stack.pop_back();
      leave_element(sink, done);
      continue;
    }
    const auto* child = static_cast<const GumboNode*>(children->data[top.next_child++]);
    switch (child->type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_WHITESPACE:
      case GUMBO_NODE_CDATA:
        append_text(sink, child->v.text.text, top);
        break;
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE: {
        Frame parent = top;  // copy: push_back may move the stack
        if (auto f = enter_element(sink, child, parent)) stack.push_back(*f);
        break;
      }
      default:
        break;
    }
  }
  return sink.take();
}

// Finds `needle` (lowercase ASCII) in s from pos, ignoring ASCII case.
std::size_t find_ignoring_case(std::string_view s, std::string_view needle, std::size_t pos) {
  for (std::size_t k = pos; k + needle.size() <= s.size(); ++k) {
    std::size_t m = 0;
    while (m < needle.size() && ascii_lower(s[k + m]) == needle[m]) ++m;
    if (m == needle.size()) return k;
  }
  return std::string_view::npos;
}

// Linear fallback: strips tags, keeps block structure, skips script/style, treats pre/blockquote as
// display-only, decodes entities.
CleanText strip_tags(std::string_view html) {
  TextSink sink;
  int display_only_depth = 0;
  bool no_more_gt = false;  // once no '>' follows, every later '<' is plain text
  std::size_t i = 0;
  auto emit = [&](std::string_view chunk) {
    std::string flat = decode_entities(chunk);
    std::replace(flat.begin(), flat.end(), '\n', ' ');
    sink.append(flat, display_only_depth > 0);
  };
  while (i < html.size()) {
    std::size_t lt = html.find('<', i);
    if (lt == std::string_view::npos) {
      emit(html.substr(i));
      break;
    }
    emit(html.substr(i, lt - i));
    if (html.substr(lt, 4) == "<!--") {
      std::size_t end = html.find("-->", lt + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    std::size_t gt = no_more_gt ? std::string_view::npos : html.find('>', lt);
    if (gt == std::string_view::npos) no_more_gt = true;
    bool tagish = lt + 1 < html.size() && (ascii_alpha(html[lt + 1]) || html[lt + 1] == '/' || html[lt + 1] == '!');
    if (gt == std::string_view::npos || !tagish) {
      emit(html.substr(lt, 1));
      i = lt + 1;
      continue;
    }
    std::string_view inside = html.substr(lt + 1, gt - lt - 1);
    bool closing = !inside.empty() && inside[0] == '/';
    std::string name = tag_name_of(inside);
    i = gt + 1;
    if (!closing && (name == "script" || name == "style")) {
      std::size_t end = find_ignoring_case(html, name == "script" ? "</script" : "</style", i);
      i = end == std::string_view::npos ? html.size() : end;
      continue;
    }
    if (name == "pre" || name == "blockquote") {
      display_only_depth = closing ? std::max(0, display_only_depth - 1) : display_only_depth + 1;
    }
    if (name == "br" || is_block_tag_name(name)) sink.line_break();
    if (name == "td" || name == "th") sink.append(" ", display_only_depth > 0);
  }
  return sink.take();
}

}  // namespace

CleanText html_to_text(std::string_view html) {
  if (suits_gumbo(html)) return walk_with_gumbo(html);
  return strip_tags(html);
}

}  // namespace chorus::nlp

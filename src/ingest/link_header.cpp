// A small RFC 8288 parser: `<uri> *( OWS ";" OWS name [ "=" ( token / quoted-string ) ] )`, links
// separated by commas.
#include "ingest/link_header.hpp"

#include <cctype>

namespace chorus::ingest {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class LinkReader {
 public:
  explicit LinkReader(std::string_view text) : s_(text) {}

  std::vector<WebLink> read_all() {
    std::vector<WebLink> out;
    while (true) {
      skip_separators();
      if (done()) break;
      if (auto link = read_link())
        out.push_back(std::move(*link));
      else
        skip_to_next_link();
    }
    return out;
  }

 private:
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return s_[i_]; }
  void skip_space() {
    while (!done() && (peek() == ' ' || peek() == '\t')) ++i_;
  }
  void skip_separators() {
    while (!done() && (peek() == ' ' || peek() == '\t' || peek() == ',')) ++i_;
  }

  // After a malformed link: past the next comma that is outside <...> and quotes.
  void skip_to_next_link() {
    bool quoted = false, bracketed = false;
    for (; !done(); ++i_) {
      char c = peek();
      if (quoted) {
        if (c == '\\')
          ++i_;
        else if (c == '"')
          quoted = false;
      } else if (bracketed) {
        if (c == '>') bracketed = false;
      } else if (c == '"') {
        quoted = true;
      } else if (c == '<') {
        bracketed = true;
      } else if (c == ',') {
        ++i_;
        return;
      }
    }
  }

  std::optional<WebLink> read_link() {
    if (peek() != '<') return std::nullopt;
    std::size_t close = s_.find('>', i_ + 1);
    if (close == std::string_view::npos) {
      i_ = s_.size();
      return std::nullopt;
    }
    WebLink link;
    link.url = std::string(s_.substr(i_ + 1, close - i_ - 1));
    i_ = close + 1;
    while (true) {
      skip_space();
      if (done() || peek() == ',') break;
      if (peek() != ';') return std::nullopt;
      ++i_;
      skip_space();
      auto [name, value] = read_param();
      if (name.empty()) return std::nullopt;
      // Only the first rel counts (RFC 8288 section 3.3); each of its space-separated values is a relation.
      if (name == "rel" && link.rels.empty()) {
        std::string v = lower(value);
        std::size_t start = 0;
        while (start < v.size()) {
          std::size_t end = v.find_first_of(" \t", start);
          if (end == std::string::npos) end = v.size();
          if (end > start) link.rels.push_back(v.substr(start, end - start));
          start = end + 1;
        }
      }
    }
    return link;
  }

  std::pair<std::string, std::string> read_param() {
    std::size_t start = i_;
    while (!done() && peek() != '=' && peek() != ';' && peek() != ',' && peek() != ' ' && peek() != '\t') ++i_;
    std::string name = lower(s_.substr(start, i_ - start));
    skip_space();
    if (done() || peek() != '=') return {name, ""};
    ++i_;
    skip_space();
    std::string value;
    if (!done() && peek() == '"') {
      ++i_;
      while (!done() && peek() != '"') {
        if (peek() == '\\' && i_ + 1 < s_.size()) ++i_;
        value.push_back(peek());
        ++i_;
      }
      if (!done()) ++i_;  // the closing quote
    } else {
      while (!done() && peek() != ';' && peek() != ',' && peek() != ' ' && peek() != '\t') value.push_back(s_[i_++]);
    }
    return {name, value};
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

std::vector<WebLink> parse_link_header(std::string_view header) { return LinkReader(header).read_all(); }

std::optional<std::string> find_link(std::string_view header, std::string_view rel) {
  std::string wanted = lower(rel);
  for (WebLink& link : parse_link_header(header))
    for (const std::string& r : link.rels)
      if (r == wanted) return std::move(link.url);
  return std::nullopt;
}

}  // namespace chorus::ingest

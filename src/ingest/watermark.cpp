// Cursor marks: parsing and printing their text form, and moving them forward.
#include "ingest/watermark.hpp"

#include <algorithm>
#include <charconv>

#include "http/message.hpp"

namespace chorus::ingest {

Result<Watermark> Watermark::decode(std::string_view text) {
  Watermark w;
  if (text.empty()) return w;
  std::size_t bar = text.find('|');
  auto t = parse_time(text.substr(0, bar));
  if (!t) return make_error(ErrorCode::bad_request, "cursor \"" + std::string(text) + "\" does not start with a time");
  w.time_ = *t;
  if (bar == std::string_view::npos) return w;
  std::string_view ids = text.substr(bar + 1);
  while (!ids.empty()) {
    std::size_t comma = ids.find(',');
    std::string_view one = ids.substr(0, comma);
    if (!one.empty()) w.ids_.push_back(http::percent_decode(one, false));
    ids = comma == std::string_view::npos ? std::string_view{} : ids.substr(comma + 1);
  }
  return w;
}

std::string Watermark::encode() const {
  if (!time_) return "";
  std::string out = format_time(*time_);
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    out.push_back(i == 0 ? '|' : ',');
    out += http::percent_encode(ids_[i]);
  }
  return out;
}

bool Watermark::covers(TimeMs t, std::string_view id) const {
  if (!time_) return false;
  if (t != *time_) return t < *time_;
  return std::find(ids_.begin(), ids_.end(), id) != ids_.end();
}

void Watermark::observe(TimeMs t, std::string_view id) {
  if (time_ && t < *time_) return;
  if (!time_ || t > *time_) {
    time_ = t;
    ids_.clear();
  }
  if (ids_.size() < kMaxIds && std::find(ids_.begin(), ids_.end(), id) == ids_.end()) ids_.emplace_back(id);
}

Result<NewestId> NewestId::decode(std::string_view text) {
  NewestId n;
  if (text.empty()) return n;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size())
    return make_error(ErrorCode::bad_request, "cursor \"" + std::string(text) + "\" is not a numeric id");
  n.newest_ = v;
  return n;
}

void NewestId::observe(std::int64_t id) {
  if (!newest_ || id > *newest_) newest_ = id;
}

}  // namespace chorus::ingest

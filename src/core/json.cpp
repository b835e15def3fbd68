// Boost.JSON is compiled once here (header-only mode) so no other file pays for its sources.
#include "core/json.hpp"

#include <boost/json/src.hpp>

#include <charconv>
#include <cmath>

namespace chorus {

Result<json::value> parse_json(std::string_view text) { return parse_json(text, {}); }

Result<json::value> parse_json(std::string_view text, json::storage_ptr storage) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 64;
  json::value v = json::parse(text, ec, std::move(storage), opts);
  if (ec) return make_error(ErrorCode::bad_request, "malformed JSON: " + ec.message());
  return v;
}

const json::value* find_path(const json::value& root, std::string_view path) {
  const json::value* cur = &root;
  while (!path.empty()) {
    std::size_t dot = path.find('.');
    std::string_view part = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    if (cur->is_object()) {
      const auto& o = cur->get_object();
      auto it = o.find(part);
      if (it == o.end()) return nullptr;
      cur = &it->value();
    } else if (cur->is_array()) {
      std::size_t idx = 0;
      auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), idx);
      if (ec != std::errc() || p != part.data() + part.size()) return nullptr;
      const auto& a = cur->get_array();
      if (idx >= a.size()) return nullptr;
      cur = &a[idx];
    } else {
      return nullptr;
    }
  }
  return cur;
}

std::optional<std::string> scalar_to_string(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return std::string(v.get_string());
    case json::kind::int64: return std::to_string(v.get_int64());
    case json::kind::uint64: return std::to_string(v.get_uint64());
    case json::kind::double_: {
      double d = v.get_double();
      if (std::floor(d) == d && std::fabs(d) < 9e15) return std::to_string(static_cast<std::int64_t>(d));
      return json::serialize(v);
    }
    case json::kind::bool_: return v.get_bool() ? "true" : "false";
    default: return std::nullopt;
  }
}

namespace {

const json::value* member(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return nullptr;
  return &it->value();
}

const json::value* member(const json::value& obj, std::string_view key) {
  return obj.is_object() ? member(obj.get_object(), key) : nullptr;
}

std::optional<std::string> string_of(const json::value* v) {
  if (!v) return std::nullopt;
  return scalar_to_string(*v);
}

std::optional<std::int64_t> int_of(const json::value* v) {
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double() && std::floor(v->get_double()) == v->get_double()) return static_cast<std::int64_t>(v->get_double());
  if (v->is_string()) {
    std::string_view s = v->get_string();
    std::int64_t out = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && p == s.data() + s.size()) return out;
  }
  return std::nullopt;
}

std::optional<double> double_of(const json::value* v) {
  if (!v) return std::nullopt;
  if (v->is_number()) return v->to_number<double>();
  if (v->is_string()) {
    std::string s(v->get_string());
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size()) return d;
  }
  return std::nullopt;
}

std::optional<bool> bool_of(const json::value* v) {
  if (!v) return std::nullopt;
  if (v->is_bool()) return v->get_bool();
  if (v->is_string()) {
    if (v->get_string() == "true") return true;
    if (v->get_string() == "false") return false;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> get_string(const json::value& obj, std::string_view key) {
  return string_of(member(obj, key));
}
std::optional<std::int64_t> get_int(const json::value& obj, std::string_view key) { return int_of(member(obj, key)); }
std::optional<double> get_double(const json::value& obj, std::string_view key) { return double_of(member(obj, key)); }
std::optional<bool> get_bool(const json::value& obj, std::string_view key) { return bool_of(member(obj, key)); }

std::optional<std::string> get_string(const json::object& obj, std::string_view key) {
  return string_of(member(obj, key));
}
std::optional<std::int64_t> get_int(const json::object& obj, std::string_view key) { return int_of(member(obj, key)); }
std::optional<double> get_double(const json::object& obj, std::string_view key) { return double_of(member(obj, key)); }
std::optional<bool> get_bool(const json::object& obj, std::string_view key) { return bool_of(member(obj, key)); }

void append_json_number(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  if (d == 0.0) d = 0.0;  // no "-0"
  // Most numbers Chorus writes are rounded to four decimals or fewer (scores, shares, confidences): those
  // are written directly, digit for digit what the shortest round-trip form below gives. A decimal of at
  // most four places is the shortest string that reads back as that double, and between 0.001 and 1e5
  // the fixed form is never longer than the exponent form (to_chars prefers fixed on a tie).
  if (const double a = std::fabs(d); a >= 0.001 && a < 1e5) {
    double scaled = std::round(d * 10000.0);
    if (scaled / 10000.0 == d) {
      auto n = static_cast<long long>(std::fabs(scaled));
      if (d < 0) out.push_back('-');
      char whole[24];
      out.append(whole, std::to_chars(whole, whole + sizeof whole, n / 10000).ptr);
      if (long long frac = n % 10000; frac != 0) {
        char digits[5] = {static_cast<char>('0' + frac / 1000), static_cast<char>('0' + frac / 100 % 10),
                          static_cast<char>('0' + frac / 10 % 10), static_cast<char>('0' + frac % 10), 0};
        std::size_t len = 4;
        while (digits[len - 1] == '0') --len;
        out.push_back('.');
        out.append(digits, len);
      }
      return;
    }
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, ec == std::errc() ? end : buf);
}

void append_json_string(std::string& out, std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\') {
      out += json::serialize(json::string_view(s));  // escapes as every other string Chorus writes
      return;
    }
  }
  out.push_back('"');
  out.append(s);
  out.push_back('"');
}

namespace {

void append_value(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, value] : v.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        append_json_string(out, key);
        out.push_back(':');
        append_value(out, value);
      }
      out.push_back('}');
      break;
    }
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& value : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        append_value(out, value);
      }
      out.push_back(']');
      break;
    }
    case json::kind::double_:
      append_json_number(out, v.get_double());
      break;
    case json::kind::string:
      append_json_string(out, v.get_string());
      break;
    default:
      out += json::serialize(v);
      break;
  }
}

}  // namespace

std::string to_json_string(const json::value& v) {
  std::string out;
  append_value(out, v);
  return out;
}

}  // namespace chorus

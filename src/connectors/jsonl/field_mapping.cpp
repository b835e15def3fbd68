// The declared field mapping of generic sources: its validation, and mapping one item through it.
// Values may be JSON of any type or, from CSV, strings; ratings and times are read from either.
#include "connectors/jsonl/field_mapping.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/time.hpp"

namespace chorus::connectors::jsonl {

namespace {

const std::array<FieldSpec, 4> kConfig{{
    {"fields", "object", true, "",
     "Where each record field sits in an item, by dotted path: {\"id\": \"id\", \"text\": \"comment\", "
     "\"timestamp\": \"created_at\", \"author\": \"user.name\", \"rating\": \"score\", \"title\": \"subject\", "
     "\"url\": \"link\", \"email\": \"user.email\", \"user_id\": \"user.id\"}. id and text are required."},
    {"metadata", "object", false, "",
     "Other item fields to keep as filterable metadata, name -> dotted path, e.g. {\"plan\": \"account.plan\"}."},
    {"source_info", "string", false, "",
     "What the records' core_attributes.source_info says (default JsonlItem / CsvRow)."},
    {"format", "string", false, "\"plain\"", "How the text is written: plain, html or markdown.",
     {"plain", "html", "markdown"}},
}};

const std::array<std::string_view, 2> kSchemes{"standard", "token"};

constexpr std::array<std::string_view, 9> kKnownFields{"id",    "text", "timestamp", "author", "rating",
                                                       "title", "url",  "email",     "user_id"};

std::string known_fields() {
  std::string out;
  for (std::string_view f : kKnownFields) out += (out.empty() ? "" : ", ") + std::string(f);
  return out;
}

Error bad(std::string message) { return make_error(ErrorCode::bad_request, std::move(message)); }

// Checks a name -> dotted path object; `group` is "config.fields" or "config.metadata".
Status check_paths(const json::object& paths, const std::string& group) {
  for (const auto& kv : paths) {
    const std::string name = group + "." + std::string(kv.key());
    if (!kv.value().is_string() || kv.value().get_string().empty())
      return bad(name + " must be a dotted path string, e.g. \"user.name\"");
  }
  return {};
}

std::string quoted(const json::value& v) {
  std::string s = json::serialize(v);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

// The configured path of a field, or nullopt when the mapping leaves it out.
std::optional<std::string> path_of(const json::object& fields, std::string_view name) {
  const json::value* v = fields.if_contains(name);
  if (!v || !v->is_string() || v->get_string().empty()) return std::nullopt;
  return std::string(v->get_string());
}

// A string-like optional field: strings as they are, numbers in decimal; empty means absent.
Result<std::optional<std::string>> read_text(const json::value& item, const json::object& fields,
                                             std::string_view name) {
  auto path = path_of(fields, name);
  if (!path) return std::optional<std::string>();
  const json::value* v = value_at(item, *path);
  if (!v) return std::optional<std::string>();
  if (v->is_object() || v->is_array() || v->is_bool())
    return bad("the " + std::string(name) + " at \"" + *path + "\" must be a string (got " + quoted(*v) + ")");
  auto s = scalar_to_string(*v);
  if (!s || s->empty()) return std::optional<std::string>();
  return s;
}

constexpr double kMaxRating = 100;

Result<std::optional<double>> read_rating(const json::value& item, const json::object& fields) {
  auto path = path_of(fields, "rating");
  if (!path) return std::optional<double>();
  const json::value* v = value_at(item, *path);
  if (!v) return std::optional<double>();
  std::optional<double> n;
  if (v->is_number()) {
    n = v->to_number<double>();
  } else if (v->is_string()) {
    std::string_view s = v->get_string();
    const std::size_t from = s.find_first_not_of(" \t");
    if (from == std::string_view::npos) return std::optional<double>();  // an empty CSV cell
    s = s.substr(from, s.find_last_not_of(" \t") + 1 - from);
    double d = 0;  // decimal only: "0x10" is no rating
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d, std::chars_format::general);
    if (ec == std::errc() && end == s.data() + s.size()) n = d;
  }
  if (!n || !std::isfinite(*n)) return bad("the rating at \"" + *path + "\" must be a number (got " + quoted(*v) + ")");
  // Stars (1-5), NPS (0-10) and percentages all fit; anything outside would skew every average and NPS.
  if (*n < 0 || *n > kMaxRating)
    return bad("the rating at \"" + *path + "\" must be a number from 0 to 100 (got " + quoted(*v) + ")");
  return n;
}

Result<std::optional<TimeMs>> read_time(const json::value& item, const json::object& fields) {
  auto path = path_of(fields, "timestamp");
  if (!path) return std::optional<TimeMs>();
  const json::value* v = value_at(item, *path);
  if (!v) return std::optional<TimeMs>();
  std::optional<TimeMs> t;
  if (v->is_string()) {
    if (v->get_string().empty()) return std::optional<TimeMs>();
    t = parse_time(v->get_string());
  } else if (v->is_int64() || v->is_uint64() || (v->is_double() && std::floor(v->get_double()) == v->get_double())) {
    t = parse_time(*scalar_to_string(*v));  // epoch seconds, or milliseconds when longer than 10 digits
  }
  if (!t)
    return bad("the timestamp at \"" + *path + "\" must be an ISO-8601 time or epoch seconds (got " + quoted(*v) + ")");
  return t;
}

}  // namespace

const json::value* value_at(const json::value& item, std::string_view path) {
  const json::value* v = nullptr;
  if (item.is_object()) v = item.get_object().if_contains(path);
  if (!v) v = find_path(item, path);
  if (v && v->is_null()) return nullptr;
  return v;
}

std::span<const FieldSpec> FieldMappedConnector::config_fields() const { return kConfig; }
std::span<const std::string_view> FieldMappedConnector::webhook_schemes() const { return kSchemes; }

Status FieldMappedConnector::check_settings(const json::object& config, const json::object& /*credentials*/) const {
  const json::value* fields = config.if_contains("fields");
  if (!fields || !fields->is_object()) return bad("config.fields must be an object");
  for (const auto& kv : fields->get_object()) {
    if (std::find(kKnownFields.begin(), kKnownFields.end(), kv.key()) == kKnownFields.end())
      return bad("config.fields." + std::string(kv.key()) + " is not a record field; use " + known_fields() +
                 ", and config.metadata for anything else");
  }
  if (auto st = check_paths(fields->get_object(), "config.fields"); !st) return st;
  for (std::string_view required : {"id", "text"}) {
    if (!fields->get_object().contains(required))
      return bad("config.fields." + std::string(required) + " is required: the path of each item's " +
                 (required == "id" ? "unique id" : "text"));
  }
  if (const json::value* metadata = config.if_contains("metadata"); metadata && metadata->is_object()) {
    if (auto st = check_paths(metadata->get_object(), "config.metadata"); !st) return st;
  }
  if (const json::value* format = config.if_contains("format"); format && format->is_string()) {
    std::string_view f = format->get_string();
    if (f != "plain" && f != "html" && f != "markdown") return bad("config.format must be plain, html or markdown");
  }
  return {};
}

Result<MappedItem> FieldMappedConnector::map(const json::value& raw, const SourceSettings& source) const {
  if (!raw.is_object()) return bad("item must be a JSON object (got " + quoted(raw) + ")");
  const json::value* fields_value = source.config.if_contains("fields");
  if (!fields_value || !fields_value->is_object()) return bad("config.fields is not set for this source");
  const json::object& fields = fields_value->get_object();

  MappedItem m;
  const std::string id_path = path_of(fields, "id").value_or("id");
  const json::value* id = value_at(raw, id_path);
  if (!id) return bad("item has no id at \"" + id_path + "\" (config.fields.id)");
  if (!id->is_string() && !id->is_number())
    return bad("the id at \"" + id_path + "\" must be a string or a number (got " + quoted(*id) + ")");
  m.external_id = *scalar_to_string(*id);
  if (m.external_id.empty()) return bad("the id at \"" + id_path + "\" is empty");

  const std::string text_path = path_of(fields, "text").value_or("text");
  const json::value* text = value_at(raw, text_path);
  if (!text) return bad("item " + m.external_id + " has no text at \"" + text_path + "\" (config.fields.text)");
  if (!text->is_string()) return bad("the text at \"" + text_path + "\" must be a string (got " + quoted(*text) + ")");
  m.text = std::string(text->get_string());

  auto rating = read_rating(raw, fields);
  if (!rating) return rating.error();
  m.rating = *rating;
  // A bare score is feedback too; an item with neither words nor a score is not.
  if (m.text.find_first_not_of(" \t\r\n") == std::string::npos && !m.rating)
    return bad("item " + m.external_id + " has an empty text at \"" + text_path + "\" and no rating");
  auto timestamp = read_time(raw, fields);
  if (!timestamp) return timestamp.error();
  m.timestamp = *timestamp;

  struct Target {
    std::string_view name;
    std::optional<std::string>* into;
  };
  for (Target t : {Target{"author", &m.username}, Target{"title", &m.title}, Target{"url", &m.url},
                   Target{"email", &m.email}, Target{"user_id", &m.user_id}}) {
    auto v = read_text(raw, fields, t.name);
    if (!v) return v.error();
    *t.into = std::move(*v);
  }

  if (const json::value* metadata = source.config.if_contains("metadata"); metadata && metadata->is_object()) {
    for (const auto& kv : metadata->get_object()) {
      if (!kv.value().is_string()) continue;
      const json::value* v = value_at(raw, kv.value().get_string());
      if (!v || (v->is_string() && v->get_string().empty())) continue;
      m.extra[kv.key()] = *v;
    }
  }
  auto info = get_string(source.config, "source_info");
  m.source_info = info && !info->empty() ? *info : std::string(default_source_info_);
  auto format = get_string(source.config, "format").value_or("plain");
  m.format = format == "html"       ? MappedItem::Format::html
             : format == "markdown" ? MappedItem::Format::markdown
                                    : MappedItem::Format::plain;
  return m;
}

// A delivery is one item, an array of items, or {"items": [...]} (unless the object is itself an item,
// i.e. has an id where the mapping looks for one).
Result<WebhookItems> FieldMappedConnector::from_webhook(const http::Headers& /*headers*/, const json::value& body,
                                                        const SourceSettings& source) const {
  WebhookItems out;
  const json::array* list = nullptr;
  if (body.is_array()) {
    list = &body.get_array();
  } else if (body.is_object()) {
    const json::value* items = body.get_object().if_contains("items");
    std::string id_path = "id";
    if (const json::value* fields = source.config.if_contains("fields"); fields && fields->is_object())
      id_path = path_of(fields->get_object(), "id").value_or("id");
    if (items && items->is_array() && !value_at(body, id_path)) list = &items->get_array();
  } else {
    return bad("webhook body must be an item (a JSON object), an array of items, or {\"items\": [...]}");
  }
  if (list) {
    for (const json::value& item : *list) out.items.push_back(item);
  } else {
    out.items.push_back(body);
  }
  return out;
}

}  // namespace chorus::connectors::jsonl

// Record identity and the record's JSON shape.
#include "core/record.hpp"

#include <charconv>

namespace chorus {

std::int64_t make_unique_identifier(Id workspace_id, std::string_view source_type, std::string_view external_id) {
  // FNV-1a over "<workspace>\x1f<type>\x1f<external id>": stable across builds, platforms and versions.
  std::uint64_t h = 14695981039346656037ULL;
  auto feed = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
  };
  feed(std::to_string(workspace_id));
  feed("\x1f");
  feed(source_type);
  feed("\x1f");
  feed(external_id);
  return static_cast<std::int64_t>(h);
}

namespace {

json::value opt(const std::optional<std::string>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value opt(const std::optional<double>& v) { return v ? json::value(*v) : json::value(nullptr); }

std::optional<std::int64_t> parse_i64(std::string_view s) {
  std::int64_t out = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return out;
}

const json::object* sub(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_object() ? &it->value().get_object() : nullptr;
}

}  // namespace

json::object record_to_json(const FeedbackRecord& r) {
  json::array themes;
  for (const auto& t : r.themes) themes.emplace_back(t);
  json::array sub_themes;
  for (const auto& [theme, phrase] : r.sub_themes) sub_themes.emplace_back(json::object{{"theme", theme}, {"phrase", phrase}});
  json::object metadata{{"external_id", r.external_id}, {"url", opt(r.url)}, {"raw_ref", r.raw_ref}};
  for (const auto& kv : r.extra) metadata[kv.key()] = kv.value();
  return json::object{
      {"unique_identifier", std::to_string(r.unique_identifier)},
      {"workspace_id", std::to_string(r.workspace_id)},
      {"source_id", std::to_string(r.source_id)},
      {"source_type", r.source_type},
      {"core_attributes",
       json::object{{"language", r.language},
                    {"language_code", r.language_code},
                    {"tenant_info", std::to_string(r.customer_id)},
                    {"source_info", r.source_info}}},
      {"review_attributes", json::object{{"rating", opt(r.rating)}, {"title", opt(r.title)}}},
      {"conversation_attributes",
       json::object{{"text", r.text},
                    {"sentiment_type", r.sentiment_type},
                    {"sentiment_score", r.sentiment_score},
                    {"sentiment_compound", r.sentiment_compound},
                    {"category", r.category},
                    {"category_confidence", r.category_confidence},
                    {"sentiment_confidence", r.sentiment_confidence},
                    {"evidence", r.evidence},
                    {"themes", std::move(themes)},
                    {"sub_themes", std::move(sub_themes)},
                    {"duplicate_of", r.duplicate_of ? json::value(std::to_string(*r.duplicate_of))
                                                    : json::value(nullptr)}}},
      {"metadata_attributes", std::move(metadata)},
      {"user_attributes",
       json::object{{"email", opt(r.email)},
                    {"feedback_platform_user_id", opt(r.platform_user_id)},
                    {"username", opt(r.username)}}},
      {"context_info",
       json::object{{"timestamp", format_time(r.timestamp)},
                    {"received_at", format_time(r.received_at)},
                    {"nlp_version", r.nlp_version},
                    {"taxonomy_version", r.taxonomy_version},
                    {"revision", r.revision}}},
  };
}

namespace {

// Appends `"key":` and the value, with a comma before every key but an object's first.
struct JsonWriter {
  std::string& out;
  bool first = true;

  void key(std::string_view k) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, k);
    out.push_back(':');
  }
  void string(std::string_view k, std::string_view v) {
    key(k);
    append_json_string(out, v);
  }
  void maybe(std::string_view k, const std::optional<std::string>& v) {
    key(k);
    if (v) {
      append_json_string(out, *v);
    } else {
      out += "null";
    }
  }
  void number(std::string_view k, double v) {
    key(k);
    append_json_number(out, v);
  }
  void integer(std::string_view k, std::int64_t v) {
    key(k);
    out += std::to_string(v);
  }
  void value(std::string_view k, const json::value& v) {
    key(k);
    out += json::serialize(v);
  }
  // Opens a nested object under k; the caller closes it with '}'.
  JsonWriter object(std::string_view k) {
    key(k);
    out.push_back('{');
    return JsonWriter{out};
  }
};

}  // namespace

std::string record_json(const FeedbackRecord& r) {
  std::string out;
  out.reserve(768 + r.text.size() + (r.title ? r.title->size() : 0));
  out.push_back('{');
  JsonWriter w{out};
  w.string("unique_identifier", std::to_string(r.unique_identifier));
  w.string("workspace_id", std::to_string(r.workspace_id));
  w.string("source_id", std::to_string(r.source_id));
  w.string("source_type", r.source_type);
  {
    JsonWriter c = w.object("core_attributes");
    c.string("language", r.language);
    c.string("language_code", r.language_code);
    c.string("tenant_info", std::to_string(r.customer_id));
    c.string("source_info", r.source_info);
    out.push_back('}');
  }
  {
    JsonWriter c = w.object("review_attributes");
    c.key("rating");
    if (r.rating) {
      append_json_number(out, *r.rating);
    } else {
      out += "null";
    }
    c.maybe("title", r.title);
    out.push_back('}');
  }
  {
    JsonWriter c = w.object("conversation_attributes");
    c.string("text", r.text);
    c.string("sentiment_type", r.sentiment_type);
    c.integer("sentiment_score", r.sentiment_score);
    c.number("sentiment_compound", r.sentiment_compound);
    c.string("category", r.category);
    c.number("category_confidence", r.category_confidence);
    c.number("sentiment_confidence", r.sentiment_confidence);
    c.value("evidence", r.evidence);
    c.key("themes");
    out.push_back('[');
    for (std::size_t i = 0; i < r.themes.size(); ++i) {
      if (i) out.push_back(',');
      append_json_string(out, r.themes[i]);
    }
    out.push_back(']');
    c.key("sub_themes");
    out.push_back('[');
    for (std::size_t i = 0; i < r.sub_themes.size(); ++i) {
      if (i) out.push_back(',');
      out.push_back('{');
      JsonWriter s{out};
      s.string("theme", r.sub_themes[i].first);
      s.string("phrase", r.sub_themes[i].second);
      out.push_back('}');
    }
    out.push_back(']');
    c.key("duplicate_of");
    if (r.duplicate_of) {
      append_json_string(out, std::to_string(*r.duplicate_of));
    } else {
      out += "null";
    }
    out.push_back('}');
  }
  {
    // The source's own fields come after the three of every record, and replace them where they share a name.
    JsonWriter c = w.object("metadata_attributes");
    auto own = [&](std::string_view k) { return r.extra.if_contains(k); };
    if (const auto* v = own("external_id")) c.value("external_id", *v); else c.string("external_id", r.external_id);
    if (const auto* v = own("url")) c.value("url", *v); else c.maybe("url", r.url);
    if (const auto* v = own("raw_ref")) c.value("raw_ref", *v); else c.string("raw_ref", r.raw_ref);
    for (const auto& kv : r.extra) {
      if (kv.key() == "external_id" || kv.key() == "url" || kv.key() == "raw_ref") continue;
      c.value(kv.key(), kv.value());
    }
    out.push_back('}');
  }
  {
    JsonWriter c = w.object("user_attributes");
    c.maybe("email", r.email);
    c.maybe("feedback_platform_user_id", r.platform_user_id);
    c.maybe("username", r.username);
    out.push_back('}');
  }
  {
    JsonWriter c = w.object("context_info");
    c.string("timestamp", format_time(r.timestamp));
    c.string("received_at", format_time(r.received_at));
    c.string("nlp_version", r.nlp_version);
    c.integer("taxonomy_version", r.taxonomy_version);
    c.integer("revision", r.revision);
    out.push_back('}');
  }
  out.push_back('}');
  return out;
}

Result<FeedbackRecord> record_counts_from_json(const json::value& v) {
  if (!v.is_object()) return make_error(ErrorCode::bad_request, "record is not a JSON object");
  const auto& o = v.get_object();
  FeedbackRecord r;
  auto id_of = [&](std::string_view key) -> std::optional<std::int64_t> {
    auto s = get_string(o, key);
    return s ? parse_i64(*s) : std::nullopt;
  };
  auto uid = id_of("unique_identifier");
  if (!uid) return make_error(ErrorCode::bad_request, "record has no unique_identifier");
  r.unique_identifier = *uid;
  r.workspace_id = id_of("workspace_id").value_or(0);
  r.source_id = id_of("source_id").value_or(0);
  if (const auto* c = sub(o, "core_attributes")) r.language_code = get_string(*c, "language_code").value_or("un");
  if (const auto* c = sub(o, "review_attributes")) r.rating = get_double(*c, "rating");
  if (const auto* c = sub(o, "conversation_attributes")) {
    const json::object& cv = *c;
    r.sentiment_type = get_string(cv, "sentiment_type").value_or("neutral");
    r.sentiment_compound = get_double(cv, "sentiment_compound").value_or(0.0);
    r.category = get_string(cv, "category").value_or("other");
    if (auto it = c->find("themes"); it != c->end() && it->value().is_array())
      for (const auto& t : it->value().get_array())
        if (t.is_string()) r.themes.emplace_back(t.get_string());
  }
  if (const auto* c = sub(o, "context_info")) {
    const json::object& cv = *c;
    if (auto t = get_string(cv, "timestamp")) r.timestamp = parse_time(*t).value_or(0);
    if (auto t = get_string(cv, "received_at")) r.received_at = parse_time(*t).value_or(0);
    r.revision = get_int(cv, "revision").value_or(0);
  }
  return r;
}

Result<FeedbackRecord> record_from_json(const json::value& v) {
  auto counted = record_counts_from_json(v);
  if (!counted) return counted;
  FeedbackRecord& r = *counted;
  const auto& o = v.get_object();
  r.source_type = get_string(o, "source_type").value_or("");
  if (const auto* c = sub(o, "core_attributes")) {
    const json::object& cv = *c;
    r.language = get_string(cv, "language").value_or("Unknown");
    r.customer_id = get_int(cv, "tenant_info").value_or(0);
    r.source_info = get_string(cv, "source_info").value_or("");
  }
  if (const auto* c = sub(o, "review_attributes")) r.title = get_string(*c, "title");
  if (const auto* c = sub(o, "conversation_attributes")) {
    const json::object& cv = *c;
    r.text = get_string(cv, "text").value_or("");
    r.sentiment_score = static_cast<int>(get_int(cv, "sentiment_score").value_or(0));
    r.category_confidence = get_double(cv, "category_confidence").value_or(0.0);
    r.sentiment_confidence = get_double(cv, "sentiment_confidence").value_or(0.0);
    if (auto it = c->find("evidence"); it != c->end() && it->value().is_object()) r.evidence = it->value().get_object();
    if (auto it = c->find("sub_themes"); it != c->end() && it->value().is_array()) {
      for (const auto& t : it->value().get_array()) {
        if (!t.is_object()) continue;
        auto theme = get_string(t, "theme");
        auto phrase = get_string(t, "phrase");
        if (theme && phrase) r.sub_themes.emplace_back(*theme, *phrase);
      }
    }
    if (auto d = get_string(cv, "duplicate_of")) r.duplicate_of = parse_i64(*d);
  }
  if (const auto* c = sub(o, "metadata_attributes")) {
    const json::object& cv = *c;
    r.external_id = get_string(cv, "external_id").value_or("");
    r.url = get_string(cv, "url");
    r.raw_ref = get_string(cv, "raw_ref").value_or("");
    for (const auto& kv : *c)
      if (kv.key() != "external_id" && kv.key() != "url" && kv.key() != "raw_ref") r.extra[kv.key()] = kv.value();
  }
  if (const auto* c = sub(o, "user_attributes")) {
    const json::object& cv = *c;
    r.email = get_string(cv, "email");
    r.platform_user_id = get_string(cv, "feedback_platform_user_id");
    r.username = get_string(cv, "username");
  }
  if (const auto* c = sub(o, "context_info")) {
    const json::object& cv = *c;
    r.nlp_version = get_string(cv, "nlp_version").value_or("");
    r.taxonomy_version = get_int(cv, "taxonomy_version").value_or(0);
  }
  return counted;
}

}  // namespace chorus

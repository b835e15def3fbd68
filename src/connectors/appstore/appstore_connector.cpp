// The App Store connector's declared settings and the mapping of feed entries.
#include "connectors/appstore/appstore_connector.hpp"

#include <array>

#include "connectors/common_fields.hpp"
#include "core/text_escape.hpp"

namespace chorus::connectors::appstore {

namespace {

const std::array<FieldSpec, 6> kConfig{{
    {"app_id", "string", true, "",
     "The app's numeric App Store id, e.g. 1404176564 from apps.apple.com/us/app/.../id1404176564."},
    {"country", "string", false, "\"us\"",
     "The storefront's two-letter country code (us, gb, de, ...); each country has its own reviews. Upper case "
     "is taken as lower case.",
     storefront_countries(), {"us", "gb", "de", "jp"}},
    since_field(),
    base_url_field(kPublicApi, "a proxy"),
    max_pages_field(kFeedPageLimit, "about 50 reviews; the feed stops at 10"),
    concurrency_field(4),
}};

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<std::string> label_of(const json::value& entry, std::string_view key) {
  const json::value* v = entry.is_object() ? entry.get_object().if_contains(key) : nullptr;
  if (!v || !v->is_object()) return std::nullopt;
  auto s = get_string(*v, "label");
  if (s && s->empty()) return std::nullopt;
  return s;
}

std::string_view AppStoreConnector::description() const {
  return "Customer reviews of an iOS app from the App Store's public reviews feed, per country (the most "
         "recent 500 or so).";
}

std::span<const FieldSpec> AppStoreConnector::config_fields() const { return kConfig; }

Status AppStoreConnector::check_settings(const json::object& config, const json::object& /*credentials*/) const {
  if (auto it = config.find("app_id"); it != config.end() && it->value().is_string()) {
    std::string_view id = it->value().get_string();
    if (id.starts_with("id")) id.remove_prefix(2);
    if (!all_digits(id))
      return make_error(ErrorCode::bad_request, "config.app_id must be the app's numeric id, e.g. 1404176564");
  }
  return check_common_fields(config);
}

Result<MappedItem> AppStoreConnector::map(const json::value& raw, const SourceSettings& source) const {
  if (!raw.is_object()) return make_error(ErrorCode::bad_request, "appstore item must be a JSON object (a feed entry)");
  auto id = label_of(raw, "id");
  if (!id) return make_error(ErrorCode::bad_request, "appstore entry has no id.label");
  auto rating = label_of(raw, "im:rating");
  if (!rating) return make_error(ErrorCode::bad_request, "appstore entry " + *id + " has no im:rating (not a review)");

  MappedItem m;
  m.external_id = *id;
  m.source_info = "AppStoreReview";
  m.rating = std::atof(rating->c_str());
  m.title = label_of(raw, "title");
  m.text = label_of(raw, "content").value_or("");
  auto type = find_path(raw, "content.attributes.type");
  m.format =
      type && type->is_string() && type->get_string() == "html" ? MappedItem::Format::html : MappedItem::Format::plain;
  // A review's title is part of what it says ("Sync broke after update"), so it is read with the text.
  if (m.title && !m.text.starts_with(*m.title)) {
    std::string lead =
        m.format == MappedItem::Format::html ? "<p>" + escape_markup_text(*m.title) + "</p>" : *m.title + "\n\n";
    m.text = m.text.empty() ? *m.title : lead + m.text;
  }
  if (const json::value* author = find_path(raw, "author"); author && author->is_object()) {
    m.username = label_of(*author, "name");
    // "https://itunes.apple.com/us/reviews/id781200117" -> "781200117"
    if (auto uri = label_of(*author, "uri"); uri && uri->rfind("/id") != std::string::npos) {
      std::string uid = uri->substr(uri->rfind("/id") + 3);
      if (all_digits(uid)) m.user_id = uid;
    }
  }
  if (auto updated = label_of(raw, "updated")) m.timestamp = parse_time(*updated);

  std::string country = setting_string(source, "country", "us");
  std::string app = setting_string(source, "app_id");
  if (app.starts_with("id")) app.erase(0, 2);
  if (const json::value* href = find_path(raw, "link.attributes.href"); href && href->is_string())
    m.url = std::string(href->get_string());
  else if (!app.empty())
    m.url = "https://apps.apple.com/" + country + "/app/id" + app;

  if (auto version = label_of(raw, "im:version")) m.extra["app_version"] = *version;
  if (auto votes = label_of(raw, "im:voteCount")) m.extra["vote_count"] = std::atoll(votes->c_str());
  if (auto sum = label_of(raw, "im:voteSum")) m.extra["vote_sum"] = std::atoll(sum->c_str());
  m.extra["country"] = country;
  if (!app.empty()) m.extra["app_id"] = app;
  return m;
}

const Connector& connector() {
  static const AppStoreConnector instance;
  return instance;
}

}  // namespace chorus::connectors::appstore

// The Google Play connector's declared settings and the mapping of reviews.
#include "connectors/googleplay/googleplay_connector.hpp"

#include <array>

#include "connectors/common_fields.hpp"

namespace chorus::connectors::googleplay {

namespace {

const std::array<FieldSpec, 6> kConfig{{
    {"package_name", "string", true, "", "The app's package name, e.g. com.tallybook.app."},
    {"translation_language", "string", false, "",
     "Have Google translate review texts into this language (e.g. en); the original stays in the metadata."},
    since_field(),
    base_url_field(kPublicApi, "a proxy"),
    {"max_results", "integer", false, "100", "Reviews asked for per page (1 to 100)."},
    max_pages_field(20, "max_results reviews"),
}};

const std::array<FieldSpec, 1> kCredentials{{
    {"access_token", "string", true, "",
     "An OAuth 2.0 access token with the https://www.googleapis.com/auth/androidpublisher scope (a service "
     "account linked in Play Console), sent as Authorization: Bearer."},
}};

bool valid_package(std::string_view s) {
  if (s.empty() || s.find('.') == std::string_view::npos || s.front() == '.' || s.back() == '.') return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string trimmed(std::string s) {
  std::size_t start = s.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return "";
  std::size_t end = s.find_last_not_of(" \t\r\n");
  return s.substr(start, end - start + 1);
}

}  // namespace

const json::value* user_comment(const json::value& review) {
  const json::value* comments = find_path(review, "comments");
  if (!comments || !comments->is_array()) return nullptr;
  for (const json::value& c : comments->get_array())
    if (const json::value* u = find_path(c, "userComment"); u && u->is_object()) return u;
  return nullptr;
}

std::optional<TimeMs> last_modified(const json::value& comment) {
  const json::value* lm = find_path(comment, "lastModified");
  if (!lm) return std::nullopt;
  auto seconds = get_string(*lm, "seconds");  // a decimal string: int64 in Google's JSON mapping
  if (!seconds) return std::nullopt;
  auto s = parse_json(*seconds);
  if (!s || !s->is_number()) return std::nullopt;
  return s->to_number<std::int64_t>() * 1000 + get_int(*lm, "nanos").value_or(0) / 1'000'000;
}

std::string_view GooglePlayConnector::description() const {
  return "Google Play reviews of an Android app through the Play Developer API (reviews with text from about "
         "the last week), newest first with token pagination.";
}

std::span<const FieldSpec> GooglePlayConnector::config_fields() const { return kConfig; }
std::span<const FieldSpec> GooglePlayConnector::credential_fields() const { return kCredentials; }

Status GooglePlayConnector::check_settings(const json::object& config, const json::object& /*credentials*/) const {
  if (auto it = config.find("package_name");
      it != config.end() && it->value().is_string() && !valid_package(it->value().get_string()))
    return make_error(ErrorCode::bad_request, "config.package_name must be a package name such as com.tallybook.app");
  if (auto it = config.find("max_results"); it != config.end() && it->value().is_number()) {
    double n = it->value().to_number<double>();
    if (n < 1 || n > 100) return make_error(ErrorCode::bad_request, "config.max_results must be between 1 and 100");
  }
  return check_common_fields(config);
}

Result<MappedItem> GooglePlayConnector::map(const json::value& raw, const SourceSettings& source) const {
  if (!raw.is_object()) return make_error(ErrorCode::bad_request, "googleplay item must be a JSON object (a review)");
  auto id = get_string(raw, "reviewId");
  if (!id || id->empty()) return make_error(ErrorCode::bad_request, "googleplay review has no reviewId");
  const json::value* comment = user_comment(raw);
  if (!comment) return make_error(ErrorCode::bad_request, "googleplay review " + *id + " has no userComment");

  MappedItem m;
  m.external_id = *id;
  m.source_info = "GooglePlayReview";
  // Texts often begin with a tab where the Play Store separates an (empty) title.
  m.text = trimmed(get_string(*comment, "text").value_or(""));
  m.format = MappedItem::Format::plain;
  if (auto stars = get_double(*comment, "starRating")) m.rating = *stars;
  if (auto author = get_string(raw, "authorName"); author && !author->empty()) m.username = author;
  m.timestamp = last_modified(*comment);
  std::string package = setting_string(source, "package_name");
  if (!package.empty())
    m.url = "https://play.google.com/store/apps/details?id=" + package + "&reviewId=" + http::percent_encode(*id);

  const json::object& c = comment->get_object();
  auto copy = [&](std::string_view key, std::string_view as) {
    if (const json::value* v = c.if_contains(key); v && !v->is_null()) m.extra[as] = *v;
  };
  copy("appVersionName", "app_version");
  copy("appVersionCode", "app_version_code");
  copy("androidOsVersion", "android_os_version");
  copy("device", "device");
  copy("reviewerLanguage", "language");
  copy("thumbsUpCount", "thumbs_up");
  copy("thumbsDownCount", "thumbs_down");
  copy("originalText", "original_text");
  if (const json::value* maker = find_path(*comment, "deviceMetadata.manufacturer"); maker && maker->is_string())
    m.extra["manufacturer"] = *maker;
  bool replied = false;
  for (const json::value& entry : find_path(raw, "comments")->get_array())
    replied = replied || find_path(entry, "developerComment") != nullptr;
  m.extra["developer_replied"] = replied;
  if (!package.empty()) m.extra["package_name"] = package;
  return m;
}

const Connector& connector() {
  static const GooglePlayConnector instance;
  return instance;
}

}  // namespace chorus::connectors::googleplay

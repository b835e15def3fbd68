// A fake App Store customer-reviews feed on loopback:
// /{cc}/rss/customerreviews/page={n}/id={app}/sortby=mostrecent/json in the feed's JSON shape (labels
// everywhere, feed.link with first/last/previous/next, a single entry written as an object, no entry past
// the last review), pages 1 to 10 only.
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>

#include "support/fake_http_service.hpp"
#include "support/page_faults.hpp"

namespace chorus::testing {

class FakeAppStore {
 public:
  static constexpr const char* kApp = "1404176564";

  explicit FakeAppStore(const std::filesystem::path& fixtures) {
    json::value reviews = read_fixture(fixtures / "reviews.json");
    for (const auto& r : reviews.as_array()) add_locked(r.as_object());
    service_.route("GET", "/{cc}/rss/customerreviews/{page}/{app}/sortby=mostrecent/json",
                   [this](http::Request& r) { return feed(r); });
    service_.start();
  }

  std::string base_url() const { return service_.base_url(); }
  FakeHttpService& service() { return service_; }
  const FakeHttpService& service() const { return service_; }
  void set_page_size(std::size_t n) { page_size_ = n; }
  // Old feeds put the app itself first on page 1, as an entry without a rating.
  void lead_with_app_entry(bool on) { app_entry_ = on; }
  void add_review(json::object review) {
    std::lock_guard lock(service_.mutex());
    add_locked(std::move(review));
  }
  static std::string path(int page, const std::string& cc = "us", const std::string& app = kApp) {
    return "/" + cc + "/rss/customerreviews/page=" + std::to_string(page) + "/id=" + app + "/sortby=mostrecent/json";
  }

 private:
  void add_locked(json::object r) {
    reviews_[std::atoll(std::string(r.at("id").at("label").as_string()).c_str())] = std::move(r);
  }

  static json::object label(std::string text) { return json::object{{"label", std::move(text)}}; }

  json::object link(const std::string& rel, const std::string& cc, const std::string& app, int page) const {
    // Like the real feed, the paging links point at the XML form, with the JSON path tucked in urlDesc.
    std::string href = "https://itunes.apple.com/" + cc + "/rss/customerreviews/page=" + std::to_string(page) +
                       "/id=" + app + "/sortby=mostrecent/xml?urlDesc=/customerreviews/id=" + app +
                       "/sortBy=mostRecent/json";
    return json::object{{"attributes", json::object{{"rel", rel}, {"href", href}}}};
  }

  http::Response feed(http::Request& req) {
    std::string cc = req.params.at("cc");
    std::string page_param = req.params.at("page");
    std::string app_param = req.params.at("app");
    if (!page_param.starts_with("page=") || !app_param.starts_with("id="))
      return json_reply(404, json::object{{"errorMessage", "Not Found"}});
    int page = std::atoi(page_param.substr(5).c_str());
    std::string app = app_param.substr(3);
    if (page < 1 || page > 10) {
      http::Response res;
      res.status = 400;
      res.content_type = "text/plain";
      res.body = "CustomerReviews RSS page depth is limited to 10";
      return res;
    }

    std::vector<const json::object*> sorted;
    if (app == kApp && cc == "us")
      for (auto it = reviews_.rbegin(); it != reviews_.rend(); ++it) sorted.push_back(&it->second);  // newest first
    int last = std::clamp(static_cast<int>((sorted.size() + page_size_ - 1) / page_size_), 1, 10);
    json::array entries;
    if (app_entry_ && page == 1 && !sorted.empty())
      entries.push_back(json::object{{"im:name", label("Tallybook - Budget Planner")},
                                     {"id", json::object{{"label", "https://apps.apple.com/us/app/tallybook/id" + app},
                                                         {"attributes", json::object{{"im:id", app}}}}},
                                     {"im:artist", label("Tallybook Labs")}});
    for (std::size_t i = (page - 1) * page_size_; i < sorted.size() && i < page * page_size_; ++i)
      entries.push_back(*sorted[i]);

    json::object f{
        {"author",
         json::object{{"name", label("iTunes Store")}, {"uri", label("http://www.apple.com/" + cc + "/itunes/")}}},
        {"updated", label("2026-02-20T02:11:09-07:00")},
        {"rights", label("Copyright 2008 Apple Inc.")},
        {"title", label("iTunes Store: Customer Reviews")},
        {"icon", label("http://itunes.apple.com/favicon.ico")},
        {"link",
         json::array{
             json::object{{"attributes",
                           json::object{{"rel", "alternate"},
                                        {"type", "text/html"},
                                        {"href", "https://apps.apple.com/WebObjects/MZStore.woa/wa/viewGrouping?cc=" +
                                                     cc + "&id=" + app}}}},
             link("self", cc, app, page), link("first", cc, app, 1), link("last", cc, app, last),
             link("previous", cc, app, std::max(1, page - 1)), link("next", cc, app, std::min(last, page + 1))}},
        {"id", label("https://itunes.apple.com/" + cc + "/rss/customerreviews/page=" + std::to_string(page) +
                     "/id=" + app + "/sortby=mostrecent/json")}};
    if (entries.size() == 1)
      f["entry"] = entries[0];  // one entry is written as an object
    else if (!entries.empty())
      f["entry"] = std::move(entries);
    return json_reply(200, json::object{{"feed", std::move(f)}});
  }

  std::map<std::int64_t, json::object> reviews_;
  std::size_t page_size_ = 50;
  bool app_entry_ = false;
  FakeHttpService service_;
};

}  // namespace chorus::testing

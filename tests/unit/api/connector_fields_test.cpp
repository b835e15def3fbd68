// Enum config fields through the API: GET /v1/connectors lists the App Store's storefronts, and creating or
// changing a source holds its country to them (upper case taken as lower case, anything else a clear 400).
#include <gtest/gtest.h>

#include <algorithm>

#include "unit/api/wired_api.hpp"

namespace chorus::api {
namespace {

class ConnectorFields : public TwoTenantApi {
 protected:
  void wire(http::Router& router, AppContext& ctx) override {
    add_system_routes(router, ctx);
    add_api_routes(router, ctx);
  }
  std::string sources() { return "/v1/workspaces/" + ws_ + "/sources"; }
  Reply create(const std::string& country) {
    json::object config{{"app_id", "1404176564"}};
    if (!country.empty()) config["country"] = country;
    return call("POST", sources(),
                json::serialize(json::object{{"type", "appstore"}, {"name", "iOS reviews"}, {"config", config}}));
  }
  static std::string country_of(const Reply& r) {
    const json::value* c = find_path(r.body, "config.country");
    return c && c->is_string() ? std::string(c->as_string()) : "";
  }
};

TEST_F(ConnectorFields, TheAppStoreCountryIsListedWithEveryStorefront) {
  Reply r = call("GET", "/v1/connectors", "", "");
  ASSERT_EQ(r.status, 200) << r.raw;
  const json::object* country = nullptr;
  for (const auto& c : r.body.at("items").as_array()) {
    if (c.at("type") != "appstore") continue;
    for (const auto& f : c.at("config").as_array())
      if (f.at("name") == "country") country = &f.as_object();
  }
  ASSERT_NE(country, nullptr) << r.raw;
  EXPECT_EQ(country->at("default"), json::value("us"));
  EXPECT_EQ(country->at("type"), json::value("string"));
  EXPECT_EQ(country->at("required"), json::value(false));
  const json::array& codes = country->at("enum").as_array();
  EXPECT_EQ(codes.size(), 175u);
  for (const char* code : {"us", "gb", "fr", "jp", "kr", "au", "ca"})
    EXPECT_NE(std::find(codes.begin(), codes.end(), json::value(code)), codes.end()) << code;
  EXPECT_EQ(std::find(codes.begin(), codes.end(), json::value("uk")), codes.end());  // the UK storefront is gb
}

TEST_F(ConnectorFields, ACountryOutsideTheStorefrontsIsRefusedNamingTheFieldAndSomeValues) {
  Reply r = create("uk");
  ASSERT_EQ(r.status, 400) << r.raw;
  EXPECT_EQ(find_path(r.body, "error.code")->as_string(), "bad_request");
  EXPECT_EQ(message(r),
            "config.country must be one of the 175 values GET /v1/connectors lists for it, such as us, gb, de or jp");
  Reply listed = call("GET", sources());
  ASSERT_EQ(listed.status, 200) << listed.raw;
  EXPECT_TRUE(listed.body.at("items").as_array().empty());  // nothing was created
}

TEST_F(ConnectorFields, UpperCaseIsTakenAsTheStorefrontsCodeOnCreateAndChange) {
  Reply gb = create("GB");
  ASSERT_EQ(gb.status, 201) << gb.raw;
  EXPECT_EQ(country_of(gb), "gb");
  std::string src = sources() + "/" + std::string(gb.body.at("id").as_string());
  EXPECT_EQ(country_of(call("GET", src)), "gb");

  Reply defaulted = create("");
  ASSERT_EQ(defaulted.status, 201) << defaulted.raw;
  EXPECT_EQ(country_of(defaulted), "us");

  Reply to_de = call("PATCH", src, R"({"config":{"app_id":"1404176564","country":"De"}})");
  ASSERT_EQ(to_de.status, 200) << to_de.raw;
  EXPECT_EQ(country_of(to_de), "de");

  Reply refused = call("PATCH", src, R"({"config":{"app_id":"1404176564","country":"Germany"}})");
  ASSERT_EQ(refused.status, 400) << refused.raw;
  EXPECT_NE(message(refused).find("config.country must be one of the 175 values"), std::string::npos)
      << refused.raw;
  EXPECT_EQ(country_of(call("GET", src)), "de");  // a refused change changes nothing
}

}  // namespace
}  // namespace chorus::api

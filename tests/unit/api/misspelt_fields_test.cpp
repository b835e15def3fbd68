// A field the API does not know is refused with its name, never silently ignored: a key asked to expire with
// "expire_at" would otherwise never expire, a rotation asked for no grace with "grace_second" would keep the old
// secret valid for a day, and a workspace created with a setting the create route dropped would go unmasked.
// Settings given when a workspace is created hold from the start.
#include <gtest/gtest.h>

#include "unit/api/wired_api.hpp"

namespace chorus::api {
namespace {

std::string message_of(const Reply& r) {
  const json::value* m = find_path(r.body, "error.message");
  return m && m->is_string() ? std::string(m->as_string()) : "";
}

class MisspeltFields : public TwoTenantApi {
 protected:
  void expect_refused(const Reply& r, const std::string& field, const std::string& takes) {
    EXPECT_EQ(r.status, 400) << r.raw;
    EXPECT_NE(message_of(r).find("unknown field '" + field + "'"), std::string::npos) << r.raw;
    EXPECT_NE(message_of(r).find(takes), std::string::npos) << r.raw;
  }
  std::size_t count(const std::string& path) {
    auto r = call("GET", path);
    const json::value* items = find_path(r.body, "items");
    return items && items->is_array() ? items->as_array().size() : 0;
  }
};

TEST_F(MisspeltFields, KeysAndRotationsRefuseWhatTheyDoNotTake) {
  const std::size_t keys = count("/v1/keys");
  expect_refused(call("POST", "/v1/keys",
                      R"({"name":"ci","role":"viewer","workspaces":"all","expire_at":"2030-01-01T00:00:00Z"})"),
                 "expire_at", "a key takes name, role, workspaces, expires_at");
  EXPECT_EQ(count("/v1/keys"), keys) << "no key is made";
  auto made = call("POST", "/v1/keys",
                   R"({"name":"ci","role":"viewer","workspaces":"all","expires_at":"2030-01-01T00:00:00Z"})");
  ASSERT_EQ(made.status, 201) << made.raw;
  const json::value* id = find_path(made.body, "id");
  ASSERT_TRUE(id && id->is_string()) << made.raw;
  const std::string path = "/v1/keys/" + std::string(id->as_string()) + "/rotate";
  expect_refused(call("POST", path, R"({"grace_second":0})"), "grace_second", "a rotation takes grace_seconds");
  EXPECT_EQ(call("POST", path, R"({"grace_seconds":0})").status, 200);
}

TEST_F(MisspeltFields, SourcesAndThemesRefuseWhatTheyDoNotTake) {
  const std::string sources = "/v1/workspaces/" + ws_ + "/sources";
  expect_refused(call("POST", sources, R"({"type":"jsonl","config":{"fields":{"id":"id","text":"t"}},"shedule":{}})"),
                 "shedule", "a source takes type, name, config, credentials, schedule, webhook");
  EXPECT_EQ(count(sources), 0u);
  expect_refused(call("POST", "/v1/workspaces/" + ws_ + "/themes",
                      R"({"name":"invoices","rules":{"any":["invoice"]},"hidden":"yes"})"),
                 "hidden", "a theme takes name, parent, rules");
}

TEST_F(MisspeltFields, AWorkspaceTakesItsSettingsWhenItIsCreated) {
  const std::size_t before = count("/v1/workspaces");
  expect_refused(call("POST", "/v1/workspaces", R"({"name":"gov","retention_day":365})"), "retention_day",
                 "a workspace takes name, sources, retention_days");
  auto spaces = call("POST", "/v1/workspaces", R"({"name":"   "})");
  EXPECT_EQ(spaces.status, 400) << spaces.raw;
  auto bad_source = call("POST", "/v1/workspaces", R"({"name":"gov","sources":[{"type":"jsonl","bogus":1}]})");
  EXPECT_EQ(bad_source.status, 400) << bad_source.raw;
  EXPECT_NE(message_of(bad_source).find("sources[0].unknown field 'bogus'"), std::string::npos) << bad_source.raw;
  EXPECT_EQ(count("/v1/workspaces"), before) << "nothing is made";

  auto made = call("POST", "/v1/workspaces",
                   R"({"name":"gov","retention_days":365,"redact":["email"],"keep_raw":false,)"
                   R"("sources":[{"type":"jsonl","name":"survey","config":{"fields":{"id":"id","text":"t"}}}]})");
  ASSERT_EQ(made.status, 201) << made.raw;
  const json::value* id = find_path(made.body, "id");
  ASSERT_TRUE(id && id->is_string()) << made.raw;
  auto read = call("GET", "/v1/workspaces/" + std::string(id->as_string()));
  ASSERT_EQ(read.status, 200) << read.raw;
  EXPECT_EQ(find_path(read.body, "retention_days")->as_int64(), 365) << read.raw;
  EXPECT_EQ(json::serialize(*find_path(read.body, "redact")), R"(["email"])") << read.raw;
  EXPECT_FALSE(find_path(read.body, "keep_raw")->as_bool()) << read.raw;
  EXPECT_EQ(find_path(read.body, "sources")->as_array().size(), 1u) << read.raw;
}

}  // namespace
}  // namespace chorus::api

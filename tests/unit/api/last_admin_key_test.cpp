// A customer's last admin key over all workspaces cannot be revoked: the operator's key only creates customers,
// so without it nobody could make keys or workspaces for the customer again. With another admin key, it can.
#include <gtest/gtest.h>

#include "unit/api/wired_api.hpp"

namespace chorus::api {
namespace {

std::string text_at(const json::value& body, std::string_view path) {
  const json::value* v = find_path(body, path);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

class LastAdminKey : public TwoTenantApi {};

TEST_F(LastAdminKey, IsKeptUntilAnotherAdminKeyExists) {
  const std::string self = text_at(call("GET", "/v1/keys/self").body, "id");
  ASSERT_FALSE(self.empty());
  auto refused = call("DELETE", "/v1/keys/" + self);
  EXPECT_EQ(refused.status, 409) << refused.raw;
  EXPECT_NE(text_at(refused.body, "error.message").find("last admin key over all workspaces"), std::string::npos)
      << refused.raw;
  EXPECT_EQ(call("GET", "/v1/keys").status, 200) << "the key still works";

  // Keys that could not stand in for it do not count: an admin key over one workspace, or an editor.
  ASSERT_EQ(call("POST", "/v1/keys", R"({"name":"one ws","role":"admin","workspaces":[")" + ws_ + R"("]})").status,
            201);
  ASSERT_EQ(call("POST", "/v1/keys", R"({"name":"editor","role":"editor","workspaces":"all"})").status, 201);
  EXPECT_EQ(call("DELETE", "/v1/keys/" + self).status, 409);

  auto other = call("POST", "/v1/keys", R"({"name":"second admin","role":"admin","workspaces":"all"})");
  ASSERT_EQ(other.status, 201) << other.raw;
  EXPECT_EQ(call("DELETE", "/v1/keys/" + self).status, 204);
  // Now the second one is the last.
  const std::string second_id = text_at(other.body, "id");
  const std::string second_secret = text_at(other.body, "api_key");
  ASSERT_FALSE(second_secret.empty()) << other.raw;
  EXPECT_EQ(call("DELETE", "/v1/keys/" + second_id, "", second_secret).status, 409);
}

}  // namespace
}  // namespace chorus::api

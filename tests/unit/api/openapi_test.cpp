// The OpenAPI document against the router it describes: same paths, same methods, resolvable references.
#include "api/openapi.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "api/context.hpp"
#include "bus/bus.hpp"
#include "store/store.hpp"
#include "unit/api/wired_api.hpp"

namespace chorus::api {
namespace {


using RouteSet = std::set<std::pair<std::string, std::string>>;

// A router wired exactly as `chorus serve --roles all` wires it, over a throwaway data dir.
class WiredRouter : public WiredApi {
 protected:
  void wire(http::Router& router, AppContext& ctx) override {
    add_system_routes(router, ctx);
    add_api_routes(router, ctx);
    add_webhook_routes(router, ctx);
  }
};

RouteSet documented(const json::object& doc) {
  RouteSet out;
  for (const auto& path : doc.at("paths").as_object())
    for (const auto& op : path.value().as_object()) {
      std::string method(op.key());
      for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.emplace(method, std::string(path.key()));
    }
  return out;
}

std::string describe(const RouteSet& routes) {
  std::string s;
  for (const auto& [m, p] : routes) s += "  " + m + " " + p + "\n";
  return s;
}

TEST_F(WiredRouter, DocumentDescribesExactlyTheRoutesTheRouterServes) {
  RouteSet served;
  for (const auto& r : router_.routes()) served.insert(r);
  RouteSet docs = documented(openapi_document());
  ASSERT_GT(served.size(), 20u);
  RouteSet undocumented, stale;
  for (const auto& r : served)
    if (!docs.contains(r)) undocumented.insert(r);
  for (const auto& r : docs)
    if (!served.contains(r)) stale.insert(r);
  EXPECT_TRUE(undocumented.empty()) << "routes missing from src/api/openapi.cpp:\n" << describe(undocumented);
  EXPECT_TRUE(stale.empty()) << "documented routes the router does not serve:\n" << describe(stale);
}

// The role the document states for each operation is the access the route was registered with.
TEST_F(WiredRouter, DocumentStatesTheAccessEachRouteEnforces) {
  const auto& paths = openapi_document().at("paths").as_object();
  std::size_t compared = 0;
  for (const auto& [method, pattern] : router_.routes()) {
    auto it = ctx_->access->find({method, pattern});
    ASSERT_NE(it, ctx_->access->end()) << method << " " << pattern << " declares no access";
    std::string lower = method;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto* path = paths.if_contains(pattern);
    if (!path || !path->as_object().contains(lower)) continue;  // the drift test reports it
    EXPECT_EQ(path->as_object().at(lower).at("x-chorus-role").as_string(), access_name(it->second))
        << method << " " << pattern;
    ++compared;
  }
  EXPECT_GT(compared, 20u);
}

TEST_F(WiredRouter, ServesTheDocumentAsJson) {
  http::Request req;
  req.method = "GET";
  req.target = req.path = "/v1/openapi.json";
  auto res = router_.dispatch(req);
  ASSERT_EQ(res.status, 200);
  EXPECT_NE(res.content_type.find("application/json"), std::string::npos);
  auto parsed = parse_json(res.body);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(get_string(*parsed, "openapi").value_or("").substr(0, 2), "3.");
  EXPECT_EQ(documented(parsed->as_object()), documented(openapi_document()));
}

TEST(OpenApi, EveryPathParameterIsDeclared) {
  for (const auto& path : openapi_document().at("paths").as_object()) {
    std::string p(path.key());
    std::set<std::string> in_pattern;
    for (std::size_t open = p.find('{'); open != std::string::npos; open = p.find('{', open + 1))
      in_pattern.insert(p.substr(open + 1, p.find('}', open) - open - 1));
    for (const auto& op : path.value().as_object()) {
      std::set<std::string> declared;
      if (const auto* params = op.value().as_object().if_contains("parameters"))
        for (const auto& prm : params->as_array())
          if (prm.at("in") == "path") declared.insert(std::string(prm.at("name").as_string()));
      EXPECT_EQ(declared, in_pattern) << op.key() << " " << p;
      EXPECT_TRUE(op.value().as_object().contains("responses")) << op.key() << " " << p;
    }
  }
}

// The extensions this document carries beyond the contract: a connector field's enum values, and what a
// sync or a push skipped, by reason.
TEST(OpenApi, DescribesEnumFieldsAndSkippedItems) {
  const json::object& schemas = openapi_document().at("components").at("schemas").as_object();
  const json::object& field = schemas.at("Field").at("properties").as_object();
  ASSERT_TRUE(field.contains("enum"));
  EXPECT_EQ(field.at("enum").at("type"), "array");
  for (const char* name : {"Sync", "PushAccepted"}) {
    const json::object& props = schemas.at(name).at("properties").as_object();
    EXPECT_TRUE(props.contains("skipped")) << name;
    EXPECT_EQ(props.at("skipped_reasons").at("$ref"), "#/components/schemas/SkippedReasons") << name;
  }
  EXPECT_EQ(schemas.at("SkippedReasons").at("additionalProperties").at("type"), "integer");
}

// Every "$ref" names something under components, so a typo in a schema name cannot ship.
TEST(OpenApi, EveryReferenceResolves) {
  const json::value doc(openapi_document());
  std::size_t refs = 0;
  std::function<void(const json::value&)> walk = [&](const json::value& v) {
    if (v.is_array())
      for (const auto& x : v.as_array()) walk(x);
    if (!v.is_object()) return;
    for (const auto& kv : v.as_object()) {
      if (kv.key() == "$ref") {
        ++refs;
        std::string ref(kv.value().as_string());
        ASSERT_TRUE(ref.starts_with("#/")) << ref;
        std::string dotted = ref.substr(2);
        for (auto& c : dotted) c = c == '/' ? '.' : c;
        const json::value* target = find_path(doc, dotted);
        EXPECT_NE(target, nullptr) << "unresolved " << kv.value().as_string();
      } else {
        walk(kv.value());
      }
    }
  };
  walk(doc);
  EXPECT_GT(refs, 20u);
}

TEST(OpenApi, CustomerCreationNeedsTheAdminKeyAndReadsNeedACustomerKey) {
  const auto& paths = openapi_document().at("paths").as_object();
  auto security = [&](std::string_view path, std::string_view method) {
    return json::serialize(paths.at(path).as_object().at(method).at("security"));
  };
  EXPECT_NE(security("/v1/customers", "post").find("adminKey"), std::string::npos);
  EXPECT_NE(security("/v1/workspaces/{ws}/feedback", "get").find("customerKey"), std::string::npos);
  EXPECT_EQ(security("/healthz", "get"), "[]");
}

}  // namespace
}  // namespace chorus::api

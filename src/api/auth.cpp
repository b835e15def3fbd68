// Bearer-key authentication.
#include "api/auth.hpp"

#include "api/respond.hpp"

namespace chorus::api {

std::string hash_api_key(std::string_view key) { return sha256_hex(key); }

Result<Caller> authenticate(const http::Request& req, AppContext& ctx) {
  auto header = req.headers.get("authorization");
  if (!header || header->empty())
    return make_error(ErrorCode::unauthorized, "missing Authorization header; send 'Authorization: Bearer <key>'");
  std::string_view h = *header;
  constexpr std::string_view kBearer = "Bearer ";
  if (h.size() <= kBearer.size() || h.substr(0, kBearer.size()) != kBearer)
    return make_error(ErrorCode::unauthorized, "Authorization must be 'Bearer <key>'");
  std::string_view key = h.substr(kBearer.size());
  if (constant_time_equal(key, ctx.admin_key)) return Caller{true, 0};
  auto customer = ctx.store.customer_for_key_hash(hash_api_key(key));
  if (!customer) return customer.error();
  if (!*customer) return make_error(ErrorCode::unauthorized, "the API key is not valid");
  return Caller{false, **customer};
}

Result<Id> require_customer(const http::Request& req, AppContext& ctx) {
  auto caller = authenticate(req, ctx);
  if (!caller) return caller.error();
  if (caller->admin)
    return make_error(ErrorCode::forbidden,
                      "the admin key manages customers only; use a customer's API key (POST /v1/customers issues one)");
  return caller->customer_id;
}

Result<store::Workspace> caller_workspace(const http::Request& req, AppContext& ctx, const std::string& param) {
  auto customer = require_customer(req, ctx);
  if (!customer) return customer.error();
  auto ws = path_id(req, param, "workspace");
  if (!ws) return ws.error();
  return ctx.store.get_workspace(*customer, *ws);
}

Status require_admin(const http::Request& req, AppContext& ctx) {
  auto caller = authenticate(req, ctx);
  if (!caller) return caller.error();
  if (!caller->admin) return make_error(ErrorCode::forbidden, "only the admin key can create customers");
  return {};
}

}  // namespace chorus::api

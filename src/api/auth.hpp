// Bearer-key authentication: the admin key manages customers; a customer key sees only its workspaces.
#pragma once

#include "api/context.hpp"
#include "core/result.hpp"
#include "http/message.hpp"

namespace chorus::api {

struct Caller {
  bool admin = false;
  Id customer_id = 0;
};

Result<Caller> authenticate(const http::Request& req, AppContext& ctx);
// A customer key is required (the admin key is refused with 403 and a hint).
Result<Id> require_customer(const http::Request& req, AppContext& ctx);
Status require_admin(const http::Request& req, AppContext& ctx);
// The workspace named by the path parameter, if it belongs to the calling customer (another customer's
// is not found, as the contract says).
Result<store::Workspace> caller_workspace(const http::Request& req, AppContext& ctx, const std::string& param = "ws");

// The form in which keys are stored: never the key itself.
std::string hash_api_key(std::string_view key);

}  // namespace chorus::api

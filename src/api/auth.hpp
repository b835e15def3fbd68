// Bearer-key authentication: the operator's admin key manages customers; a customer key has a role over all or
// some of its customer's workspaces, and sees no other workspace.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/access.hpp"
#include "api/context.hpp"
#include "core/result.hpp"
#include "http/message.hpp"

namespace chorus::api {

struct Caller {
  bool operator_key = false;  // the operator's admin key, not a customer's
  Id customer_id = 0;
  Id key_id = 0;
  std::string key_name;
  Role role = Role::admin;
  std::optional<std::vector<Id>> workspaces;  // none: every workspace of the customer
  std::optional<TimeMs> expires_at;

  bool sees(Id workspace_id) const;
};

// Keys recently read from the store, by the hash of the presented key, so a request costs a hash and a map
// lookup rather than a query. Entries live kTtl: a revocation or rotation made in this process drops them at
// once; one made by another process is seen within kTtl.
class KeyCache {
 public:
  static constexpr TimeMs kTtl = 5'000;
  static constexpr std::size_t kMaxEntries = 10'000;

  struct Entry {
    store::ApiKey key;
    TimeMs fetched_at = 0;
    TimeMs use_noted_at = 0;  // the last use written to the store from this process
  };
  std::optional<Entry> find(const std::string& key_hash, TimeMs now);
  void put(const std::string& key_hash, Entry entry);
  // True when the caller should write this use to the store (at most once per kKeyUseResolutionMs per key).
  bool claim_use_note(const std::string& key_hash, TimeMs now);
  void forget_key(Id key_id);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

// The caller of this request: the one add_route attached, else read from the Authorization header.
Result<Caller> authenticate(const http::Request& req, AppContext& ctx);
// A customer key is required (the admin key is refused with 403 and a hint).
Result<Id> require_customer(const http::Request& req, AppContext& ctx);
Status require_admin(const http::Request& req, AppContext& ctx);
// The workspace named by the path parameter, if it belongs to the calling customer and lies in the key's scope
// (any other is not found, as the contract says).
Result<store::Workspace> caller_workspace(const http::Request& req, AppContext& ctx, const std::string& param = "ws");
// The same for a workspace id from elsewhere (a query parameter).
Result<store::Workspace> scoped_workspace(const Caller& caller, AppContext& ctx, Id workspace_id);

// The form in which keys are stored: never the key itself.
std::string hash_api_key(std::string_view key);

}  // namespace chorus::api

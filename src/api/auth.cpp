// Bearer-key authentication: the operator's key, or a customer key found by its hash (cached briefly), refused
// when revoked, expired or rotated past its grace.
#include "api/auth.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "api/respond.hpp"

namespace chorus::api {

std::string hash_api_key(std::string_view key) { return sha256_hex(key); }

std::shared_ptr<KeyCache> AppContext::make_key_cache() { return std::make_shared<KeyCache>(); }

bool Caller::sees(Id workspace_id) const {
  if (operator_key) return false;
  if (!workspaces) return true;
  return std::find(workspaces->begin(), workspaces->end(), workspace_id) != workspaces->end();
}

std::optional<KeyCache::Entry> KeyCache::find(const std::string& key_hash, TimeMs now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key_hash);
  if (it == entries_.end()) return std::nullopt;
  if (now - it->second.fetched_at >= kTtl || now < it->second.fetched_at) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void KeyCache::put(const std::string& key_hash, Entry entry) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxEntries) entries_.clear();  // a flood of distinct keys costs a refill, not memory
  auto& slot = entries_[key_hash];
  entry.use_noted_at = std::max(entry.use_noted_at, slot.use_noted_at);
  slot = std::move(entry);
}

bool KeyCache::claim_use_note(const std::string& key_hash, TimeMs now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key_hash);
  if (it == entries_.end()) return false;
  const auto& last = it->second.key.last_used_at;
  TimeMs noted = std::max(it->second.use_noted_at, last.value_or(0));
  if (noted != 0 && now - noted < store::kKeyUseResolutionMs) return false;
  it->second.use_noted_at = now;
  return true;
}

void KeyCache::forget_key(Id key_id) {
  std::lock_guard lock(mu_);
  std::erase_if(entries_, [key_id](const auto& kv) { return kv.second.key.id == key_id; });
}

namespace {

Result<Caller> customer_caller(const store::ApiKey& key, const std::string& presented_hash, TimeMs now) {
  // The store found the key by this hash: either its current one or its previous one within the grace.
  const bool current = constant_time_equal(presented_hash, key.key_hash);
  if (!current && !(key.previous_valid_until && now < *key.previous_valid_until))
    return make_error(ErrorCode::unauthorized, "this API key was replaced by a rotation and its grace period is over");
  if (key.revoked_at)
    return make_error(ErrorCode::unauthorized, "this API key was revoked at " + format_time(*key.revoked_at));
  if (key.expires_at && now >= *key.expires_at)
    return make_error(ErrorCode::unauthorized, "this API key expired at " + format_time(*key.expires_at));
  auto role = parse_role(key.role);
  if (!role) return make_error(ErrorCode::internal, "key " + std::to_string(key.id) + " has an unknown role");
  Caller c;
  c.customer_id = key.customer_id;
  c.key_id = key.id;
  c.key_name = key.name;
  c.role = *role;
  c.workspaces = key.workspaces;
  c.expires_at = key.expires_at;
  return c;
}

}  // namespace

Result<Caller> authenticate(const http::Request& req, AppContext& ctx) {
  if (const auto* attached = std::any_cast<Caller>(&req.auth)) return *attached;
  auto header = req.headers.get("authorization");
  if (!header || header->empty())
    return make_error(ErrorCode::unauthorized, "missing Authorization header; send 'Authorization: Bearer <key>'");
  constexpr std::string_view kBearer = "bearer ";
  std::string_view h = *header;
  // The scheme's name is case-insensitive (RFC 9110 11.1): "bearer" and "BEARER" are Bearer.
  auto is_bearer = [&] {
    for (std::size_t i = 0; i < kBearer.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(h[i])) != kBearer[i]) return false;
    return true;
  };
  if (h.size() <= kBearer.size() || !is_bearer())
    return make_error(ErrorCode::unauthorized, "Authorization must be 'Bearer <key>'");
  std::string_view key = h.substr(kBearer.size());
  if (constant_time_equal(key, ctx.admin_key)) {
    Caller c;
    c.operator_key = true;
    return c;
  }
  const TimeMs now = now_ms();
  const std::string hash = hash_api_key(key);
  auto cached = ctx.keys->find(hash, now);
  if (!cached) {
    auto found = ctx.store.find_api_key(hash, now);
    if (!found) return found.error();
    if (!*found) return make_error(ErrorCode::unauthorized, "the API key is not valid");
    cached = KeyCache::Entry{std::move(**found), now, 0};
    ctx.keys->put(hash, *cached);
  }
  auto caller = customer_caller(cached->key, hash, now);
  if (!caller) return caller;
  if (ctx.keys->claim_use_note(hash, now))
    if (auto s = ctx.store.note_api_key_use(caller->key_id, now); !s)
      spdlog::warn("api: could not note the use of key {}: {}", caller->key_id, s.error().message);
  return caller;
}

Result<Id> require_customer(const http::Request& req, AppContext& ctx) {
  auto caller = authenticate(req, ctx);
  if (!caller) return caller.error();
  if (caller->operator_key)
    return make_error(ErrorCode::forbidden,
                      "the admin key manages customers only; use a customer's API key (POST /v1/customers issues one)");
  return caller->customer_id;
}

Result<store::Workspace> scoped_workspace(const Caller& caller, AppContext& ctx, Id workspace_id) {
  if (!caller.sees(workspace_id))
    return make_error(ErrorCode::not_found, "workspace " + std::to_string(workspace_id) + " does not exist");
  return ctx.store.get_workspace(caller.customer_id, workspace_id);
}

Result<store::Workspace> caller_workspace(const http::Request& req, AppContext& ctx, const std::string& param) {
  auto caller = authenticate(req, ctx);
  if (!caller) return caller.error();
  if (caller->operator_key)
    return make_error(ErrorCode::forbidden,
                      "the admin key manages customers only; use a customer's API key (POST /v1/customers issues one)");
  auto ws = path_id(req, param, "workspace");
  if (!ws) return ws.error();
  return scoped_workspace(*caller, ctx, *ws);
}

Status require_admin(const http::Request& req, AppContext& ctx) {
  auto caller = authenticate(req, ctx);
  if (!caller) return caller.error();
  if (!caller->operator_key) return make_error(ErrorCode::forbidden, "only the admin key can create customers");
  return {};
}

}  // namespace chorus::api

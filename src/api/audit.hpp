// The audit log: every change made through the API is noted with the key that made it, what it did and to
// what. A route records its change with one call, after the change is stored:
//
//   audit(req, ctx, "source.update", {"source", src->id, src->name}, "name, paused");
//
// The workspace is the route's {ws} unless one is passed (key changes, made outside any workspace, have none).
// Never put a secret, a request body or a person's data in the detail: it names what changed, not the values.
#pragma once

#include <optional>
#include <string>

#include "api/context.hpp"
#include "http/message.hpp"

namespace chorus::api {

// What a change was made to: its type (key, source, workspace, theme, alert, erasure, ...), id and name.
struct AuditTarget {
  std::string type, id, name;
  AuditTarget(std::string type, std::string id, std::string name = {})
      : type(std::move(type)), id(std::move(id)), name(std::move(name)) {}
  AuditTarget(std::string type, Id id, std::string name = {})
      : AuditTarget(std::move(type), std::to_string(id), std::move(name)) {}
};

// Notes the change for the request's caller (the key add_route authenticated). `action` is "<target>.<verb>":
// key.create, source.update, alert.delete, erasure.create, ... A change the store has made is never undone
// because its note could not be written: the failure is logged and counted (chorus_audit_write_failures_total).
void audit(const http::Request& req, AppContext& ctx, std::string_view action, const AuditTarget& target,
           std::string detail = {}, std::optional<Id> workspace_id = std::nullopt);

// GET /v1/audit (admins): the customer's entries, newest first.
void add_audit_routes(http::Router& router, AppContext& ctx);

}  // namespace chorus::api

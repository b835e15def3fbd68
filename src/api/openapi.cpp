// The OpenAPI document: one table row per route, path parameters read from the pattern, and the shared
// schemas written once as JSON.
#include "api/openapi.hpp"

#include "api/access.hpp"

#include <array>
#include <cctype>
#include <string_view>

namespace chorus::api {

namespace {

enum class Query { none, filters, feedback, record, reports, insights_legacy, period, audit };

struct RouteDoc {
  std::string_view method, path, tag, summary;
  Access access;
  Query query;
  std::string_view request;   // schema of the JSON body, empty for none
  int status;                 // the success status
  std::string_view response;  // schema of the success body; "html", "js", "text" for non-JSON; empty for none
};

// clang-format off
constexpr std::array kRoutes{
  RouteDoc{"GET", "/healthz", "system", "Liveness with each role's state", Access::anyone, Query::none, "", 200, "Health"},
  RouteDoc{"GET", "/metrics", "system", "Prometheus metrics", Access::anyone, Query::none, "", 200, "text"},
  RouteDoc{"GET", "/v1/connectors", "system", "Source types with their config, credential fields and webhook schemes", Access::anyone, Query::none, "", 200, "ConnectorList"},
  RouteDoc{"GET", "/v1/openapi.json", "system", "This document", Access::anyone, Query::none, "", 200, "object"},
  RouteDoc{"GET", "/", "dashboard", "The web dashboard", Access::anyone, Query::none, "", 200, "html"},
  RouteDoc{"GET", "/assets/{file}", "dashboard", "A static asset of the dashboard", Access::anyone, Query::none, "", 200, "asset"},
  RouteDoc{"POST", "/v1/customers", "customers", "Create a customer and its API key (shown once)", Access::operator_key, Query::none, "NewCustomer", 201, "Customer"},
  RouteDoc{"POST", "/v1/workspaces", "workspaces", "Create a workspace, optionally with sources", Access::admin, Query::none, "NewWorkspace", 201, "Workspace"},
  RouteDoc{"POST", "/CreateWorkspace", "workspaces", "Create a workspace (original name of POST /v1/workspaces)", Access::admin, Query::none, "NewWorkspace", 201, "Workspace"},
  RouteDoc{"GET", "/v1/workspaces", "workspaces", "The caller's workspaces", Access::viewer, Query::none, "", 200, "WorkspaceList"},
  RouteDoc{"GET", "/v1/workspaces/{ws}", "workspaces", "One workspace with its sources", Access::viewer, Query::none, "", 200, "Workspace"},
  RouteDoc{"PATCH", "/v1/workspaces/{ws}", "workspaces", "Rename a workspace or change its data governance: retention_days, redact (PII kinds masked before analysis), keep_raw, drop_erased_authors", Access::admin, Query::none, "WorkspaceChange", 200, "Workspace"},
  RouteDoc{"DELETE", "/v1/workspaces/{ws}", "workspaces", "Delete a workspace with everything in it: sources and their secrets, records, raw items, rollups, themes, alerts, erasures; keys scoped to it lose it", Access::admin, Query::none, "", 204, ""},
  RouteDoc{"POST", "/v1/workspaces/{ws}/erasures", "workspaces", "Erase one person (by exactly one of email, user_id, username): their records, raw items, near-duplicate links and rollup counts", Access::admin, Query::none, "ErasureRequest", 202, "Erasure"},
  RouteDoc{"GET", "/v1/workspaces/{ws}/erasures", "workspaces", "The erasure log, newest first: who asked, when and how much went, never the person", Access::admin, Query::none, "", 200, "ErasureList"},
  RouteDoc{"GET", "/v1/workspaces/{ws}/erasures/{id}", "workspaces", "One erasure: state and counts", Access::admin, Query::none, "", 200, "Erasure"},
  RouteDoc{"POST", "/v1/workspaces/{ws}/sources", "sources", "Add a source", Access::editor, Query::none, "SourceSpec", 201, "Source"},
  RouteDoc{"GET", "/v1/workspaces/{ws}/sources", "sources", "The workspace's sources", Access::viewer, Query::none, "", 200, "SourceList"},
  RouteDoc{"GET", "/v1/workspaces/{ws}/sources/{src}", "sources", "One source with its status", Access::viewer, Query::none, "", 200, "Source"},
  RouteDoc{"PATCH", "/v1/workspaces/{ws}/sources/{src}", "sources", "Change a source's name, config, credentials, schedule or webhook, or pause and resume it; the fields sent are checked as on create and nothing changes unless all are valid", Access::editor, Query::none, "SourceChange", 200, "Source"},
  RouteDoc{"DELETE", "/v1/workspaces/{ws}/sources/{src}", "sources", "Remove a source", Access::editor, Query::none, "", 204, ""},
  RouteDoc{"POST", "/v1/workspaces/{ws}/sources/{src}/sync", "sources", "Fetch now", Access::editor, Query::none, "", 202, "Sync"},
  RouteDoc{"GET", "/v1/workspaces/{ws}/syncs/{sync}", "sources", "A sync's progress", Access::viewer, Query::none, "", 200, "Sync"},
  RouteDoc{"POST", "/v1/workspaces/{ws}/sources/{src}/items", "sources", "Push raw items of the source's type (a JSON array or JSON lines)", Access::editor, Query::none, "RawItems", 202, "PushAccepted"},
  RouteDoc{"POST", "/v1/hooks/{src}", "webhooks", "Webhook ingress, authenticated by the source's signing scheme", Access::signed_webhook, Query::none, "object", 202, "Accepted"},
  RouteDoc{"GET", "/v1/workspaces/{ws}/feedback", "feedback", "Feedback records, newest first, a page at a time", Access::viewer, Query::feedback, "", 200, "FeedbackPage"},
  RouteDoc{"GET", "/v1/workspaces/{ws}/feedback/{id}", "feedback", "One feedback record", Access::viewer, Query::record, "", 200, "Record"},
  RouteDoc{"GET", "/v1/workspaces/{ws}/reports", "insights", "Counts and average sentiment per time bucket, optionally grouped", Access::viewer, Query::reports, "", 200, "Report"},
  RouteDoc{"GET", "/v1/workspaces/{ws}/insights", "insights", "Totals, top themes, emerging issues and quotes", Access::viewer, Query::filters, "", 200, "Insights"},
  RouteDoc{"POST", "/v1/workspaces/{ws}/reanalyze", "feedback", "Re-run the current NLP engine over the stored records, in the background", Access::editor, Query::none, "", 202, "ReanalysisJob"},
  RouteDoc{"GET", "/v1/workspaces/{ws}/reanalyze/{job}", "feedback", "A re-analysis job's progress", Access::viewer, Query::none, "", 200, "ReanalysisJob"},
  RouteDoc{"GET", "/v1/workspaces/{ws}/themes", "themes", "The workspace's taxonomy: every theme with its count in the period, level 1 then level 2", Access::viewer, Query::period, "", 200, "ThemeList"},
  RouteDoc{"POST", "/v1/workspaces/{ws}/themes", "themes", "Add a custom theme assigned by phrase rules; existing records are re-analysed", Access::editor, Query::none, "NewTheme", 201, "Theme"},
  RouteDoc{"PATCH", "/v1/workspaces/{ws}/themes/{id}", "themes", "Rename, hide or merge a theme or a level-2 phrase; existing records are re-analysed", Access::editor, Query::none, "ThemeChange", 200, "Theme"},
  RouteDoc{"DELETE", "/v1/workspaces/{ws}/themes/{id}", "themes", "Delete a custom theme (built-in aspects and discovered themes can only be hidden)", Access::editor, Query::none, "", 204, ""},
  RouteDoc{"POST", "/v1/keys", "keys", "Create an API key with a role over all or some workspaces; the secret is shown once", Access::admin, Query::none, "NewKey", 201, "NewKeySecret"},
  RouteDoc{"GET", "/v1/keys", "keys", "The customer's API keys (never their secrets)", Access::admin, Query::none, "", 200, "KeyList"},
  RouteDoc{"GET", "/v1/keys/self", "keys", "The key this request is signed with: its role and workspaces", Access::viewer, Query::none, "", 200, "Key"},
  RouteDoc{"DELETE", "/v1/keys/{id}", "keys", "Revoke a key: refused from the next request on", Access::admin, Query::none, "", 204, ""},
  RouteDoc{"GET", "/v1/audit", "audit", "The customer's audit log, newest first: who changed which key, source, theme, alert or workspace, and when (never secrets or request bodies)", Access::admin, Query::audit, "", 200, "AuditPage"},
  RouteDoc{"POST", "/v1/keys/{id}/rotate", "keys", "A new secret for the key; the old one stays valid for grace_seconds (default 86400, at most 2592000)", Access::admin, Query::none, "KeyRotation", 200, "NewKeySecret"},
  RouteDoc{"POST", "/v1/workspaces/{ws}/alerts", "alerts", "Create an alert rule (emerging, negative_share, new_theme, source_stale, weekly_digest) with its channel (slack, webhook, email); channel secrets are sealed and never shown", Access::editor, Query::none, "NewAlert", 201, "Alert"},
  RouteDoc{"GET", "/v1/workspaces/{ws}/alerts", "alerts", "The workspace's alert rules", Access::viewer, Query::none, "", 200, "AlertList"},
  RouteDoc{"GET", "/v1/workspaces/{ws}/alerts/{id}", "alerts", "One alert rule", Access::viewer, Query::none, "", 200, "Alert"},
  RouteDoc{"PATCH", "/v1/workspaces/{ws}/alerts/{id}", "alerts", "Change an alert's name, params or channel, or enable and disable it; channel secrets left out are kept", Access::editor, Query::none, "AlertChange", 200, "Alert"},
  RouteDoc{"DELETE", "/v1/workspaces/{ws}/alerts/{id}", "alerts", "Delete an alert rule with its delivery log", Access::editor, Query::none, "", 204, ""},
  RouteDoc{"POST", "/v1/workspaces/{ws}/alerts/{id}/test", "alerts", "Send a sample message through the alert's channel now", Access::editor, Query::none, "", 200, "AlertTest"},
  RouteDoc{"GET", "/v1/workspaces/{ws}/alerts/{id}/deliveries", "alerts", "The alert's delivery log, newest first (?limit, 1 to 500, default 50)", Access::viewer, Query::none, "", 200, "AlertDeliveryList"},
  RouteDoc{"GET", "/v1/workspaces/{ws}/digest", "alerts", "The weekly digest of an ISO week (?week=2026-W10, default the last complete week): volume and sentiment against the week before, top themes, movers, new themes, emerging issues, quotes", Access::viewer, Query::none, "", 200, "Digest"},
  RouteDoc{"GET", "/GetInsightReports", "insights", "Insights (original name of GET /v1/workspaces/{ws}/insights)", Access::viewer, Query::insights_legacy, "", 200, "Insights"},
};
// clang-format on

// Shared schemas and responses, in OpenAPI's own notation.
constexpr std::string_view kComponents = R"json({
 "securitySchemes": {
  "customerKey": {"type": "http", "scheme": "bearer", "description": "A customer's API key (chk_...), from POST /v1/customers or POST /v1/keys; its role (viewer, editor, admin) must be at least the operation's x-chorus-role"},
  "adminKey": {"type": "http", "scheme": "bearer", "description": "The admin key: CHORUS_ADMIN_KEY or <data-dir>/admin.key"}
 },
 "responses": {
  "Error": {"description": "The request failed; the message says why in words",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
 },
 "schemas": {
  "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string", "example": "not_found"}, "message": {"type": "string", "example": "workspace 42 does not exist"}}}}},
  "Health": {"type": "object", "properties": {"status": {"type": "string", "enum": ["ok", "degraded"]},
    "roles": {"type": "object", "additionalProperties": true}, "store": {"type": "object"}, "bus": {"type": "object"}}},
  "Field": {"type": "object", "properties": {"name": {"type": "string"},
    "type": {"type": "string", "enum": ["string", "integer", "boolean", "string[]", "object", "time"]},
    "required": {"type": "boolean"}, "default": {}, "description": {"type": "string"},
    "enum": {"type": "array", "items": {"type": "string"},
      "description": "the values the field may take, present on enum fields only (the dashboard shows them as a dropdown)"}}},
  "Connector": {"type": "object", "properties": {"type": {"type": "string"}, "description": {"type": "string"},
    "pulls": {"type": "boolean", "description": "false for push-only sources"},
    "config": {"type": "array", "items": {"$ref": "#/components/schemas/Field"}},
    "credentials": {"type": "array", "items": {"$ref": "#/components/schemas/Field"}},
    "webhook_schemes": {"type": "array", "items": {"type": "string"}}}},
  "ConnectorList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Connector"}}}},
  "NewCustomer": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
  "Customer": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"},
    "api_key": {"type": "string", "description": "shown only in this answer"}}},
  "SourceSpec": {"type": "object", "required": ["type"], "properties": {
    "type": {"type": "string", "description": "one of GET /v1/connectors"}, "name": {"type": "string"},
    "config": {"type": "object", "additionalProperties": true}, "credentials": {"type": "object", "additionalProperties": true},
    "schedule": {"type": "object", "properties": {"every": {"type": "string", "example": "15m"}}},
    "webhook": {"type": "object", "properties": {"scheme": {"type": "string"}, "secret": {"type": "string"}}}}},
  "SourceStatus": {"type": "object", "properties": {"state": {"type": "string"}, "last_sync_at": {"type": "string", "format": "date-time", "nullable": true},
    "last_error": {"type": "string", "nullable": true}, "items_total": {"type": "integer"}, "cursor": {"type": "string", "nullable": true}}},
  "Source": {"type": "object", "description": "never carries credentials or webhook secrets", "properties": {
    "id": {"type": "string"}, "workspace_id": {"type": "string"}, "type": {"type": "string"}, "name": {"type": "string"},
    "config": {"type": "object"}, "schedule": {"type": "object", "nullable": true}, "webhook": {"type": "object", "nullable": true},
    "webhook_url": {"type": "string", "example": "/v1/hooks/3"}, "paused": {"type": "boolean"}, "created_at": {"type": "string", "format": "date-time"},
    "status": {"$ref": "#/components/schemas/SourceStatus"}}},
  "SourceChange": {"type": "object", "additionalProperties": false, "minProperties": 1,
    "description": "Only the fields sent change; config and credentials are each replaced whole and checked together as on create. A changed config clears the cursor, so the next sync starts from the beginning.",
    "properties": {"name": {"type": "string"}, "config": {"type": "object", "additionalProperties": true},
    "credentials": {"type": "object", "additionalProperties": true, "description": "sealed at rest, never shown"},
    "schedule": {"type": "object", "nullable": true, "properties": {"every": {"type": "string", "example": "15m"}}, "description": "null: syncs on demand only"},
    "webhook": {"type": "object", "nullable": true, "properties": {"scheme": {"type": "string", "description": "default: the current one"}, "secret": {"type": "string"}}, "description": "a new signing secret (sealed, never shown); null turns the webhook off"},
    "paused": {"type": "boolean", "description": "a paused source is not synced on schedule and a manual sync is 409; webhook deliveries to it are still accepted and stored"}}},
  "AuditEntry": {"type": "object", "properties": {"id": {"type": "string"}, "at": {"type": "string", "format": "date-time"},
    "action": {"type": "string", "example": "source.update"},
    "key": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}},
    "workspace_id": {"type": "string", "nullable": true},
    "target": {"type": "object", "properties": {"type": {"type": "string", "example": "source"}, "id": {"type": "string"}, "name": {"type": "string"}}},
    "detail": {"type": "string", "nullable": true, "description": "what changed, in words (field names, a role); never values of secrets"}}},
  "AuditPage": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}},
    "next_cursor": {"type": "string", "nullable": true}}},
  "SourceList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}}}},
  "NewWorkspace": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"},
    "sources": {"type": "array", "items": {"$ref": "#/components/schemas/SourceSpec"}}}},
  "Workspace": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"},
    "created_at": {"type": "string", "format": "date-time"},
    "retention_days": {"type": "integer", "nullable": true, "description": "records older than this many days are deleted daily, rollups corrected; null keeps them"},
    "redact": {"type": "array", "items": {"type": "string", "enum": ["email", "phone", "card", "iban", "ip", "url_params"]}},
    "keep_raw": {"type": "boolean"}, "drop_erased_authors": {"type": "boolean"},
    "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}}}},
  "WorkspaceChange": {"type": "object", "minProperties": 1, "additionalProperties": false, "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "retention_days": {"type": "integer", "nullable": true, "minimum": 1, "maximum": 36500},
    "redact": {"type": "array", "items": {"type": "string", "enum": ["email", "phone", "card", "iban", "ip", "url_params"]}},
    "keep_raw": {"type": "boolean", "description": "keep each item's raw form beside its record (default true)"},
    "drop_erased_authors": {"type": "boolean", "description": "drop items arriving later from persons erased here (default false)"}}},
  "ErasureRequest": {"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": false, "properties": {
    "email": {"type": "string", "minLength": 1}, "user_id": {"type": "string", "minLength": 1}, "username": {"type": "string", "minLength": 1}}},
  "Erasure": {"type": "object", "properties": {"id": {"type": "string"}, "workspace_id": {"type": "string"},
    "state": {"type": "string", "enum": ["done"]}, "field": {"type": "string", "enum": ["email", "user_id", "username"]},
    "requested_by": {"type": "string", "description": "the name of the key that asked"},
    "requested_at": {"type": "string", "format": "date-time"}, "finished_at": {"type": "string", "nullable": true, "format": "date-time"},
    "records": {"type": "integer"}, "raw_items": {"type": "integer"}, "duplicate_links": {"type": "integer"}}},
  "ErasureList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Erasure"}}}},
  "WorkspaceList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Workspace"}}}},
  "Sync": {"type": "object", "properties": {"sync_id": {"type": "string"}, "source_id": {"type": "string"},
    "state": {"type": "string", "enum": ["queued", "running", "done", "failed"]}, "items": {"type": "integer"},
    "new_items": {"type": "integer"}, "error": {"type": "string", "nullable": true},
    "skipped": {"type": "integer", "description": "items the sync brought that became no record"},
    "skipped_reasons": {"$ref": "#/components/schemas/SkippedReasons"},
    "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}}},
  "SkippedReasons": {"type": "object", "additionalProperties": {"type": "integer"},
    "description": "skipped items by reason: no_text (nothing to analyse once markup, embeds and links are stripped), or the setting that leaves them out (pull_request, comment, bot, channel, not_a_message, thread_reply, deleted, hidden, private_message, teammate, other_form, partial, tags; docs/connectors.md)",
    "example": {"no_text": 3, "pull_request": 7}},
  "ReanalysisJob": {"type": "object", "properties": {"job_id": {"type": "string"}, "workspace_id": {"type": "string"},
    "state": {"type": "string", "enum": ["queued", "running", "done", "failed"]}, "done": {"type": "integer"},
    "total": {"type": "integer"}, "error": {"type": "string", "nullable": true},
    "created_at": {"type": "string", "format": "date-time"}}},
  "Theme": {"type": "object", "properties": {"id": {"type": "string", "description": "an aspect id, c<N> for a custom theme, or a discovered theme's text"},
    "name": {"type": "string", "description": "the name records carry"}, "level": {"type": "integer", "enum": [1, 2]},
    "parent": {"type": "string", "nullable": true}, "count": {"type": "integer"}, "custom": {"type": "boolean"},
    "kind": {"type": "string", "enum": ["aspect", "custom", "discovered"]}, "hidden": {"type": "boolean"},
    "merged_into": {"type": "string", "nullable": true}, "taxonomy_version": {"type": "integer"},
    "reanalysis": {"$ref": "#/components/schemas/ReanalysisJob"}}},
  "ThemeList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Theme"}},
    "taxonomy_version": {"type": "integer"}}},
  "ThemeRules": {"type": "object", "description": "phrases matched by word stems in the record's title and text",
    "properties": {"any": {"type": "array", "items": {"type": "string"}}, "all": {"type": "array", "items": {"type": "string"}},
    "none": {"type": "array", "items": {"type": "string"}}, "languages": {"type": "array", "items": {"type": "string"}}}},
  "NewTheme": {"type": "object", "required": ["name", "rules"], "properties": {"name": {"type": "string", "maxLength": 60},
    "parent": {"type": "string", "nullable": true}, "rules": {"$ref": "#/components/schemas/ThemeRules"}}},
  "ThemeChange": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 60}, "hidden": {"type": "boolean"},
    "merge_into": {"type": "string", "nullable": true, "description": "a theme id; null undoes the merge"}}},
  "NewKey": {"type": "object", "required": ["name", "role", "workspaces"], "properties": {"name": {"type": "string", "maxLength": 100},
    "role": {"type": "string", "enum": ["viewer", "editor", "admin"]},
    "workspaces": {"description": "\"all\" (every workspace, now and later) or a list of workspace ids",
      "oneOf": [{"type": "string", "enum": ["all"]}, {"type": "array", "minItems": 1, "items": {"type": "string"}}]},
    "expires_at": {"type": "string", "format": "date-time", "nullable": true}}},
  "Key": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"},
    "role": {"type": "string", "enum": ["viewer", "editor", "admin"]},
    "workspaces": {"oneOf": [{"type": "string", "enum": ["all"]}, {"type": "array", "items": {"type": "string"}}]},
    "state": {"type": "string", "enum": ["active", "expired", "revoked"]},
    "created_at": {"type": "string", "format": "date-time"}, "expires_at": {"type": "string", "format": "date-time", "nullable": true},
    "last_used_at": {"type": "string", "format": "date-time", "nullable": true, "description": "noted at most once a minute"},
    "revoked_at": {"type": "string", "format": "date-time", "nullable": true},
    "previous_secret_valid_until": {"type": "string", "format": "date-time", "description": "while the secret before a rotation still works"}}},
  "NewKeySecret": {"allOf": [{"$ref": "#/components/schemas/Key"}, {"type": "object", "properties": {
    "api_key": {"type": "string", "description": "the secret, shown only in this answer"}}}]},
  "KeyList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Key"}}}},
  "KeyRotation": {"type": "object", "properties": {"grace_seconds": {"type": "integer", "minimum": 0, "maximum": 2592000, "default": 86400}}},
  "RawItems": {"description": "a JSON array of the source type's raw items, or JSON lines",
    "oneOf": [{"type": "array", "items": {"type": "object"}}, {"type": "string"}]},
  "Accepted": {"type": "object", "properties": {"accepted": {"type": "integer"}}},
  "PushAccepted": {"type": "object", "properties": {"accepted": {"type": "integer", "description": "items taken in to become records"},
    "skipped": {"type": "integer", "description": "items that will become no record"},
    "skipped_reasons": {"$ref": "#/components/schemas/SkippedReasons"}}},
  "Record": {"type": "object", "description": "the uniform feedback record", "properties": {
    "unique_identifier": {"type": "string"}, "workspace_id": {"type": "string"}, "source_id": {"type": "string"},
    "core_attributes": {"type": "object", "properties": {"language": {"type": "string"}, "language_code": {"type": "string"},
      "tenant_info": {"type": "string"}, "source_info": {"type": "string"}}},
    "review_attributes": {"type": "object", "properties": {"rating": {"type": "number", "nullable": true}, "title": {"type": "string", "nullable": true}}},
    "conversation_attributes": {"type": "object", "properties": {"text": {"type": "string"},
      "sentiment_type": {"type": "string", "enum": ["positive", "negative", "neutral", "mixed"]},
      "sentiment_score": {"type": "integer", "minimum": -10, "maximum": 10}, "sentiment_compound": {"type": "number", "minimum": -1, "maximum": 1},
      "category": {"type": "string", "enum": ["bug", "feature_request", "question", "praise", "complaint", "other"]},
      "category_confidence": {"type": "number", "minimum": 0, "maximum": 1},
      "sentiment_confidence": {"type": "number", "minimum": 0, "maximum": 1},
      "evidence": {"type": "object", "description": "the words or signals that moved each label most",
        "properties": {"sentiment": {"$ref": "#/components/schemas/EvidenceList"}, "category": {"$ref": "#/components/schemas/EvidenceList"}}},
      "themes": {"type": "array", "items": {"type": "string"}, "description": "level-1 themes: aspects, then key phrases that fit none"},
      "sub_themes": {"type": "array", "items": {"type": "object", "properties": {"theme": {"type": "string"}, "phrase": {"type": "string"}}}},
      "duplicate_of": {"type": "string", "nullable": true}}},
    "metadata_attributes": {"type": "object", "properties": {"external_id": {"type": "string"}, "url": {"type": "string", "nullable": true}}},
    "user_attributes": {"type": "object", "properties": {"email": {"type": "string", "nullable": true},
      "feedback_platform_user_id": {"type": "string", "nullable": true}, "username": {"type": "string", "nullable": true}}},
    "context_info": {"type": "object", "properties": {"timestamp": {"type": "string", "format": "date-time"},
      "received_at": {"type": "string", "format": "date-time"}, "nlp_version": {"type": "string"},
      "taxonomy_version": {"type": "integer", "description": "the workspace taxonomy the themes were assigned under"}}}}},
  "EvidenceList": {"type": "array", "items": {"type": "object", "properties": {"term": {"type": "string"}, "weight": {"type": "number"}}}},
  "FeedbackPage": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Record"}},
    "next_cursor": {"type": "string", "nullable": true}}},
  "Report": {"type": "object", "properties": {"bucket": {"type": "string"}, "series": {"type": "array", "items": {"type": "object",
    "properties": {"key": {"type": "string"}, "points": {"type": "array", "items": {"type": "object", "properties": {
      "t": {"type": "string", "format": "date-time"}, "count": {"type": "integer"}, "avg_compound": {"type": "number"}}}}}}}}},
  "Quote": {"type": "object", "properties": {"unique_identifier": {"type": "string"}, "text": {"type": "string"},
    "url": {"type": "string", "nullable": true}, "sentiment_type": {"type": "string"}, "sentiment_compound": {"type": "number"},
    "source_id": {"type": "string"}, "timestamp": {"type": "string", "format": "date-time"}}},
  "Insights": {"type": "object", "properties": {
    "totals": {"type": "object", "properties": {"count": {"type": "integer"}, "by_sentiment": {"type": "object", "additionalProperties": {"type": "integer"}},
      "avg_compound": {"type": "number"}}},
    "ratings": {"type": "object", "description": "a source rating 0-10 counts toward NPS (promoters 9-10, detractors 0-6), one rating 1-5 toward CSAT (share of 4 and 5)",
      "properties": {"count": {"type": "integer"},
      "nps": {"type": "object", "nullable": true, "properties": {"score": {"type": "number"}, "count": {"type": "integer"}, "average": {"type": "number"},
        "promoters": {"type": "integer"}, "passives": {"type": "integer"}, "detractors": {"type": "integer"}, "sources": {"type": "array", "items": {"type": "string"}}}},
      "csat": {"type": "object", "nullable": true, "properties": {"score": {"type": "number"}, "count": {"type": "integer"}, "average": {"type": "number"},
        "satisfied": {"type": "integer"}, "neutral": {"type": "integer"}, "dissatisfied": {"type": "integer"}, "sources": {"type": "array", "items": {"type": "string"}}}}}},
    "top_themes": {"type": "array", "items": {"type": "object", "properties": {"theme": {"type": "string"}, "count": {"type": "integer"},
      "share": {"type": "number"}, "avg_compound": {"type": "number"}, "previous_count": {"type": "integer", "nullable": true},
      "trend": {"type": "string", "nullable": true, "enum": ["new", "growing", "fading", "steady"]}}}},
    "emerging": {"type": "array", "items": {"type": "object", "properties": {"theme": {"type": "string"},
      "start": {"type": "string", "format": "date-time"}, "end": {"type": "string", "format": "date-time"}, "count": {"type": "integer"},
      "baseline": {"type": "number", "description": "expected items per day from the trailing baseline"},
      "score": {"type": "number", "description": "-log10 of the count's tail probability under the baseline"},
      "sentiment_type": {"type": "string"}, "slice": {"type": "string", "description": "all, or the sentiment whose volume spiked"},
      "expected": {"type": "number"}, "ratio": {"type": "number"}, "days": {"type": "integer"}, "avg_compound": {"type": "number"},
      "people": {"type": "integer"}, "sources": {"type": "array", "items": {"type": "string"}},
      "related_themes": {"type": "array", "items": {"type": "string"}, "description": "themes that spiked on mostly the same records"},
      "quotes": {"type": "array", "items": {"$ref": "#/components/schemas/Quote"}}}}},
    "quotes": {"type": "object", "additionalProperties": {"type": "array", "items": {"$ref": "#/components/schemas/Quote"}}},
    "issues": {"type": "array", "description": "records from any source linked as one problem, with the distinct people behind them",
      "items": {"type": "object", "properties": {"id": {"type": "string"}, "theme": {"type": "string"},
      "key_phrases": {"type": "array", "items": {"type": "string"}},
      "sources": {"type": "array", "items": {"type": "object", "properties": {"source_id": {"type": "string"}, "records": {"type": "integer"}}}},
      "records": {"type": "integer"}, "people": {"type": "integer"}, "first_seen": {"type": "string", "format": "date-time"},
      "last_seen": {"type": "string", "format": "date-time"}, "avg_compound": {"type": "number"}, "sentiment_type": {"type": "string"},
      "record_ids": {"type": "array", "items": {"type": "string"}}, "quote": {"$ref": "#/components/schemas/Quote"}, "emerging": {"type": "boolean"}}}},
    "detection": {"type": "object", "properties": {"from": {"type": "string", "format": "date-time"}, "to": {"type": "string", "format": "date-time"},
      "baseline_days": {"type": "integer"}, "window_days": {"type": "array", "items": {"type": "integer"}}}}}},
  "AlertChannel": {"type": "object", "required": ["type"], "description": "slack: url (secret). webhook: url, secret (whsec_..., made and shown once when left out). email: host, port (587), starttls (true requires it, false never uses it; left out, it is required when a user logs in and used when offered otherwise), user, password (secret), from, to",
    "properties": {"type": {"type": "string", "enum": ["slack", "webhook", "email"]}, "url": {"type": "string", "format": "uri"},
      "secret": {"type": "string"}, "host": {"type": "string"}, "port": {"type": "integer", "minimum": 1, "maximum": 65535},
      "starttls": {"type": "boolean"}, "user": {"type": "string"}, "password": {"type": "string"}, "from": {"type": "string"},
      "to": {"type": "array", "items": {"type": "string"}},
      "secrets_set": {"type": "array", "items": {"type": "string"}, "readOnly": true, "description": "which secret settings are stored (their values are never shown)"}}},
  "NewAlert": {"type": "object", "required": ["name", "kind", "channel"], "properties": {"name": {"type": "string"},
    "kind": {"type": "string", "enum": ["emerging", "negative_share", "new_theme", "source_stale", "weekly_digest"]},
    "params": {"type": "object", "description": "emerging: themes, min_score (6), min_count (8), window_hours (24), live_lag_hours (6), update_factor (2: one update when the count reaches twice what was sent). negative_share: threshold (required), min_items (20), window_hours, live_lag_hours, update_factor. new_theme: min_count (5), lookback_days (28), window_hours, live_lag_hours, update_factor. source_stale: sources, expected_every_hours (sources without a schedule; default learnt from their last 28 days). weekly_digest: hour_utc (8), sent each Monday for the week that ended"},
    "channel": {"$ref": "#/components/schemas/AlertChannel"}, "enabled": {"type": "boolean"}}},
  "AlertChange": {"type": "object", "properties": {"name": {"type": "string"}, "params": {"type": "object"},
    "channel": {"$ref": "#/components/schemas/AlertChannel"}, "enabled": {"type": "boolean"}}},
  "Alert": {"type": "object", "properties": {"id": {"type": "string"}, "workspace_id": {"type": "string"}, "name": {"type": "string"},
    "kind": {"type": "string"}, "params": {"type": "object"}, "channel": {"$ref": "#/components/schemas/AlertChannel"},
    "enabled": {"type": "boolean"}, "disabled_reason": {"type": "string", "nullable": true},
    "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
    "deliveries_url": {"type": "string"}}},
  "AlertList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}}}},
  "AlertDelivery": {"type": "object", "properties": {"id": {"type": "string"}, "alert_id": {"type": "string"}, "subject": {"type": "string"},
    "type": {"type": "string", "enum": ["alert.fired", "alert.updated", "alert.test", "digest.weekly"]}, "title": {"type": "string"}, "theme": {"type": "string", "nullable": true},
    "count": {"type": "integer"}, "state": {"type": "string", "enum": ["pending", "sending", "delivered", "failed"]},
    "attempts": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
    "delivered_at": {"type": "string", "format": "date-time", "nullable": true}, "next_attempt_at": {"type": "string", "format": "date-time", "nullable": true},
    "status": {"type": "integer", "nullable": true, "description": "the endpoint's HTTP status or SMTP reply code"},
    "error": {"type": "string", "nullable": true, "description": "what went wrong, in words"}}},
  "AlertDeliveryList": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/AlertDelivery"}}}},
  "Digest": {"type": "object", "properties": {"workspace_id": {"type": "string"}, "week": {"type": "string", "example": "2026-W10"},
    "from": {"type": "string", "format": "date-time"}, "to": {"type": "string", "format": "date-time"}, "complete": {"type": "boolean"},
    "volume": {"type": "object"}, "sentiment": {"type": "object"}, "top_themes": {"type": "array", "items": {"type": "object"}},
    "movers": {"type": "object", "properties": {"up": {"type": "array", "items": {"type": "object"}}, "down": {"type": "array", "items": {"type": "object"}}}},
    "new_themes": {"type": "array", "items": {"type": "object"}}, "emerging": {"type": "array", "items": {"type": "object"}}}},
  "AlertTest": {"type": "object", "properties": {"delivered": {"type": "boolean"}, "delivery": {"$ref": "#/components/schemas/AlertDelivery"},
    "alert": {"$ref": "#/components/schemas/Alert"}}}
 }
})json";

json::object param(std::string_view name, std::string_view in, std::string_view description, json::object schema,
                   bool required = false) {
  return json::object{{"name", name},
                      {"in", in},
                      {"description", description},
                      {"required", required || in == "path"},
                      {"schema", std::move(schema)}};
}

json::object string_schema() { return json::object{{"type", "string"}}; }

json::object enum_schema(std::initializer_list<std::string_view> values) {
  json::array e;
  for (auto v : values) e.emplace_back(v);
  return json::object{{"type", "string"}, {"enum", std::move(e)}};
}

std::string_view path_param_description(std::string_view path, std::string_view name) {
  if (name == "id" && path.find("/alerts/") != std::string_view::npos) return "Alert rule id";
  if (name == "id" && path.find("/themes/") != std::string_view::npos)
    return "A theme id: an aspect id, c<N> for a custom theme, or a discovered theme's text (URL-encoded)";
  if (name == "ws") return "Workspace id";
  if (name == "src") return "Source id";
  if (name == "sync") return "Sync id";
  if (name == "job") return "Re-analysis job id";
  if (name == "id" && path.starts_with("/v1/keys/")) return "An API key's id";
  if (name == "id" && path.find("/erasures/") != std::string_view::npos) return "An erasure's id";
  if (name == "id") return "A record's unique_identifier";
  if (name == "file") return "File name under the dashboard's assets/";
  return "Path parameter";
}

void add_query_params(json::array& params, Query query) {
  if (query == Query::none) return;
  if (query == Query::audit) {
    params.push_back(
        param("action", "query", "Only this action (key.create), or a family of them (key.* or key)", string_schema()));
    params.push_back(param("workspace", "query", "Only changes in this workspace id", string_schema()));
    params.push_back(param("limit", "query", "Entries per page, 1 to 500 (default 50)",
                           json::object{{"type", "integer"}, {"minimum", 1}, {"maximum", 500}}));
    params.push_back(param("cursor", "query", "next_cursor of the previous page", string_schema()));
    return;
  }
  if (query == Query::period) {
    json::object time{{"type", "string"}, {"format", "date-time"}};
    params.push_back(param("from", "query", "Start, inclusive (ISO-8601 UTC)", time));
    params.push_back(param("to", "query", "End, exclusive (ISO-8601 UTC)", time));
    return;
  }
  if (query == Query::record) {
    params.push_back(param("include", "query", "raw: add the item as the source sent it (raw, null where not kept)",
                           enum_schema({"raw"})));
    return;
  }
  if (query == Query::insights_legacy)
    params.push_back(param("workspace_id", "query", "Workspace id", string_schema(), true));
  json::object time{{"type", "string"}, {"format", "date-time"}};
  params.push_back(param("from", "query", "Start, inclusive (ISO-8601 UTC)", time));
  params.push_back(param("to", "query", "End, exclusive (ISO-8601 UTC)", time));
  params.push_back(param("source", "query", "Only this source id", string_schema()));
  params.push_back(
      param("sentiment", "query", "Only this sentiment", enum_schema({"positive", "negative", "neutral", "mixed"})));
  params.push_back(param("category", "query", "Only this category",
                         enum_schema({"bug", "feature_request", "question", "praise", "complaint", "other"})));
  params.push_back(param("theme", "query", "Only records with this theme", string_schema()));
  params.push_back(param("language", "query", "Only this ISO 639-1 language code", string_schema()));
  params.push_back(param("q", "query", "Words the text contains", string_schema()));
  if (query == Query::feedback) {
    params.push_back(param("limit", "query", "Records per page, 1 to 500 (default 50)",
                           json::object{{"type", "integer"}, {"minimum", 1}, {"maximum", 500}}));
    params.push_back(param("cursor", "query", "next_cursor of the previous page", string_schema()));
    params.push_back(param("format", "query",
                           "jsonl or csv: every matching record, all pages, as JSON lines or CSV (limit and cursor "
                           "do not apply)",
                           enum_schema({"jsonl", "csv"})));
  }
  if (query == Query::reports) {
    params.push_back(
        param("bucket", "query", "Time bucket (default day)", enum_schema({"hour", "day", "week", "month"})));
    params.push_back(param("group_by", "query", "One series per value of this dimension (default: one series)",
                           enum_schema({"source", "sentiment", "category", "theme", "language"})));
  }
}

json::object schema_ref(std::string_view name) {
  if (name == "object") return json::object{{"type", "object"}};
  return json::object{{"$ref", "#/components/schemas/" + std::string(name)}};
}

json::object success_response(const RouteDoc& r) {
  json::object res{{"description", r.status == 204 ? "Done, no content" : r.summary}};
  if (r.response.empty()) return res;
  std::string_view type = r.response == "html"    ? "text/html"
                          : r.response == "text"  ? "text/plain"
                          : r.response == "asset" ? "application/octet-stream"
                                                  : "application/json";
  json::object schema = r.response == "html" || r.response == "text" || r.response == "asset"
                            ? json::object{{"type", "string"}}
                            : schema_ref(r.response);
  res["content"] = json::object{{type, json::object{{"schema", std::move(schema)}}}};
  if (r.query == Query::feedback) {
    json::object text{{"schema", json::object{{"type", "string"}}}};
    res["content"].as_object()["application/x-ndjson"] = text;
    res["content"].as_object()["text/csv"] = text;
  }
  return res;
}

json::object operation(const RouteDoc& r) {
  json::object op{{"summary", r.summary}, {"tags", json::array{json::value(r.tag)}}};
  json::array params;
  for (std::size_t open = r.path.find('{'); open != std::string_view::npos; open = r.path.find('{', open + 1)) {
    auto name = r.path.substr(open + 1, r.path.find('}', open) - open - 1);
    params.push_back(param(name, "path", path_param_description(r.path, name), string_schema(), true));
  }
  add_query_params(params, r.query);
  if (!params.empty()) op["parameters"] = std::move(params);
  if (!r.request.empty()) {
    json::object content{{"application/json", json::object{{"schema", schema_ref(r.request)}}}};
    if (r.request == "RawItems")
      content["application/x-ndjson"] = json::object{{"schema", json::object{{"type", "string"}}}};
    op["requestBody"] = json::object{{"required", true}, {"content", std::move(content)}};
  }
  switch (r.access) {
    case Access::anyone:
      op["security"] = json::array{};
      break;
    case Access::operator_key:
      op["security"] = json::array{json::object{{"adminKey", json::array{}}}};
      break;
    case Access::viewer:
    case Access::editor:
    case Access::admin:
      op["security"] = json::array{json::object{{"customerKey", json::array{}}}};
      break;
    case Access::signed_webhook:
      op["security"] = json::array{};
      op["description"] =
          "Authenticated by the signature scheme configured on the source (webhook.scheme); a bad "
          "signature is 401 and nothing is stored.";
      break;
  }
  op["x-chorus-role"] = access_name(r.access);
  json::object responses{{std::to_string(r.status), success_response(r)}};
  json::object error_ref{{"$ref", "#/components/responses/Error"}};
  responses["default"] = error_ref;
  op["responses"] = std::move(responses);
  return op;
}

json::object build_document() {
  json::object paths;
  for (const RouteDoc& r : kRoutes) {
    std::string method(r.method);
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto& item = paths[r.path];
    if (!item.is_object()) item = json::object{};
    item.as_object()[method] = operation(r);
  }
  return json::object{
      {"openapi", "3.0.3"},
      {"info", json::object{{"title", "Chorus API"},
                            {"version", "1"},
                            {"description",
                             "Customer feedback from every channel, read and summarised. JSON in and "
                             "out; errors are {\"error\":{\"code\",\"message\"}}; times are ISO-8601 UTC, "
                             "from inclusive and to exclusive."}}},
      {"servers", json::array{json::object{{"url", "/"}}}},
      {"paths", std::move(paths)},
      {"components", json::parse(kComponents).as_object()}};
}

}  // namespace

const json::object& openapi_document() {
  static const json::object document = build_document();
  return document;
}

}  // namespace chorus::api

// Encoding and decoding of topic payloads.
#include "bus/messages.hpp"

namespace chorus::bus {

namespace {
const char* kind_name(RawItems::Kind k) {
  switch (k) {
    case RawItems::Kind::page: return "page";
    case RawItems::Kind::push: return "push";
    case RawItems::Kind::webhook: return "webhook";
  }
  return "push";
}
}  // namespace

std::string encode(const FetchRequest& m) {
  return to_json_string(json::object{
      {"workspace_id", m.workspace_id}, {"source_id", m.source_id}, {"sync_id", m.sync_id}});
}

Result<FetchRequest> decode_fetch_request(std::string_view payload) {
  auto v = parse_json(payload);
  if (!v) return v.error();
  FetchRequest m;
  auto ws = get_int(*v, "workspace_id");
  auto src = get_int(*v, "source_id");
  if (!ws || !src) return make_error(ErrorCode::bad_request, "fetch request lacks workspace_id or source_id");
  m.workspace_id = *ws;
  m.source_id = *src;
  m.sync_id = get_int(*v, "sync_id").value_or(0);
  return m;
}

std::string encode(const RawItems& m) {
  json::object o{{"kind", kind_name(m.kind)},
                 {"workspace_id", m.workspace_id},
                 {"source_id", m.source_id},
                 {"source_type", m.source_type},
                 {"received_at", m.received_at}};
  if (m.sync_id) o["sync_id"] = *m.sync_id;
  if (m.cursor) o["cursor"] = *m.cursor;
  if (m.final) o["final"] = true;
  if (m.kind == RawItems::Kind::webhook) {
    o["headers"] = m.headers;
    o["body"] = m.body;
  } else {
    o["items"] = m.items;
  }
  return to_json_string(o);
}

Result<RawItems> decode_raw_items(std::string_view payload) {
  auto v = parse_json(payload);
  if (!v) return v.error();
  if (!v->is_object()) return make_error(ErrorCode::bad_request, "raw item message is not an object");
  RawItems m;
  std::string kind = get_string(*v, "kind").value_or("");
  if (kind == "page")
    m.kind = RawItems::Kind::page;
  else if (kind == "push")
    m.kind = RawItems::Kind::push;
  else if (kind == "webhook")
    m.kind = RawItems::Kind::webhook;
  else
    return make_error(ErrorCode::bad_request, "raw item message has unknown kind '" + kind + "'");
  auto ws = get_int(*v, "workspace_id");
  auto src = get_int(*v, "source_id");
  if (!ws || !src) return make_error(ErrorCode::bad_request, "raw item message lacks workspace_id or source_id");
  m.workspace_id = *ws;
  m.source_id = *src;
  m.source_type = get_string(*v, "source_type").value_or("");
  m.sync_id = get_int(*v, "sync_id");
  m.cursor = get_string(*v, "cursor");
  m.final = get_bool(*v, "final").value_or(false);
  m.received_at = get_int(*v, "received_at").value_or(0);
  const auto& o = v->get_object();
  if (auto it = o.find("items"); it != o.end() && it->value().is_array()) m.items = it->value().get_array();
  if (auto it = o.find("headers"); it != o.end() && it->value().is_object()) m.headers = it->value().get_object();
  m.body = get_string(*v, "body").value_or("");
  return m;
}

}  // namespace chorus::bus

// What both backends share for data governance: workspace settings as stored, the salted hashes erased persons
// are remembered by, and the retention pass.
#include <algorithm>

#include "core/json.hpp"
#include "core/secrets.hpp"
#include "store/store.hpp"

namespace chorus::store {

namespace {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  return out;
}

}  // namespace

std::string encode_workspace_settings(const WorkspaceSettings& s) {
  json::array redact;
  for (const auto& k : s.redact) redact.emplace_back(k);
  json::object o{
      {"redact", std::move(redact)}, {"keep_raw", s.keep_raw}, {"drop_erased_authors", s.drop_erased_authors}};
  if (s.retention_days) o["retention_days"] = *s.retention_days;
  if (!s.author_salt.empty()) o["author_salt"] = s.author_salt;
  return to_json_string(o);
}

WorkspaceSettings decode_workspace_settings(std::string_view text) {
  WorkspaceSettings s;
  auto v = parse_json(text);
  if (!v || !v->is_object()) return s;
  const auto& o = v->get_object();
  if (auto it = o.find("retention_days"); it != o.end() && it->value().is_int64())
    s.retention_days = it->value().as_int64();
  if (auto it = o.find("redact"); it != o.end() && it->value().is_array())
    for (const auto& k : it->value().get_array())
      if (k.is_string()) s.redact.emplace_back(k.get_string());
  if (auto it = o.find("keep_raw"); it != o.end() && it->value().is_bool()) s.keep_raw = it->value().get_bool();
  if (auto it = o.find("drop_erased_authors"); it != o.end() && it->value().is_bool())
    s.drop_erased_authors = it->value().get_bool();
  if (auto it = o.find("author_salt"); it != o.end() && it->value().is_string())
    s.author_salt = std::string(it->value().get_string());
  return s;
}

std::string erased_author_hash(const std::string& salt, std::string_view field, std::string_view value) {
  std::string normalised = field == "email" ? lower_ascii(value) : std::string(value);
  return sha256_hex(salt + "\n" + std::string(field) + "\n" + normalised);
}

std::vector<std::string> author_hashes(const std::string& salt, const std::optional<std::string>& email,
                                       const std::optional<std::string>& user_id,
                                       const std::optional<std::string>& username) {
  std::vector<std::string> out;
  if (email && !email->empty()) out.push_back(erased_author_hash(salt, "email", *email));
  if (user_id && !user_id->empty()) out.push_back(erased_author_hash(salt, "user_id", *user_id));
  if (username && !username->empty()) out.push_back(erased_author_hash(salt, "username", *username));
  return out;
}

Result<RetentionPass> apply_retention(Store& store, TimeMs now) {
  auto all = store.list_all_workspaces();
  if (!all) return all.error();
  RetentionPass pass;
  for (const auto& ws : *all) {
    if (!ws.settings.retention_days || *ws.settings.retention_days <= 0) continue;
    auto removed = store.delete_records_before(ws.id, now - *ws.settings.retention_days * 86'400'000LL);
    if (!removed) return removed.error();
    ++pass.workspaces;
    pass.records += *removed;
  }
  return pass;
}

std::string quoted_identifier(const PersonMatch& who) { return to_json_string(json::value(who.value)); }

const char* dead_letter_condition(const PersonMatch& who) {
  return who.field == "email" ? "instr(lower(payload), lower(?2)) > 0" : "instr(payload, ?2) > 0";
}

std::optional<std::string> unlinked_body(std::string_view text, const std::unordered_set<std::int64_t>& removed) {
  auto body = parse_json(text);
  if (!body || !body->is_object()) return std::nullopt;
  auto* conv = body->get_object().if_contains("conversation_attributes");
  if (!conv || !conv->is_object()) return std::nullopt;
  auto* dup = conv->get_object().if_contains("duplicate_of");
  if (!dup || !dup->is_string()) return std::nullopt;
  std::int64_t target = 0;
  try {
    target = std::stoll(std::string(dup->get_string()));
  } catch (...) {
    return std::nullopt;
  }
  if (!removed.contains(target)) return std::nullopt;
  *dup = nullptr;
  return to_json_string(*body);
}

}  // namespace chorus::store

// Maps one Typeform response to a MappedItem: the open-text answers (short_text and long_text fields)
// become the text, the first opinion_scale, rating or NPS answer the rating (as answered: 0-10 for NPS,
// 1-N for a rating), every score goes to metadata by field ref, and hidden fields name the customer.
#include <vector>

#include "connectors/typeform/typeform_connector.hpp"
#include "core/time.hpp"

namespace chorus::connectors::typeform {

namespace {

std::optional<std::string> non_empty(const json::value& obj, std::string_view key) {
  auto s = get_string(obj, key);
  if (s && s->empty()) return std::nullopt;
  return s;
}

struct Answers {
  std::vector<std::string> texts;
  std::optional<double> rating;
  json::value nps;      // as answered, null when there is no NPS question
  json::object scores;  // field ref (or id) -> number, as answered
  std::optional<std::string> email;
};

bool is_open_text(std::string_view field_type, std::string_view answer_type) {
  if (field_type.empty()) return answer_type == "text";  // no field type: trust the answer's
  return field_type == "short_text" || field_type == "long_text";
}

bool is_score(std::string_view field_type) {
  return field_type == "opinion_scale" || field_type == "rating" || field_type == "nps";
}

Answers read_answers(const json::value& response) {
  Answers out;
  const json::value* answers = find_path(response, "answers");
  if (!answers || !answers->is_array()) return out;
  for (const json::value& a : answers->get_array()) {
    if (!a.is_object()) continue;
    const json::value* field = find_path(a, "field");
    std::string field_type = field ? get_string(*field, "type").value_or("") : "";
    std::string answer_type = get_string(a, "type").value_or("");
    if (answer_type == "text" && is_open_text(field_type, answer_type)) {
      auto text = non_empty(a, "text");
      if (text && text->find_first_not_of(" \t\r\n") != std::string::npos) out.texts.push_back(std::move(*text));
    } else if (answer_type == "number" && is_score(field_type)) {
      auto n = get_double(a, "number");
      if (!n) continue;
      const json::value& number = a.get_object().at("number");
      if (!out.rating) out.rating = n;
      if (field_type == "nps" && out.nps.is_null()) out.nps = number;
      std::string key = field ? non_empty(*field, "ref").value_or(non_empty(*field, "id").value_or("")) : "";
      if (!key.empty()) out.scores[key] = number;
    } else if (answer_type == "email" && !out.email) {
      out.email = non_empty(a, "email");
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += "\n\n";
    out += p;
  }
  return out;
}

}  // namespace

bool has_feedback(const json::value& response) {
  Answers a = read_answers(response);
  return !a.texts.empty() || a.rating.has_value();
}

Result<MappedItem> TypeformConnector::map(const json::value& raw, const SourceSettings& source) const {
  const json::value* response = &raw;
  // A webhook delivery pushed as it came maps like the response inside it.
  if (const json::value* inner = find_path(raw, "form_response"); inner && inner->is_object()) response = inner;
  if (!response->is_object())
    return make_error(ErrorCode::bad_request, "typeform item must be a JSON object (a response)");
  auto token = non_empty(*response, "token");
  if (!token) token = non_empty(*response, "response_id");
  if (!token) return make_error(ErrorCode::bad_request, "typeform response has no token");

  Answers answers = read_answers(*response);
  if (answers.texts.empty() && !answers.rating)
    return make_error(ErrorCode::bad_request,
                      "typeform response " + *token + " has no open-text (short_text, long_text) or score answer");
  MappedItem m;
  m.external_id = *token;
  m.source_info = "TypeformResponse";
  m.text = join(answers.texts);
  m.format = MappedItem::Format::plain;
  m.rating = answers.rating;
  if (auto submitted = non_empty(*response, "submitted_at")) m.timestamp = parse_time(*submitted);

  auto form_id = non_empty(*response, "form_id");
  if (!form_id) form_id = get_string(source.config, "form_id");
  if (form_id) {
    m.url = "https://admin.typeform.com/form/" + *form_id + "/results#responses";
    m.extra["form_id"] = *form_id;
  }

  // Hidden fields are how forms usually carry who is answering (?email=...&user_id=... on the form link).
  m.email = answers.email;
  if (const json::value* hidden = find_path(*response, "hidden"); hidden && hidden->is_object()) {
    if (!m.email) m.email = non_empty(*hidden, "email");
    m.user_id = non_empty(*hidden, "user_id");
    m.username = non_empty(*hidden, "name");
    if (!hidden->get_object().empty()) m.extra["hidden"] = *hidden;
  }
  if (!answers.scores.empty()) m.extra["scores"] = std::move(answers.scores);
  if (!answers.nps.is_null()) m.extra["nps"] = answers.nps;
  if (const json::value* platform = find_path(*response, "metadata.platform"); platform && platform->is_string())
    m.extra["platform"] = *platform;
  return m;
}

}  // namespace chorus::connectors::typeform

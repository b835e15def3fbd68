// The Typeform connector's declared settings and its webhook handling.
#include "connectors/typeform/typeform_connector.hpp"

#include <array>

#include "connectors/common_fields.hpp"

namespace chorus::connectors::typeform {

namespace {

const std::array<FieldSpec, 4> kConfig{{
    {"form_id", "string", true, "", "The form's id, as in https://admin.typeform.com/form/{form_id}/results."},
    base_url_field("https://api.typeform.com", "accounts in the EU data center (https://api.eu.typeform.com)"),
    {"since", "time", false, "",
     "Where the first sync starts (ISO-8601, by submission time); later syncs continue from the newest response "
     "already collected."},
    {"page_size", "integer", false, "200", "Responses per request (1 to 1000)."},
}};

const std::array<FieldSpec, 1> kCredentials{{
    {"access_token", "string", false, "", "A personal access token with the responses:read scope."},
}};

const std::array<std::string_view, 1> kSchemes{"typeform"};

}  // namespace

std::string_view TypeformConnector::description() const {
  return "Responses to a Typeform form: open-text answers become the text and opinion scale, rating or NPS "
         "answers the rating; form_response webhooks deliver each submission as it happens.";
}

std::span<const FieldSpec> TypeformConnector::config_fields() const { return kConfig; }
std::span<const FieldSpec> TypeformConnector::credential_fields() const { return kCredentials; }
std::span<const std::string_view> TypeformConnector::webhook_schemes() const { return kSchemes; }

Status TypeformConnector::check_settings(const json::object& config, const json::object& /*credentials*/) const {
  if (auto it = config.find("form_id"); it != config.end() && it->value().is_string()) {
    for (char c : it->value().get_string()) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok)
        return make_error(ErrorCode::bad_request,
                          "config.form_id must be the form's id alone (e.g. lT4Z3j), not its URL");
    }
  }
  if (auto st = check_common_fields(config); !st) return st;
  if (auto it = config.find("page_size"); it != config.end()) {
    double n = it->value().to_number<double>();
    if (n < 1 || n > 1000) return make_error(ErrorCode::bad_request, "config.page_size must be between 1 and 1000");
  }
  return {};
}

// Deliveries are {"event_id", "event_type": "form_response", "form_response": {...}}. A webhook set up on
// another form but pointed here is ignored rather than mixed into this source; partial responses
// (form_response_partial) are ignored until they are submitted.
Result<WebhookItems> TypeformConnector::from_webhook(const http::Headers& /*headers*/, const json::value& body,
                                                     const SourceSettings& /*source*/) const {
  if (!body.is_object()) return make_error(ErrorCode::bad_request, "typeform webhook body must be a JSON object");
  WebhookItems out;
  if (get_string(body, "event_type") != std::optional<std::string>("form_response")) return out;
  const json::value* response = find_path(body, "form_response");
  if (!response || !response->is_object())
    return make_error(ErrorCode::bad_request, "typeform form_response delivery has no form_response object");
  out.items.push_back(*response);  // another form's, or one without words, is left out by skip_reason
  return out;
}

// A response to another form (a webhook set up elsewhere but pointed here, or a mixed upload), an
// unsubmitted one, or one without an open-text answer is not this source's feedback.
std::optional<std::string> TypeformConnector::skip_reason(const json::value& raw, const SourceSettings& source) const {
  const json::value* response = &raw;
  if (const json::value* inner = find_path(raw, "form_response"); inner && inner->is_object()) response = inner;
  if (!response->is_object()) return std::nullopt;
  auto form = get_string(*response, "form_id");
  auto configured = get_string(source.config, "form_id");
  if (form && configured && *form != *configured) return "other_form";
  if (auto submitted = get_string(*response, "submitted_at"); !submitted || submitted->empty()) return "partial";
  if (!has_feedback(*response)) return std::string(kNoText);
  return std::nullopt;
}

const Connector& connector() {
  static const TypeformConnector instance;
  return instance;
}

std::string base_url(const SourceSettings& source) { return setting_base_url(source, "https://api.typeform.com"); }

}  // namespace chorus::connectors::typeform

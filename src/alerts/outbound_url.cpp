// Outbound URL and host checks for alert channels.
#include "alerts/outbound_url.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <cctype>
#include <string>

namespace chorus::alerts {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Why this host may not be reached, or empty: not a host at all, or refused by the egress policy.
std::string refused_host(std::string_view host_in, const ingest::EgressPolicy& egress) {
  std::string host = lower(host_in);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) return "has no host";
  if (auto why = egress.host_refusal(host)) return "is refused: " + *why;
  if (ingest::IpAddress::parse(host)) return "";
  for (char c : host)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_')) return "is not a host name";
  return "";
}

}  // namespace

Status check_outbound_url(std::string_view url, std::string_view field, const ingest::EgressPolicy& egress) {
  const std::string name(field);
  if (url.empty()) return make_error(ErrorCode::bad_request, name + " is required: an http or https URL");
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return make_error(ErrorCode::bad_request, name + " is not a valid absolute URL");
  std::string scheme = lower(parsed->scheme());
  if (scheme != "http" && scheme != "https")
    return make_error(ErrorCode::bad_request,
                      name + " must be an http or https URL; the scheme \"" + scheme + "\" cannot be used");
  if (parsed->has_userinfo())
    return make_error(ErrorCode::bad_request, name + " must not carry a user name or password in the URL");
  if (auto why = refused_host(std::string(parsed->encoded_host_address()), egress); !why.empty())
    return make_error(ErrorCode::bad_request, name + " " + why);
  if (parsed->has_port() && parsed->port_number() == 0)
    return make_error(ErrorCode::bad_request, name + " has an invalid port");
  return {};
}

Status check_outbound_host(std::string_view host, std::string_view field, const ingest::EgressPolicy& egress) {
  if (auto why = refused_host(host, egress); !why.empty())
    return make_error(ErrorCode::bad_request, std::string(field) + " " + why);
  return {};
}

}  // namespace chorus::alerts

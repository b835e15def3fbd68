// Outbound URL and host checks for alert channels.
#include "alerts/outbound_url.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <boost/url/parse.hpp>
#include <cstring>
#include <string>

namespace chorus::alerts {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Why this address may not be reached, or empty.
std::string refused_ipv4(const std::array<unsigned char, 4>& a) {
  if (a[0] == 169 && a[1] == 254) return "a link-local address (169.254.0.0/16)";
  if (a[0] == 0) return "an unspecified address (0.0.0.0/8)";
  if (a[0] >= 224 && a[0] <= 239) return "a multicast address";
  if (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255) return "the broadcast address";
  return "";
}

std::string refused_ipv6(const std::array<unsigned char, 16>& a) {
  static const std::array<unsigned char, 16> zero{};
  if (a == zero) return "the unspecified address (::)";
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return "a link-local address (fe80::/10)";
  if (a[0] == 0xff) return "a multicast address";
  bool mapped =
      std::all_of(a.begin(), a.begin() + 10, [](unsigned char c) { return c == 0; }) && a[10] == 0xff && a[11] == 0xff;
  if (mapped) return refused_ipv4({a[12], a[13], a[14], a[15]});
  return "";
}

// Why this host may not be reached, or empty. Names are checked for the well-known metadata aliases only;
// the address a name resolves to is the egress policy's business at connection time.
std::string refused_host(std::string_view host_in) {
  std::string host = lower(host_in);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) return "no host";
  // inet_aton also reads the legacy forms a resolver accepts ("2852039166", "0xa9fea9fe", "169.254.43518"),
  // which would otherwise pass for names and reach the very address they spell.
  if (in_addr a{}; inet_aton(host.c_str(), &a) == 1) {
    std::array<unsigned char, 4> v4{};
    std::memcpy(v4.data(), &a.s_addr, 4);
    return refused_ipv4(v4);
  }
  std::array<unsigned char, 16> v6{};
  if (inet_pton(AF_INET6, host.c_str(), v6.data()) == 1) return refused_ipv6(v6);
  if (host == "metadata.google.internal" || host == "metadata" || host == "instance-data")
    return "a cloud metadata service";
  for (char c : host)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_')) return "not a host name";
  return "";
}

}  // namespace

Status check_outbound_url(std::string_view url, std::string_view field) {
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
  std::string host(parsed->encoded_host_address());
  if (auto why = refused_host(host); !why.empty())
    return make_error(ErrorCode::bad_request, name + " points at " + why + ", which alerts may not reach");
  if (parsed->has_port()) {
    auto port = parsed->port_number();
    if (port == 0) return make_error(ErrorCode::bad_request, name + " has an invalid port");
  }
  return {};
}

Status check_outbound_host(std::string_view host, std::string_view field) {
  if (auto why = refused_host(host); !why.empty())
    return make_error(ErrorCode::bad_request, std::string(field) + " is " + why + ", which alerts may not reach");
  return {};
}

}  // namespace chorus::alerts

// Which URLs an alert may be sent to: http(s) only, with a host, and never a link-local, unspecified,
// multicast or broadcast address (cloud metadata services live at 169.254.169.254). Loopback and private
// ranges are allowed: a team's own relay or a test server may sit there.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace chorus::alerts {

// ok, or a bad_request naming `field` and what is wrong with the URL.
Status check_outbound_url(std::string_view url, std::string_view field);

// At send time: what the host resolves to now, with the same refusals (a name that points at a metadata
// address is caught here); forbidden when refused, ok when it does not resolve (the transfer then says so).
Status check_resolved_host(const std::string& host);
// The host of an absolute URL, without brackets; empty when it is not one.
std::string url_host(std::string_view url);

// A host for SMTP: a name or an address, with the same refusals.
Status check_outbound_host(std::string_view host, std::string_view field);

}  // namespace chorus::alerts

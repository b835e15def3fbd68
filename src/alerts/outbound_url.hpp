// Which URLs an alert may be sent to: http(s) only, with a host, and never a link-local, unspecified,
// multicast or broadcast address (cloud metadata services live at 169.254.169.254). Loopback and private
// ranges pass here; whether a connection may reach them is the egress policy's call (ingest/egress.hpp,
// --egress-allow), made on the address each connection opens to.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace chorus::alerts {

// ok, or a bad_request naming `field` and what is wrong with the URL.
Status check_outbound_url(std::string_view url, std::string_view field);

// A host for SMTP: a name or an address, with the same refusals.
Status check_outbound_host(std::string_view host, std::string_view field);

}  // namespace chorus::alerts

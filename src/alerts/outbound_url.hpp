// Which URLs and hosts an alert channel may be saved with: http(s) only, with a host and no credentials in
// it, and a destination the operator's egress policy (ingest/egress.hpp, --egress-allow) does not refuse:
// the one place that decides which addresses, legacy numeric forms and metadata names are out of reach.
// A name passes here; the address it resolves to meets the same policy when a connection opens.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "ingest/egress.hpp"

namespace chorus::alerts {

// ok, or a bad_request naming `field` and what is wrong with the URL.
Status check_outbound_url(std::string_view url, std::string_view field, const ingest::EgressPolicy& egress);

// A host for SMTP: a name or an address, with the same refusals.
Status check_outbound_host(std::string_view host, std::string_view field, const ingest::EgressPolicy& egress);

}  // namespace chorus::alerts

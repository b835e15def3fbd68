// One JSON POST to an alert endpoint, read into a DeliveryOutcome: what counts as delivered, what is worth
// retrying, and what says the endpoint is gone (410). Shared by the channels that speak HTTP.
#pragma once

#include <string>
#include <vector>

#include "alerts/channel.hpp"

namespace chorus::alerts {

DeliveryOutcome post_json(const std::string& url, const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers, std::string_view what,
                          const ingest::EgressPolicy& egress);

}  // namespace chorus::alerts

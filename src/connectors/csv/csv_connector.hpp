// The csv source type: spreadsheet rows, each a JSON object keyed by the header row (as `chorus import`
// sends them), read through the same declared field mapping as jsonl. Every value is a string there;
// ratings and times are read from their text.
#pragma once

#include "connectors/connector.hpp"

namespace chorus::connectors::csv {

const Connector& connector();

}  // namespace chorus::connectors::csv

// The connector registry: adding a source type adds one line here.
#include <array>

#include "connectors/appstore/appstore_connector.hpp"
#include "connectors/connector.hpp"
#include "connectors/csv/csv_connector.hpp"
#include "connectors/discourse/discourse_connector.hpp"
#include "connectors/github/github_connector.hpp"
#include "connectors/googleplay/googleplay_connector.hpp"
#include "connectors/hackernews/hackernews_connector.hpp"
#include "connectors/intercom/intercom_connector.hpp"
#include "connectors/jsonl/field_mapping.hpp"
#include "connectors/reddit/reddit_connector.hpp"
#include "connectors/slack/slack_connector.hpp"
#include "connectors/typeform/typeform_connector.hpp"
#include "connectors/zendesk/zendesk_connector.hpp"

namespace chorus::connectors {

std::span<const Connector* const> all_connectors() {
  static const std::array<const Connector*, 12> kAll{
      &discourse::connector(),
      &zendesk::connector(),
      &intercom::connector(),
      &typeform::connector(),
      &slack::connector(),
      &jsonl::connector(),
      &csv::connector(),
      &github::connector(),
      &hackernews::connector(),
      &reddit::connector(),
      &appstore::connector(),
      &googleplay::connector(),
  };
  return kAll;
}

const Connector* find_connector(std::string_view type) {
  for (const Connector* c : all_connectors())
    if (c->type() == type) return c;
  return nullptr;
}

}  // namespace chorus::connectors

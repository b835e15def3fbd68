// The csv source type: rows keyed by their header, read through config.fields.
#include "connectors/csv/csv_connector.hpp"

#include "connectors/jsonl/field_mapping.hpp"

namespace chorus::connectors::csv {

const Connector& connector() {
  static const jsonl::FieldMappedConnector instance(
      "csv",
      "Rows of a CSV file (a header row, then one item per row) mapped by a declared field mapping "
      "(config.fields, by column name): imported with `chorus import`, pushed, or sent by webhook.",
      "CsvRow");
  return instance;
}

}  // namespace chorus::connectors::csv

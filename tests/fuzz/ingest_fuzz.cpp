// Fuzz target: CSV files, Link headers, and webhook signature headers, as a sender or an upstream
// API could send them.
#include <cstdint>
#include <sstream>
#include <string>

#include "ingest/csv_reader.hpp"
#include "ingest/link_header.hpp"
#include "ingest/webhook_scheme.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chorus;
  std::string input(reinterpret_cast<const char*>(data), size);

  std::istringstream in(input);
  ingest::CsvReader reader(in);
  if (reader.read_header()) {
    for (int rows = 0; rows < 10000; ++rows) {
      auto row = reader.next();
      if (!row || !*row) break;
    }
  }

  (void)ingest::parse_link_header(input);

  // First line: the value given to every signature and timestamp header; the rest: the body.
  auto nl = input.find('\n');
  std::string header = input.substr(0, nl);
  std::string body = nl == std::string::npos ? "" : input.substr(nl + 1);
  http::Headers headers;
  for (const char* name : {"x-discourse-event-signature", "x-hub-signature-256", "x-hub-signature",
                           "typeform-signature", "x-slack-signature", "x-slack-request-timestamp",
                           "x-zendesk-webhook-signature", "x-zendesk-webhook-signature-timestamp", "webhook-id",
                           "webhook-timestamp", "webhook-signature", "x-webhook-token"})
    headers.set(name, header);
  for (const auto* scheme : ingest::all_webhook_schemes()) {
    (void)scheme->verify(headers, body, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 1700000000000);
    (void)scheme->verify(headers, body, header.empty() ? "s" : header, 1700000000000);
  }
  return 0;
}

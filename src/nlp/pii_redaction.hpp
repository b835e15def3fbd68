// Masks personal data in feedback text before it is analysed, stored or exported: e-mail addresses, phone
// numbers, payment card numbers (only those that pass the Luhn check), IBANs (only those whose mod-97
// checksum holds), IP addresses and the values of URL query parameters. Each match becomes a placeholder
// naming what was there ("[email]", "[card]"), so a reader still follows the sentence; ordinary numbers
// (order ids, versions, dates, prices) survive.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace chorus::nlp {

enum class PiiKind { email, phone, card, iban, ip, url_params };
inline constexpr std::size_t kPiiKinds = 6;

// "email", "phone", "card", "iban", "ip", "url_params".
std::string_view pii_kind_name(PiiKind kind);
std::optional<PiiKind> pii_kind_from_name(std::string_view name);

// Which kinds a workspace masks. Parsed from its `redact` list; an unknown name is an error listing the
// known ones.
struct RedactionPolicy {
  std::array<bool, kPiiKinds> kinds{};
  bool any() const;
  bool masks(PiiKind k) const { return kinds[static_cast<std::size_t>(k)]; }
  static Result<RedactionPolicy> parse(const std::vector<std::string>& names);
  // The kinds of `names` this build knows; others (set by a newer server) are ignored rather than stopping items.
  static RedactionPolicy known(const std::vector<std::string>& names);
  std::vector<std::string> names() const;
};

struct Redacted {
  std::string text;
  std::array<std::size_t, kPiiKinds> counts{};  // matches masked, per kind
  std::size_t total() const;
};

// The text with every match of the policy's kinds replaced by its placeholder. Works on plain text, HTML
// (mailto: links, attributes) and markdown alike; invalid UTF-8 passes through unchanged.
Redacted redact_pii(std::string_view text, const RedactionPolicy& policy);

// The checks the detectors use, exposed for tests.
bool luhn_valid(std::string_view digits);
bool iban_valid(std::string_view compact);  // "DE89370400440532013000": no spaces

}  // namespace chorus::nlp

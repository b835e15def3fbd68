// PII masking (see pii_redaction.hpp). One left-to-right pass over the bytes: at each word start the
// detectors are tried in order (URL parameters, e-mail, IBAN, card, IP, phone) and the first that matches
// consumes its span; everything else is copied as it is.
#include "nlp/pii_redaction.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>

namespace chorus::nlp {

namespace {

constexpr std::string_view kNames[kPiiKinds] = {"email", "phone", "card", "iban", "ip", "url_params"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }
// Bytes of multi-byte UTF-8 characters count as letters: "é4111..." is not a number's start.
bool is_word_byte(char c) { return is_alnum(c) || static_cast<unsigned char>(c) >= 0x80 || c == '_'; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool starts_with_ci(std::string_view s, std::size_t at, std::string_view prefix) {
  if (s.size() - at < prefix.size()) return false;
  for (std::size_t k = 0; k < prefix.size(); ++k)
    if (lower(s[at + k]) != prefix[k]) return false;
  return true;
}

// A span the detectors matched: its length in the input and what replaces it.
struct Match {
  std::size_t length = 0;
  std::string replacement;
};

std::string placeholder(PiiKind k) { return "[" + std::string(kNames[static_cast<std::size_t>(k)]) + "]"; }

// local@domain.tld: the local part from the word start, a domain of at least two labels, a TLD of letters.
std::optional<Match> email_at(std::string_view s, std::size_t i) {
  auto local_char = [](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; };
  std::size_t j = i;
  while (j < s.size() && local_char(s[j]) && j - i <= 64) ++j;
  if (j == i || j >= s.size() || s[j] != '@') return std::nullopt;
  std::size_t k = j + 1, labels = 0, last_label_start = k;
  bool last_all_alpha = false;
  while (k < s.size()) {
    std::size_t start = k;
    bool all_alpha = true;
    while (k < s.size() && (is_alnum(s[k]) || s[k] == '-')) {
      if (!is_alpha(s[k])) all_alpha = false;
      ++k;
    }
    if (k == start) break;
    ++labels;
    last_label_start = start;
    last_all_alpha = all_alpha;
    if (k + 1 < s.size() && s[k] == '.' && is_alnum(s[k + 1])) {
      ++k;
      continue;
    }
    break;
  }
  if (labels < 2 || !last_all_alpha || k - last_label_start < 2) return std::nullopt;
  return Match{k - i, placeholder(PiiKind::email)};
}

// A run of digits with single separators between them (spaces and dashes for cards; the phone detector
// reads its own). Returns the digits and the run's length.
struct DigitRun {
  std::string digits;
  std::size_t length = 0;
};
DigitRun digit_run(std::string_view s, std::size_t i, std::string_view separators, std::size_t max_digits) {
  DigitRun r;
  std::size_t j = i;
  while (j < s.size() && r.digits.size() <= max_digits) {
    if (is_digit(s[j])) {
      r.digits.push_back(s[j]);
      ++j;
      r.length = j - i;
      continue;
    }
    if (separators.find(s[j]) != std::string_view::npos && j + 1 < s.size() && is_digit(s[j + 1]) && !r.digits.empty()) {
      ++j;
      continue;
    }
    break;
  }
  return r;
}

bool ends_number(std::string_view s, std::size_t end) {
  return end >= s.size() || (!is_word_byte(s[end]) && !(s[end] == '.' && end + 1 < s.size() && is_digit(s[end + 1])));
}

std::optional<Match> card_at(std::string_view s, std::size_t i) {
  if (!is_digit(s[i])) return std::nullopt;
  DigitRun r = digit_run(s, i, " -", 19);
  if (r.digits.size() < 13 || r.digits.size() > 19 || !ends_number(s, i + r.length)) return std::nullopt;
  if (!luhn_valid(r.digits)) return std::nullopt;
  return Match{r.length, placeholder(PiiKind::card)};
}

// Two letters, two check digits, then letters and digits, optionally in groups of four separated by one
// space; the longest prefix whose checksum holds and that ends a word.
std::optional<Match> iban_at(std::string_view s, std::size_t i) {
  if (s.size() - i < 15 || !is_alpha(s[i]) || !is_alpha(s[i + 1]) || !is_digit(s[i + 2]) || !is_digit(s[i + 3]))
    return std::nullopt;
  std::string compact;
  std::vector<std::size_t> end_of;  // input offset just after each compact character
  std::size_t j = i;
  while (j < s.size() && compact.size() < 34) {
    if (is_alnum(s[j])) {
      compact.push_back(static_cast<char>(s[j] >= 'a' && s[j] <= 'z' ? s[j] - 32 : s[j]));
      end_of.push_back(++j);
    } else if (s[j] == ' ' && j + 1 < s.size() && is_alnum(s[j + 1])) {
      ++j;
    } else {
      break;
    }
  }
  for (std::size_t n = compact.size(); n >= 15; --n) {
    std::size_t end = end_of[n - 1];
    if (end < s.size() && is_word_byte(s[end])) continue;
    if (iban_valid(std::string_view(compact).substr(0, n))) return Match{end - i, placeholder(PiiKind::iban)};
  }
  return std::nullopt;
}

std::optional<Match> ipv4_at(std::string_view s, std::size_t i) {
  std::size_t j = i;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (j >= s.size() || s[j] != '.') return std::nullopt;
      ++j;
    }
    std::size_t start = j;
    int value = 0;
    while (j < s.size() && is_digit(s[j]) && j - start < 3) value = value * 10 + (s[j++] - '0');
    if (j == start || value > 255 || (j < s.size() && is_digit(s[j]))) return std::nullopt;
  }
  if (!ends_number(s, j)) return std::nullopt;
  return Match{j - i, placeholder(PiiKind::ip)};
}

std::optional<Match> ipv6_at(std::string_view s, std::size_t i) {
  auto hex = [](char c) { return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f'); };
  std::size_t j = i, colons = 0;
  while (j < s.size() && (hex(s[j]) || s[j] == ':' || s[j] == '.') && j - i < 45) {
    if (s[j] == ':') ++colons;
    ++j;
  }
  while (j > i && (s[j - 1] == '.' || s[j - 1] == ':') && !(j - i >= 2 && s[j - 1] == ':' && s[j - 2] == ':')) --j;
  if (colons < 2 || (j < s.size() && is_word_byte(s[j]))) return std::nullopt;
  std::string candidate(s.substr(i, j - i));
  unsigned char buf[16];
  if (inet_pton(AF_INET6, candidate.c_str(), buf) != 1) return std::nullopt;
  return Match{j - i, placeholder(PiiKind::ip)};
}

// Words that announce a phone number, so a shorter or unseparated one still counts.
bool phone_cue_before(std::string_view s, std::size_t i) {
  std::size_t from = i > 24 ? i - 24 : 0;
  std::string before;
  for (std::size_t k = from; k < i; ++k) before.push_back(lower(s[k]));
  for (std::string_view cue : {"phone", "tel", "call", "mobile", "cell", "whatsapp", "sms", "fax", "telefon",
                               "t\xc3\xa9l\xc3\xa9phone", "tel\xc3\xa9" "fono", "telefone", "telefono", "numer",
                               "\xd1\x82\xd0\xb5\xd0\xbb", "\xe9\x9b\xbb\xe8\xa9\xb1", "\xe7\x94\xb5\xe8\xaf\x9d"}) {
    for (std::size_t at = before.find(cue); at != std::string::npos; at = before.find(cue, at + 1)) {
      if (at == 0 || !is_alpha(before[at - 1])) return true;  // "tel:", "Tel.", not "hotel"
    }
  }
  return false;
}

std::optional<Match> phone_at(std::string_view s, std::size_t i) {
  // An identifier's tail ("ORD-2024-1234-5678", "#12345678") is not a phone number.
  if (i > 0 && (s[i - 1] == '-' || s[i - 1] == '/' || s[i - 1] == '#' || s[i - 1] == '.' || s[i - 1] == '_'))
    return std::nullopt;
  bool plus = s[i] == '+';
  if (!plus && !is_digit(s[i]) && s[i] != '(') return std::nullopt;
  std::size_t j = plus ? i + 1 : i;
  std::size_t digits = 0, groups = 0, run_of_separators = 0;
  bool parenthesis = false, only_dots = true;
  std::size_t end = i;
  while (j < s.size() && digits <= 15) {
    char c = s[j];
    if (is_digit(c)) {
      if (run_of_separators > 0 || digits == 0) ++groups;
      ++digits;
      run_of_separators = 0;
      end = ++j;
    } else if ((c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') && run_of_separators < 2) {
      if (c == '(' || c == ')') parenthesis = true;
      if (c != '.') only_dots = false;
      ++run_of_separators;
      ++j;
    } else {
      break;
    }
  }
  if (parenthesis && end < s.size() && s[end] == ')') ++end;  // "(0)" style closing
  if (digits < 7 || digits > 15 || !ends_number(s, end)) return std::nullopt;
  if (only_dots && groups == 4) return std::nullopt;  // an IPv4 address, or a version
  bool phone = (plus && digits >= 8) || (parenthesis && digits >= 9) || (digits >= 10 && groups >= 3) ||
               phone_cue_before(s, i);
  if (!phone) return std::nullopt;
  return Match{end - i, placeholder(PiiKind::phone)};
}

// http(s) URLs: the values of query and fragment parameters become "[redacted]"; the rest stays.
std::optional<Match> url_at(std::string_view s, std::size_t i) {
  if (!starts_with_ci(s, i, "http://") && !starts_with_ci(s, i, "https://")) return std::nullopt;
  std::size_t end = i;
  while (end < s.size() && static_cast<unsigned char>(s[end]) > ' ' && s[end] != '"' && s[end] != '\'' &&
         s[end] != '<' && s[end] != '>')
    ++end;
  std::string_view url = s.substr(i, end - i);
  std::size_t query = url.find_first_of("?#");
  if (query == std::string_view::npos) return std::nullopt;
  std::string out(url.substr(0, query + 1));
  bool masked = false;
  for (std::size_t k = query + 1; k < url.size();) {
    std::size_t stop = url.find_first_of("&;#", k);
    if (stop == std::string_view::npos) stop = url.size();
    std::string_view pair = url.substr(k, stop - k);
    std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && eq + 1 < pair.size()) {
      out.append(pair.substr(0, eq + 1)).append("[redacted]");
      masked = true;
    } else {
      out.append(pair);
    }
    if (stop < url.size()) out.push_back(url[stop]);
    k = stop + 1;
  }
  if (!masked) return std::nullopt;
  return Match{url.size(), std::move(out)};
}

}  // namespace

std::string_view pii_kind_name(PiiKind kind) { return kNames[static_cast<std::size_t>(kind)]; }

std::optional<PiiKind> pii_kind_from_name(std::string_view name) {
  for (std::size_t k = 0; k < kPiiKinds; ++k)
    if (kNames[k] == name) return static_cast<PiiKind>(k);
  return std::nullopt;
}

bool RedactionPolicy::any() const { return std::find(kinds.begin(), kinds.end(), true) != kinds.end(); }

RedactionPolicy RedactionPolicy::known(const std::vector<std::string>& names) {
  RedactionPolicy p;
  for (const std::string& n : names)
    if (auto k = pii_kind_from_name(n)) p.kinds[static_cast<std::size_t>(*k)] = true;
  return p;
}

Result<RedactionPolicy> RedactionPolicy::parse(const std::vector<std::string>& names) {
  RedactionPolicy p;
  for (const std::string& n : names) {
    auto k = pii_kind_from_name(n);
    if (!k) {
      return make_error(ErrorCode::bad_request,
                        "redact: unknown kind '" + n + "'; use any of email, phone, card, iban, ip, url_params");
    }
    p.kinds[static_cast<std::size_t>(*k)] = true;
  }
  return p;
}

std::vector<std::string> RedactionPolicy::names() const {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < kPiiKinds; ++k)
    if (kinds[k]) out.emplace_back(kNames[k]);
  return out;
}

std::size_t Redacted::total() const {
  std::size_t n = 0;
  for (std::size_t c : counts) n += c;
  return n;
}

bool luhn_valid(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool twice = false;
  for (std::size_t k = digits.size(); k-- > 0;) {
    if (!is_digit(digits[k])) return false;
    int d = digits[k] - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

bool iban_valid(std::string_view compact) {
  if (compact.size() < 15 || compact.size() > 34) return false;
  // The first four characters move to the end; letters count as 10..35; the number mod 97 must be 1.
  int remainder = 0;
  auto feed = [&](char c) {
    if (is_digit(c)) {
      remainder = (remainder * 10 + (c - '0')) % 97;
      return true;
    }
    if (c >= 'A' && c <= 'Z') {
      int v = c - 'A' + 10;
      remainder = (remainder * 100 + v) % 97;
      return true;
    }
    return false;
  };
  for (std::size_t k = 4; k < compact.size(); ++k)
    if (!feed(compact[k])) return false;
  for (std::size_t k = 0; k < 4; ++k)
    if (!feed(compact[k])) return false;
  return remainder == 1;
}

Redacted redact_pii(std::string_view s, const RedactionPolicy& policy) {
  Redacted r;
  if (!policy.any()) {
    r.text.assign(s);
    return r;
  }
  r.text.reserve(s.size());
  using Detector = std::optional<Match> (*)(std::string_view, std::size_t);
  const std::pair<PiiKind, Detector> detectors[] = {
      {PiiKind::url_params, url_at}, {PiiKind::email, email_at}, {PiiKind::iban, iban_at}, {PiiKind::card, card_at},
      {PiiKind::ip, ipv4_at},        {PiiKind::ip, ipv6_at},     {PiiKind::phone, phone_at},
  };
  std::size_t i = 0;
  while (i < s.size()) {
    bool word_start = i == 0 || !is_word_byte(s[i - 1]);
    if (word_start) {
      std::optional<Match> m;
      PiiKind kind = PiiKind::email;
      for (const auto& [k, detect] : detectors) {
        if (!policy.masks(k)) continue;
        if ((m = detect(s, i))) {
          kind = k;
          break;
        }
      }
      if (m) {
        r.text += m->replacement;
        ++r.counts[static_cast<std::size_t>(kind)];
        i += m->length;
        continue;
      }
      // More digits than a phone number has (E.164: 15) and no card: an order or reference number, passed over
      // whole, so no detector starts in its tail ("4111 1111 1111 1112" is not "4111 [phone]").
      if (is_digit(s[i])) {
        DigitRun run = digit_run(s, i, " -", 19);
        if (run.digits.size() > 15 && ends_number(s, i + run.length)) {
          r.text.append(s.substr(i, run.length));
          i += run.length;
          continue;
        }
      }
      // Past the rest of this word at once: no detector starts inside a word.
      std::size_t j = i;
      while (j < s.size() && is_word_byte(s[j])) ++j;
      if (j > i) {
        r.text.append(s.substr(i, j - i));
        i = j;
        continue;
      }
    }
    r.text.push_back(s[i++]);
  }
  return r;
}

}  // namespace chorus::nlp

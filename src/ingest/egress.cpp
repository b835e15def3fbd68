// Egress policy (see egress.hpp).
#include "ingest/egress.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace chorus::ingest {

namespace {

constexpr std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

IpAddress from_v4(const std::uint8_t* four) {
  IpAddress a;
  std::memcpy(a.bytes.data(), kMappedPrefix.data(), kMappedPrefix.size());
  std::memcpy(a.bytes.data() + 12, four, 4);
  return a;
}

struct Blocked {
  const char* range;
  const char* what;
};

// The refused ranges, most specific first so the reason names the narrowest one.
constexpr Blocked kBlocked[] = {
    {"169.254.169.254/32", "a cloud metadata address"},
    {"fd00:ec2::254/128", "a cloud metadata address"},
    {"127.0.0.0/8", "a loopback address"},
    {"::1/128", "a loopback address"},
    {"::/128", "the unspecified address"},
    {"0.0.0.0/8", "a 'this network' address"},
    {"10.0.0.0/8", "a private address"},
    {"172.16.0.0/12", "a private address"},
    {"192.168.0.0/16", "a private address"},
    {"100.64.0.0/10", "a carrier-grade NAT address"},
    {"fc00::/7", "a private address"},
    {"169.254.0.0/16", "a link-local address"},
    {"fe80::/10", "a link-local address"},
    {"224.0.0.0/4", "a multicast address"},
    {"ff00::/8", "a multicast address"},
    {"255.255.255.255/32", "the broadcast address"},
};

const std::vector<std::pair<Cidr, const char*>>& blocked() {
  static const std::vector<std::pair<Cidr, const char*>> ranges = [] {
    std::vector<std::pair<Cidr, const char*>> out;
    for (const Blocked& b : kBlocked) out.emplace_back(Cidr::parse(b.range).value(), b.what);
    return out;
  }();
  return ranges;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() > 45) return std::nullopt;
  std::string s(text);
  std::uint8_t buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) return from_v4(buf);
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    IpAddress a;
    std::memcpy(a.bytes.data(), buf, 16);
    return a;
  }
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::from_sockaddr(const sockaddr* address) {
  if (!address) return std::nullopt;
  if (address->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    return from_v4(reinterpret_cast<const std::uint8_t*>(&in->sin_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    IpAddress a;
    std::memcpy(a.bytes.data(), &in6->sin6_addr, 16);
    return a;
  }
  return std::nullopt;
}

bool IpAddress::is_v4() const { return std::memcmp(bytes.data(), kMappedPrefix.data(), kMappedPrefix.size()) == 0; }

std::string IpAddress::str() const {
  char out[INET6_ADDRSTRLEN] = {};
  if (is_v4()) {
    inet_ntop(AF_INET, bytes.data() + 12, out, sizeof out);
  } else {
    inet_ntop(AF_INET6, bytes.data(), out, sizeof out);
  }
  return out;
}

Result<Cidr> Cidr::parse(std::string_view text) {
  auto bad = [&] {
    return make_error(ErrorCode::bad_request, "'" + std::string(text) +
                                                  "' is not an address range; write it as 10.0.0.0/8 or fd00::/8");
  };
  std::size_t slash = text.find('/');
  auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return bad();
  int width = address->is_v4() ? 32 : 128;
  int prefix = width;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return bad();
    prefix = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return bad();
      prefix = prefix * 10 + (c - '0');
    }
    if (prefix > width) return bad();
  }
  Cidr c;
  c.prefix = address->is_v4() ? prefix + 96 : prefix;
  c.network = *address;
  // Keep only the network bits, so "10.1.2.3/8" means 10.0.0.0/8.
  for (int bit = c.prefix; bit < 128; ++bit) c.network.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  return c;
}

bool Cidr::contains(const IpAddress& a) const {
  int full = prefix / 8;
  if (std::memcmp(network.bytes.data(), a.bytes.data(), static_cast<std::size_t>(full)) != 0) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xFFu << (8 - rest));
  return (network.bytes[full] & mask) == (a.bytes[full] & mask);
}

std::string Cidr::str() const {
  return network.str() + "/" + std::to_string(network.is_v4() ? prefix - 96 : prefix);
}

Result<EgressPolicy> EgressPolicy::with_allowed(std::string_view ranges) {
  EgressPolicy p;
  std::size_t i = 0;
  while (i < ranges.size()) {
    std::size_t j = ranges.find_first_of(", ", i);
    if (j == std::string_view::npos) j = ranges.size();
    if (j > i) {
      auto c = Cidr::parse(ranges.substr(i, j - i));
      if (!c) return make_error(ErrorCode::bad_request, "--egress-allow: " + c.error().message);
      p.allowed_.push_back(*c);
    }
    i = j + 1;
  }
  return p;
}

EgressPolicy EgressPolicy::unrestricted() {
  EgressPolicy p;
  p.unrestricted_ = true;
  return p;
}

std::optional<std::string> EgressPolicy::refusal(const IpAddress& address) const {
  if (unrestricted_) return std::nullopt;
  for (const Cidr& c : allowed_)
    if (c.contains(address)) return std::nullopt;
  for (const auto& [range, what] : blocked()) {
    if (range.contains(address)) return address.str() + " is " + what;
  }
  return std::nullopt;
}

std::optional<std::string> EgressPolicy::host_refusal(std::string_view host_in) const {
  if (unrestricted_) return std::nullopt;
  std::string host(host_in);
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (auto address = IpAddress::parse(host)) {
    if (auto why = refusal(*address)) return *why + ", refused unless an operator allows its range with --egress-allow";
    return std::nullopt;
  }
  // inet_aton reads "2130706433", "0x7f.1" and "127.1" as addresses, and so do resolvers: such a "name"
  // would reach the very address it spells. No one needs to write an address that way.
  if (in_addr legacy{}; host.size() <= 45 && inet_aton(host.c_str(), &legacy) == 1) {
    auto spelled = from_v4(reinterpret_cast<const std::uint8_t*>(&legacy.s_addr)).str();
    return "\"" + host + "\" writes the address " + spelled + " in a legacy numeric form; write " + spelled +
           " or a host name instead";
  }
  if (host == "metadata.google.internal" || host == "metadata" || host == "instance-data")
    return host + " is a cloud metadata service";
  return std::nullopt;
}

}  // namespace chorus::ingest

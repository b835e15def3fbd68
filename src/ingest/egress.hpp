// Where outbound requests may go. A customer chooses the URLs its sources and alert channels call, so by
// default nothing may reach the server's own neighbourhood: loopback, private networks (RFC 1918, RFC 4193
// fc00::/7, carrier-grade NAT), link-local addresses (which include the clouds' metadata services at
// 169.254.169.254 and fd00:ec2::254), "this network" 0.0.0.0/8 and multicast. Operators open ranges with
// --egress-allow. The check is made on the address a connection is actually opened to, after DNS and on
// every redirect, so a name that resolves to 127.0.0.1 or a redirect to an internal host is refused too;
// destinations a customer types (alert channels) are checked against the same ranges when they are saved.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

struct sockaddr;

namespace chorus::ingest {

// An IPv4 address is kept as its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so one comparison serves both.
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};
  static std::optional<IpAddress> parse(std::string_view text);  // "10.1.2.3", "::1", "[fe80::1]"
  static std::optional<IpAddress> from_sockaddr(const sockaddr* address);
  bool is_v4() const;
  std::string str() const;
};

struct Cidr {
  IpAddress network;
  int prefix = 128;  // over the 128-bit form; an IPv4 /8 is stored as /104
  // "10.0.0.0/8", "fd00::/8", or a bare address (a /32 or /128).
  static Result<Cidr> parse(std::string_view text);
  bool contains(const IpAddress& a) const;
  std::string str() const;
};

class EgressPolicy {
 public:
  // Refuses the ranges above and allows everything else.
  EgressPolicy() = default;
  // The default policy with these ranges allowed: "10.0.0.0/8,127.0.0.0/8" (commas or spaces). Empty
  // allows nothing more. A malformed range is an error naming it.
  static Result<EgressPolicy> with_allowed(std::string_view ranges);
  // Allows every destination: for clients that talk to a server the operator chose (the CLI's API client).
  static EgressPolicy unrestricted();

  // Why a connection to this address is refused ("127.0.0.1 is a loopback address"), or nothing if allowed.
  std::optional<std::string> refusal(const IpAddress& address) const;
  // Why a destination a customer wrote as `host` (a name, an address, "[v6]") is refused before any
  // connection: an address this policy refuses; an address in one of the legacy numeric forms resolvers
  // still read ("2130706433", "0x7f.1", "127.1"), refused whatever it spells; a well-known cloud metadata
  // name. Any other name passes here: the address it resolves to meets refusal() when a connection opens.
  std::optional<std::string> host_refusal(std::string_view host) const;
  const std::vector<Cidr>& allowed() const { return allowed_; }

 private:
  std::vector<Cidr> allowed_;
  bool unrestricted_ = false;
};

}  // namespace chorus::ingest

// Which resolved destinations a connect grant may open. A grant follows an argument the model
// chose (and we assume the model is compromised), so by default it reaches only the public
// internet: a URL naming, or a public name resolving to, this machine, the local network, a
// cloud metadata endpoint or any other non-public range is refused (SSRF), unless the profile
// says `network.internal_grants: "allow"` or its baseline `network.allow` already lets that
// destination through (then the grant adds nothing and is not needed).
// Pure: the launcher resolves names and applies the decision to the cgroup-bpf grant slots.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "profiles/egress_rule.h"

namespace mcpsandbox {

enum class AddressRange {
  kPublic,
  kUnspecified,  // 0.0.0.0/8, ::
  kLoopback,     // 127/8, ::1
  kPrivate,      // RFC 1918, carrier-grade NAT 100.64/10, IPv6 unique local fc00::/7
  kLinkLocal,    // 169.254/16 (cloud metadata), fe80::/10
  kMulticast,    // 224/4, ff00::/8
  kReserved,     // documentation, benchmarking, IETF protocol, 240/4, broadcast
};

// The range of one address (family AF_INET or AF_INET6, bytes in network order). IPv6 forms
// that carry an IPv4 address (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are
// classified by that IPv4 address.
AddressRange classify_address(int family, const std::array<uint8_t, 16>& address);
std::string_view describe(AddressRange range);

enum class ConnectGrantDecision {
  kGrant,           // write it into a grant slot for the call
  kBaselineCovers,  // network.allow already lets it through: nothing to grant
  kRefuse,          // a non-public destination the profile does not open to grants
};

// `destination` is one resolved host address with its port (prefix 32 or 128).
ConnectGrantDecision decide_connect_grant(const std::vector<EgressRule>& baseline, bool internal_grants,
                                          const EgressRule& destination);

// Whether `rule` (an address range and port, 0 any) contains `destination`.
bool egress_rule_covers(const EgressRule& rule, const EgressRule& destination);

}  // namespace mcpsandbox

#include "profiles/connect_grant_policy.h"

#include <sys/socket.h>

#include <algorithm>

namespace mcpsandbox {
namespace {

// Whether the first `bits` bits of `a` and `b` agree.
bool same_prefix(const uint8_t* a, const uint8_t* b, unsigned bits) {
  unsigned whole = bits / 8, rest = bits % 8;
  for (unsigned i = 0; i < whole; ++i) {
    if (a[i] != b[i]) return false;
  }
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

bool in_prefix(const uint8_t* address, std::initializer_list<uint8_t> prefix, unsigned bits) {
  std::array<uint8_t, 16> expected{};
  std::copy(prefix.begin(), prefix.end(), expected.begin());
  return same_prefix(address, expected.data(), bits);
}

AddressRange classify_v4(const uint8_t* a) {
  if (a[0] == 0) return AddressRange::kUnspecified;  // "this network"; 0.0.0.0 reaches the host
  if (a[0] == 127) return AddressRange::kLoopback;
  if (a[0] == 10 || in_prefix(a, {172, 16}, 12) || in_prefix(a, {192, 168}, 16) ||
      in_prefix(a, {100, 64}, 10)) {
    return AddressRange::kPrivate;
  }
  if (in_prefix(a, {169, 254}, 16)) return AddressRange::kLinkLocal;
  if (a[0] >= 224 && a[0] <= 239) return AddressRange::kMulticast;
  if (a[0] >= 240 || in_prefix(a, {192, 0, 0}, 24) || in_prefix(a, {192, 0, 2}, 24) ||
      in_prefix(a, {198, 18}, 15) || in_prefix(a, {198, 51, 100}, 24) || in_prefix(a, {203, 0, 113}, 24)) {
    return AddressRange::kReserved;
  }
  return AddressRange::kPublic;
}

}  // namespace

AddressRange classify_address(int family, const std::array<uint8_t, 16>& address) {
  const uint8_t* a = address.data();
  if (family == AF_INET) return classify_v4(a);
  static constexpr std::array<uint8_t, 16> kZero{};
  if (address == kZero) return AddressRange::kUnspecified;
  std::array<uint8_t, 16> loopback{};
  loopback[15] = 1;
  if (address == loopback) return AddressRange::kLoopback;
  // IPv6 that reaches an IPv4 address: judged by that address.
  if (in_prefix(a, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96)) return classify_v4(a + 12);
  if (in_prefix(a, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 96)) return classify_v4(a + 12);  // compatible
  if (in_prefix(a, {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0}, 96)) return classify_v4(a + 12);
  if (in_prefix(a, {0x20, 0x02}, 16)) return classify_v4(a + 2);
  if (in_prefix(a, {0xfc}, 7)) return AddressRange::kPrivate;
  if (in_prefix(a, {0xfe, 0x80}, 10) || in_prefix(a, {0xfe, 0xc0}, 10)) return AddressRange::kLinkLocal;
  if (a[0] == 0xff) return AddressRange::kMulticast;
  if (in_prefix(a, {0x20, 0x01, 0x0d, 0xb8}, 32) || in_prefix(a, {0x01, 0x00, 0, 0, 0, 0, 0, 0}, 64) ||
      in_prefix(a, {0x20, 0x01, 0x00}, 23)) {  // documentation, discard, IETF protocol assignments
    return AddressRange::kReserved;
  }
  return AddressRange::kPublic;
}

std::string_view describe(AddressRange range) {
  switch (range) {
    case AddressRange::kPublic: return "public";
    case AddressRange::kUnspecified: return "unspecified (this host)";
    case AddressRange::kLoopback: return "loopback";
    case AddressRange::kPrivate: return "private network";
    case AddressRange::kLinkLocal: return "link-local (cloud metadata)";
    case AddressRange::kMulticast: return "multicast";
    case AddressRange::kReserved: return "reserved";
  }
  return "unknown";
}

bool egress_rule_covers(const EgressRule& rule, const EgressRule& destination) {
  if (rule.family != destination.family) return false;
  if (rule.port != 0 && rule.port != destination.port) return false;
  if (rule.prefix_len > destination.prefix_len) return false;
  return same_prefix(rule.address.data(), destination.address.data(), rule.prefix_len);
}

ConnectGrantDecision decide_connect_grant(const std::vector<EgressRule>& baseline, bool internal_grants,
                                          const EgressRule& destination) {
  for (const EgressRule& rule : baseline) {
    if (egress_rule_covers(rule, destination)) return ConnectGrantDecision::kBaselineCovers;
  }
  if (internal_grants || classify_address(destination.family, destination.address) == AddressRange::kPublic) {
    return ConnectGrantDecision::kGrant;
  }
  return ConnectGrantDecision::kRefuse;
}

}  // namespace mcpsandbox

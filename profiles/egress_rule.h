// EgressRule: one destination a sandbox with host network may reach, parsed from
// "ADDRESS[/PREFIX][:PORT]" ("127.0.0.1:8080", "10.0.0.0/8:443", "[::1]:5432", "2001:db8::/32").
// Pure parsing; the cgroup-bpf programs enforce the list.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "profiles/support/result.h"

namespace mcpsandbox {

struct EgressRule {
  int family = 0;  // AF_INET or AF_INET6
  uint32_t prefix_len = 0;
  std::array<uint8_t, 16> address{};  // network byte order; IPv4 in the first 4 bytes
  uint16_t port = 0;                  // 0: any port
  std::string text;                   // as written, for messages
};

Result<EgressRule> parse_egress_rule(std::string_view text);

}  // namespace mcpsandbox

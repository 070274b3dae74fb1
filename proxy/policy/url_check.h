// Checking a URL argument against a scheme and host allowlist. The authority is parsed the way
// browsers and fetch libraries do (userinfo before the last '@', backslash as a separator), so
// "https://allowed.example@evil.example/" is judged by evil.example.
#pragma once

#include <cstdint>

#include <optional>
#include <string>
#include <string_view>

#include "profiles/proxy_plan.h"

namespace mcpsandbox {

struct ParsedUrl {
  std::string scheme;  // lower case
  std::string host;    // lower case, without brackets for IPv6
  uint16_t port = 0;   // as written; 0 when absent (the scheme's default applies)
};

// The port a connection to `url` uses: its own, else the scheme's (http 80, https 443, ws 80,
// wss 443, ftp 21); 0 when neither says.
uint16_t effective_port(const ParsedUrl& url);

std::optional<ParsedUrl> parse_url(std::string_view text);

// Empty when allowed; otherwise the reason.
std::optional<std::string> check_url(std::string_view value, const UrlConstraint& constraint);

}  // namespace mcpsandbox

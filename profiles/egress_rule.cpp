#include "profiles/egress_rule.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>

namespace mcpsandbox {
namespace {

Result<uint32_t> parse_number(std::string_view text, uint32_t max, const char* what) {
  uint32_t value = 0;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (err != std::errc() || end != text.data() + text.size() || value > max || text.empty()) {
    return Error{std::string("invalid ") + what + " '" + std::string(text) + "'"};
  }
  return value;
}

}  // namespace

Result<EgressRule> parse_egress_rule(std::string_view text) {
  EgressRule rule;
  rule.text = std::string(text);
  std::string_view address = text, port;
  if (!text.empty() && text.front() == '[') {  // [v6]:port or [v6/prefix]:port
    auto close = text.find(']');
    if (close == std::string_view::npos) return Error{"'" + rule.text + "': missing ']'"};
    address = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Error{"'" + rule.text + "': expected ':PORT' after ']'"};
      port = rest.substr(1);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {  // v4:port
    auto colon = text.find(':');
    address = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  std::string_view prefix;
  if (auto slash = address.find('/'); slash != std::string_view::npos) {
    prefix = address.substr(slash + 1);
    address = address.substr(0, slash);
  }
  std::string host(address);
  if (::inet_pton(AF_INET, host.c_str(), rule.address.data()) == 1) {
    rule.family = AF_INET;
    rule.prefix_len = 32;
  } else if (::inet_pton(AF_INET6, host.c_str(), rule.address.data()) == 1) {
    rule.family = AF_INET6;
    rule.prefix_len = 128;
  } else {
    return Error{"'" + rule.text + "': expected an IPv4 or IPv6 address (names are not resolved)"};
  }
  if (!prefix.empty()) {
    auto bits = parse_number(prefix, rule.prefix_len, "prefix length");
    if (!bits) return Error{"'" + rule.text + "': " + bits.error().message};
    rule.prefix_len = *bits;
  }
  if (!port.empty() && port != "*") {
    auto number = parse_number(port, 65535, "port");
    if (!number || *number == 0) return Error{"'" + rule.text + "': invalid port"};
    rule.port = static_cast<uint16_t>(*number);
  }
  return rule;
}

}  // namespace mcpsandbox

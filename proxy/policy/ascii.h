// ASCII case folding for matching names, schemes, hosts and phrases: locale-independent (no
// surprise from a Turkish locale), and bytes >= 0x80 pass through unchanged.
#pragma once

#include <string>
#include <string_view>

namespace mcpsandbox {

inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace mcpsandbox

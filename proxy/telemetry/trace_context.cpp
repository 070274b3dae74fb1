#include "proxy/telemetry/trace_context.h"

#include <sodium.h>

namespace mcpsandbox {
namespace {

bool lower_hex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool all_zero(std::string_view text) { return text.find_first_not_of('0') == std::string_view::npos; }

}  // namespace

std::optional<TraceParent> parse_traceparent(std::string_view text) {
  // version(2) - trace id(32) - parent id(16) - flags(2); a future version may append fields.
  if (text.size() < 55 || text[2] != '-' || text[35] != '-' || text[52] != '-') return std::nullopt;
  std::string_view version = text.substr(0, 2), trace = text.substr(3, 32),
                   span = text.substr(36, 16), flags = text.substr(53, 2);
  if (!lower_hex(version) || version == "ff" || !lower_hex(trace) || !lower_hex(span) ||
      !lower_hex(flags) || all_zero(trace) || all_zero(span)) {
    return std::nullopt;
  }
  if (version == "00" && text.size() != 55) return std::nullopt;
  if (version != "00" && text.size() > 55 && text[55] != '-') return std::nullopt;
  int flag_bits = std::stoi(std::string(flags), nullptr, 16);
  return TraceParent{std::string(trace), std::string(span), (flag_bits & 1) != 0};
}

std::string random_hex_id(size_t bytes) {
  unsigned char raw[32];
  if (bytes > sizeof raw) bytes = sizeof raw;
  do {
    randombytes_buf(raw, bytes);
  } while (sodium_is_zero(raw, bytes));  // an all-zero id is invalid
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw, bytes);
  hex.pop_back();
  return hex;
}

}  // namespace mcpsandbox

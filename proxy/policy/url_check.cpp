#include "proxy/policy/url_check.h"

#include "proxy/policy/ascii.h"

#include <algorithm>
#include <cctype>

#include "profiles/glob.h"

namespace mcpsandbox {
namespace {

}  // namespace

std::optional<ParsedUrl> parse_url(std::string_view text) {
  // Leading/trailing blanks and control characters are stripped by URL parsers; refuse them
  // instead of guessing which parser the server uses.
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return std::nullopt;
  }
  size_t colon = text.find(':');
  if (colon == 0 || colon == std::string_view::npos) return std::nullopt;
  for (size_t i = 0; i < colon; ++i) {
    char c = text[i];
    bool ok = std::isalpha(static_cast<unsigned char>(c)) ||
              (i > 0 && (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' ||
                         c == '.'));
    if (!ok) return std::nullopt;
  }
  ParsedUrl url{ascii_lower(text.substr(0, colon)), "", 0};
  std::string_view rest = text.substr(colon + 1);
  if (rest.size() < 2 || (rest[0] != '/' && rest[0] != '\\') || (rest[1] != '/' && rest[1] != '\\')) {
    return url;  // no authority (mailto:, data:): no host
  }
  rest.remove_prefix(2);
  std::string_view authority = rest.substr(0, rest.find_first_of("/\\?#"));
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority;
  std::string_view port;
  if (!host.empty() && host[0] == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    if (close + 1 < host.size()) {
      if (host[close + 1] != ':') return std::nullopt;
      port = host.substr(close + 2);
    }
    host = host.substr(1, close - 1);
  } else if (size_t colon_at = host.find(':'); colon_at != std::string_view::npos) {
    port = host.substr(colon_at + 1);
    host = host.substr(0, colon_at);
  }
  if (!port.empty()) {
    uint32_t number = 0;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c)) || (number = number * 10 + static_cast<uint32_t>(c - '0')) > 65535) {
        return std::nullopt;
      }
    }
    url.port = static_cast<uint16_t>(number);
  }
  // Percent-encoded or empty hosts are decoded differently by different parsers.
  if (host.empty() || host.find('%') != std::string_view::npos) return std::nullopt;
  url.host = ascii_lower(host);
  while (!url.host.empty() && url.host.back() == '.') url.host.pop_back();  // "example.org."
  return url;
}

uint16_t effective_port(const ParsedUrl& url) {
  if (url.port) return url.port;
  if (url.scheme == "http" || url.scheme == "ws") return 80;
  if (url.scheme == "https" || url.scheme == "wss") return 443;
  if (url.scheme == "ftp") return 21;
  return 0;
}

std::optional<std::string> check_url(std::string_view value, const UrlConstraint& constraint) {
  auto url = parse_url(value);
  if (!url) return std::string("not a URL mcpsandbox can judge unambiguously");
  if (!constraint.schemes.empty() &&
      std::find(constraint.schemes.begin(), constraint.schemes.end(), url->scheme) ==
          constraint.schemes.end()) {
    return "scheme '" + url->scheme + "' is not allowed";
  }
  if (!constraint.hosts.empty()) {
    bool allowed = std::any_of(constraint.hosts.begin(), constraint.hosts.end(),
                               [&](const std::string& glob) { return glob_match(glob, url->host); });
    if (!allowed) return "host '" + url->host + "' is not allowed";
  }
  return std::nullopt;
}

}  // namespace mcpsandbox

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
  ParsedUrl url{ascii_lower(text.substr(0, colon)), ""};
  std::string_view rest = text.substr(colon + 1);
  if (rest.size() < 2 || (rest[0] != '/' && rest[0] != '\\') || (rest[1] != '/' && rest[1] != '\\')) {
    return url;  // no authority (mailto:, data:): no host
  }
  rest.remove_prefix(2);
  std::string_view authority = rest.substr(0, rest.find_first_of("/\\?#"));
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority;
  if (!host.empty() && host[0] == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = host.substr(1, close - 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  // Percent-encoded or empty hosts are decoded differently by different parsers.
  if (host.empty() || host.find('%') != std::string_view::npos) return std::nullopt;
  url.host = ascii_lower(host);
  while (!url.host.empty() && url.host.back() == '.') url.host.pop_back();  // "example.org."
  return url;
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

#include "proxy/policy/path_check.h"

#include <vector>

#include "profiles/glob.h"
#include "profiles/paths.h"

namespace mcpsandbox {
namespace {

constexpr size_t kMaxPath = 4096;  // PATH_MAX: the kernel would refuse anything longer

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return Error{"bad percent-encoding"};
    int high = hex_value(text[i + 1]), low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return Error{"bad percent-encoding"};
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

}  // namespace

Result<std::string> normalize_argument_path(std::string_view value, const std::string& base,
                                            const std::string& home) {
  if (value.empty()) return Error{"empty path"};
  std::string path(value);
  if (path.rfind("file:", 0) == 0) {
    // file:///a/b or file://localhost/a/b; anything else names another machine.
    std::string_view rest = std::string_view(path).substr(5);
    if (rest.rfind("//", 0) == 0) {
      rest.remove_prefix(2);
      size_t slash = rest.find('/');
      std::string_view host = rest.substr(0, slash);
      if (!host.empty() && host != "localhost") return Error{"a file: URI for another host"};
      rest = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
    }
    rest = rest.substr(0, rest.find_first_of("?#"));
    auto decoded = percent_decode(rest);
    if (!decoded) return decoded.error();
    path = *decoded;
  }
  if (path.find('\0') != std::string::npos) return Error{"contains a NUL byte"};
  if (path.size() > kMaxPath) return Error{"longer than PATH_MAX"};
  if (path == "~" || path.rfind("~/", 0) == 0) path = home + path.substr(1);
  if (path[0] != '/') path = base + "/" + path;
  return lexical_normal(path);
}

std::optional<std::string> check_path(std::string_view value, const PathConstraint& constraint,
                                      const PathResolver& resolver, const std::string& home) {
  auto lexical = normalize_argument_path(value, constraint.base, home);
  if (!lexical) return lexical.error().message;
  auto resolved = resolver.resolve(*lexical);
  if (!resolved) return "cannot resolve: " + resolved.error().message;
  // Both spellings must be inside: the one the server is given and the one it reaches.
  bool given_inside = false, reached_inside = false;
  for (const std::string& root : constraint.roots) {
    given_inside |= path_is_under(*lexical, root);
    reached_inside |= path_is_under(*resolved, root);
  }
  if (!given_inside || !reached_inside) {
    std::string where = *resolved == *lexical ? *lexical : *lexical + " (-> " + *resolved + ")";
    return where + " is outside the allowed roots";
  }
  bool same = *resolved == *lexical;
  for (const std::string& deny : constraint.deny) {
    if (glob_match(deny, *resolved) || (!same && glob_match(deny, *lexical))) {
      return *lexical + " matches the denied pattern " + deny;
    }
  }
  return std::nullopt;
}

}  // namespace mcpsandbox

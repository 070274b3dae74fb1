#include "profiles/glob.h"

#include <algorithm>
#include <vector>

namespace mcpsandbox {

// Bottom-up dynamic programming: matches[p][t] says whether pattern[p:] matches text[t:].
// O(pattern x text) time whatever the input, since policy globs are matched against
// attacker-chosen text, and no recursion.
bool glob_match(std::string_view pattern, std::string_view text) {
  if (text.size() > kMaxGlobText) return false;
  if (pattern.find_first_of("*?") == std::string_view::npos) return pattern == text;
  // Deny-list shapes without the table: "**/NAME" and "**/NAME/**" with a literal NAME.
  if (pattern.size() > 3 && pattern.substr(0, 3) == "**/" && pattern.find('?') == std::string_view::npos) {
    std::string_view rest = pattern.substr(3);
    bool subtree = rest.size() > 3 && rest.substr(rest.size() - 3) == "/**";
    std::string_view name = subtree ? rest.substr(0, rest.size() - 3) : rest;
    if (name.find('*') == std::string_view::npos) {
      auto segment_at = [&](size_t at) {  // `name` as whole segments starting at `at`
        return (at == 0 || text[at - 1] == '/') &&
               (subtree ? at + name.size() < text.size() && text[at + name.size()] == '/'
                        : at + name.size() == text.size());
      };
      for (size_t at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
        if (segment_at(at)) return true;
      }
      return false;
    }
  }
  // The common shapes ("read_*", "*.txt") without the table: one star, no '?'.
  size_t star = pattern.find('*');
  if (pattern.find('?') == std::string_view::npos &&
      pattern.find('*', star + 1) == std::string_view::npos) {
    std::string_view prefix = pattern.substr(0, star), suffix = pattern.substr(star + 1);
    if (text.size() < prefix.size() + suffix.size() || text.substr(0, prefix.size()) != prefix ||
        text.substr(text.size() - suffix.size()) != suffix) {
      return false;
    }
    std::string_view middle =
        text.substr(prefix.size(), text.size() - prefix.size() - suffix.size());
    return middle.find('/') == std::string_view::npos;
  }
  const size_t rows = pattern.size() + 1, columns = text.size() + 1;
  // Small tables (tool names, short paths) live on the stack.
  char small[2048];
  std::vector<char> large;
  char* table = small;
  if (rows * columns > sizeof small) {
    large.resize(rows * columns);
    table = large.data();
  }
  std::fill(table, table + rows * columns, 0);
  auto at = [&](size_t p, size_t t) -> char& { return table[p * columns + t]; };
  at(pattern.size(), text.size()) = 1;
  for (size_t p = pattern.size(); p-- > 0;) {
    char c = pattern[p];
    bool double_star = c == '*' && p + 1 < pattern.size() && pattern[p + 1] == '*';
    bool second_of_double = c == '*' && p > 0 && pattern[p - 1] == '*';
    for (size_t t = text.size() + 1; t-- > 0;) {
      bool more = t < text.size();
      char result = 0;
      if (double_star) {
        size_t after = p + 2;
        // "**/" also matches no directory at all: "a/**/b" matches "a/b".
        bool skip_dir = after < pattern.size() && pattern[after] == '/' && at(after + 1, t);
        result = skip_dir || at(after, t) || (more && at(p, t + 1));
      } else if (second_of_double) {
        result = 0;  // never entered: the first '*' of the pair consumes both
      } else if (c == '*') {
        result = at(p + 1, t) || (more && text[t] != '/' && at(p, t + 1));
      } else if (c == '?') {
        result = more && text[t] != '/' && at(p + 1, t + 1);
      } else {
        result = more && text[t] == c && at(p + 1, t + 1);
      }
      at(p, t) = result;
    }
  }
  return at(0, 0);
}

}  // namespace mcpsandbox

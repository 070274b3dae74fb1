#include "profiles/glob.h"

#include <vector>

namespace mcpsandbox {
namespace {

// Memoised matcher: O(pattern x text) in the worst case, never exponential, since policy globs
// are matched against attacker-chosen text.
class Matcher {
 public:
  Matcher(std::string_view pattern, std::string_view text)
      : pattern_(pattern), text_(text), seen_((pattern.size() + 1) * (text.size() + 1), 0) {}

  bool match(size_t p, size_t t) {
    char& state = seen_[p * (text_.size() + 1) + t];
    if (state) return state == 2;
    bool result = compute(p, t);
    state = result ? 2 : 1;
    return result;
  }

 private:
  bool compute(size_t p, size_t t) {
    // Literal characters advance without recursion, so the depth is bounded by the number of
    // stars in the pattern, not by the length of the text.
    while (p < pattern_.size() && pattern_[p] != '*') {
      if (t == text_.size()) return false;
      char c = pattern_[p];
      if (c == '?' ? text_[t] == '/' : c != text_[t]) return false;
      ++p;
      ++t;
    }
    if (p == pattern_.size()) return t == text_.size();
    bool double_star = p + 1 < pattern_.size() && pattern_[p + 1] == '*';
    if (double_star) {
      size_t after = p + 2;
      // "**/" also matches no directory at all: "a/**/b" matches "a/b".
      if (after < pattern_.size() && pattern_[after] == '/' && match(after + 1, t)) return true;
      for (size_t k = t; k <= text_.size(); ++k) {
        if (match(after, k)) return true;
      }
      return false;
    }
    for (size_t k = t; k <= text_.size(); ++k) {
      if (match(p + 1, k)) return true;
      if (k < text_.size() && text_[k] == '/') break;
    }
    return false;
  }

  std::string_view pattern_, text_;
  std::vector<char> seen_;  // 0 unknown, 1 no, 2 yes
};

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  if (text.size() > kMaxGlobText) return false;
  if (pattern == "*" || pattern == "**") return pattern == "**" || text.find('/') == text.npos;
  if (pattern.find_first_of("*?") == std::string_view::npos) return pattern == text;
  return Matcher(pattern, text).match(0, 0);
}

}  // namespace mcpsandbox

// Regular expressions for untrusted patterns and untrusted text: RE2 (linear-time matching, no
// backtracking) with a memory cap, so neither a server's schema nor a client's argument can
// make the proxy spin. Patterns RE2 cannot run (lookaround, backreferences) are errors.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string_view>

#include "profiles/support/result.h"

namespace mcpsandbox {

Result<std::shared_ptr<const re2::RE2>> compile_regex(std::string_view pattern);

inline bool regex_search(const re2::RE2& regex, std::string_view text) {
  return re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), regex);
}
inline bool regex_full_match(const re2::RE2& regex, std::string_view text) {
  return re2::RE2::FullMatch(re2::StringPiece(text.data(), text.size()), regex);
}

}  // namespace mcpsandbox

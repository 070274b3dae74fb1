// A profile's constraints on one tool argument (ArgumentRule), compiled once and checked per
// call. A string rule applies to the value, or to each string of an array value (a tool taking
// "paths": [...] gets every path checked).
#pragma once

#include <simdjson.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "profiles/proxy_plan.h"
#include "proxy/policy/path_resolver.h"

namespace re2 {
class RE2;
}

namespace mcpsandbox {

class ArgumentRuleCheck {
 public:
  static Result<ArgumentRuleCheck> compile(const ArgumentRule& rule);

  // Empty when allowed; otherwise the reason.
  std::optional<std::string> check(simdjson::dom::element value, const PathResolver& resolver,
                                   const std::string& home) const;

  const ArgumentRule& rule() const { return rule_; }

 private:
  std::optional<std::string> check_string(std::string_view text, const PathResolver& resolver,
                                          const std::string& home) const;

  ArgumentRule rule_;
  std::shared_ptr<const re2::RE2> pattern_, deny_pattern_;
  std::vector<std::string> enum_canonical_;
};

// Characters a POSIX shell gives meaning to, beyond word splitting.
bool has_shell_metacharacters(std::string_view text);

}  // namespace mcpsandbox

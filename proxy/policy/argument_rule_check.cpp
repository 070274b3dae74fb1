#include "proxy/policy/argument_rule_check.h"

#include "proxy/policy/canonical_json.h"
#include "proxy/policy/path_check.h"
#include "proxy/policy/safe_regex.h"
#include "proxy/policy/url_check.h"

namespace mcpsandbox {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool has_shell_metacharacters(std::string_view text) {
  static constexpr char kMeta[] = ";&|`$<>(){}[]*?!~#'\"\\\n\r\0";
  return text.find_first_of(std::string_view(kMeta, sizeof kMeta - 1)) != std::string_view::npos;
}

Result<ArgumentRuleCheck> ArgumentRuleCheck::compile(const ArgumentRule& rule) {
  ArgumentRuleCheck check;
  check.rule_ = rule;
  for (auto [text, target] : {std::pair{&rule.pattern, &check.pattern_},
                              std::pair{&rule.deny_pattern, &check.deny_pattern_}}) {
    if (!*text) continue;
    auto compiled = compile_regex(**text);
    if (!compiled) return with_context(rule.source, compiled.error());
    *target = std::move(*compiled);
  }
  simdjson::dom::parser parser;
  for (const std::string& text : rule.enum_values) {
    element value;
    if (parser.parse(simdjson::padded_string(text)).get(value)) {
      return Error{rule.source + "/enum: not JSON: " + text};
    }
    check.enum_canonical_.push_back(canonical_json(value));
  }
  return check;
}

std::optional<std::string> ArgumentRuleCheck::check(element value, const PathResolver& resolver,
                                                    const std::string& home) const {
  if (!enum_canonical_.empty()) {
    std::string canonical = canonical_json(value);
    bool found = false;
    for (const auto& allowed : enum_canonical_) found |= allowed == canonical;
    if (!found) return std::string("not one of the values the profile allows");
  }
  bool string_rules = rule_.path || pattern_ || deny_pattern_ || rule_.max_length || rule_.url ||
                      rule_.no_shell_metacharacters;
  if (!string_rules) return std::nullopt;
  if (value.type() == element_type::STRING) {
    return check_string(value.get_string().value_unsafe(), resolver, home);
  }
  if (value.type() == element_type::ARRAY) {
    simdjson::dom::array items = value.get_array().value_unsafe();
    size_t position = 0;
    for (element item : items) {
      std::string_view text;
      if (item.get_string().get(text)) {
        return "item " + std::to_string(position) + ": expected a string";
      }
      if (auto why = check_string(text, resolver, home)) {
        return "item " + std::to_string(position) + ": " + *why;
      }
      ++position;
    }
    return std::nullopt;
  }
  return std::string("expected a string (the profile constrains its text)");
}

std::optional<std::string> ArgumentRuleCheck::check_string(std::string_view text,
                                                           const PathResolver& resolver,
                                                           const std::string& home) const {
  if (rule_.max_length) {
    uint64_t length = 0;
    for (char c : text) length += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (length > *rule_.max_length) {
      return "longer than " + std::to_string(*rule_.max_length) + " characters";
    }
  }
  if (rule_.no_shell_metacharacters && has_shell_metacharacters(text)) {
    return std::string("contains shell metacharacters");
  }
  if (pattern_ && !regex_full_match(*pattern_, text)) {
    return "does not match the profile's pattern " + *rule_.pattern;
  }
  if (deny_pattern_ && regex_search(*deny_pattern_, text)) {
    return "matches the profile's deny_pattern " + *rule_.deny_pattern;
  }
  if (rule_.url) {
    if (auto why = check_url(text, *rule_.url)) return why;
  }
  if (rule_.path) {
    if (auto why = check_path(text, *rule_.path, resolver, home)) return why;
  }
  return std::nullopt;
}

}  // namespace mcpsandbox

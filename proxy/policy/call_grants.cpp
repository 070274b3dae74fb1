#include "proxy/policy/call_grants.h"

#include "proxy/policy/path_check.h"
#include "proxy/policy/url_check.h"

namespace mcpsandbox {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// The argument's string values: itself, or each string of an array.
std::vector<std::string_view> strings_of(element value) {
  std::vector<std::string_view> out;
  if (value.type() == element_type::STRING) {
    out.push_back(value.get_string().value());
  } else if (value.type() == element_type::ARRAY) {
    for (element item : value.get_array()) {
      if (item.type() == element_type::STRING) out.push_back(item.get_string().value());
    }
  }
  return out;
}

}  // namespace

Result<CallGrants> call_grants_for(const std::vector<CallGrantRule>& rules,
                                   const std::vector<std::string>& exec, element arguments,
                                   const PathResolver& resolver, const std::string& base,
                                   const std::string& home) {
  CallGrants grants;
  grants.exec = exec;
  for (const CallGrantRule& rule : rules) {
    element value;
    if (arguments[rule.argument].get(value)) continue;  // absent: the schema decided it may be
    std::string what = "argument '" + rule.argument + "' (" + std::string(grant_kind_name(rule.kind)) + " grant)";
    for (std::string_view text : strings_of(value)) {
      if (rule.kind == GrantKind::kConnect) {
        auto url = parse_url(text);
        uint16_t port = url ? effective_port(*url) : 0;
        if (!url || url->host.empty() || port == 0) {
          return Error{what + ": no host and port to grant in '" + std::string(text.substr(0, 200)) + "'"};
        }
        grants.connect.push_back({url->host, port});
        continue;
      }
      auto lexical = normalize_argument_path(text, base, home);
      if (!lexical) return Error{what + ": " + lexical.error().message};
      auto resolved = resolver.resolve(*lexical);
      if (!resolved) return Error{what + ": " + resolved.error().message};
      auto& list = rule.kind == GrantKind::kRead ? grants.read : rule.kind == GrantKind::kWrite ? grants.write : grants.exec;
      list.push_back(*resolved);
    }
  }
  return grants;
}

}  // namespace mcpsandbox

#include "profiles/policy/policy_reader.h"

#include <re2/re2.h>

#include "profiles/profile_parser.h"

#include <cctype>
#include <charconv>

namespace mcpsandbox {
namespace {

using nlohmann::json;

Result<uint64_t> leading_number(std::string_view text, size_t& digits) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  digits = static_cast<size_t>(end - text.data());
  if (ec != std::errc() || digits == 0) return Error{"expected a number"};
  return value;
}

class PolicyReader {
 public:
  explicit PolicyReader(const JsonReader& reader) : r_(reader) {}

  Result<void> read(const json& root, ProxyPolicy& policy) {
    if (auto found = r_.section(root, "", "auth", {"require_key", "keys"}); !found) {
      return found.error();
    } else if (*found) {
      if (auto b = r_.read_bool(**found, "/auth", "require_key", policy.require_key); !b) return b;
      if ((*found)->contains("keys")) {
        auto path = r_.string_value((**found)["keys"], "/auth/keys");
        if (!path) return path.error();
        policy.keys_file = *path;
      }
    }
    if (auto r = scope(root, "", policy.base, /*secrets_allowed=*/false); !r) return r;
    if (auto r = detectors(root, policy.detectors); !r) return r;
    if (auto r = audit(root, policy.audit); !r) return r;
    if (auto r = pins(root, policy.pins); !r) return r;
    if (auto r = redaction(root, policy.redaction); !r) return r;
    for (auto [key, target, secrets] : {std::tuple{"projects", &policy.projects, true},
                                        std::tuple{"users", &policy.users, false}}) {
      if (!root.contains(key)) continue;
      std::string pointer = std::string("/") + key;
      const json& all = root[key];
      if (!all.is_object()) return r_.fail(pointer, "expected an object of names");
      for (const auto& [name, body] : all.items()) {
        std::string at = json_pointer_child(pointer, name);
        if (!body.is_object()) return r_.fail(at, "expected an object");
        if (auto r = r_.only_keys(body, at, {"access", "tools", "rate_limit", "flows", "secrets"});
            !r) {
          return r;
        }
        if (!secrets && body.contains("secrets")) {
          return r_.fail(at + "/secrets", "secrets belong to projects (they follow the key)");
        }
        if (auto r = scope(body, at, (*target)[name], secrets); !r) return r;
      }
    }
    return {};
  }

 private:
  Result<void> scope(const json& parent, const std::string& at, PolicyScope& scope,
                     bool secrets_allowed) {
    if (auto r = access(parent, at, scope); !r) return r;
    if (auto r = tools(parent, at, scope.tool_rules); !r) return r;
    if (auto found = r_.section(parent, at, "rate_limit", {"rate", "burst"}); !found) {
      return found.error();
    } else if (*found) {
      auto rate = rate_at(**found, at + "/rate_limit");
      if (!rate) return rate.error();
      scope.rate = *rate;
    }
    if (auto r = flows(parent, at, scope.flows); !r) return r;
    if (secrets_allowed && parent.contains("secrets")) {
      std::string pointer = at + "/secrets";
      if (!parent["secrets"].is_object()) return r_.fail(pointer, "expected an object");
      for (const auto& [name, source] : parent["secrets"].items()) {
        std::string where = json_pointer_child(pointer, name);
        std::string text = source.is_string() ? source.get<std::string>() : "";
        bool valid = (text.rfind("env:", 0) == 0 && text.size() > 4) ||
                     (text.rfind("file:/", 0) == 0 && text.size() > 6);
        if (!valid) return r_.fail(where, "expected \"env:NAME\" or \"file:/absolute/path\"");
        scope.secrets[name] = text;
      }
    }
    return {};
  }

  Result<void> access(const json& parent, const std::string& at, PolicyScope& scope) {
    auto found = r_.section(parent, at, "access",
                            {"tools", "resources", "prompts", "sampling", "elicitation", "roots",
                             "unknown_methods"});
    if (!found) return found.error();
    if (!*found) return {};
    const json& access = **found;
    std::string pointer = at + "/access";
    for (auto [key, target] : {std::pair{"tools", &scope.tools},
                               std::pair{"resources", &scope.resources},
                               std::pair{"prompts", &scope.prompts}}) {
      auto list = r_.section(access, pointer, key, {"allow", "deny"});
      if (!list) return list.error();
      if (!*list) continue;
      GlobFilter filter;
      std::string list_pointer = json_pointer_child(pointer, key);
      if (auto r = r_.read_strings(**list, list_pointer, "allow", filter.allow); !r) return r;
      if (auto r = r_.read_strings(**list, list_pointer, "deny", filter.deny); !r) return r;
      *target = std::move(filter);
    }
    for (auto [key, target] : {std::pair{"sampling", &scope.sampling},
                               std::pair{"elicitation", &scope.elicitation},
                               std::pair{"roots", &scope.roots},
                               std::pair{"unknown_methods", &scope.unknown_methods}}) {
      if (!access.contains(key)) continue;
      bool allow = false;
      if (auto r = r_.read_allow_or_deny(access, pointer, key, allow); !r) return r;
      *target = allow ? AskPolicy::kAllow : AskPolicy::kDeny;
    }
    return {};
  }

  Result<RateSpec> rate_at(const json& object, const std::string& pointer) {
    if (!object.contains("rate")) return r_.fail(pointer + "/rate", "missing (e.g. \"10/min\")");
    auto text = r_.string_value(object["rate"], pointer + "/rate");
    if (!text) return text.error();
    std::optional<double> burst;
    if (object.contains("burst")) {
      const json& b = object["burst"];
      if (!b.is_number_unsigned() || b.get<uint64_t>() < 1 || b.get<uint64_t>() > 1000000) {
        return r_.fail(pointer + "/burst", "expected a whole number of requests, at least 1");
      }
      burst = static_cast<double>(b.get<uint64_t>());
    }
    auto rate = parse_rate(*text, burst);
    if (!rate) return r_.fail(pointer + "/rate", rate.error().message);
    return *rate;
  }

  Result<void> tools(const json& parent, const std::string& at, std::vector<ToolRule>& rules) {
    if (!parent.contains("tools")) return {};
    std::string pointer = at + "/tools";
    if (!parent["tools"].is_object()) {
      return r_.fail(pointer, "expected an object of tool names or globs");
    }
    for (const auto& [glob, body] : parent["tools"].items()) {
      std::string where = json_pointer_child(pointer, glob);
      if (!body.is_object()) return r_.fail(where, "expected an object");
      if (auto r = r_.only_keys(body, where, {"tags", "rate", "burst", "max_concurrent", "timeout",
                                              "arguments", "grants", "exec"});
          !r) {
        return r;
      }
      ToolRule rule;
      rule.tool_glob = glob;
      rule.source = where;
      if (auto r = r_.read_strings(body, where, "tags", rule.tags); !r) return r;
      if (body.contains("rate")) {
        auto rate = rate_at(body, where);
        if (!rate) return rate.error();
        rule.rate = *rate;
      } else if (body.contains("burst")) {
        return r_.fail(where + "/burst", "a burst needs a \"rate\"");
      }
      if (body.contains("max_concurrent")) {
        const json& n = body["max_concurrent"];
        if (!n.is_number_unsigned() || n.get<uint64_t>() < 1 || n.get<uint64_t>() > 65536) {
          return r_.fail(where + "/max_concurrent", "expected a whole number, at least 1");
        }
        rule.max_concurrent = static_cast<uint32_t>(n.get<uint64_t>());
      }
      if (body.contains("timeout")) {
        auto text = r_.string_value(body["timeout"], where + "/timeout");
        if (!text) return text.error();
        auto ms = parse_duration_ms(*text);
        if (!ms) return r_.fail(where + "/timeout", ms.error().message);
        rule.timeout_ms = *ms;
      }
      if (auto r = arguments(body, where, rule.arguments); !r) return r;
      if (auto r = grants(body, where, rule.grants); !r) return r;
      if (auto r = r_.read_strings(body, where, "exec", rule.exec); !r) return r;
      for (const auto& program : rule.exec) {
        if (program.empty() || program[0] != '/') {
          return r_.fail(where + "/exec", "'" + program + "' is not an absolute path");
        }
      }
      rules.push_back(std::move(rule));
    }
    return {};
  }

  Result<void> grants(const json& tool, const std::string& at, std::vector<CallGrantRule>& rules) {
    if (!tool.contains("grants")) return {};
    std::string pointer = at + "/grants";
    if (!tool["grants"].is_object()) return r_.fail(pointer, "expected an object of argument names");
    for (const auto& [name, kind] : tool["grants"].items()) {
      std::string where = json_pointer_child(pointer, name);
      static const std::pair<const char*, GrantKind> kKinds[] = {
          {"read", GrantKind::kRead}, {"write", GrantKind::kWrite}, {"connect", GrantKind::kConnect},
          {"exec", GrantKind::kExec}};
      bool known = false;
      for (const auto& [text, value] : kKinds) {
        if (kind.is_string() && kind.get<std::string>() == text) {
          rules.push_back({name, value});
          known = true;
        }
      }
      if (!known) return r_.fail(where, "expected one of: read, write, connect, exec");
    }
    return {};
  }

  Result<void> arguments(const json& tool, const std::string& at,
                         std::vector<ArgumentRule>& rules) {
    if (!tool.contains("arguments")) return {};
    std::string pointer = at + "/arguments";
    if (!tool["arguments"].is_object()) return r_.fail(pointer, "expected an object");
    for (const auto& [name, body] : tool["arguments"].items()) {
      std::string where = json_pointer_child(pointer, name);
      if (!body.is_object()) return r_.fail(where, "expected an object");
      if (auto r = r_.only_keys(body, where, {"path", "pattern", "deny_pattern", "max_length",
                                              "enum", "url", "no_shell_metacharacters"});
          !r) {
        return r;
      }
      ArgumentRule rule;
      rule.argument = name;
      rule.source = where;
      if (body.contains("path")) {
        auto path = path_constraint(body["path"], where + "/path");
        if (!path) return path.error();
        rule.path = std::move(*path);
      }
      for (auto [key, target] : {std::pair{"pattern", &rule.pattern},
                                 std::pair{"deny_pattern", &rule.deny_pattern}}) {
        if (!body.contains(key)) continue;
        auto text = r_.string_value(body[key], json_pointer_child(where, key));
        if (!text) return text.error();
        RE2 compiled(*text, RE2::Quiet);
        if (!compiled.ok()) {
          return r_.fail(json_pointer_child(where, key),
                         "not a valid RE2 regular expression: " + compiled.error());
        }
        *target = *text;
      }
      if (body.contains("max_length")) {
        if (!body["max_length"].is_number_unsigned()) {
          return r_.fail(where + "/max_length", "expected a whole number of characters");
        }
        rule.max_length = body["max_length"].get<uint64_t>();
      }
      if (body.contains("enum")) {
        if (!body["enum"].is_array() || body["enum"].empty()) {
          return r_.fail(where + "/enum", "expected a non-empty array of allowed values");
        }
        for (const json& value : body["enum"]) rule.enum_values.push_back(value.dump());
      }
      if (auto found = r_.section(body, where, "url", {"schemes", "hosts"}); !found) {
        return found.error();
      } else if (*found) {
        UrlConstraint url;
        if (auto r = r_.read_strings(**found, where + "/url", "schemes", url.schemes); !r) return r;
        if (auto r = r_.read_strings(**found, where + "/url", "hosts", url.hosts); !r) return r;
        for (auto* list : {&url.schemes, &url.hosts}) {
          for (auto& item : *list) {
            for (char& c : item) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          }
        }
        rule.url = std::move(url);
      }
      if (auto b = r_.read_bool(body, where, "no_shell_metacharacters",
                                rule.no_shell_metacharacters);
          !b) {
        return b;
      }
      rules.push_back(std::move(rule));
    }
    return {};
  }

  // `true` confines to the profile's own filesystem paths; an object names roots and denies.
  Result<PathConstraint> path_constraint(const json& value, const std::string& at) {
    PathConstraint path;
    if (value.is_boolean() && value.get<bool>()) return path;
    if (!value.is_object()) {
      return r_.fail(at, "expected true (the profile's filesystem paths) or {\"roots\", \"deny\"}");
    }
    if (auto r = r_.only_keys(value, at, {"roots", "deny"}); !r) return r.error();
    if (auto r = r_.read_strings(value, at, "roots", path.roots); !r) return r.error();
    if (auto r = r_.read_strings(value, at, "deny", path.deny); !r) return r.error();
    return path;
  }

  Result<void> flows(const json& parent, const std::string& at, std::vector<FlowRule>& flows) {
    if (!parent.contains("flows")) return {};
    std::string pointer = at + "/flows";
    if (!parent["flows"].is_array()) return r_.fail(pointer, "expected an array of rules");
    for (size_t i = 0; i < parent["flows"].size(); ++i) {
      const json& body = parent["flows"][i];
      std::string where = pointer + "/" + std::to_string(i);
      if (!body.is_object()) return r_.fail(where, "expected an object");
      if (auto r = r_.only_keys(body, where, {"name", "after", "deny", "reason"}); !r) return r;
      FlowRule rule;
      for (auto [key, target] : {std::pair{"after", &rule.after_tag},
                                 std::pair{"deny", &rule.deny_tag}}) {
        if (!body.contains(key)) return r_.fail(json_pointer_child(where, key), "missing tag");
        auto text = r_.string_value(body[key], json_pointer_child(where, key));
        if (!text) return text.error();
        *target = *text;
      }
      rule.name = body.contains("name") && body["name"].is_string()
                      ? body["name"].get<std::string>()
                      : rule.after_tag + "->" + rule.deny_tag;
      rule.reason = body.contains("reason") && body["reason"].is_string()
                        ? body["reason"].get<std::string>()
                        : "a tool tagged '" + rule.after_tag + "' already returned data";
      flows.push_back(std::move(rule));
    }
    return {};
  }

  Result<void> detectors(const json& root, DetectorPlan& plan) {
    auto found = r_.section(root, "", "detectors", {"traversal", "shell_injection", "poisoning", "injection"});
    if (!found) return found.error();
    if (!*found) return {};
    for (auto [key, target] : {std::pair{"traversal", &plan.traversal},
                               std::pair{"shell_injection", &plan.shell_injection},
                               std::pair{"poisoning", &plan.poisoning},
                               std::pair{"injection", &plan.injection}}) {
      if (!(*found)->contains(key)) continue;
      const json& value = (**found)[key];
      std::string text = value.is_string() ? value.get<std::string>() : "";
      if (text == "block") *target = DetectorAction::kBlock;
      else if (text == "warn") *target = DetectorAction::kWarn;
      else if (text == "off") *target = DetectorAction::kOff;
      else return r_.fail(std::string("/detectors/") + key, "expected \"block\", \"warn\" or \"off\"");
    }
    return {};
  }

  Result<void> audit(const json& root, AuditPlan& plan) {
    auto found = r_.section(root, "", "audit", {"path", "sync", "rotate", "arguments",
                                                       "checkpoint_key", "checkpoint_every", "effects"});
    if (!found) return found.error();
    if (!*found) return {};
    const json& audit = **found;
    if (audit.contains("path")) {
      auto path = r_.string_value(audit["path"], "/audit/path");
      if (!path) return path.error();
      plan.path = *path;
    }
    if (audit.contains("sync")) {
      std::string sync = audit["sync"].is_string() ? audit["sync"].get<std::string>() : "";
      if (sync == "record") plan.sync = AuditPlan::Sync::kRecord;
      else if (sync == "batch") plan.sync = AuditPlan::Sync::kBatch;
      else if (sync == "none") plan.sync = AuditPlan::Sync::kNone;
      else return r_.fail("/audit/sync", "expected \"record\", \"batch\" or \"none\"");
    }
    if (audit.contains("rotate")) {
      std::string text = audit["rotate"].is_string() ? audit["rotate"].get<std::string>() : "";
      auto bytes = parse_byte_size(text);
      if (!bytes || *bytes < 4096) return r_.fail("/audit/rotate", "expected a size such as \"100MiB\"");
      plan.rotate_bytes = *bytes;
    }
    if (audit.contains("arguments")) {
      std::string mode = audit["arguments"].is_string() ? audit["arguments"].get<std::string>() : "";
      if (mode == "digest") plan.argument_digests = true;
      else if (mode == "omit") plan.argument_digests = false;
      else return r_.fail("/audit/arguments", "expected \"digest\" or \"omit\"");
    }
    if (audit.contains("checkpoint_key")) {
      auto key = r_.string_value(audit["checkpoint_key"], "/audit/checkpoint_key");
      if (!key) return key.error();
      plan.checkpoint_key = *key;
    }
    if (audit.contains("checkpoint_every")) {
      const json& every = audit["checkpoint_every"];
      if (!every.is_number_unsigned() || every.get<uint64_t>() == 0) {
        return r_.fail("/audit/checkpoint_every", "expected a positive number of records");
      }
      plan.checkpoint_every = every.get<uint64_t>();
    }
    if (audit.contains("effects")) {
      if (!audit["effects"].is_boolean()) return r_.fail("/audit/effects", "expected true or false");
      plan.effects = audit["effects"].get<bool>();
    }
    return {};
  }

  Result<void> pins(const json& root, PinPlan& plan) {
    auto found = r_.section(root, "", "pins", {"file", "mode", "signers", "behaviour"});
    if (!found) return found.error();
    if (!*found) return {};
    const json& pins = **found;
    if (!pins.contains("file")) return r_.fail("/pins/file", "missing (where the pins are kept)");
    auto file = r_.string_value(pins["file"], "/pins/file");
    if (!file) return file.error();
    plan.file = *file;
    if (pins.contains("mode")) {
      std::string mode = pins["mode"].is_string() ? pins["mode"].get<std::string>() : "";
      if (mode == "tofu") plan.mode = PinPlan::Mode::kTrustOnFirstUse;
      else if (mode == "strict") plan.mode = PinPlan::Mode::kStrict;
      else return r_.fail("/pins/mode", "expected \"tofu\" or \"strict\"");
    }
    if (pins.contains("behaviour")) {
      std::string action = pins["behaviour"].is_string() ? pins["behaviour"].get<std::string>() : "";
      if (action == "warn") plan.block_behaviour = false;
      else if (action == "block") plan.block_behaviour = true;
      else return r_.fail("/pins/behaviour", "expected \"warn\" or \"block\"");
    }
    return r_.read_strings(pins, "/pins", "signers", plan.signers);
  }

  Result<std::map<std::string, RedactionAction>> actions_at(const json& value, const std::string& at) {
    if (!value.is_object()) return r_.fail(at, "expected an object of detector: action");
    std::map<std::string, RedactionAction> out;
    for (const auto& [name, action] : value.items()) {
      std::string text = action.is_string() ? action.get<std::string>() : "";
      std::string where = json_pointer_child(at, name);
      if (text == "allow") out[name] = RedactionAction::kAllow;
      else if (text == "redact") out[name] = RedactionAction::kRedact;
      else if (text == "hash") out[name] = RedactionAction::kHash;
      else if (text == "block") out[name] = RedactionAction::kBlock;
      else return r_.fail(where, "expected \"allow\", \"redact\", \"hash\" or \"block\"");
    }
    return out;
  }

  Result<void> redaction(const json& root, RedactionPlan& plan) {
    auto found = r_.section(root, "", "redaction",
                            {"enabled", "actions", "arguments", "results", "tools", "custom"});
    if (!found) return found.error();
    if (!*found) return {};
    const json& section = **found;
    if (auto b = r_.read_bool(section, "/redaction", "enabled", plan.enabled); !b) return b;
    for (auto [key, target] : {std::pair{"actions", &plan.actions}, std::pair{"arguments", &plan.arguments},
                               std::pair{"results", &plan.results}}) {
      if (!section.contains(key)) continue;
      auto actions = actions_at(section[key], std::string("/redaction/") + key);
      if (!actions) return actions.error();
      *target = std::move(*actions);
    }
    if (section.contains("tools")) {
      if (!section["tools"].is_object()) return r_.fail("/redaction/tools", "expected an object of tool globs");
      for (const auto& [glob, body] : section["tools"].items()) {
        auto actions = actions_at(body, json_pointer_child("/redaction/tools", glob));
        if (!actions) return actions.error();
        plan.tools.emplace_back(glob, std::move(*actions));
      }
    }
    if (section.contains("custom")) {
      if (!section["custom"].is_object()) return r_.fail("/redaction/custom", "expected an object of name: pattern");
      for (const auto& [name, pattern] : section["custom"].items()) {
        auto text = r_.string_value(pattern, json_pointer_child("/redaction/custom", name));
        if (!text) return text.error();
        plan.custom.emplace_back(name, *text);
      }
    }
    return {};
  }

  const JsonReader& r_;
};

}  // namespace

Result<RateSpec> parse_rate(std::string_view text, std::optional<double> burst) {
  size_t digits = 0;
  auto count = leading_number(text, digits);
  size_t slash = text.find('/');
  if (!count || *count == 0 || slash != digits) {
    return Error{"expected a rate such as \"10/min\" (count/s, /min or /hour)"};
  }
  std::string_view unit = text.substr(slash + 1);
  double seconds = 0;
  if (unit == "s" || unit == "sec" || unit == "second") seconds = 1;
  else if (unit == "min" || unit == "minute") seconds = 60;
  else if (unit == "h" || unit == "hour") seconds = 3600;
  else return Error{"unknown rate unit '" + std::string(unit) + "' (use s, min or hour)"};
  RateSpec rate;
  rate.per_second = static_cast<double>(*count) / seconds;
  rate.burst = burst.value_or(static_cast<double>(*count));
  rate.text = std::string(text) + ", burst " + std::to_string(static_cast<uint64_t>(rate.burst));
  return rate;
}

Result<uint64_t> parse_duration_ms(std::string_view text) {
  size_t digits = 0;
  auto value = leading_number(text, digits);
  if (!value || *value == 0) return Error{"expected a duration such as \"30s\" or \"500ms\""};
  std::string_view unit = text.substr(digits);
  uint64_t scale = 0;
  if (unit == "ms") scale = 1;
  else if (unit == "s") scale = 1000;
  else if (unit == "m" || unit == "min") scale = 60000;
  else if (unit == "h") scale = 3600000;
  else return Error{"unknown duration unit '" + std::string(unit) + "' (use ms, s, m or h)"};
  if (*value > UINT64_MAX / scale) return Error{"duration too long"};
  return *value * scale;
}

Result<void> read_proxy_policy(const JsonReader& reader, const nlohmann::json& root,
                               ProxyPolicy& policy) {
  return PolicyReader(reader).read(root, policy);
}

}  // namespace mcpsandbox

#include "proxy/policy/policy_engine.h"

#include "proxy/policy/call_grants.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "profiles/glob.h"
#include "proxy/error_codes.h"
#include "proxy/policy/detectors.h"

namespace mcpsandbox {

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace {

std::string_view string_member(element parent, std::string_view key) {
  std::string_view text;
  if (parent.type() == element_type::OBJECT && !parent[key].get_string().get(text)) return text;
  return {};
}

bool has_tag(const std::vector<std::string>& tags, const std::string& tag) {
  return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

}  // namespace

PolicyEngine::PolicyEngine(ProxyPlan plan, PolicyContext context, const Logger& logger)
    : plan_(std::move(plan)), context_(std::move(context)), logger_(logger) {}

Result<PolicyEngine> PolicyEngine::create(ProxyPlan plan, PolicyContext context,
                                          const Logger& logger) {
  if (!context.resolver) return Error{"policy engine: no path resolver"};
  PolicyEngine engine(std::move(plan), std::move(context), logger);
  for (const ToolRule& rule : engine.plan_.tools) {
    std::vector<ArgumentRuleCheck> checks;
    for (const ArgumentRule& argument : rule.arguments) {
      auto check = ArgumentRuleCheck::compile(argument);
      if (!check) return check.error();
      checks.push_back(std::move(*check));
    }
    engine.argument_checks_.push_back(std::move(checks));
  }
  // Heap-allocated so the element stays valid when the engine moves.
  engine.empty_parser_ = std::make_unique<simdjson::dom::parser>();
  if (engine.empty_parser_->parse(std::string_view("{}")).get(engine.empty_object_)) {
    return Error{"policy engine: out of memory"};
  }
  auto now = engine.context_.clock();
  for (const RateSpec& rate : engine.plan_.session_rates) engine.session_buckets_.emplace_back(rate, now);
  return engine;
}

bool PolicyEngine::allowed(const std::vector<GlobFilter>& filters, std::string_view name) const {
  return !check_name(filters, "", name);
}

std::optional<Refusal> PolicyEngine::check_name(const std::vector<GlobFilter>& filters,
                                                std::string_view kind,
                                                std::string_view name) const {
  std::string what(kind.substr(0, kind.empty() ? 0 : kind.size() - 1));  // "tools" -> "tool"
  for (const GlobFilter& filter : filters) {
    for (const std::string& glob : filter.deny) {
      if (glob_match(glob, name)) {
        return Refusal{error_code::kNotAllowed, std::string(kind) + ".deny",
                       what + " '" + std::string(name) + "' is denied by the " +
                           filter.layer + " (" + glob + ")"};
      }
    }
    if (filter.allow.empty()) continue;
    bool listed = std::any_of(filter.allow.begin(), filter.allow.end(),
                              [&](const std::string& glob) { return glob_match(glob, name); });
    if (!listed) {
      return Refusal{error_code::kNotAllowed, std::string(kind) + ".allow",
                     what + " '" + std::string(name) + "' is not in the " +
                         filter.layer + "'s allow list"};
    }
  }
  return std::nullopt;
}

PolicyEngine::ToolPolicy PolicyEngine::policy_for(const std::string& tool) const {
  ToolPolicy policy;
  for (size_t i = 0; i < plan_.tools.size(); ++i) {
    const ToolRule& rule = plan_.tools[i];
    if (!glob_match(rule.tool_glob, tool)) continue;
    for (const std::string& tag : rule.tags) {
      if (!has_tag(policy.tags, tag)) policy.tags.push_back(tag);
    }
    // Several rules naming one tool: the strictest limit wins.
    if (rule.max_concurrent) {
      policy.max_concurrent = std::min(policy.max_concurrent.value_or(UINT32_MAX), *rule.max_concurrent);
    }
    if (rule.timeout_ms) {
      policy.timeout_ms = std::min(policy.timeout_ms.value_or(UINT64_MAX), *rule.timeout_ms);
    }
    for (const ArgumentRuleCheck& check : argument_checks_[i]) policy.arguments.push_back(&check);
    if (rule.rate) policy.rate_rules.push_back(i);
    policy.grants.insert(policy.grants.end(), rule.grants.begin(), rule.grants.end());
    policy.exec.insert(policy.exec.end(), rule.exec.begin(), rule.exec.end());
  }
  return policy;
}

std::optional<Refusal> PolicyEngine::check_ask(std::string_view method) const {
  const AskRules& asks = plan_.access.asks;
  AskPolicy policy = AskPolicy::kAllow;
  std::string_view what;
  if (method == "sampling/createMessage") {
    policy = asks.sampling;
    what = "sampling";
  } else if (method == "elicitation/create") {
    policy = asks.elicitation;
    what = "elicitation";
  } else if (method == "roots/list") {
    policy = asks.roots;
    what = "roots";
  }
  if (policy == AskPolicy::kAllow) return std::nullopt;
  return Refusal{error_code::kAskDenied, "access." + std::string(what),
                 "the server asked for " + std::string(what) + " (" + std::string(method) +
                     "), which this profile denies"};
}

std::variant<Admission, Refusal> PolicyEngine::admit_client_request(const MessageInfo& message) {
  if (!context_.authenticated) {
    return Refusal{error_code::kAuthRequired, "auth.key",
                   "this profile requires a gateway key: set MCPSANDBOX_KEY or pass --key-file "
                   "(see `mcpsandbox keys add`)"};
  }
  const std::string& method = message.method;
  // Which tool, and whether this session may use it, before anything is counted: a call held
  // back until the tool is listed comes through here again.
  std::string tool;
  ListedTool* listed = nullptr;
  if (method == "tools/call") {
    if (message.params) tool = std::string(string_member(*message.params, "name"));
    if (tool.empty()) {
      return Refusal{error_code::kInvalidArguments, "tools.call", "tools/call needs params.name"};
    }
    if (auto refusal = check_name(plan_.access.tools, "tools", tool)) return *refusal;
    auto found = tools_.find(tool);
    if (found == tools_.end() || tools_stale_) {
      return Refusal{error_code::kToolNotListed, kUnlistedRule,
                     "tool '" + tool + "' is not in the server's tools/list"};
    }
    listed = &found->second;
    // The client acts on what it was shown: session pins hold from here whatever the listing.
    if (context_.pins) context_.pins->close_session_learning();
  }
  if (!session_buckets_.empty() && method != "initialize" && method != "ping") {
    auto now = context_.clock();
    for (size_t i = 0; i < session_buckets_.size(); ++i) {
      if (auto wait = session_buckets_[i].take(now)) {
        return Refusal{error_code::kRateLimited, "rate_limit.session",
                       "rate limit for " + plan_.identity + " reached (" +
                           plan_.session_rates[i].text + "); retry in " + std::to_string(*wait) +
                           " ms",
                       {{"retry_after_ms", *wait}}};
      }
    }
  }
  if (listed) return admit_tool_call(message, tool, *listed);
  if (method == "resources/read" || method == "resources/subscribe") {
    std::string_view uri = message.params ? string_member(*message.params, "uri") : std::string_view();
    if (auto refusal = check_name(plan_.access.resources, "resources", uri)) return *refusal;
  } else if (method == "prompts/get") {
    std::string_view name = message.params ? string_member(*message.params, "name") : std::string_view();
    if (auto refusal = check_name(plan_.access.prompts, "prompts", name)) return *refusal;
  }
  Verdict redacted = redact_message(message, RedactionDirection::kArguments);
  if (redacted.action == Verdict::Action::kRefuse) return redacted.refusal;
  Admission admission;
  admission.replacement = std::move(redacted.replacement);
  return admission;
}

std::variant<Admission, Refusal> PolicyEngine::admit_tool_call(const MessageInfo& message,
                                                               const std::string& tool,
                                                               ListedTool& listed) {
  if (listed.blocked_code != 0) {
    std::string hint = listed.blocked_code == error_code::kToolNotApproved
                           ? " (an administrator reviews it with `mcpsandbox pin approve`)"
                           : "";
    return Refusal{listed.blocked_code, listed.blocked_rule,
                   "tool '" + tool + "' is refused: " + listed.blocked_reason + hint,
                   {{"tool", tool}}};
  }
  if (!listed.schema) {
    return Refusal{error_code::kToolNotListed, "tools.schema",
                   "tool '" + tool + "' cannot be called: its inputSchema is unusable (" +
                       listed.schema_error + ")"};
  }
  for (const FlowRule& flow : plan_.flows) {
    if (has_tag(listed.policy.tags, flow.deny_tag) && has_tag(returned_tags_, flow.after_tag)) {
      return Refusal{error_code::kFlowDenied, "flows." + flow.name,
                     "tool '" + tool + "' (tagged " + flow.deny_tag + ") is not allowed now: " +
                         flow.reason};
    }
  }
  ToolLimits& limits = limits_for(tool, listed.policy);
  for (size_t i = 0; i < limits.buckets.size(); ++i) {
    if (auto wait = limits.buckets[i].take(context_.clock())) {
      const ToolRule& rule = plan_.tools[listed.policy.rate_rules[i]];
      return Refusal{error_code::kRateLimited, "rate_limit.tool",
                     "rate limit for tool '" + tool + "' reached (" + rule.rate->text +
                         "); retry in " + std::to_string(*wait) + " ms",
                     {{"retry_after_ms", *wait}, {"tool", tool}}};
    }
  }
  if (listed.policy.max_concurrent && limits.in_flight >= *listed.policy.max_concurrent) {
    return Refusal{error_code::kTooManyConcurrent, "limits.max_concurrent",
                   "tool '" + tool + "' already has " + std::to_string(limits.in_flight) +
                       " calls in flight (max_concurrent " +
                       std::to_string(*listed.policy.max_concurrent) + ")",
                   {{"retry_after_ms", 100}, {"tool", tool}}};
  }
  element arguments;
  bool has_arguments = !(*message.params)["arguments"].get(arguments);
  // The SDK sends no "arguments" for a tool without parameters: validate as {}.
  if (!has_arguments) arguments = empty_object_;
  if (auto refusal = check_arguments(tool, listed, arguments)) return *refusal;
  Admission admission{tool, listed.policy.timeout_ms, {}, {}};
  if (!listed.policy.grants.empty() || !listed.policy.exec.empty()) {
    auto grants = call_grants_for(listed.policy.grants, listed.policy.exec, arguments, *context_.resolver,
                                  plan_.server_cwd, context_.home);
    if (!grants) {
      return Refusal{error_code::kGrantFailed, "grants.argument", "tool '" + tool + "': " + grants.error().message,
                     {{"tool", tool}}};
    }
    admission.grants = std::move(*grants);
  }
  // The whole params, not only the arguments: _meta and every other member travel too.
  Verdict redacted = redact_message(message, RedactionDirection::kArguments, tool);
  if (redacted.action == Verdict::Action::kRefuse) return redacted.refusal;
  admission.replacement = std::move(redacted.replacement);  // empty: forwarded as sent
  ++limits.in_flight;
  return admission;
}

std::optional<Refusal> PolicyEngine::check_arguments(const std::string& tool,
                                                     const ListedTool& listed,
                                                     element arguments) {
  if (arguments.type() != element_type::OBJECT) {
    return Refusal{error_code::kInvalidArguments, "arguments.schema",
                   "tool '" + tool + "': arguments must be an object"};
  }
  if (auto error = listed.schema->validate(arguments)) {
    return Refusal{error_code::kInvalidArguments, "arguments.schema",
                   "tool '" + tool + "': arguments do not match its inputSchema at " + *error,
                   {{"tool", tool}}};
  }
  simdjson::dom::object members = arguments.get_object().value_unsafe();
  for (const ArgumentRuleCheck* check : listed.policy.arguments) {
    element value;
    if (members.at_key(check->rule().argument).get(value)) continue;  // absent: schema's call
    if (auto why = check->check(value, *context_.resolver, context_.home)) {
      return Refusal{error_code::kArgumentRefused, "arguments.profile",
                     "tool '" + tool + "', argument '" + check->rule().argument + "': " + *why,
                     {{"tool", tool}, {"argument", check->rule().argument},
                      {"profile_rule", check->rule().source}}};
    }
  }
  for (const DetectorFinding& finding : scan_arguments(arguments, plan_.detectors)) {
    DetectorAction action = finding.detector == "traversal" ? plan_.detectors.traversal
                                                            : plan_.detectors.shell_injection;
    if (finding.confidence == Confidence::kHigh && action == DetectorAction::kBlock) {
      return Refusal{error_code::kArgumentRefused, "detectors." + finding.detector,
                     "tool '" + tool + "', argument " + finding.location + ": " + finding.what,
                     {{"tool", tool}, {"location", finding.location}}};
    }
    logger_.warn("policy: warning: tool '" + tool + "', argument " + finding.location + ": " +
                 finding.what + " (" + finding.detector + ", " +
                 (finding.confidence == Confidence::kHigh ? "high" : "low") + " confidence)");
  }
  return std::nullopt;
}

void PolicyEngine::client_request_done(const PendingRequest& request, bool succeeded) {
  if (request.method != "tools/call" || request.tool.empty()) return;
  if (auto limits = limits_.find(request.tool); limits != limits_.end() && limits->second.in_flight > 0) {
    --limits->second.in_flight;
  }
  auto found = tools_.find(request.tool);
  if (found == tools_.end() || !succeeded) return;
  for (const std::string& tag : found->second.policy.tags) {
    if (!has_tag(returned_tags_, tag)) returned_tags_.push_back(tag);
  }
}

Redactor* PolicyEngine::redactor() {
  if (!plan_.redaction.enabled || redactor_failed_) return nullptr;
  if (!redactor_) {
    auto created = Redactor::create(plan_.redaction, scan_engine());
    if (!created) {
      redactor_failed_ = true;
      logger_.error(created.error().message);
      return nullptr;
    }
    redactor_.emplace(std::move(*created));
  }
  return &*redactor_;
}

const ScanEngine& PolicyEngine::scan_engine() {
  const ScanEngine& engine = context_.scan_engine ? *context_.scan_engine : process_scan_engine();
  if (scan_engine_reported_) return engine;
  scan_engine_reported_ = true;
  if (!engine.fault.empty()) {
    logger_.error("scanning: falling back to RE2 over whole strings (slower, as thorough) for "
                  "redaction and the instruction-phrase check: " + engine.fault);
    audit_events_.push_back({{"event", "scan_engine"}, {"engine", "re2"}, {"fault", engine.fault}});
  } else if (!engine.vectorscan) {
    logger_.warn("scanning: " + engine.describe());
  }
  return engine;
}

PhraseScanner* PolicyEngine::injection_phrases() {
  if (!injection_phrases_) {
    auto created = PhraseScanner::create(model_instruction_phrases(), scan_engine());
    if (!created) {
      logger_.error(created.error().message);
      return nullptr;
    }
    injection_phrases_.emplace(std::move(*created));
  }
  return &*injection_phrases_;
}

std::optional<Refusal> PolicyEngine::redact(element value, RedactionDirection direction,
                                            const std::string& tool, ValueRewrites& rewrites) {
  if (!plan_.redaction.enabled) return std::nullopt;
  Redactor* engine = redactor();
  if (!engine) {
    return Refusal{error_code::kRedactionBlocked, "redaction.unavailable",
                   "the redaction engine could not be built; nothing passes unscanned"};
  }
  auto outcome = engine->scan(value, direction, tool);
  const char* where = direction == RedactionDirection::kArguments ? "arguments" : "result";
  if (!outcome.findings.empty()) {
    // One audit record per message, never values; a large result can hold hundreds of
    // findings, so they are counted per detector, location and action.
    std::map<std::tuple<std::string_view, std::string_view, RedactionAction>, size_t> counted;
    size_t acted = 0;
    for (const RedactionFinding& finding : outcome.findings) {
      acted += finding.action != RedactionAction::kAllow;
      ++counted[{finding.detector, finding.location, finding.action}];
    }
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& [key, count] : counted) {
      if (findings.size() >= 1000) break;
      const auto& [detector, location, action] = key;
      findings.push_back({{"detector", detector}, {"location", location},
                          {"action", action == RedactionAction::kAllow    ? "allow"
                                     : action == RedactionAction::kRedact ? "redact"
                                     : action == RedactionAction::kHash   ? "hash"
                                                                          : "block"},
                          {"count", count}});
    }
    audit_events_.push_back({{"event", "redaction"}, {"direction", where}, {"tool", tool},
                             {"count", outcome.findings.size()}, {"findings", std::move(findings)}});
    if (acted > 0 && logger_.enabled(LogLevel::kInfo)) {
      logger_.info("redaction: " + std::to_string(acted) + " finding(s) acted on in the " + where +
                   (tool.empty() ? "" : " of '" + tool + "'"));
    }
  }
  if (outcome.blocked) {
    std::string detectors = detector_names(outcome.findings,
                                           [](RedactionAction action) { return action == RedactionAction::kBlock; });
    return Refusal{error_code::kRedactionBlocked, "redaction.block",
                   std::string("the ") + where + " contain data this profile blocks (" + detectors + ")",
                   {{"detectors", detectors}}};
  }
  rewrites = std::move(outcome.rewrites);
  return std::nullopt;
}

std::optional<Refusal> PolicyEngine::review_server_request(const MessageInfo& message) {
  if (auto refusal = check_ask(message.method)) return refusal;
  return review_nested_asks(message);
}

}  // namespace mcpsandbox

// PolicyEngine: the protocol layer's decisions for one session, evaluated from its ProxyPlan.
// The relay asks it about every client request, every response to one, and every request the
// server makes; it answers with a Refusal (the message goes no further and the sender gets a
// JSON-RPC error), a replacement (tools/list without the tools this session may not see) or a
// go-ahead. It keeps the session's state: tools seen in tools/list with their compiled schemas,
// rate-limit buckets, calls in flight per tool, and the tags of tools that have returned data
// (for flow rules). Single-threaded, like the relay.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <utility>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "proxy/policy/phrase_scanner.h"
#include <variant>
#include <vector>

#include "profiles/proxy_plan.h"
#include "proxy/io/logger.h"
#include "proxy/call_scope.h"
#include "proxy/message.h"
#include "proxy/policy/argument_rule_check.h"
#include "proxy/policy/json_schema.h"
#include "proxy/policy/path_resolver.h"
#include "proxy/policy/refusal.h"
#include "proxy/pins/pin_store.h"
#include "proxy/pins/poisoning.h"
#include "proxy/policy/token_bucket.h"
#include "proxy/redaction/redactor.h"
#include "proxy/request_tracker.h"

namespace mcpsandbox {

struct PolicyContext {
  const PathResolver* resolver = nullptr;  // required
  std::string home;                        // the server's HOME, for "~/" in path arguments
  bool authenticated = true;               // a valid key, or none needed
  PinStore* pins = nullptr;                // tool pinning, when the profile asks for it
  std::function<std::chrono::steady_clock::time_point()> clock = std::chrono::steady_clock::now;
  const ScanEngine* scan_engine = nullptr;  // nullptr: this process's (process_scan_engine())
};

struct Admission {
  std::string tool;                    // tools/call: the tool's name
  std::optional<uint64_t> timeout_ms;  // tools/call: cancel after this long
  std::string replacement;             // non-empty: forward this line instead (redacted arguments)
  CallGrants grants;                   // tools/call: what the kernel grants while it is in flight
};

// What to do with a server message.
struct Verdict {
  enum class Action { kForward, kReplace, kRefuse } action = Action::kForward;
  std::string replacement;  // kReplace: the line to send instead
  Refusal refusal{0, "", ""};  // kRefuse
};

class PolicyEngine {
 public:
  // The rule of a refusal that only means "not listed yet": the relay then asks the server for
  // tools/list itself and admits the call again once the definition is known.
  static constexpr const char* kUnlistedRule = "tools.unlisted";

  static Result<PolicyEngine> create(ProxyPlan plan, PolicyContext context, const Logger& logger);

  // A client request (MessageInfo::params must be from the same parse).
  std::variant<Admission, Refusal> admit_client_request(const MessageInfo& message);
  // The request ended (answered, failed, timed out); `succeeded` = a result, not an error.
  void client_request_done(const PendingRequest& request, bool succeeded);
  // The server sent notifications/tools/list_changed (legacy, or on a 2026-07-28
  // subscriptions/listen stream).
  void tools_changed() { tools_stale_ = true; }
  // The server's response to a client request, judged by what it answers.
  Verdict review_response(const PendingRequest& request, const MessageInfo& message);
  // A request the server sends to the client (sampling, elicitation, roots).
  std::optional<Refusal> review_server_request(const MessageInfo& message);
  // Input requests anywhere in a server message (a result, a task, a notification, an error's
  // data): the first ask the profile denies, or that cannot be judged.
  std::optional<Refusal> review_nested_asks(const MessageInfo& message);
  // Redaction of every string and key of a message no other review redacts: errors, every
  // notification, the server's asks and the client's answers, other requests and results.
  // kReplace with the rebuilt line, kRefuse where a "block" detector matched.
  Verdict redact_message(const MessageInfo& message, RedactionDirection direction, const std::string& tool = "");
  // The relay removed `removed` invisible characters or terminal escapes from the server's
  // message (a response to `method`, or the server's own `method`): logged and audited.
  void note_cleaned(std::string_view method, const std::string& tool, size_t removed);
  // A refusal the proxy writes can quote what the server sent (a member's or an ask's name):
  // its message and details are redacted like any text that reaches the client or the log.
  void redact_refusal(Refusal& refusal);
  std::string redacted_own_text(std::string_view text);

  const ProxyPlan& plan() const { return plan_; }
  // Events for the audit log that arose while judging (pin changes); the relay records them.
  std::vector<nlohmann::json> take_audit_events() { return std::exchange(audit_events_, {}); }

 private:
  // What the profile says about one tool, merged over every rule whose glob names it.
  struct ToolPolicy {
    std::vector<std::string> tags;
    std::optional<uint32_t> max_concurrent;
    std::optional<uint64_t> timeout_ms;
    std::vector<const ArgumentRuleCheck*> arguments;
    std::vector<size_t> rate_rules;  // indexes into plan_.tools with a rate
    std::vector<CallGrantRule> grants;
    std::vector<std::string> exec;
  };
  struct ListedTool {
    std::optional<JsonSchema> schema;
    std::string schema_error;  // why the schema cannot be used (calls are refused)
    // Why the definition itself is not acceptable (not approved by the pins, or poisoned): the
    // tool is hidden from lists and its calls refused with this code and rule.
    std::string blocked_reason, blocked_rule;
    int blocked_code = 0;
    ToolPolicy policy;
  };
  // A tool's rate-limit buckets and calls in flight, by name for the whole session: what the
  // server lists, re-lists or drops (or a client skipping pages makes it seem to drop) never
  // resets them.
  struct ToolLimits {
    std::vector<TokenBucket> buckets;  // one per policy.rate_rules entry
    uint32_t in_flight = 0;
  };

  PolicyEngine(ProxyPlan plan, PolicyContext context, const Logger& logger);

  std::variant<Admission, Refusal> admit_tool_call(const MessageInfo& message,
                                                   const std::string& tool, ListedTool& listed);
  std::optional<Refusal> check_arguments(const std::string& tool, const ListedTool& listed,
                                         simdjson::dom::element arguments);
  std::optional<Refusal> check_name(const std::vector<GlobFilter>& filters, std::string_view kind,
                                    std::string_view name) const;
  bool allowed(const std::vector<GlobFilter>& filters, std::string_view name) const;
  std::optional<Refusal> check_ask(std::string_view method) const;
  ToolPolicy policy_for(const std::string& tool) const;
  void register_tools(const MessageInfo& message, const PendingRequest& request);
  ToolLimits& limits_for(const std::string& tool, const ToolPolicy& policy);
  // A complete listing is in: tools it no longer has are gone, and the registry is current.
  void listing_complete();
  // A complete listing (first page to last) without a pinned tool: reported once per session.
  void judge_removed_pins();
  std::string pin_file_name() const;  // for audit records: the file, or "(session)"
  Verdict filter_list(const MessageInfo& message, std::string_view member,
                      std::string_view name_key, const std::vector<GlobFilter>& filters,
                      bool check_definitions = false);
  void judge_pin(const std::string& name, simdjson::dom::element tool, ListedTool& listed);
  void judge_poisoning(const std::string& name, simdjson::dom::element tool,
                       const std::vector<std::string>& names, ListedTool& listed);
  bool definition_blocked(std::string_view name) const;
  Verdict review_input_requests(simdjson::dom::element inputs);
  std::optional<Refusal> find_input_requests(simdjson::dom::element value, size_t depth);
  Verdict redacted_listing(const MessageInfo& message, Verdict filtered);
  // A tools/call, resources/read or prompts/get result: instructions aimed at the model, then
  // redaction (the relay has already removed invisible text and escapes).
  Verdict review_result_text(const PendingRequest& request, const MessageInfo& message);
  // A method name or a string id holds data a detector acts on: neither can be rewritten (the
  // peer's dispatch and answer depend on them), so the message is refused.
  std::optional<Refusal> unrewritable_findings(const MessageInfo& message, RedactionDirection direction);
  // Compiled on first use: sessions that never pass text pay nothing.
  Redactor* redactor();
  PhraseScanner* injection_phrases();
  // The engine both scan with; a fault in it (a failed self-check) is logged and audited once.
  const ScanEngine& scan_engine();
  // Runs redaction over `value`; records findings; a refusal when a "block" detector matched.
  std::optional<Refusal> redact(simdjson::dom::element value, RedactionDirection direction,
                                const std::string& tool, ValueRewrites& rewrites);

  ProxyPlan plan_;
  PolicyContext context_;
  const Logger& logger_;
  std::vector<std::vector<ArgumentRuleCheck>> argument_checks_;  // parallel to plan_.tools
  std::vector<TokenBucket> session_buckets_;
  std::unordered_map<std::string, ListedTool> tools_;
  std::vector<std::string> returned_tags_;  // tags of tools that have returned data
  std::vector<nlohmann::json> audit_events_;
  std::unordered_map<std::string, ToolLimits> limits_;
  std::unordered_set<std::string> listing_names_;  // tools seen in the listing under way
  // The listing under way is complete only if its pages were read in the server's order, from
  // the first page on: each continuing request must carry the cursor the last page gave.
  bool listing_from_start_ = false;
  std::string expected_cursor_;
  // The server said its tools changed: every call waits for a fresh listing (the proxy's own
  // when the client does not ask) and is judged against it.
  bool tools_stale_ = false;
  std::unordered_set<std::string> reported_removed_;
  std::unique_ptr<simdjson::dom::parser> empty_parser_;
  std::optional<Redactor> redactor_;
  std::optional<PhraseScanner> injection_phrases_;  // built on first use, like the redactor
  bool redactor_failed_ = false;
  bool scan_engine_reported_ = false;
  simdjson::dom::element empty_object_;  // arguments of a call that sends none
};

}  // namespace mcpsandbox

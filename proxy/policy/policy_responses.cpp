// PolicyEngine: what passes back from the server (list filtering, tool registration, asks).
#include "proxy/error_codes.h"
#include "proxy/policy/canonical_json.h"
#include "proxy/policy/policy_engine.h"
#include "proxy/policy/text_cleaner.h"

namespace mcpsandbox {

using simdjson::dom::element;
using simdjson::dom::element_type;

Verdict PolicyEngine::review_response(const PendingRequest& request, const MessageInfo& message) {
  // Reviewed by what it answers, whatever members it carries: input requests (anywhere, an
  // error's data included) add the asks' review to the result's, they never stand in for it.
  if (auto refusal = review_nested_asks(message)) return Verdict{Verdict::Action::kRefuse, "", std::move(*refusal)};
  if (message.is_error || !message.result || message.result->type() != element_type::OBJECT) {
    return redact_message(message, RedactionDirection::kResults);
  }
  const std::string& method = request.method;
  if (method == "tools/list") {
    register_tools(message, request);
    return redacted_listing(message, filter_list(message, "tools", "name", plan_.access.tools,
                                                 /*check_definitions=*/true));
  }
  if (method == "resources/list") {
    return redacted_listing(message, filter_list(message, "resources", "uri", plan_.access.resources));
  }
  if (method == "prompts/list") {
    return redacted_listing(message, filter_list(message, "prompts", "name", plan_.access.prompts));
  }
  if (method == "tools/call" || method == "resources/read" || method == "prompts/get") {
    return review_result_text(request, message);
  }
  return redact_message(message, RedactionDirection::kResults);
}

// A listing is filtered first (what the session may not see is gone), then redacted like any
// message (descriptions are text a server writes, and a model reads).
Verdict PolicyEngine::redacted_listing(const MessageInfo& message, Verdict filtered) {
  if (filtered.action == Verdict::Action::kRefuse) return filtered;
  if (filtered.action == Verdict::Action::kForward) return redact_message(message, RedactionDirection::kResults);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(filtered.replacement).get(root)) return filtered;  // our own output: always JSON
  MessageInfo rebuilt = message;
  rebuilt.params.reset();
  rebuilt.error.reset();
  rebuilt.result = root["result"].value_unsafe();
  Verdict redacted = redact_message(rebuilt, RedactionDirection::kResults);
  return redacted.action == Verdict::Action::kForward ? filtered : redacted;
}

Verdict PolicyEngine::redact_message(const MessageInfo& message, RedactionDirection direction,
                                     const std::string& tool) {
  if (!plan_.redaction.enabled) return {};
  if (auto refusal = unrewritable_findings(message, direction)) return Verdict{Verdict::Action::kRefuse, "", *refusal};
  std::optional<element> body = message.params ? message.params : message.result ? message.result : message.error;
  if (!body) return {};
  ValueRewrites rewrites;
  if (auto refusal = redact(*body, direction, tool, rewrites)) {
    return Verdict{Verdict::Action::kRefuse, "", std::move(*refusal)};
  }
  if (rewrites.empty()) return {};
  std::string rebuilt = R"({"jsonrpc":"2.0")";
  if (message.id) rebuilt += R"(,"id":)" + message.id->json;
  if (!message.method.empty()) {
    rebuilt += R"(,"method":)";
    append_json_string(message.method, rebuilt);
  }
  rebuilt += message.params ? R"(,"params":)" : message.result ? R"(,"result":)" : R"(,"error":)";
  size_t unused = 0;
  append_cleaned_json(*body, rebuilt, unused, &rewrites, /*clean=*/false);
  rebuilt += '}';
  return Verdict{Verdict::Action::kReplace, std::move(rebuilt), {}};
}

std::optional<Refusal> PolicyEngine::unrewritable_findings(const MessageInfo& message, RedactionDirection direction) {
  Redactor* engine = redactor();
  if (!engine) return std::nullopt;  // redact() refuses the message for this
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  if (!message.method.empty()) fields.emplace_back("method", message.method);
  if (message.id) fields.emplace_back("id", message.id->json);  // a string, or an integer (a card fits in 2^53)
  for (const auto& [field, text] : fields) {
    std::vector<RedactionFinding> findings;
    bool blocked = false;
    (void)engine->redact_text(text, direction, "", findings, blocked);
    std::string detectors =
        detector_names(findings, [](RedactionAction action) { return action != RedactionAction::kAllow; });
    if (detectors.empty()) continue;
    audit_events_.push_back({{"event", "redaction"}, {"location", field}, {"detectors", detectors},
                             {"action", "block"}});
    return Refusal{error_code::kRedactionBlocked, "redaction.block",
                   "the message's " + std::string(field) + " holds data that cannot be rewritten (" + detectors + ")",
                   {{"detectors", detectors}}};
  }
  return std::nullopt;
}

std::string PolicyEngine::redacted_own_text(std::string_view text) {
  Redactor* engine = plan_.redaction.enabled ? redactor() : nullptr;
  // The proxy's own text: whatever a detector finds in it never passes, even where the profile
  // would let the data itself through.
  return engine ? engine->redact_every_finding(text) : std::string(text);
}

void PolicyEngine::redact_refusal(Refusal& refusal) {
  refusal.message = redacted_own_text(refusal.message);
  for (auto& [key, value] : refusal.details.items()) {
    if (value.is_string()) value = redacted_own_text(value.get<std::string>());
  }
}

Verdict PolicyEngine::review_result_text(const PendingRequest& request, const MessageInfo& message) {
  PhraseScanner* phrases = plan_.detectors.injection != DetectorAction::kOff ? injection_phrases() : nullptr;
  if (phrases) {
    std::vector<std::string_view> texts;
    collect_strings(*message.result, texts);
    for (std::string_view text : texts) {
      std::string phrase = phrases->find(text);
      if (phrase.empty()) continue;
      bool block = plan_.detectors.injection == DetectorAction::kBlock;
      logger_.warn("injection: the " + request.method + " result" +
                   (request.tool.empty() ? "" : " of '" + request.tool + "'") +
                   " contains instructions aimed at the model (\"" + phrase + "\")" +
                   (block ? "; refused" : ""));
      audit_events_.push_back({{"event", "response.injection"}, {"method", request.method},
                               {"tool", request.tool}, {"phrase", phrase},
                               {"action", block ? "block" : "warn"}});
      if (block) {
        return Verdict{Verdict::Action::kRefuse, "",
                       Refusal{error_code::kInjectionBlocked, "injection.result",
                               "the result contains instructions aimed at the model (\"" + phrase +
                                   "\"); withheld by the profile"}};
      }
      break;
    }
  }
  return redact_message(message, RedactionDirection::kResults, request.tool);
}

void PolicyEngine::note_cleaned(std::string_view method, const std::string& tool, size_t removed) {
  logger_.warn("policy: removed " + std::to_string(removed) +
               " invisible characters or terminal escapes from the " + std::string(method) +
               " message" + (tool.empty() ? "" : " of '" + tool + "'"));
  audit_events_.push_back({{"event", "response.cleaned"}, {"method", method}, {"tool", tool},
                           {"removed", removed}});
}

namespace {

// The definitions as the server sent them, in listing order, when the relay cleaned them: the
// evidence of hidden text a poisoning check needs is what cleaning removed.
std::vector<element> uncleaned_tools(const MessageInfo& message) {
  std::vector<element> tools;
  simdjson::dom::array listed;
  if (message.uncleaned_result && !(*message.uncleaned_result)["tools"].get_array().get(listed)) {
    for (element tool : listed) tools.push_back(tool);
  }
  return tools;
}

}  // namespace

void PolicyEngine::register_tools(const MessageInfo& message, const PendingRequest& request) {
  element result = *message.result;
  simdjson::dom::array tools;
  if (result["tools"].get_array().get(tools)) return;
  std::vector<element> as_sent = uncleaned_tools(message);
  if (!request.continues_listing) {
    // A listing begun afresh: whatever the last one offered is all session pins learn, even if
    // its server never let it complete.
    if (context_.pins && !listing_names_.empty()) context_.pins->close_session_learning();
    listing_names_.clear();
    listing_from_start_ = true;
  } else if (request.listing_cursor != expected_cursor_) {
    listing_from_start_ = false;  // a page skipped or read again: this listing proves nothing
  }
  std::vector<std::string> names;  // for shadowing: which tools a description may name
  for (element tool : tools) {
    std::string_view name;
    if (tool.type() == element_type::OBJECT && !tool["name"].get_string().get(name)) names.emplace_back(name);
  }
  size_t position = 0;
  for (element tool : tools) {
    element sent = position < as_sent.size() ? as_sent[position] : tool;  // cleaning keeps the order
    ++position;
    std::string_view name;
    if (tool.type() != element_type::OBJECT || tool["name"].get_string().get(name)) continue;
    std::string key(name);
    ListedTool listed;
    element schema;
    if (tool["inputSchema"].get(schema)) {
      listed.schema_error = "no inputSchema";
    } else if (auto compiled = JsonSchema::compile(schema); !compiled) {
      listed.schema_error = compiled.error().message;
      logger_.warn("policy: tool '" + key + "' has an inputSchema mcpsandbox cannot use (" +
                   listed.schema_error + "); calls to it will be refused");
    } else {
      listed.schema = std::move(*compiled);
    }
    listing_names_.insert(key);
    if (context_.pins) judge_pin(key, tool, listed);
    if (plan_.detectors.poisoning != DetectorAction::kOff) judge_poisoning(key, sent, names, listed);
    listed.policy = policy_for(key);
    tools_[key] = std::move(listed);
  }
  element cursor;
  std::string_view cursor_text;
  // No cursor, an empty one (most SDKs read "" as the end) or the one just asked for again ends
  // the listing.
  bool last_page = result["nextCursor"].get(cursor) || cursor.get_string().get(cursor_text) ||
                   cursor_text.empty() || simdjson::minify(cursor) == request.listing_cursor;
  if (last_page) {
    if (listing_from_start_) listing_complete();
    listing_from_start_ = false;
    expected_cursor_.clear();
  } else {
    expected_cursor_ = simdjson::minify(cursor);
  }
}

PolicyEngine::ToolLimits& PolicyEngine::limits_for(const std::string& tool, const ToolPolicy& policy) {
  auto [found, added] = limits_.try_emplace(tool);
  if (added) {
    auto now = context_.clock();
    for (size_t index : policy.rate_rules) found->second.buckets.emplace_back(*plan_.tools[index].rate, now);
  }
  return found->second;
}

void PolicyEngine::listing_complete() {
  judge_removed_pins();
  if (context_.pins) context_.pins->close_session_learning();
  tools_stale_ = false;
  for (auto it = tools_.begin(); it != tools_.end();) {
    if (listing_names_.count(it->first)) {
      ++it;
      continue;
    }
    if (auto limits = limits_.find(it->first); limits == limits_.end() || limits->second.in_flight == 0) {
      it = tools_.erase(it);
      continue;
    }
    // Still running: it finishes (and its flow tags count), but no new call starts.
    it->second.blocked_code = error_code::kToolNotListed;
    it->second.blocked_rule = "tools.unknown";
    it->second.blocked_reason = "it is no longer in the server's tools/list";
    ++it;
  }
}

std::string PolicyEngine::pin_file_name() const {
  return context_.pins->session_only() ? "(session)" : context_.pins->path();
}

void PolicyEngine::judge_removed_pins() {
  if (!context_.pins) return;
  for (const std::string& name : context_.pins->missing_from(listing_names_)) {
    if (!reported_removed_.insert(name).second) continue;
    logger_.warn("pins: pinned tool '" + name + "' is no longer offered by the server; " +
                 context_.pins->how_to_review());
    audit_events_.push_back({{"event", "pin.removed"}, {"tool", name}, {"file", pin_file_name()}});
  }
}

void PolicyEngine::judge_pin(const std::string& name, element tool, ListedTool& listed) {
  PinStore::Check check = context_.pins->check(name, tool_identity(tool));
  if (check == PinStore::Check::kPinned) return;
  if (check == PinStore::Check::kLearned) {
    audit_events_.push_back({{"event", "pin.learned"}, {"tool", name}, {"file", pin_file_name()}});
    return;
  }
  bool changed = check == PinStore::Check::kChanged;
  listed.blocked_code = error_code::kToolNotApproved;
  listed.blocked_rule = "pins.unapproved";
  bool session = context_.pins->session_only();
  listed.blocked_reason = changed ? (session ? "its definition changed since the session's first tools/list"
                                             : "its definition changed since it was approved")
                                  : (session ? "it is new since the session's first tools/list"
                                             : "it is new since the tools were approved");
  logger_.warn("pins: tool '" + name + "' is hidden and refused: " + listed.blocked_reason + "; " +
               context_.pins->how_to_review());
  audit_events_.push_back({{"event", changed ? "pin.changed" : "pin.new"},
                           {"tool", name},
                           {"file", pin_file_name()}});
}

Verdict PolicyEngine::filter_list(const MessageInfo& message, std::string_view member,
                                  std::string_view name_key,
                                  const std::vector<GlobFilter>& filters, bool check_definitions) {
  if (filters.empty() && !check_definitions) return {};
  simdjson::dom::array items;
  if ((*message.result)[member].get_array().get(items)) return {};
  std::vector<element> kept;
  size_t removed = 0;
  for (element item : items) {
    std::string_view name;
    if (item.type() == element_type::OBJECT && !item[name_key].get_string().get(name) &&
        (!allowed(filters, name) || (check_definitions && definition_blocked(name)))) {
      ++removed;
      continue;
    }
    kept.push_back(item);
  }
  if (removed == 0) return {};  // unchanged: forward the server's bytes as they are
  logger_.info("policy: hid " + std::to_string(removed) + " " + std::string(member) +
               " this session may not use");
  // Rebuild the response: the same id and result members, with the list filtered.
  std::string line = R"({"jsonrpc":"2.0","id":)" + message.id->json + R"(,"result":{)";
  bool first = true;
  simdjson::dom::object result = message.result->get_object().value_unsafe();
  for (auto field : result) {
    if (!first) line += ',';
    first = false;
    append_json_string(field.key, line);
    if (field.key == member) {
      line += ':';
      line += '[';
      for (size_t i = 0; i < kept.size(); ++i) {
        if (i) line += ',';
        line += simdjson::minify(kept[i]);
      }
      line += ']';
    } else {
      line += ':';
      line += simdjson::minify(field.value);
    }
  }
  line += "}}";
  return Verdict{Verdict::Action::kReplace, std::move(line), {}};
}

void PolicyEngine::judge_poisoning(const std::string& name, element tool,
                                   const std::vector<std::string>& names, ListedTool& listed) {
  std::vector<std::string> others;
  for (const std::string& other : names) {
    if (other != name) others.push_back(other);
  }
  for (const PoisoningFinding& finding : scan_tool_definition(tool, others)) {
    bool block = finding.high_confidence && plan_.detectors.poisoning == DetectorAction::kBlock;
    logger_.warn("poisoning: tool '" + name + "': " + finding.what +
                 (block ? "; hidden and refused" : " (warning)"));
    audit_events_.push_back({{"event", "tool.poisoning"}, {"tool", name}, {"finding", finding.what},
                             {"action", block ? "block" : "warn"}});
    if (block && listed.blocked_code == 0) {
      listed.blocked_code = error_code::kToolPoisoned;
      listed.blocked_rule = "poisoning.definition";
      listed.blocked_reason = "its definition contains " + finding.what;
    }
  }
}

bool PolicyEngine::definition_blocked(std::string_view name) const {
  auto found = tools_.find(std::string(name));
  return found != tools_.end() && found->second.blocked_code != 0;
}

namespace {

Verdict unjudgeable_input_request(const std::string& what) {
  return Verdict{Verdict::Action::kRefuse, "",
                 Refusal{error_code::kInvalidServerReply, "protocol.input_requests",
                         "the server's input requests cannot be judged: " + what}};
}

bool is_server_ask(std::string_view method) {
  return method == "sampling/createMessage" || method == "elicitation/create" || method == "roots/list";
}

}  // namespace

std::optional<Refusal> PolicyEngine::review_nested_asks(const MessageInfo& message) {
  for (const std::optional<element>& body : {message.params, message.result, message.error}) {
    if (!body) continue;
    if (auto refusal = find_input_requests(*body, 0)) return refusal;
  }
  return std::nullopt;
}

// Every "inputRequests" member at any depth (a result's own, a task's in a listing or a status
// notification, an error's data): each is judged as a result's would be.
std::optional<Refusal> PolicyEngine::find_input_requests(element value, size_t depth) {
  if (depth > MessageParser::kMaxDepth) return std::nullopt;
  if (value.type() == element_type::ARRAY) {
    simdjson::dom::array items = value.get_array().value_unsafe();
    for (element item : items) {
      if (auto refusal = find_input_requests(item, depth + 1)) return refusal;
    }
    return std::nullopt;
  }
  if (value.type() != element_type::OBJECT) return std::nullopt;
  simdjson::dom::object members = value.get_object().value_unsafe();
  for (auto field : members) {
    if (field.key == "inputRequests") {
      if (Verdict asks = review_input_requests(field.value); asks.action == Verdict::Action::kRefuse) {
        return std::move(asks.refusal);
      }
    }
    if (auto refusal = find_input_requests(field.value, depth + 1)) return refusal;
  }
  return std::nullopt;
}

// Each ask of the object form ({"name": {"method": ...}}) and of the array form
// ([{"method": ...}]). An ask that names no method, or one that is not a server ask (methods
// are case-sensitive), cannot be judged: the result is refused rather than passed on.
Verdict PolicyEngine::review_input_requests(element inputs) {
  std::vector<std::pair<std::string, element>> asks;
  if (inputs.type() == element_type::OBJECT) {
    simdjson::dom::object members = inputs.get_object().value_unsafe();
    for (auto field : members) asks.emplace_back(std::string(field.key), field.value);
  } else if (inputs.type() == element_type::ARRAY) {
    simdjson::dom::array items = inputs.get_array().value_unsafe();
    size_t index = 0;
    for (element ask : items) asks.emplace_back(std::to_string(index++), ask);
  } else {
    return unjudgeable_input_request("inputRequests is neither an object nor an array");
  }
  for (const auto& [name, ask] : asks) {
    std::string_view method;
    if (ask.type() != element_type::OBJECT || ask["method"].get_string().get(method)) {
      return unjudgeable_input_request("input request '" + name + "' names no method");
    }
    if (!is_server_ask(method)) {
      return unjudgeable_input_request("input request '" + name + "' asks for '" + std::string(method) +
                                       "', which is not a server ask");
    }
    if (auto refusal = check_ask(method)) {
      refusal->message += " (input request '" + name + "')";
      return Verdict{Verdict::Action::kRefuse, "", std::move(*refusal)};
    }
  }
  return {};
}

}  // namespace mcpsandbox

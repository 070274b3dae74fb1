// A paired stream of client and server messages through the protocol layer's decisions, in the
// relay's order: classification first, then the policy, then redaction. Each input line's
// first byte says who sends it (even: the client, odd: the server). Invariants, any of which
// aborts:
//   - no message of a method MCP does not define, of the wrong kind, or a look-alike, is passed;
//   - the denied tool is never admitted, sampling (denied) never reaches the client;
//   - the rate-limited tool is admitted at most its budget (the clock never moves);
//   - nothing that is passed on still holds a secret the redactor finds (every string and key);
//   - nothing the server sends reaches the client with invisible characters or escapes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "profiles/policy/proxy_compiler.h"
#include "profiles/profile_parser.h"
#include "proxy/message.h"
#include "proxy/message_cleaner.h"
#include "proxy/policy/text_cleaner.h"
#include "proxy/method_classes.h"
#include "proxy/policy/policy_engine.h"

namespace {

using namespace mcpsandbox;

constexpr const char* kProfile = R"({
  "access": {"tools": {"deny": ["crash"]}},
  "tools": {"echo": {"rate": "2/min"}}
})";
constexpr int kEchoBudget = 2;

struct Session {
  Logger logger{LogLevel::kError};
  LexicalPathResolver resolver;
  std::chrono::steady_clock::time_point frozen = std::chrono::steady_clock::now();
  std::optional<PolicyEngine> engine;
  std::optional<Redactor> checker;
  std::map<std::string, PendingRequest> pending;  // client requests the "server" may answer
  MessageCleaner cleaner;
  int echo_admitted = 0;

  Session() {
    auto profile = parse_profile(kProfile, "fuzz.json");
    ProxyCompileInput input;
    input.cwd = input.server_cwd = "/srv";
    auto compiled = compile_proxy_plan(profile->policy, input);
    PolicyContext context{&resolver, "/home/fuzz", true, nullptr, [this] { return frozen; }};
    engine.emplace(std::move(*PolicyEngine::create(compiled->plan, context, logger)));
    checker.emplace(std::move(*Redactor::create({})));
  }
};

// What was passed on must hold nothing the redactor would still rewrite.
void check_clean(Session& session, std::string_view line, RedactionDirection direction) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(std::string(line)).get(root)) return;
  if (direction == RedactionDirection::kResults) {
    std::string rebuilt;
    size_t removed = 0;
    append_cleaned_json(root, rebuilt, removed);
    if (removed != 0) std::abort();
  }
  auto outcome = session.checker->scan(root, direction, "");
  for (const RedactionFinding& finding : outcome.findings) {
    if (finding.action == RedactionAction::kRedact) std::abort();
  }
}

bool classified(Sender from, const MessageInfo& message) {
  if (message.kind == MessageKind::kResponse) return true;
  return classify_method(from, message.method, message.kind == MessageKind::kRequest).verdict ==
         MethodClass::Verdict::kKnown;
}

void from_client(Session& session, const MessageInfo& message, std::string_view line) {
  if (message.kind == MessageKind::kRequest) {
    auto decision = session.engine->admit_client_request(message);
    auto* admission = std::get_if<Admission>(&decision);
    if (!admission) return;
    if (admission->tool == "crash") std::abort();
    if (admission->tool == "echo" && ++session.echo_admitted > kEchoBudget) std::abort();
    check_clean(session, admission->replacement.empty() ? line : std::string_view(admission->replacement),
                RedactionDirection::kArguments);
    session.pending.emplace(message.id->key, PendingRequest{*message.id, message.method, "", admission->tool});
    return;
  }
  Verdict verdict = session.engine->redact_message(message, RedactionDirection::kArguments);
  if (verdict.action == Verdict::Action::kRefuse) return;
  check_clean(session, verdict.action == Verdict::Action::kReplace ? std::string_view(verdict.replacement) : line,
              RedactionDirection::kArguments);
}

void from_server(Session& session, MessageInfo& message, std::string_view line) {
  auto cleaned = session.cleaner.clean(message, line);
  if (std::holds_alternative<Rejection>(cleaned)) return;  // the relay drops it as a broken line
  if (!classified(Sender::kServer, message)) return;        // the cleaned method is what counts
  Verdict verdict;
  if (message.kind == MessageKind::kResponse) {
    auto found = session.pending.find(message.id->key);
    if (found == session.pending.end()) return;  // the relay drops answers nobody asked for
    PendingRequest request = found->second;
    session.pending.erase(found);
    verdict = session.engine->review_response(request, message);
    session.engine->client_request_done(request, !message.is_error);
  } else {
    if (message.kind == MessageKind::kRequest) {
      if (session.engine->review_server_request(message)) return;
      if (message.method == "sampling/createMessage") std::abort();  // denied by default
    }
    verdict = session.engine->redact_message(message, RedactionDirection::kResults);
  }
  (void)session.engine->take_audit_events();
  if (verdict.action == Verdict::Action::kRefuse) return;
  check_clean(session, verdict.action == Verdict::Action::kReplace ? std::string_view(verdict.replacement) : line,
              RedactionDirection::kResults);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // One session for the process (compiling the redactor per input would be all the fuzzer
  // measures): its state, rate-limit buckets included, carries over from input to input.
  static Session session;
  MessageParser parser;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t lines = 0;
  while (!input.empty() && ++lines <= 64) {
    size_t newline = input.find('\n');
    std::string_view line = input.substr(0, newline);
    input.remove_prefix(newline == std::string_view::npos ? input.size() : newline + 1);
    if (line.size() < 2) continue;
    Sender from = static_cast<unsigned char>(line[0]) % 2 ? Sender::kServer : Sender::kClient;
    line.remove_prefix(1);
    ParsedMessage parsed = parser.parse_copy(line);
    auto* message = std::get_if<MessageInfo>(&parsed);
    if (!message || !classified(from, *message)) continue;  // the relay refuses these here
    if (from == Sender::kClient) from_client(session, *message, line);
    else from_server(session, *message, line);
  }
  return 0;
}

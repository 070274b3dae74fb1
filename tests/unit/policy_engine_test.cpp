#include "proxy/policy/policy_engine.h"

#include <gtest/gtest.h>

#include "profiles/policy/proxy_compiler.h"
#include "profiles/profile_parser.h"
#include "proxy/error_codes.h"

namespace mcpsandbox {
namespace {

using std::chrono::steady_clock;

constexpr const char* kToolsList =
    R"({"jsonrpc":"2.0","id":1,"result":{"tools":[
      {"name":"read_file","inputSchema":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}},
      {"name":"write_file","inputSchema":{"type":"object"}},
      {"name":"send_email","inputSchema":{"type":"object","properties":{"to":{"type":"string"}}}},
      {"name":"fetch","inputSchema":{"type":"object","properties":{"url":{"type":"string"}}}}],
      "nextCursor":"abc"}})";

class PolicyEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { now_ = steady_clock::now(); }

  // Builds an engine from the protocol sections of a profile.
  PolicyEngine& engine(const std::string& profile_text, bool authenticated = true) {
    auto profile = parse_profile(profile_text, "test.json");
    EXPECT_TRUE(profile.ok()) << profile.error().message;
    ProxyCompileInput input;
    input.identity = {1000, "alice", ""};
    input.cwd = input.server_cwd = "/srv";
    input.filesystem_roots = {"/srv"};
    auto compiled = compile_proxy_plan(profile->policy, input);
    EXPECT_TRUE(compiled.ok()) << compiled.error().message;
    PolicyContext context{&resolver_, "/home/alice", authenticated, nullptr, [this] { return now_; }};
    auto created = PolicyEngine::create(compiled->plan, context, logger_);
    EXPECT_TRUE(created.ok()) << created.error().message;
    engine_.emplace(std::move(*created));
    list_tools();
    return *engine_;
  }

  void list_tools() {
    PendingRequest list{{"n:1", "1"}, "tools/list", "", {}};
    auto parsed = parser_.parse_copy(kToolsList);
    last_list_ = engine_->review_response(list, std::get<MessageInfo>(parsed));
  }

  // Admits a request line; returns 0 when admitted, else the refusal's code.
  int admit(const std::string& line, Refusal* refusal = nullptr) {
    auto parsed = parser_.parse_copy(line);
    auto decision = engine_->admit_client_request(std::get<MessageInfo>(parsed));
    if (auto* refused = std::get_if<Refusal>(&decision)) {
      if (refusal) *refusal = *refused;
      return refused->code;
    }
    last_admission_ = std::get<Admission>(decision);
    return 0;
  }

  static std::string call(const std::string& tool, const std::string& arguments = "{}", int id = 5) {
    return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) +
           R"(,"method":"tools/call","params":{"name":")" + tool + R"(","arguments":)" + arguments + "}}";
  }

  void finish(const std::string& tool, bool succeeded = true) {
    engine_->client_request_done({{"n:5", "5"}, "tools/call", "", tool}, succeeded);
  }

  LexicalPathResolver resolver_;
  Logger logger_{LogLevel::kError};
  MessageParser parser_;
  steady_clock::time_point now_;
  std::optional<PolicyEngine> engine_;
  Verdict last_list_;
  Admission last_admission_;
};

TEST_F(PolicyEngineTest, HidesDeniedToolsAndRefusesTheirCalls) {
  engine(R"({"access": {"tools": {"deny": ["write_*"]}}})");
  ASSERT_EQ(last_list_.action, Verdict::Action::kReplace);
  auto rewritten = nlohmann::json::parse(last_list_.replacement);
  EXPECT_EQ(rewritten["id"], 1);
  EXPECT_EQ(rewritten["result"]["tools"].size(), 3u);
  EXPECT_EQ(rewritten["result"]["nextCursor"], "abc") << "other members pass unchanged";
  for (const auto& tool : rewritten["result"]["tools"]) EXPECT_NE(tool["name"], "write_file");
  Refusal refusal{0, "", ""};
  EXPECT_EQ(admit(call("write_file"), &refusal), error_code::kNotAllowed);
  EXPECT_EQ(refusal.rule, "tools.deny");
  EXPECT_EQ(admit(call("read_file", R"({"path":"/srv/a"})")), 0);
}

TEST_F(PolicyEngineTest, AllowListsNarrowPerUser) {
  engine(R"({"access": {"tools": {"allow": ["read_file", "write_file"]}},
             "users": {"alice": {"access": {"tools": {"deny": ["write_file"]}}}}})");
  EXPECT_EQ(admit(call("send_email")), error_code::kNotAllowed);
  EXPECT_EQ(admit(call("write_file")), error_code::kNotAllowed) << "the user layer narrows";
  EXPECT_EQ(admit(call("read_file", R"({"path":"x"})")), 0);
}

TEST_F(PolicyEngineTest, ValidatesArgumentsAgainstTheListedSchemaAndTheProfile) {
  engine(R"({"tools": {"read_file": {"arguments": {"path": {"path": true}}}}})");
  Refusal refusal{0, "", ""};
  EXPECT_EQ(admit(call("read_file", R"({})"), &refusal), error_code::kInvalidArguments);
  EXPECT_NE(refusal.message.find("missing required property 'path'"), std::string::npos);
  EXPECT_EQ(admit(call("read_file", R"({"path":"/etc/passwd"})"), &refusal), error_code::kArgumentRefused);
  EXPECT_EQ(refusal.details["argument"], "path");
  EXPECT_EQ(admit(call("read_file", R"({"path":"docs/a.md"})")), 0);
  EXPECT_EQ(admit(call("unknown_tool")), error_code::kToolNotListed);
}

TEST_F(PolicyEngineTest, DetectorsBlockHighConfidenceOnly) {
  engine("{}");
  EXPECT_EQ(admit(call("send_email", R"({"to":"..%2f..%2fetc"})")), error_code::kArgumentRefused);
  EXPECT_EQ(admit(call("send_email", R"({"to":"../notes"})")), 0) << "low confidence only warns";
  engine(R"({"detectors": {"traversal": "warn"}})");
  EXPECT_EQ(admit(call("send_email", R"({"to":"..%2f..%2fetc"})")), 0);
}

TEST_F(PolicyEngineTest, RateLimitsRefillAndSayWhenToRetry) {
  engine(R"({"tools": {"fetch": {"rate": "2/min"}}, "rate_limit": {"rate": "100/s", "burst": 3}})");
  EXPECT_EQ(admit(call("fetch")), 0);
  EXPECT_EQ(admit(call("fetch")), 0);
  Refusal refusal{0, "", ""};
  EXPECT_EQ(admit(call("fetch"), &refusal), error_code::kRateLimited);
  EXPECT_EQ(refusal.rule, "rate_limit.tool");
  EXPECT_GT(refusal.details["retry_after_ms"].get<uint64_t>(), 29000u);
  now_ += std::chrono::seconds(31);
  EXPECT_EQ(admit(call("fetch")), 0) << "one token back after half a minute";
  // The session bucket (burst 3, the fetch above took one) holds every request.
  EXPECT_EQ(admit(call("read_file", R"({"path":"a"})")), 0);
  EXPECT_EQ(admit(call("read_file", R"({"path":"a"})")), 0);
  EXPECT_EQ(admit(call("read_file", R"({"path":"a"})"), &refusal), error_code::kRateLimited);
  EXPECT_EQ(refusal.rule, "rate_limit.session");
}

// Red team: listing page 1 and then "the last page" (a cursor the server never gave) counted as
// a complete listing, the skipped tool was forgotten, and its next call had a fresh allowance.
TEST_F(PolicyEngineTest, NoListingResetsARateLimit) {
  engine(R"({"tools": {"fetch": {"rate": "2/min"}}})");
  EXPECT_EQ(admit(call("fetch")), 0);
  EXPECT_EQ(admit(call("fetch")), 0);
  EXPECT_EQ(admit(call("fetch")), error_code::kRateLimited);
  auto list = [&](const std::string& tools, const std::string& cursor, const std::string& next = "") {
    std::string line = R"({"jsonrpc":"2.0","id":2,"result":{"tools":[)" + tools + "]" +
                       (next.empty() ? std::string() : R"(,"nextCursor":")" + next + "\"") + "}}";
    PendingRequest request{{"n:2", "2"}, "tools/list", "", {}};
    request.continues_listing = !cursor.empty();
    request.listing_cursor = cursor;
    auto parsed = parser_.parse_copy(line);
    (void)engine_->review_response(request, std::get<MessageInfo>(parsed));
  };
  const std::string read_file = R"({"name":"read_file","inputSchema":{"type":"object"}})";
  const std::string fetch = R"({"name":"fetch","inputSchema":{"type":"object"}})";
  // A "last page" for a cursor the server never gave: the listing is not complete.
  list(read_file, R"("zzz")");
  EXPECT_EQ(admit(call("fetch")), error_code::kRateLimited) << "fetch is not forgotten";
  // A complete listing without fetch, then one with it again: the allowance is the same.
  list(read_file, "");
  EXPECT_EQ(admit(call("fetch")), error_code::kToolNotListed);
  list(read_file, "", "p2");
  list(fetch, R"("p2")");
  EXPECT_EQ(admit(call("fetch")), error_code::kRateLimited) << "listed again, limited still";
}

TEST_F(PolicyEngineTest, CapsConcurrentCallsAndCarriesTheTimeout) {
  engine(R"({"tools": {"fetch": {"max_concurrent": 1, "timeout": "2s"}}})");
  EXPECT_EQ(admit(call("fetch")), 0);
  EXPECT_EQ(last_admission_.timeout_ms, 2000u);
  EXPECT_EQ(admit(call("fetch")), error_code::kTooManyConcurrent);
  finish("fetch");
  EXPECT_EQ(admit(call("fetch")), 0);
}

TEST_F(PolicyEngineTest, FlowRulesStopExfiltrationAfterPrivateDataReturned) {
  engine(R"({"tools": {"read_file": {"tags": ["private-data"]},
                       "send_email": {"tags": ["external-sink"]}, "fetch": {"tags": ["external-sink"]}},
             "flows": [{"name": "no-exfiltration", "after": "private-data", "deny": "external-sink"}]})");
  EXPECT_EQ(admit(call("send_email")), 0) << "before any private data, sinks are fine";
  finish("send_email");
  EXPECT_EQ(admit(call("read_file", R"({"path":"a"})")), 0);
  finish("read_file", /*succeeded=*/false);
  EXPECT_EQ(admit(call("fetch")), 0) << "a failed read returned no data";
  finish("fetch");
  EXPECT_EQ(admit(call("read_file", R"({"path":"a"})")), 0);
  finish("read_file");
  Refusal refusal{0, "", ""};
  EXPECT_EQ(admit(call("send_email"), &refusal), error_code::kFlowDenied);
  EXPECT_EQ(refusal.rule, "flows.no-exfiltration");
  EXPECT_EQ(admit(call("fetch")), error_code::kFlowDenied);
  EXPECT_EQ(admit(call("write_file")), 0) << "untagged tools are unaffected";
}

TEST_F(PolicyEngineTest, PolicesServerAsksInBothForms) {
  engine(R"({"access": {"elicitation": "deny"}})");
  auto ask = [&](const std::string& method) {
    auto parsed = parser_.parse_copy(R"({"jsonrpc":"2.0","id":"s1","method":")" + method + R"(","params":{}})");
    return engine_->review_server_request(std::get<MessageInfo>(parsed));
  };
  EXPECT_TRUE(ask("sampling/createMessage")) << "sampling is denied by default";
  EXPECT_TRUE(ask("elicitation/create"));
  EXPECT_FALSE(ask("roots/list"));
  // 2026-07-28: the same asks as inputRequests of a result.
  auto parsed = parser_.parse_copy(
      R"({"jsonrpc":"2.0","id":5,"result":{"resultType":"input_required","inputRequests":{
          "q":{"method":"sampling/createMessage","params":{}}}}})");
  Verdict verdict = engine_->review_response({{"n:5", "5"}, "tools/call", "", "fetch"},
                                             std::get<MessageInfo>(parsed));
  EXPECT_EQ(verdict.action, Verdict::Action::kRefuse);
  EXPECT_EQ(verdict.refusal.code, error_code::kAskDenied);
}

// A response is reviewed by what it answers: an "inputRequests" member in a tools/call result
// adds the asks' review, it never replaces the result's (red team: `"inputRequests":{}`
// switched redaction, cleaning and the injection check off).
TEST_F(PolicyEngineTest, InputRequestsNeverSwitchTheResultsReviewOff) {
  engine("{}");
  for (const char* inputs : {R"({})", R"([])", R"({"q":{"method":"roots/list"}})"}) {
    std::string line = std::string(R"({"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text",)") +
                       R"("text":"key AKIAIOSFODNN7EXAMPLE"}],"inputRequests":)" + inputs + "}}";
    auto parsed = parser_.parse_copy(line);
    Verdict verdict = engine_->review_response({{"n:5", "5"}, "tools/call", "", "fetch"},
                                               std::get<MessageInfo>(parsed));
    ASSERT_EQ(verdict.action, Verdict::Action::kReplace) << inputs;
    auto rebuilt = nlohmann::json::parse(verdict.replacement);
    EXPECT_EQ(rebuilt["result"]["content"][0]["text"], "key [REDACTED:aws_access_key_id]") << inputs;
    EXPECT_EQ(rebuilt["result"]["inputRequests"], nlohmann::json::parse(inputs)) << inputs;
  }
}

TEST_F(PolicyEngineTest, InputRequestsInEveryShapeAreJudged) {
  engine("{}");
  auto review = [&](const std::string& inputs) {
    std::string line = R"({"jsonrpc":"2.0","id":5,"result":{"resultType":"input_required","inputRequests":)" +
                       inputs + "}}";
    auto parsed = parser_.parse_copy(line);
    return engine_->review_response({{"n:5", "5"}, "tools/call", "", "fetch"}, std::get<MessageInfo>(parsed));
  };
  Verdict array = review(R"([{"method":"sampling/createMessage","params":{}}])");
  EXPECT_EQ(array.action, Verdict::Action::kRefuse) << "the array form asks for sampling too";
  EXPECT_EQ(array.refusal.code, error_code::kAskDenied);
  for (const char* unknowable : {R"("sampling")", R"({"q":"sampling/createMessage"})", R"([{"params":{}}])",
                                 R"({"q":{"method":"Sampling/createMessage"}})"}) {
    Verdict verdict = review(unknowable);
    EXPECT_EQ(verdict.action, Verdict::Action::kRefuse) << unknowable;
    EXPECT_EQ(verdict.refusal.rule, "protocol.input_requests") << unknowable;
  }
  EXPECT_EQ(review(R"({"r":{"method":"roots/list"}})").action, Verdict::Action::kForward);
}

// Opaque state travels back to the server unchanged, so a secret in it cannot be rewritten: the
// message is refused instead. Other members of a request (its _meta) are redacted like its
// arguments.
TEST_F(PolicyEngineTest, SecretsInOpaqueStateBlockAndMetaIsRedacted) {
  engine("{}");
  std::string line = R"({"jsonrpc":"2.0","id":5,"result":{"resultType":"input_required","inputRequests":{},
      "requestState":"eyJ0b2tlbiI6IkFLSUFJT1NGT0ROTjdFWEFNUExFIn0 AKIAIOSFODNN7EXAMPLE"}})";
  auto parsed = parser_.parse_copy(line);
  Verdict verdict = engine_->review_response({{"n:5", "5"}, "tools/call", "", "fetch"},
                                             std::get<MessageInfo>(parsed));
  EXPECT_EQ(verdict.action, Verdict::Action::kRefuse);
  EXPECT_EQ(verdict.refusal.code, error_code::kRedactionBlocked);
  Refusal refusal{0, "", ""};
  EXPECT_EQ(admit(R"({"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"read_file",)"
                  R"("arguments":{"path":"a"},"_meta":{"note":"mail bob@example.org"}}})", &refusal), 0);
  EXPECT_NE(last_admission_.replacement.find("mail [REDACTED:email]"), std::string::npos)
      << last_admission_.replacement;
}

TEST_F(PolicyEngineTest, ListingsAreFilteredThenRedacted) {
  engine(R"({"access": {"tools": {"deny": ["write_*"]}}})");
  std::string line = R"({"jsonrpc":"2.0","id":1,"result":{"tools":[
      {"name":"read_file","description":"Reads; support: bob@example.org","inputSchema":{"type":"object"}},
      {"name":"write_file","inputSchema":{"type":"object"}}]}})";
  auto parsed = parser_.parse_copy(line);
  Verdict verdict = engine_->review_response({{"n:1", "1"}, "tools/list", "", {}}, std::get<MessageInfo>(parsed));
  ASSERT_EQ(verdict.action, Verdict::Action::kReplace);
  auto listed = nlohmann::json::parse(verdict.replacement);
  ASSERT_EQ(listed["result"]["tools"].size(), 1u) << verdict.replacement;
  EXPECT_EQ(listed["result"]["tools"][0]["description"], "Reads; support: [REDACTED:email]");
  EXPECT_EQ(listed["id"], 1);
}

TEST_F(PolicyEngineTest, RefusesEveryRequestWithoutARequiredKey) {
  engine(R"({"auth": {"require_key": true}})", /*authenticated=*/false);
  EXPECT_EQ(admit(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})"), error_code::kAuthRequired);
  EXPECT_EQ(admit(call("read_file", R"({"path":"a"})")), error_code::kAuthRequired);
}

TEST_F(PolicyEngineTest, FiltersResourcesAndPrompts) {
  engine(R"({"access": {"resources": {"allow": ["file:///srv/**"]}, "prompts": {"deny": ["*"]}}})");
  EXPECT_EQ(admit(R"({"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"file:///srv/a"}})"), 0);
  EXPECT_EQ(admit(R"({"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"file:///etc/passwd"}})"),
            error_code::kNotAllowed);
  EXPECT_EQ(admit(R"({"jsonrpc":"2.0","id":3,"method":"prompts/get","params":{"name":"x"}})"),
            error_code::kNotAllowed);
}

}  // namespace
}  // namespace mcpsandbox

// The proxy end to end: build/mcpsandbox wrapping the fixture server.
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "tests/integration/relay_harness.h"

namespace mcpsandbox::testing {
namespace {

TEST(Relay, RelaysHandshakeToolCallsAndNotifications) {
  TempDir dir;
  ChildProcess proxy(fixture_command(dir));
  proxy.send_line(request(1, "initialize", {{"protocolVersion", "2025-06-18"},
                                            {"capabilities", json::object()},
                                            {"clientInfo", {{"name", "t"}, {"version", "1"}}}}));
  json init = next_message(proxy);
  EXPECT_EQ(init["id"], 1);
  EXPECT_EQ(init["result"]["protocolVersion"], "2025-06-18");
  proxy.send_line(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  proxy.send_line(request(2, "tools/list"));
  EXPECT_EQ(next_message(proxy)["result"]["tools"][0]["name"], "echo");
  proxy.send_line(request(3, "tools/call", {{"name", "notify"},
                                            {"arguments", {{"count", 2}}},
                                            {"_meta", {{"progressToken", "tok"}}}}));
  EXPECT_EQ(next_message(proxy)["method"], "notifications/message");
  EXPECT_EQ(next_message(proxy)["method"], "notifications/message");
  json progress = next_message(proxy);
  EXPECT_EQ(progress["method"], "notifications/progress");
  EXPECT_EQ(progress["params"]["progressToken"], "tok");
  EXPECT_EQ(next_message(proxy)["id"], 3);
  proxy.close_stdin();
  EXPECT_EQ(proxy.wait(), 0);
  EXPECT_TRUE(server_received(dir, "notifications/initialized"));
}

TEST(Relay, ForwardsMessagesByteForByte) {
  TempDir dir;
  McpClient proxy(fixture_command(dir));
  // Odd spacing, escapes and key order must reach the server exactly as sent.
  std::string odd =
      R"({ "params" : {"name":"echo","arguments":{"text":"caf\u00e9 \ud83d\ude00"}}, "method":"tools/call","id":  "x-1" , "jsonrpc":"2.0"})";
  proxy.send_line(odd);
  json reply = next_message(proxy);
  EXPECT_EQ(reply["id"], "x-1");
  EXPECT_EQ(reply["result"]["content"][0]["text"], "caf\xc3\xa9 \xf0\x9f\x98\x80");
  proxy.close_stdin();
  proxy.wait();
  EXPECT_EQ(received_lines(dir), std::vector<std::string>{odd});
}

TEST(Relay, HandlesManyMessagesInOneWriteAndMessagesSplitAcrossWrites) {
  TempDir dir;
  McpClient proxy(fixture_command(dir));
  std::string batch;
  for (int i = 0; i < 50; ++i) batch += tool_call(i, "echo", {{"text", std::to_string(i)}}) + "\n";
  proxy.write(batch);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(next_message(proxy)["id"], i);
  std::string split = tool_call("split", "echo", {{"text", "in pieces"}}) + "\n";
  for (size_t i = 0; i < split.size(); i += 5) {
    proxy.write(split.substr(i, 5));
    usleep(1000);
  }
  EXPECT_EQ(next_message(proxy)["result"]["content"][0]["text"], "in pieces");
}

TEST(Relay, AnswersInvalidJsonWithParseErrorAndNeverForwardsIt) {
  TempDir dir;
  McpClient proxy(fixture_command(dir));
  proxy.send_line("{this is not json");
  json reply = next_message(proxy);
  EXPECT_EQ(error_code_of(reply), -32700);
  EXPECT_TRUE(reply["id"].is_null());
  proxy.send_line(tool_call(1, "echo", {{"text", "still alive"}}));
  EXPECT_EQ(next_message(proxy)["id"], 1);
  proxy.close_stdin();
  proxy.wait();
  EXPECT_FALSE(server_received(dir, "this is not json"));
}

TEST(Relay, RejectsWhatIsNotJsonRpcAndNeverForwardsIt) {
  TempDir dir;
  McpClient proxy(fixture_command(dir));
  struct Case {
    std::string line;
    int code;
  } cases[] = {
      {R"({"jsonrpc":"1.0","id":1,"method":"tools/list","params":{"m":"c1"}})", -32600},
      {R"({"jsonrpc":"2.0","id":2,"params":{"m":"c2"}})", -32600},
      {R"({"jsonrpc":"2.0","id":null,"method":"tools/list","params":{"m":"c3"}})", -32600},
      {R"([{"jsonrpc":"2.0","id":4,"method":"tools/list","params":{"m":"c4"}}])", -32600},
      {R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"m":"c5","m":"dup"}})", -32700},
      {"{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/list\",\"params\":{\"m\":\"c6\xc3\x28\"}}",
       -32700},
      {"{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"m\",\"params\":{\"m\":\"c7\",\"x\":" +
           std::string(100000, '[') + std::string(100000, ']') + "}}",
       -32700},
  };
  for (const Case& c : cases) {
    proxy.send_line(c.line);
    json reply = next_message(proxy);
    EXPECT_EQ(error_code_of(reply), c.code) << c.line.substr(0, 80);
    EXPECT_EQ(reply["error"]["data"]["source"], "mcpsandbox");
  }
  proxy.send_line(tool_call(99, "echo"));
  EXPECT_EQ(next_message(proxy)["id"], 99);
  proxy.close_stdin();
  EXPECT_EQ(proxy.wait(), 0);
  for (int i = 1; i <= 7; ++i) {
    EXPECT_FALSE(server_received(dir, "\"c" + std::to_string(i))) << "case " << i << " leaked";
  }
}

// Issue 20: a 10 MiB call reached an SDK server whose read buffer is 10 MiB, which stopped
// reading; the client waited for its own timeout. Requests have a limit of their own, well
// below what servers read (4 MiB by default, limits.request_size), results a generous one
// (64 MiB, limits.result_size); either is answered with an error naming the limit, and the
// session goes on.
TEST(Relay, RequestsAndResultsHaveLimitsWithAnswers) {
  TempDir dir, policy;
  McpClient defaults(fixture_command(dir));
  defaults.send_line(tool_call(1, "echo", {{"text", std::string(5u << 20, 'R')}}));
  json refused = next_message(defaults, 20s);
  EXPECT_EQ(error_code_of(refused), -31000) << refused.dump().substr(0, 300);
  EXPECT_EQ(refused["error"]["data"]["rule"], "limits.request_size") << refused.dump().substr(0, 300);
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("4194304"), std::string::npos);
  defaults.send_line(tool_call(2, "big", {{"bytes", 5u << 20}}));  // a 5 MiB result passes
  EXPECT_EQ(next_message(defaults, 20s)["result"]["content"][0]["text"].get<std::string>().size(), 5u << 20);
  defaults.close_stdin();
  defaults.wait();
  EXPECT_FALSE(server_received(dir, "RRRR")) << "the oversized call never reached the server";

  std::ofstream(policy.file("profile.json")) << R"({"limits": {"request_size": "8KiB", "result_size": "16KiB"}})";
  McpClient limited(fixture_command(dir, {"--profile", policy.file("profile.json")}));
  limited.send_line(tool_call(3, "echo", {{"text", std::string(10000, 'S')}}));
  EXPECT_EQ(next_message(limited)["error"]["data"]["rule"], "limits.request_size");
  limited.send_line(tool_call(4, "big", {{"bytes", 20000}}));
  json result = next_message(limited);
  EXPECT_EQ(error_code_of(result), -31002) << result.dump().substr(0, 300);
  EXPECT_EQ(result["id"], 4);
  EXPECT_NE(result["error"]["message"].get<std::string>().find("limits.result_size"), std::string::npos) << result;
  limited.send_line(tool_call(5, "echo", {{"text", "small"}}));
  EXPECT_EQ(next_message(limited)["result"]["content"][0]["text"], "small") << "the session goes on";
  limited.close_stdin();
  limited.wait();
}

TEST(Relay, AnswersOversizedMessagesAndKeepsTheStreamGoing) {
  TempDir dir;
  McpClient proxy(fixture_command(dir, {"--max-message-bytes", "4KiB"}));
  proxy.send_line(tool_call("big-1", "echo", {{"text", std::string(10000, 'B')}}));
  json reply = next_message(proxy);
  EXPECT_EQ(error_code_of(reply), -31000);
  EXPECT_EQ(reply["id"], "big-1");
  EXPECT_EQ(reply["error"]["data"]["rule"], "limits.request_size");
  proxy.send_line(tool_call(2, "echo", {{"text", "small"}}));
  EXPECT_EQ(next_message(proxy)["result"]["content"][0]["text"], "small");
  proxy.close_stdin();
  proxy.wait();
  EXPECT_FALSE(server_received(dir, "BBBB"));
}

TEST(Relay, DropsServerGarbageAndStillDeliversTheAnswer) {
  TempDir dir;
  McpClient proxy(fixture_command(dir, {}, {"--garbage-at-start"}));
  proxy.send_line(tool_call(1, "garbage"));
  json reply = next_message(proxy);
  EXPECT_EQ(reply["id"], 1) << "garbage lines must never reach the client";
  EXPECT_EQ(reply["result"]["content"][0]["text"], "after garbage");
  proxy.close_stdin();
  EXPECT_EQ(proxy.wait(), 0);
  EXPECT_NE(proxy.stderr_text().find("dropped a line"), std::string::npos);
}

TEST(Relay, AnswersEveryPendingRequestWhenTheServerCrashes) {
  TempDir dir;
  McpClient proxy(fixture_command(dir));
  proxy.send_line(tool_call("h1", "hang"));
  proxy.send_line(tool_call("h2", "hang"));
  proxy.send_line(tool_call("boom", "crash"));
  std::set<std::string> answered;
  for (int i = 0; i < 3; ++i) {
    json reply = next_message(proxy);
    EXPECT_EQ(error_code_of(reply), -31001);
    EXPECT_NE(reply["error"]["message"].get<std::string>().find("signal 6"), std::string::npos);
    answered.insert(reply["id"].get<std::string>());
  }
  EXPECT_EQ(answered, (std::set<std::string>{"h1", "h2", "boom"}));
  EXPECT_EQ(proxy.wait(), 128 + SIGABRT);
  EXPECT_FALSE(proxy.read_line(200ms).has_value()) << "exactly one response per request";
}

TEST(Relay, ExitsWithTheServersStatus) {
  TempDir dir;
  McpClient proxy(fixture_command(dir));
  proxy.send_line(tool_call(1, "exit", {{"code", 3}}));
  json reply = next_message(proxy);
  EXPECT_EQ(error_code_of(reply), -31001);
  EXPECT_NE(reply["error"]["message"].get<std::string>().find("exit status 3"), std::string::npos);
  EXPECT_EQ(proxy.wait(), 3);
}

TEST(Relay, ExitsWith127WhenTheCommandCannotBeExecuted) {
  ChildProcess proxy({mcpsandbox_binary(), "run", "--", "/nonexistent/mcp-server"});
  EXPECT_EQ(proxy.wait(), 127);
  EXPECT_NE(proxy.stderr_text().find("cannot execute '/nonexistent/mcp-server'"),
            std::string::npos);
}

TEST(Relay, DeniesSamplingByDefaultAndTellsTheServer) {
  TempDir dir;
  McpClient proxy(fixture_command(dir));
  proxy.send_line(tool_call(1, "sample", {{"method", "sampling/createMessage"}}));
  json answer = next_message(proxy);  // the ask never reaches the client: this is the result
  EXPECT_EQ(answer["id"], 1);
  std::string text = answer["result"]["content"][0]["text"];
  EXPECT_NE(text.find("-31018"), std::string::npos) << text;
  EXPECT_NE(text.find("access.sampling"), std::string::npos) << text;
}

TEST(Relay, DeliversOutOfOrderResponsesToTheRightRequests) {
  TempDir dir;
  McpClient proxy(fixture_command(dir));
  proxy.send_line(tool_call(1, "hold"));
  proxy.send_line(tool_call(2, "hold"));
  proxy.send_line(tool_call(3, "release"));
  std::vector<json> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(next_message(proxy)["id"]);
  EXPECT_EQ(ids, (std::vector<json>{2, 1, 3}));
}

TEST(Relay, RelaysServerInitiatedRequestsBothWays) {
  TempDir dir, policy;  // the profile lives outside what the server may write
  std::ofstream(policy.file("asks.json")) << R"({"access": {"sampling": "allow"}})";
  McpClient proxy(fixture_command(dir, {"--profile", policy.file("asks.json")}));
  for (const char* method : {"sampling/createMessage", "elicitation/create", "roots/list"}) {
    proxy.send_line(tool_call(method, "sample", {{"method", method}}));
    json ask = next_message(proxy);
    EXPECT_EQ(ask["method"], method);
    proxy.send_line(json{{"jsonrpc", "2.0"}, {"id", ask["id"]}, {"result", {{"ok", method}}}}.dump());
    json answer = next_message(proxy);
    EXPECT_EQ(answer["id"], method);
    EXPECT_NE(answer["result"]["content"][0]["text"].get<std::string>().find(method),
              std::string::npos);
  }
}

TEST(Relay, DropsAnswersToQuestionsNobodyAsked) {
  TempDir dir;
  McpClient proxy(fixture_command(dir));
  // A client answering a server request that was never made.
  proxy.send_line(R"({"jsonrpc":"2.0","id":"forged","result":{"marker":"forged-answer"}})");
  // A server answering a request the client never sent.
  proxy.send_line(tool_call(1, "unsolicited"));
  json reply = next_message(proxy);
  EXPECT_EQ(reply["id"], 1);
  EXPECT_EQ(reply["result"]["content"][0]["text"], "after unsolicited");
  proxy.close_stdin();
  proxy.wait();
  EXPECT_FALSE(server_received(dir, "forged-answer"));
}

TEST(Relay, TurnsAnAmbiguousServerAnswerIntoAnError) {
  TempDir dir;
  McpClient proxy(fixture_command(dir));
  proxy.send_line(tool_call(1, "duplicate_keys"));
  json reply = next_message(proxy);
  EXPECT_EQ(reply["id"], 1);
  EXPECT_EQ(error_code_of(reply), -31002);
}

TEST(Relay, RefusesASecondRequestWithAnIdAlreadyInFlight) {
  TempDir dir;
  McpClient proxy(fixture_command(dir));
  proxy.send_line(tool_call(7, "hold"));
  proxy.send_line(tool_call(7, "echo", {{"text", "second"}}));
  json reply = next_message(proxy);
  EXPECT_EQ(error_code_of(reply), -31004);
  proxy.send_line(tool_call(8, "release"));
  EXPECT_EQ(next_message(proxy)["id"], 7);
  EXPECT_EQ(next_message(proxy)["id"], 8);
  proxy.close_stdin();
  proxy.wait();
  EXPECT_FALSE(server_received(dir, "second"));
}

TEST(Relay, OwesNoAnswerForACancelledRequest) {
  TempDir dir;
  McpClient proxy(fixture_command(dir));
  proxy.send_line(tool_call("slow", "hang"));
  proxy.send_line(tool_call("other", "hang"));
  proxy.send_line(
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"slow"}})");
  proxy.send_line(tool_call("end", "crash"));
  std::set<std::string> answered;
  for (auto& line : proxy.read_all_lines()) answered.insert(json::parse(line)["id"]);
  answered.erase(kHarnessInitializeId);
  EXPECT_EQ(answered, (std::set<std::string>{"other", "end"}));
}

TEST(Relay, TheHandshakeGenerationKeepsItsOrder) {
  TempDir dir;
  ChildProcess proxy(fixture_command(dir));
  proxy.send_line(tool_call(1, "echo", {{"text", "early"}}));
  json early = next_message(proxy);
  EXPECT_EQ(error_code_of(early), -31005) << early;
  EXPECT_EQ(early["error"]["data"]["rule"], "lifecycle.before_initialize");
  // Naming a legacy revision in _meta does not stand for the handshake it requires.
  json legacy_meta = {{"io.modelcontextprotocol/protocolVersion", "2024-11-05"}};
  proxy.send_line(request(6, "tools/call", {{"name", "echo"}, {"arguments", {{"text", "early"}}}, {"_meta", legacy_meta}}));
  EXPECT_EQ(next_message(proxy)["error"]["data"]["rule"], "lifecycle.before_initialize");
  proxy.send_line(request(2, "ping"));
  EXPECT_TRUE(next_message(proxy).contains("result")) << "ping needs no handshake";
  proxy.send_line(request(3, "initialize", {{"protocolVersion", "2025-06-18"}}));
  EXPECT_EQ(next_message(proxy)["result"]["protocolVersion"], "2025-06-18");
  // A second initialize would renegotiate the revision in mid-session.
  proxy.send_line(request(4, "initialize", {{"protocolVersion", "2024-11-05"}}));
  json again = next_message(proxy);
  EXPECT_EQ(error_code_of(again), -31005) << again;
  EXPECT_EQ(again["error"]["data"]["rule"], "lifecycle.initialize_once");
  proxy.send_line(tool_call(5, "echo", {{"text", "after"}}));
  EXPECT_EQ(next_message(proxy)["result"]["content"][0]["text"], "after");
  proxy.close_stdin();
  EXPECT_EQ(proxy.wait(), 0);
  EXPECT_FALSE(server_received(dir, "early"));
  EXPECT_FALSE(server_received(dir, "2024-11-05"));
}

TEST(Relay, SpeaksTheStatelessRevisionPerMessage) {
  TempDir dir;
  ChildProcess proxy(fixture_command(dir, {"--log-level", "debug"}));
  json meta = {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
               {"io.modelcontextprotocol/clientCapabilities", json::object()}};
  proxy.send_line(request(1, "server/discover", {{"_meta", meta}}));
  EXPECT_EQ(next_message(proxy)["result"]["resultType"], "complete");
  proxy.send_line(request(2, "tools/call", {{"name", "input_required"}, {"_meta", meta}}));
  EXPECT_EQ(next_message(proxy)["result"]["resultType"], "input_required");
  // A legacy request on the same connection.
  proxy.send_line(request(3, "initialize", {{"protocolVersion", "2025-06-18"}}));
  EXPECT_EQ(next_message(proxy)["result"]["protocolVersion"], "2025-06-18");
  proxy.send_line(request(4, "tools/list"));
  EXPECT_EQ(next_message(proxy)["id"], 4);
  proxy.close_stdin();
  proxy.wait();
  std::string log = proxy.stderr_text();
  EXPECT_NE(log.find("request 1 server/discover (revision 2026-07-28)"), std::string::npos) << log;
  EXPECT_NE(log.find("request 4 tools/list (revision 2025-06-18)"), std::string::npos) << log;
}

TEST(Relay, SendsServerStderrToTheLogFileNeverToStdout) {
  TempDir dir;
  std::string log = dir.file("mcpsandbox.log");
  McpClient proxy(fixture_command(dir, {"--log-file", log}));
  proxy.send_line(tool_call(1, "stderr", {{"text", "diagnostic from the server"}}));
  EXPECT_EQ(next_message(proxy)["id"], 1);
  proxy.close_stdin();
  EXPECT_EQ(proxy.wait(), 0);
  EXPECT_NE(read_file(log).find("server: diagnostic from the server"), std::string::npos);
  EXPECT_EQ(proxy.stderr_text(), "");
}

}  // namespace
}  // namespace mcpsandbox::testing

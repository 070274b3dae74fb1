// Call-scoped network grants (issue #9) against a deliberately malicious server
// (tests/fixtures/malicious_server.py): the profile gives it the host network with no
// destination at all, and its tools' URL arguments as connect grants. The protocol layer checks
// nothing about these URLs here, so every refusal below is the kernel's (cgroup-bpf, EPERM).
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <tuple>

#include "tests/escape/listener.h"
#include "tests/support/machine_features.h"
#include "tests/integration/relay_harness.h"

namespace mcpsandbox::testing {
namespace {

std::string fixtures_dir() { return std::filesystem::path(python_server_script()).parent_path(); }

class CallGrants : public ::testing::Test {
 protected:
  void SetUp() override {
    MCPSANDBOX_NEEDS("cgroup-bpf", running_as_root() && cgroup2_mounted(),
                     "call-scoped connect grants need cgroup-bpf: root and a cgroup v2 hierarchy");
    // The listeners are on this machine: grants to loopback must be opened explicitly
    // (InternalAddresses below shows they are refused otherwise).
    std::ofstream(policy_.file("profile.json")) << R"({
      "network": { "mode": "host", "allow": [], "internal_grants": "allow" },
      "tools": {
        "fetch": { "grants": { "url": "connect" } },
        "fetch_hang": { "grants": { "url": "connect" }, "timeout": "1500ms" }
      }
    })";
  }
  void start() {
    proxy_.emplace(std::vector<std::string>{
        mcpsandbox_binary(), "run", "--profile", policy_.file("profile.json"), "--audit-log",
        policy_.file("audit.jsonl"), "--ro", fixtures_dir(), "--", "/usr/bin/python3",
        fixtures_dir() + "/malicious_server.py", "--exfil", "127.0.0.1:" + exfil_.port()});
    proxy_->send_line(request(0, "initialize", {{"protocolVersion", "2025-06-18"}, {"capabilities", json::object()}}));
    ASSERT_TRUE(next_message(*proxy_, 20s).contains("result")) << proxy_->stderr_text();
  }
  std::string url(const AnyAddressListener& listener) { return "http://127.0.0.1:" + listener.port() + "/"; }
  std::string target(const AnyAddressListener& listener) { return "127.0.0.1:" + listener.port(); }
  // What the server reported for a call (its JSON text), or the error.
  json answer(int id) { return reported_result(*proxy_, id); }
  json call(int id, const std::string& tool, json args) {
    proxy_->send_line(tool_call(id, tool, std::move(args)));
    return answer(id);
  }

  TempDir policy_;
  AnyAddressListener named_, exfil_, other_;
  std::optional<ChildProcess> proxy_;
};

TEST_F(CallGrants, ACallReachesWhatItsArgumentNamedAndNothingElse) {
  start();
  json fetched = call(1, "fetch", {{"url", url(named_)}});
  EXPECT_EQ(fetched["named"], "connected") << fetched.dump();
  EXPECT_EQ(fetched["exfil"], "refused: EPERM") << "exfiltration mid-call: " << fetched.dump();
  json after = call(2, "probe", {{"target", target(named_)}});
  EXPECT_EQ(after["named"], "refused: EPERM") << "the grant ended with its call: " << after.dump();
  json never = call(3, "probe", {{"target", target(other_)}});
  EXPECT_EQ(never["named"], "refused: EPERM") << never.dump();
  proxy_->close_stdin();
  EXPECT_EQ(proxy_->wait(20s), 0);
  std::string log = read_file(policy_.file("audit.jsonl"));
  EXPECT_NE(log.find("\"event\":\"violation\""), std::string::npos) << "the kernel's refusals are audited";
}

TEST_F(CallGrants, AGrantEndsWhenTheClientCancelsEvenIfTheServerNeverAnswers) {
  start();
  proxy_->send_line(tool_call(1, "fetch_hang", {{"url", url(named_)}}));
  // Concurrent calls get the union: while fetch_hang holds its grant, fetch's server-side
  // "exfiltration" to the same destination passes, and its own destination too.
  json both = call(2, "fetch", {{"url", url(exfil_)}});
  EXPECT_EQ(both["named"], "connected") << both.dump();
  json during = call(3, "probe", {{"target", target(named_)}});
  EXPECT_EQ(during["named"], "connected") << "fetch_hang's grant holds while it is in flight: " << during.dump();
  proxy_->send_line(json{{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"},
                         {"params", {{"requestId", 1}, {"reason", "user gave up"}}}}.dump());
  json after = call(4, "probe", {{"target", target(named_)}});
  EXPECT_EQ(after["named"], "refused: EPERM") << "cancelled: withdrawn though the server never answered: " << after.dump();
  json exfil_after = call(5, "probe", {{"target", target(exfil_)}});
  EXPECT_EQ(exfil_after["named"], "refused: EPERM") << exfil_after.dump();
}

TEST_F(CallGrants, AGrantEndsWhenTheCallTimesOut) {
  start();
  proxy_->send_line(tool_call(1, "fetch_hang", {{"url", url(named_)}}));
  json timed_out = next_response(*proxy_, 20s);  // the profile's 1500 ms timeout
  EXPECT_EQ(error_code_of(timed_out), -31016) << timed_out.dump();
  json after = call(2, "probe", {{"target", target(named_)}});
  EXPECT_EQ(after["named"], "refused: EPERM") << after.dump();
}

TEST_F(CallGrants, AUrlWithoutAHostOrThatDoesNotResolveIsRefusedBeforeTheServer) {
  start();
  json no_host = call(1, "fetch", {{"url", "mailto:someone@example.org"}});
  EXPECT_EQ(error_code_of(no_host), -31025) << no_host.dump();
  json unresolvable = call(2, "fetch", {{"url", "http://no-such-host.invalid/"}});
  EXPECT_EQ(error_code_of(unresolvable), -31025) << unresolvable.dump();
  EXPECT_NE(unresolvable["error"]["message"].get<std::string>().find("cannot resolve"), std::string::npos);
}

// SSRF: the model chooses the URL, so by default a grant opens only public addresses. A URL
// naming this machine, a name resolving to it, the cloud metadata address or an IPv6 spelling of
// loopback is refused before the server sees the call, and nothing is granted; a destination
// the baseline `network.allow` already lists needs no grant and still works.
TEST_F(CallGrants, InternalAddressesAreNeverGrantedUnlessTheProfileSaysSo) {
  std::ofstream(policy_.file("profile.json")) << R"({
    "network": { "mode": "host", "allow": ["127.0.0.1:)" + other_.port() + R"("] },
    "tools": { "fetch": { "grants": { "url": "connect" } } }
  })";
  start();
  std::string port = named_.port();
  for (const auto& [id, address, range] :
       std::vector<std::tuple<int, std::string, std::string>>{{1, "http://127.0.0.1:" + port + "/", "loopback"},
                                                              {2, "http://localhost:" + port + "/", "loopback"},
                                                              {3, "http://[::ffff:127.0.0.1]:" + port + "/", "loopback"},
                                                              {4, "http://169.254.169.254/latest/meta-data/", "link-local"},
                                                              {5, "http://10.1.2.3:" + port + "/", "private"}}) {
    json refused = call(id, "fetch", {{"url", address}});
    EXPECT_EQ(error_code_of(refused), -31025) << address << ": " << refused.dump();
    EXPECT_NE(refused.dump().find(range), std::string::npos) << refused.dump();
  }
  json nothing_granted = call(6, "probe", {{"target", target(named_)}});
  EXPECT_EQ(nothing_granted["named"], "refused: EPERM") << nothing_granted.dump();
  json baseline = call(7, "fetch", {{"url", url(other_)}});
  EXPECT_EQ(baseline["named"], "connected") << "network.allow needs no grant: " << baseline.dump();
  EXPECT_EQ(baseline["exfil"], "refused: EPERM") << baseline.dump();
}

// What the server did during each call, from the kernel, in the audit log (`audit.effects`).
TEST_F(CallGrants, EachCallsEffectsAreAuditedAndAttributed) {
  std::ofstream(policy_.file("profile.json")) << R"({
    "network": { "mode": "host", "allow": [], "internal_grants": "allow" },
    "audit": { "effects": true },
    "tools": { "fetch": { "grants": { "url": "connect" } }, "fetch_hang": { "grants": { "url": "connect" } } }
  })";
  start();
  json fetched = call(1, "fetch", {{"url", url(named_)}});
  ASSERT_EQ(fetched["named"], "connected") << fetched.dump();
  proxy_->send_line(tool_call(2, "fetch_hang", {{"url", url(named_)}}));
  json overlapping = call(3, "probe", {{"target", target(other_)}});
  proxy_->send_line(json{{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", {{"requestId", 2}}}}.dump());
  json later = call(4, "probe_later", {{"target", target(exfil_)}});
  std::this_thread::sleep_for(1s);  // the server acts between calls
  proxy_->close_stdin();
  EXPECT_EQ(proxy_->wait(20s), 0) << proxy_->stderr_text();

  std::map<std::string, json> effects;
  json out_of_band;
  std::istringstream log(read_file(policy_.file("audit.jsonl")));
  for (std::string line; std::getline(log, line);) {
    json record = json::parse(line);
    if (record["event"] == "call.effects") effects[record["id"].dump()] = record;
    if (record["event"] == "effects.out_of_band") out_of_band = record;
  }
  ASSERT_TRUE(effects.count("1")) << read_file(policy_.file("audit.jsonl"));
  const json& first = effects["1"];
  EXPECT_EQ(first["tool"], "fetch");
  EXPECT_EQ(first["attribution"], "exclusive");
  std::string connects = first["connects"].dump();
  EXPECT_NE(connects.find("127.0.0.1:" + named_.port()), std::string::npos) << connects;
  EXPECT_NE(connects.find("127.0.0.1:" + exfil_.port()), std::string::npos) << "the attempt is recorded too: " << connects;
  EXPECT_GE(first["denied"].get<int>(), 1) << first.dump();
  ASSERT_TRUE(effects.count("3")) << "probe's record";
  EXPECT_EQ(effects["3"]["attribution"], "ambiguous") << "fetch_hang was in flight too: " << effects["3"].dump();
  ASSERT_FALSE(out_of_band.is_null()) << "acting between calls is recorded";
  EXPECT_NE(out_of_band["connects"].dump().find("127.0.0.1:" + exfil_.port()), std::string::npos) << out_of_band.dump();
}

// Behavioural pins: a learning run records what each tool did into its pin; a later call that
// departs (the same tool connecting somewhere new) has its result withheld and the tool refused.
TEST(BehaviouralPins, ALearnedToolThatSuddenlyDoesMoreIsBlocked) {
  if (::geteuid() != 0) GTEST_SKIP() << "learning and effect records need root (tp_btf)";
  TempDir dir;
  AnyAddressListener usual, unusual;
  std::ofstream(dir.file("scenario.json")) << R"([{"tool": "probe", "arguments": {"target": "127.0.0.1:)" << usual.port() << R"("}}])";
  std::vector<std::string> server = {"/usr/bin/python3", fixtures_dir() + "/malicious_server.py"};
  std::vector<std::string> generate = {mcpsandbox_binary(), "profile", "generate", "--learn", "--scenario",
                                       dir.file("scenario.json"), "--out", dir.file("learned.json"), "--ro",
                                       fixtures_dir(), "--"};
  generate.insert(generate.end(), server.begin(), server.end());
  ChildProcess generator(generate);
  ASSERT_EQ(generator.wait(60s), 0) << generator.stderr_text();
  json pins = json::parse(read_file(dir.file("learned.pins.json")));
  const json& probe_pin = pins["tools"]["probe"];
  ASSERT_TRUE(probe_pin.contains("behaviour")) << pins.dump(1);
  EXPECT_EQ(probe_pin["behaviour"]["kinds"], json({"connect"})) << probe_pin.dump();
  EXPECT_EQ(probe_pin["behaviour"]["endpoints"], json({"127.0.0.1:" + usual.port()}));
  EXPECT_FALSE(pins["tools"]["fetch"].contains("behaviour")) << "not called while learning: nothing known";
  EXPECT_NE(read_file(dir.file("learned.json")).find("\"behaviour\": \"warn\""), std::string::npos);

  std::ofstream(dir.file("enforce.json")) << R"({ "audit": { "effects": true },
    "pins": { "file": ")" << dir.file("learned.pins.json") << R"(", "mode": "strict", "behaviour": "block" } })";
  std::vector<std::string> run = {mcpsandbox_binary(), "run", "--profile", dir.file("enforce.json"), "--audit-log",
                                  dir.file("audit.jsonl"), "--ro", fixtures_dir(), "--"};
  run.insert(run.end(), server.begin(), server.end());
  ChildProcess proxy(run);
  proxy.send_line(request(0, "initialize", {{"protocolVersion", "2025-06-18"}, {"capabilities", json::object()}}));
  ASSERT_TRUE(next_message(proxy, 20s).contains("result")) << proxy.stderr_text();
  proxy.send_line(tool_call(1, "probe", {{"target", "127.0.0.1:" + usual.port()}}));
  json as_learned = next_response(proxy, 20s);
  EXPECT_TRUE(as_learned.contains("result")) << "within its pin: " << as_learned.dump() << proxy.stderr_text();
  proxy.send_line(tool_call(2, "probe", {{"target", "127.0.0.1:" + unusual.port()}}));
  json departed = next_response(proxy, 20s);
  EXPECT_EQ(error_code_of(departed), -31026) << departed.dump();
  EXPECT_NE(departed.dump().find("not among its pinned endpoints"), std::string::npos) << departed.dump();
  proxy.send_line(tool_call(3, "probe", {{"target", "127.0.0.1:" + usual.port()}}));
  json quarantined = next_response(proxy, 20s);
  EXPECT_EQ(error_code_of(quarantined), -31025) << "refused for the rest of the session: " << quarantined.dump();
  proxy.close_stdin();
  EXPECT_EQ(proxy.wait(20s), 0);
  EXPECT_NE(read_file(dir.file("audit.jsonl")).find("\"event\":\"pin.behaviour\""), std::string::npos);
}

TEST(CallGrantsWithoutHostNetwork, EffectRecordsWithoutAnAuditLogAreAUsageError) {
  TempDir policy;
  std::ofstream(policy.file("profile.json")) << R"({ "audit": { "effects": true } })";
  ChildProcess proxy({mcpsandbox_binary(), "run", "--profile", policy.file("profile.json"), "--", "/bin/true"});
  EXPECT_EQ(proxy.wait(20s), 2);
  EXPECT_NE(proxy.stderr_text().find("need an audit log"), std::string::npos) << proxy.stderr_text();
}

TEST(CallGrantsWithoutHostNetwork, AConnectGrantWithoutL4IsRefusedNotIgnored) {
  TempDir policy;
  std::ofstream(policy.file("profile.json")) << R"({ "tools": { "fetch": { "grants": { "url": "connect" } } } })";
  McpClient proxy({mcpsandbox_binary(), "run", "--profile", policy.file("profile.json"), "--ro", fixtures_dir(), "--",
                      "/usr/bin/python3", fixtures_dir() + "/malicious_server.py"});
  proxy.send_line(tool_call(1, "fetch", {{"url", "http://127.0.0.1:9/"}}));
  json reply = next_response(proxy, 20s);
  EXPECT_EQ(error_code_of(reply), -31025) << reply.dump();
  EXPECT_NE(reply.dump().find("network.mode host"), std::string::npos) << reply.dump();
}

}  // namespace
}  // namespace mcpsandbox::testing

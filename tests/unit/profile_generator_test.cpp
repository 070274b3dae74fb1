#include "profiles/generate/profile_generator.h"

#include <gtest/gtest.h>

#include "profiles/compiler.h"
#include "profiles/generate/argument_classifier.h"
#include "profiles/generate/bundle_manifest.h"
#include "profiles/profile_parser.h"
#include "profiles/syscall_policy.h"

namespace mcpsandbox {
namespace {

using nlohmann::json;

json tool(const std::string& name, json properties, json annotations = json::object()) {
  json t = {{"name", name}, {"inputSchema", {{"type", "object"}, {"properties", properties}}}};
  if (!annotations.empty()) t["annotations"] = annotations;
  return t;
}

GeneratorInput filesystem_like() {
  GeneratorInput in;
  in.server = "node server.js";
  in.command = {"node", "server.js"};
  in.runtime = "node";
  in.read_write = {"/home/me/src"};
  in.tools_listed = true;
  in.tools = json::array({
      tool("read_file", {{"path", {{"type", "string"}}}}, {{"readOnlyHint", true}}),
      tool("move_file", {{"source", {{"type", "string"}}}, {"destination", {{"type", "string"}}}},
           {{"destructiveHint", true}}),
      tool("search", {{"pattern", {{"type", "string"}}}, {"excludePatterns", {{"type", "array"}, {"items", {{"type", "string"}}}}}}),
  });
  in.pins_file = "/home/me/.config/mcpsandbox/pins/server.json";
  return in;
}

// The generated text must be a valid profile that compiles as the user will run it.
Profile parsed(const std::string& text) {
  auto profile = parse_profile(text, "generated");
  EXPECT_TRUE(profile.ok()) << (profile.ok() ? "" : profile.error().message) << "\n" << text;
  if (!profile.ok()) return {};
  Invocation invocation;
  invocation.argv = {"/usr/bin/node", "server.js"};
  invocation.resolved_command = "/usr/bin/node";
  invocation.cwd = "/home/me";
  invocation.home = "/home/me";
  auto plan = compile(*profile, invocation);
  EXPECT_TRUE(plan.ok()) << (plan.ok() ? "" : plan.error().message) << "\n" << text;
  return *profile;
}

TEST(ProfileGenerator, MapsSchemasAndAnnotationsToRulesWithAReasonOnEachLine) {
  std::string text = generate_profile(filesystem_like());
  Profile profile = parsed(text);
  EXPECT_EQ(profile.read_write_paths, std::vector<std::string>{"/home/me/src"});
  EXPECT_EQ(profile.network, NetworkMode::kNone);
  EXPECT_NE(text.find("\"path\": { \"path\": true }  // path by name: must resolve inside the grants"), std::string::npos) << text;
  EXPECT_NE(text.find("\"source\": { \"path\": true }"), std::string::npos) << text;
  EXPECT_NE(text.find("\"max_concurrent\": 1,  // destructive: one at a time"), std::string::npos) << text;
  EXPECT_NE(text.find("\"allow\": [\"read_file\", \"move_file\", \"search\"]"), std::string::npos) << text;
  EXPECT_NE(text.find("\"mode\": \"strict\""), std::string::npos) << text;
  EXPECT_NE(text.find("// search: no annotations; no argument needs a rule"), std::string::npos) << text;
  EXPECT_EQ(text.find("\"pattern\": {"), std::string::npos) << "a search pattern is not a path\n" << text;
  EXPECT_NE(text.find("\"path\": \"read\"  // readOnlyHint"), std::string::npos) << "file grants\n" << text;
  EXPECT_NE(text.find("\"destination\": \"write\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"call_scoped\""), std::string::npos) << "suggested, as a comment\n" << text;
}

TEST(ProfileGenerator, ReadOnlyServersGetReadOnlyGrantsAndOpenWorldOnesANetworkToFillIn) {
  GeneratorInput in = filesystem_like();
  in.tools = json::array({tool("read_file", {{"path", {{"type", "string"}}}}, {{"readOnlyHint", true}}),
                          tool("fetch", {{"url", {{"type", "string"}, {"format", "uri"}}}},
                               {{"readOnlyHint", true}, {"openWorldHint", true}})});
  std::string text = generate_profile(in);
  Profile profile = parsed(text);
  EXPECT_TRUE(profile.read_write_paths.empty());
  EXPECT_EQ(profile.read_only_paths, std::vector<std::string>{"/home/me/src"});
  EXPECT_EQ(profile.network, NetworkMode::kHost);
  EXPECT_TRUE(profile.egress_allow.empty()) << "no destination is guessed";
  EXPECT_NE(text.find("\"url\": \"connect\"  // while a call runs"), std::string::npos) << "call-scoped\n" << text;
  EXPECT_FALSE(profile.internal_grants) << "grants reach public addresses only, and the profile says so";
  EXPECT_NE(text.find("\"internal_grants\": \"deny\""), std::string::npos) << text;
  in.resolvers = {"127.0.0.53", "2001:db8::53"};
  EXPECT_EQ(parsed(generate_profile(in)).egress_allow, (std::vector<std::string>{"127.0.0.53:53", "[2001:db8::53]:53"}));
  EXPECT_NE(text.find("needed by fetch (openWorldHint)"), std::string::npos) << text;
  EXPECT_NE(text.find("\"url\": { \"url\": { \"schemes\": [\"https\", \"http\"] } }"), std::string::npos) << text;
}

TEST(ProfileGenerator, LearnedBehaviourNarrowsGrantsSyscallsAndNetwork) {
  GeneratorInput in = filesystem_like();
  in.baseline_syscalls = baseline_syscalls();
  ObservedBehaviour seen;
  seen.syscalls = {"read", "write", "openat", "mmap", "connect"};
  seen.files = {{"/home/me/src/a.c", false, true}, {"/home/me/.config/tool/settings.json", false, false}};
  seen.endpoints = {"140.82.112.3:443"};
  in.observed = seen;
  std::string text = generate_profile(in);
  Profile profile = parsed(text);
  EXPECT_EQ(profile.read_only_paths, std::vector<std::string>{"/home/me/src"}) << "only read while learning";
  EXPECT_TRUE(profile.read_write_paths.empty());
  EXPECT_EQ(profile.network, NetworkMode::kHost);
  EXPECT_EQ(profile.egress_allow, std::vector<std::string>{"140.82.112.3:443"});
  auto& deny = profile.denied_syscalls;
  EXPECT_EQ(std::count(deny.begin(), deny.end(), "openat"), 0);
  EXPECT_EQ(std::count(deny.begin(), deny.end(), "exit_group"), 0) << "kept even when unseen";
  EXPECT_EQ(std::count(deny.begin(), deny.end(), "madvise"), 0) << "the node runtime's own needs are kept";
  EXPECT_GT(std::count(deny.begin(), deny.end(), "sendfile"), 0);
  EXPECT_NE(text.find("learning: 1 refused open(s) in /home/me/.config/tool"), std::string::npos) << text;
}

TEST(ProfileGenerator, ALearningRunGrantsOnlyWhatTheSandboxLetThroughToPublicAddresses) {
  GeneratorInput in = filesystem_like();
  in.baseline_syscalls = baseline_syscalls();
  ObservedBehaviour seen;
  seen.syscalls = {"read", "connect"};
  seen.endpoints = {"140.82.112.3:443", "10.1.2.3:5432"};
  seen.refused_endpoints = {{"93.184.216.34:443", "EACCES"}, {"169.254.169.254:80", "EACCES"}};
  // A server that wrote a file it was refused does not earn a write grant either.
  seen.files = {{"/home/me/src/a.c", false, true}, {"/home/me/src/b.c", true, false}};
  in.observed = seen;
  std::string text = generate_profile(in);
  Profile profile = parsed(text);
  EXPECT_EQ(profile.egress_allow, std::vector<std::string>{"140.82.112.3:443"}) << text;
  EXPECT_TRUE(profile.read_write_paths.empty()) << text;
  EXPECT_NE(text.find("learning: tried 93.184.216.34:443, refused with EACCES; if the server needs it"),
            std::string::npos) << text;
  EXPECT_NE(text.find("learning: tried 169.254.169.254:80 (link-local"), std::string::npos) << text;
  EXPECT_NE(text.find("learning: connected to 10.1.2.3:5432 (private"), std::string::npos) << text;

  seen.endpoints.clear();
  in.observed = seen;
  Profile refused_only = parsed(generate_profile(in));
  EXPECT_EQ(refused_only.network, NetworkMode::kNone) << "what was only tried opens nothing";
  EXPECT_TRUE(refused_only.egress_allow.empty());

  auto round_trip = observed_from_json(observed_to_json(seen));
  ASSERT_TRUE(round_trip.ok());
  EXPECT_EQ(round_trip->refused_endpoints, seen.refused_endpoints);
}

TEST(ProfileGenerator, HostileToolNamesStayInsideTheirStrings) {
  GeneratorInput in = filesystem_like();
  in.tools = json::array({tool("evil\"\n}, \"network\": {\"mode\": \"host\"} //\u202e",
                               {{"path", {{"type", "string"}}}})});
  std::string text = generate_profile(in);
  Profile profile = parsed(text);
  EXPECT_EQ(profile.network, NetworkMode::kNone) << text;
  for (char c : text) EXPECT_TRUE(c == '\n' || (c >= 0x20 && c < 0x7f)) << "control byte in\n" << text;
}

TEST(ProfileGenerator, BundleWithoutAnswerUsesDeclaredToolsAndUserConfig) {
  GeneratorInput in;
  in.server = "weather";
  in.runtime = "node";
  in.tools_listed = false;
  BundleManifest bundle;
  bundle.name = "weather";
  bundle.declared_tools = {"get_forecast"};
  bundle.env_names = {"WEATHER_API_KEY"};
  bundle.user_config = {{"api_key", "string", "API key", true}, {"cache_dir", "directory", "Cache", false}};
  in.bundle = bundle;
  std::string text = generate_profile(in);
  Profile profile = parsed(text);
  EXPECT_NE(text.find("\"allow\": [\"get_forecast\"]  // the tools the bundle's manifest declares"), std::string::npos) << text;
  EXPECT_NE(text.find("grant it with --ro/--rw"), std::string::npos) << text;
  EXPECT_EQ(profile.env_pass, std::vector<std::string>{"WEATHER_API_KEY"});
}

TEST(ArgumentClassifier, JudgesByNameFormatAndDescription) {
  using Kind = ArgumentKind::Kind;
  json text = {{"type", "string"}};
  EXPECT_EQ(classify_argument("repoPath", text).kind, Kind::kPath);
  EXPECT_EQ(classify_argument("output_dir", text).kind, Kind::kPath);
  EXPECT_EQ(classify_argument("paths", {{"type", "array"}, {"items", text}}).kind, Kind::kPath);
  EXPECT_EQ(classify_argument("target", {{"type", "string"}, {"description", "The directory to list"}}).kind, Kind::kPath);
  EXPECT_EQ(classify_argument("homepage", {{"type", "string"}, {"format", "uri"}}).kind, Kind::kUrl);
  EXPECT_EQ(classify_argument("callback_url", text).kind, Kind::kUrl);
  EXPECT_EQ(classify_argument("command", text).kind, Kind::kCommand);
  EXPECT_EQ(classify_argument("content", {{"type", "string"}, {"description", "Text to write into the file"}}).kind, Kind::kOther);
  EXPECT_EQ(classify_argument("path", {{"type", "integer"}}).kind, Kind::kOther) << "numbers carry no path";
  EXPECT_EQ(classify_argument("query", text).kind, Kind::kOther);
}

}  // namespace
}  // namespace mcpsandbox

namespace mcpsandbox {
namespace {

TEST(BundleManifest, ResolvesPlaceholdersAndReportsMissingUserConfig) {
  std::string manifest = R"({"manifest_version": "0.3", "name": "b", "version": "1",
    "server": {"type": "node", "mcp_config": {"command": "node",
      "args": ["${__dirname}/server/index.js", "--root=${user_config.root}", "${HOME}/x", "${unknown}"],
      "env": {"API_KEY": "${user_config.key}"}}},
    "tools": [{"name": "t1"}], "user_config": {"root": {"type": "directory"}, "key": {"type": "string", "sensitive": true}}})";
  BundlePlaceholders values{"/opt/b", "/home/me", {}};
  auto parsed = parse_bundle_manifest(manifest, values);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->manifest.command, (std::vector<std::string>{"node", "/opt/b/server/index.js",
                                                               "--root=${user_config.root}", "/home/me/x", "${unknown}"}));
  EXPECT_EQ(parsed->unresolved, std::vector<std::string>{"root"});
  EXPECT_EQ(parsed->manifest.env_names, std::vector<std::string>{"API_KEY"});
  EXPECT_TRUE(parsed->manifest.user_config[0].sensitive || parsed->manifest.user_config[1].sensitive);
  values.user_config["root"] = "/srv";
  EXPECT_EQ(parse_bundle_manifest(manifest, values)->manifest.command[2], "--root=/srv");
  EXPECT_FALSE(parse_bundle_manifest(R"({"name": "no version"})", values).ok());
  EXPECT_FALSE(parse_bundle_manifest("[1]", values).ok());
  EXPECT_FALSE(parse_bundle_manifest(R"({"manifest_version": "0.3", "name": "x"})", values).ok()) << "no server";
}

}  // namespace
}  // namespace mcpsandbox

#include "profiles/generate/behaviour_profile.h"

namespace mcpsandbox {
namespace {

TEST(BehaviourProfile, NewKindsProgramsAndEndpointsAreDepartures) {
  BehaviourProfile pinned;
  pinned.add("read", "/home/me/src/a.c");
  pinned.add("connect", "93.184.215.14:443");
  BehaviourProfile same;
  same.add("read", "/home/me/src/b.c");
  same.add("read", "/usr/lib/node/x.js");  // the runtime's own: incidental
  same.add("connect", "93.184.215.14:443");
  EXPECT_TRUE(departures(pinned, same).empty());
  BehaviourProfile more = same;
  more.add("exec", "/bin/sh");
  more.add("connect", "10.0.0.1:22");
  auto found = departures(pinned, more);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0], "executes programs, which its pin never did");
  EXPECT_EQ(found[1], "connects to 10.0.0.1:22, not among its pinned endpoints");
  BehaviourProfile lazy;
  lazy.add("read", "/home/me/.npm/_npx/1/node_modules/pkg/lib.js");
  EXPECT_TRUE(lazy.empty()) << "lazy module loading is not a departure";
  auto round_trip = BehaviourProfile::from_json(more.to_json());
  ASSERT_TRUE(round_trip.ok());
  EXPECT_EQ(round_trip->endpoints, more.endpoints);
  EXPECT_FALSE(BehaviourProfile::from_json(nlohmann::json::array()).ok());
}

}  // namespace
}  // namespace mcpsandbox

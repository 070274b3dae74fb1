#include "profiles/profile_parser.h"

#include <gtest/gtest.h>

namespace mcpsandbox {
namespace {

TEST(ProfileParser, ReadsEveryKey) {
  auto profile = parse_profile(R"({
    // comments are allowed
    "filesystem": {"ro": ["/opt/tool"], "rw": ["~/src"], "unix_sockets": ["~/.docker/run/docker.sock"]},
    "network": {"mode": "host", "tcp_connect": [443], "tcp_bind": [8080]},
    "env": {"pass": ["GITHUB_TOKEN"], "set": {"NODE_ENV": "production"}},
    "limits": {"memory": "512MiB", "processes": 64, "open_files": 256, "cpu_seconds": 60,
               "file_size": "1GiB", "cpus": 1.5, "tmp": "2GiB", "shm": "16MiB"},
    "landlock": {"min_abi": 4},
    "require": ["namespaces", "cgroups"],
    "seccomp": {"allow": ["io_pgetevents"], "deny": ["ptrace"]},
    "runtime": "node"
  })", "p.json");
  ASSERT_TRUE(profile.ok()) << profile.error().message;
  EXPECT_EQ(profile->read_only_paths, std::vector<std::string>{"/opt/tool"});
  EXPECT_EQ(profile->read_write_paths, std::vector<std::string>{"~/src"});
  EXPECT_EQ(profile->unix_sockets, std::vector<std::string>{"~/.docker/run/docker.sock"});
  EXPECT_EQ(profile->network, NetworkMode::kHost);
  EXPECT_EQ(profile->tcp_connect_ports, std::vector<uint16_t>{443});
  EXPECT_EQ(profile->env_set.at("NODE_ENV"), "production");
  EXPECT_EQ(*profile->memory_bytes, 512ull << 20);
  EXPECT_EQ(*profile->max_file_bytes, 1ull << 30);
  EXPECT_EQ(*profile->cpu_millis, 1500u);
  EXPECT_EQ(*profile->tmp_bytes, 2ull << 30);
  EXPECT_EQ(*profile->shm_bytes, 16ull << 20);
  EXPECT_EQ(profile->landlock_min_abi, 4);
  EXPECT_TRUE(profile->required_layers.count(Layer::kCgroups));
  EXPECT_EQ(profile->runtime, Runtime::kNode);
}

TEST(ProfileParser, NamesFileAndPointerOfUnknownKeys) {
  auto profile = parse_profile(R"({"filesystem": {"ro": [], "rww": []}})", "x.json");
  ASSERT_FALSE(profile.ok());
  EXPECT_NE(profile.error().message.find("x.json: /filesystem/rww: unknown key 'rww'"),
            std::string::npos)
      << profile.error().message;
}

TEST(ProfileParser, RejectsWrongTypesWithThePointer) {
  struct Case {
    const char* text;
    const char* pointer;
  } cases[] = {
      {R"({"filesystem": {"rw": "/tmp"}})", "/filesystem/rw"},
      {R"({"filesystem": {"rw": [""]}})", "/filesystem/rw/0"},
      {R"({"network": {"mode": "all"}})", "/network/mode"},
      {R"({"network": {"tcp_connect": [70000]}})", "/network/tcp_connect/0"},
      {R"({"limits": {"memory": "lots"}})", "/limits/memory"},
      {R"({"limits": {"processes": -1}})", "/limits/processes"},
      {R"({"limits": {"cpus": "two"}})", "/limits/cpus"},
      {R"({"limits": {"tmp": "big"}})", "/limits/tmp"},
      {R"({"landlock": {"min_abi": "7"}})", "/landlock/min_abi"},
      {R"({"require": ["selinux"]})", "/require/0"},
      {R"({"env": {"set": {"A": 1}}})", "/env/set/A"},
      {R"([])", "/"},
  };
  for (const Case& c : cases) {
    auto profile = parse_profile(c.text, "p.json");
    ASSERT_FALSE(profile.ok()) << c.text;
    EXPECT_NE(profile.error().message.find(std::string("p.json: ") + c.pointer + ":"),
              std::string::npos)
        << profile.error().message;
  }
}

TEST(ProfileParser, RejectsDuplicateKeysAndBadJson) {
  auto duplicate = parse_profile(R"({"network": {"mode": "none", "mode": "host"}})", "d.json");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.error().message.find("duplicate key 'mode'"), std::string::npos);
  auto broken = parse_profile("{", "b.json");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("b.json: not valid JSON"), std::string::npos);
}

TEST(ByteSize, ParsesUnitsAndRefusesNonsense) {
  EXPECT_EQ(*parse_byte_size("4096"), 4096u);
  EXPECT_EQ(*parse_byte_size("2KiB"), 2048u);
  EXPECT_EQ(*parse_byte_size("1G"), 1ull << 30);
  EXPECT_FALSE(parse_byte_size("1PB").ok());
  EXPECT_FALSE(parse_byte_size("MiB").ok());
  EXPECT_FALSE(parse_byte_size("99999999999999999999").ok());
}

}  // namespace
}  // namespace mcpsandbox

namespace mcpsandbox {
namespace {

TEST(ProfileParser, ReadsTheProtocolSections) {
  auto profile = parse_profile(R"({
    "auth": {"require_key": true, "keys": "/etc/mcpsandbox/keys.json"},
    "access": {"tools": {"allow": ["read_*"], "deny": ["*_secret"]}, "sampling": "allow"},
    "tools": {"read_file": {"tags": ["private-data"], "rate": "10/min", "burst": 2,
                            "max_concurrent": 3, "timeout": "30s",
                            "arguments": {"path": {"path": {"roots": ["~/src"], "deny": ["**/.env"]},
                                                   "max_length": 4096},
                                          "mode": {"enum": ["r", 1]},
                                          "url": {"url": {"schemes": ["HTTPS"], "hosts": ["*.example.org"]}}}}},
    "rate_limit": {"rate": "100/hour"},
    "flows": [{"after": "private-data", "deny": "external-sink"}],
    "detectors": {"shell_injection": "warn"},
    "projects": {"ci": {"secrets": {"GITHUB_TOKEN": "env:CI_GITHUB_TOKEN"}}},
    "users": {"bob": {"access": {"prompts": {"deny": ["*"]}}}}
  })", "p.json");
  ASSERT_TRUE(profile.ok()) << profile.error().message;
  const ProxyPolicy& policy = profile->policy;
  EXPECT_TRUE(policy.require_key);
  EXPECT_EQ(policy.base.tools->deny, std::vector<std::string>{"*_secret"});
  EXPECT_EQ(policy.base.sampling, AskPolicy::kAllow);
  ASSERT_EQ(policy.base.tool_rules.size(), 1u);
  const ToolRule& rule = policy.base.tool_rules[0];
  EXPECT_EQ(rule.rate->burst, 2);
  EXPECT_DOUBLE_EQ(rule.rate->per_second, 10.0 / 60);
  EXPECT_EQ(*rule.timeout_ms, 30000u);
  EXPECT_EQ(rule.arguments.size(), 3u);
  EXPECT_EQ(policy.base.flows[0].name, "private-data->external-sink");
  EXPECT_EQ(policy.detectors.shell_injection, DetectorAction::kWarn);
  EXPECT_EQ(policy.projects.at("ci").secrets.at("GITHUB_TOKEN"), "env:CI_GITHUB_TOKEN");
  EXPECT_TRUE(policy.users.at("bob").prompts.has_value());
}

TEST(ProfileParser, ProtocolErrorsNameThePointer) {
  auto expect_error = [](const std::string& text, const std::string& wanted) {
    auto profile = parse_profile(text, "x.json");
    ASSERT_FALSE(profile.ok()) << text;
    EXPECT_NE(profile.error().message.find(wanted), std::string::npos) << profile.error().message;
  };
  expect_error(R"({"tools": {"a": {"rate": "ten"}}})", "x.json: /tools/a/rate: expected a rate");
  expect_error(R"({"tools": {"a": {"rate": "1/week"}}})", "unknown rate unit 'week'");
  expect_error(R"j({"tools": {"a": {"arguments": {"p": {"pattern": "(?=x)"}}}}})j",
               "/tools/a/arguments/p/pattern: not a valid RE2");
  expect_error(R"({"tools": {"a/b": {"colour": 1}}})", "/tools/a~1b/colour: unknown key");
  expect_error(R"({"access": {"sampling": "maybe"}})", "/access/sampling: expected \"allow\" or \"deny\"");
  expect_error(R"({"users": {"u": {"secrets": {}}}})", "/users/u/secrets: secrets belong to projects");
  expect_error(R"({"projects": {"p": {"secrets": {"T": "plain"}}}})", "expected \"env:NAME\"");
  expect_error(R"({"flows": [{"after": "a"}]})", "/flows/0/deny: missing tag");
  expect_error(R"({"tools": {"a": {"timeout": "5 parsecs"}}})", "/tools/a/timeout");
}

}  // namespace
}  // namespace mcpsandbox

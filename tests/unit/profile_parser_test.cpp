#include "profiles/profile_parser.h"

#include <gtest/gtest.h>

namespace mcpsandbox {
namespace {

TEST(ProfileParser, ReadsEveryKey) {
  auto profile = parse_profile(R"({
    // comments are allowed
    "filesystem": {"ro": ["/opt/tool"], "rw": ["~/src"]},
    "network": {"mode": "host", "tcp_connect": [443], "tcp_bind": [8080]},
    "env": {"pass": ["GITHUB_TOKEN"], "set": {"NODE_ENV": "production"}},
    "limits": {"memory": "512MiB", "processes": 64, "open_files": 256, "cpu_seconds": 60,
               "file_size": "1GiB", "cpus": 1.5},
    "landlock": {"min_abi": 4},
    "require": ["namespaces", "cgroups"],
    "seccomp": {"allow": ["io_pgetevents"], "deny": ["ptrace"]},
    "runtime": "node"
  })", "p.json");
  ASSERT_TRUE(profile.ok()) << profile.error().message;
  EXPECT_EQ(profile->read_only_paths, std::vector<std::string>{"/opt/tool"});
  EXPECT_EQ(profile->read_write_paths, std::vector<std::string>{"~/src"});
  EXPECT_EQ(profile->network, NetworkMode::kHost);
  EXPECT_EQ(profile->tcp_connect_ports, std::vector<uint16_t>{443});
  EXPECT_EQ(profile->env_set.at("NODE_ENV"), "production");
  EXPECT_EQ(*profile->memory_bytes, 512ull << 20);
  EXPECT_EQ(*profile->max_file_bytes, 1ull << 30);
  EXPECT_EQ(*profile->cpu_millis, 1500u);
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

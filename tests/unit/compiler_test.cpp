#include "profiles/compiler.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "profiles/profile_parser.h"
#include "profiles/syscall_policy.h"

namespace mcpsandbox {
namespace {

Invocation invocation(std::vector<std::string> argv, std::string resolved = "") {
  Invocation i;
  i.argv = std::move(argv);
  i.resolved_command = std::move(resolved);
  i.cwd = "/home/me/project";
  i.home = "/home/me";
  i.environment = {{"PATH", "/usr/bin"}, {"HOME", "/home/me"}, {"AWS_SECRET_ACCESS_KEY", "s"},
                   {"GITHUB_TOKEN", "t"}};
  return i;
}

const PathGrant* find(const Plan& plan, const std::string& path) {
  for (const auto& grant : plan.paths) {
    if (grant.path == path) return &grant;
  }
  return nullptr;
}

bool has_env(const Plan& plan, const std::string& name) {
  return std::any_of(plan.env.begin(), plan.env.end(), [&](auto& e) { return e.first == name; });
}

TEST(Compiler, GrantsSystemDirectoriesAndOnlyWhatTheProfileNames) {
  Profile profile;
  profile.read_write_paths = {"~/src/../src/app", "data"};
  profile.read_only_paths = {"/opt/models"};
  auto plan = compile(profile, invocation({"/usr/bin/node", "server.js"}, "/usr/bin/node"));
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(find(*plan, "/usr")->kind, PathGrant::Kind::kSystem);
  EXPECT_EQ(find(*plan, "/home/me/src/app")->kind, PathGrant::Kind::kReadWrite);
  EXPECT_EQ(find(*plan, "/home/me/project/data")->kind, PathGrant::Kind::kReadWrite);
  EXPECT_EQ(find(*plan, "/opt/models")->kind, PathGrant::Kind::kReadOnly);
  EXPECT_EQ(find(*plan, "/etc/shadow"), nullptr);
  EXPECT_EQ(find(*plan, "/home/me"), nullptr);
  EXPECT_TRUE(plan->isolate_network);
  EXPECT_EQ(find(*plan, "/etc/resolv.conf"), nullptr) << "no DNS without network";
}

TEST(Compiler, RefusesGrantsThatWouldUndoTheSandbox) {
  for (auto [path, writable] : {std::pair{"/", false}, {"/proc/1", false}, {"/sys", false},
                                {"/dev", false}, {"/run/user/0", false}, {"/usr/bin", true},
                                {"/etc", true}}) {
    Profile profile;
    (writable ? profile.read_write_paths : profile.read_only_paths).push_back(path);
    auto plan = compile(profile, invocation({"srv"}));
    EXPECT_FALSE(plan.ok()) << path;
  }
}

TEST(Compiler, ScrubsTheEnvironmentToTheAllowlist) {
  Profile profile;
  profile.env_pass = {"GITHUB_TOKEN"};
  profile.env_set = {{"MODE", "safe"}, {"PATH", "/usr/bin:/bin"}};
  auto plan = compile(profile, invocation({"srv"}));
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(has_env(*plan, "HOME"));
  EXPECT_TRUE(has_env(*plan, "GITHUB_TOKEN"));
  EXPECT_TRUE(has_env(*plan, "MODE"));
  EXPECT_FALSE(has_env(*plan, "AWS_SECRET_ACCESS_KEY"));
  EXPECT_EQ(std::count_if(plan->env.begin(), plan->env.end(),
                          [](auto& e) { return e.first == "PATH"; }),
            1);
}

TEST(Compiler, NodePresetOverlaysTheNpmCacheAndGoesOffline) {
  auto plan = compile(Profile{}, invocation({"npx", "-y", "pkg"}, "/usr/lib/node_modules/npm/bin/npx-cli.js"));
  ASSERT_TRUE(plan.ok());
  const PathGrant* cache = find(*plan, "/home/me/.npm");
  ASSERT_NE(cache, nullptr);
  EXPECT_EQ(cache->kind, PathGrant::Kind::kOverlay) << "writes must not reach the real cache";
  EXPECT_TRUE(has_env(*plan, "npm_config_offline"));
  Profile online;
  online.network = NetworkMode::kHost;
  auto with_network = compile(online, invocation({"npx", "pkg"}));
  EXPECT_FALSE(has_env(*with_network, "npm_config_offline"));
  EXPECT_NE(find(*with_network, "/etc/resolv.conf"), nullptr);
}

TEST(Compiler, AddsTheCommandsOwnDirectoryAndMakesRelativeCommandsAbsolute) {
  auto plan = compile(Profile{}, invocation({"bin/server"}, "/home/me/project/bin/server"));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->argv[0], "/home/me/project/bin/server");
  EXPECT_EQ(find(*plan, "/home/me/project/bin")->kind, PathGrant::Kind::kReadOnly);
}

TEST(Compiler, SeccompKeepsTheKillSetOutOfReach) {
  Profile profile;
  profile.extra_syscalls = {"bpf"};
  EXPECT_FALSE(compile(profile, invocation({"srv"})).ok());
  Profile narrower;
  narrower.denied_syscalls = {"socket"};
  auto plan = compile(narrower, invocation({"srv"}));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(std::count(plan->seccomp.allow.begin(), plan->seccomp.allow.end(), "socket"), 0);
  for (const auto& name : always_killed_syscalls()) {
    EXPECT_EQ(std::count(plan->seccomp.allow.begin(), plan->seccomp.allow.end(), name), 0) << name;
  }
}

TEST(Compiler, LandlockIsRequiredUnlessTheProfileLowersItsMinimum) {
  auto plan = compile(Profile{}, invocation({"srv"}));
  EXPECT_TRUE(plan->required_layers.count(Layer::kLandlock));
  Profile lowered;
  lowered.landlock_min_abi = 0;
  EXPECT_FALSE(compile(lowered, invocation({"srv"}))->required_layers.count(Layer::kLandlock));
}

TEST(Compiler, DetectsRuntimes) {
  EXPECT_EQ(detect_runtime(invocation({"npx"})), Runtime::kNode);
  EXPECT_EQ(detect_runtime(invocation({"/usr/bin/python3.11"})), Runtime::kPython);
  EXPECT_EQ(detect_runtime(invocation({"uvx"})), Runtime::kPython);
  EXPECT_EQ(detect_runtime(invocation({"./server"})), Runtime::kStatic);
}

}  // namespace
}  // namespace mcpsandbox

namespace mcpsandbox {
namespace {

TEST(Compiler, CallScopedPathsMustLieInTheViewAndProgramsIncludeTheCommand) {
  auto parsed = parse_profile(R"({"filesystem": {"rw": ["~/src"], "call_scoped": ["~/src/app"],
                                                 "exec": ["/usr/bin/git"]}})", "p.json");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  auto plan = compile(*parsed, invocation({"node", "server.js"}, "/usr/bin/node"));
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->call_scoped_paths, std::vector<std::string>{"/home/me/src/app"});
  ASSERT_TRUE(plan->programs);
  EXPECT_EQ(*plan->programs, (std::vector<std::string>{"/usr/bin/git", "/usr/bin/node"}));

  Profile outside = *parsed;
  outside.call_scoped_paths = {"/home/me/other"};
  auto refused = compile(outside, invocation({"srv"}));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("not inside a ro or rw path"), std::string::npos)
      << refused.error().message;

  Profile all;
  all.read_only_paths = {"/opt/docs"};
  all.read_write_paths = {"~/src"};
  all.call_scoped_all = true;  // "call_scoped": true
  auto every = compile(all, invocation({"srv"}));
  ASSERT_TRUE(every.ok()) << every.error().message;
  EXPECT_EQ(every->call_scoped_paths, std::vector<std::string>{"/home/me/src"}) << "rw paths only";
  all.read_write_paths.clear();
  auto nothing = compile(all, invocation({"srv"}));
  ASSERT_FALSE(nothing.ok()) << "call_scoped: true with no rw path scopes nothing";
  EXPECT_NE(nothing.error().message.find("no rw path to scope"), std::string::npos) << nothing.error().message;

  auto unconfined = compile(Profile{}, invocation({"srv"}));
  ASSERT_TRUE(unconfined.ok());
  EXPECT_FALSE(unconfined->programs) << "without filesystem.exec every program in the view runs";
  auto empty = parse_profile(R"({"filesystem": {"exec": []}})", "p.json");
  ASSERT_TRUE(empty.ok());
  auto only_itself = compile(*empty, invocation({"./bin/srv"}));
  ASSERT_TRUE(only_itself.ok());
  EXPECT_EQ(*only_itself->programs, std::vector<std::string>{"/home/me/project/bin/srv"});
}

}  // namespace
}  // namespace mcpsandbox

// Every profile shipped in the binary parses and compiles the way users run it (one directory
// granted), and the set holds what README promises: the servers' profiles and runtime presets.
#include "profiles/builtin_profiles.h"

#include <gtest/gtest.h>

#include "profiles/compiler.h"
#include "profiles/profile_parser.h"

namespace mcpsandbox {
namespace {

TEST(BuiltinProfiles, EveryOneParsesAndCompilesWithAGrant) {
  for (const BuiltinProfile& builtin : builtin_profiles()) {
    auto profile = parse_profile(builtin.text, "built-in:" + std::string(builtin.name));
    ASSERT_TRUE(profile.ok()) << profile.error().message;
    profile->read_write_paths.push_back("/home/me/project");
    Invocation invocation;
    invocation.argv = {"/usr/bin/node", "server.js"};
    invocation.resolved_command = "/usr/bin/node";
    invocation.cwd = "/home/me";
    invocation.home = "/home/me";
    auto plan = compile(*profile, invocation);
    EXPECT_TRUE(plan.ok()) << builtin.name << ": " << plan.error().message;
    EXPECT_NE(builtin.text.find("\"description\""), std::string_view::npos)
        << builtin.name << " says what it is for";
  }
}

TEST(BuiltinProfiles, ShipsTheServersAndRuntimePresetsReadmeNames) {
  for (const char* name : {"filesystem", "memory", "everything", "sequential-thinking", "git",
                           "fetch", "sqlite", "node", "python", "static"}) {
    EXPECT_TRUE(find_builtin_profile(name).has_value()) << name;
  }
  EXPECT_FALSE(find_builtin_profile("no-such-server").has_value());
}

}  // namespace
}  // namespace mcpsandbox

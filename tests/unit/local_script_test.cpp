#include "profiles/local_script.h"

#include <gtest/gtest.h>

#include <set>

namespace mcpsandbox {
namespace {

struct Disk {
  std::set<std::string> files, directories;
  PathExists exists() const {
    return [this](const std::string& path) { return files.count(path) || directories.count(path); };
  }
  PathExists is_file() const {
    return [this](const std::string& path) { return files.count(path) > 0; };
  }
};

std::optional<LocalScript> found(const Disk& disk, std::vector<std::string> argv, const std::string& cwd) {
  return find_local_script(argv, cwd, "/home/me", disk.exists(), disk.is_file());
}

TEST(LocalScript, AScriptIsShownWithItsProjectNamedAbsolutely) {
  Disk disk{{"/home/me/proj/package.json", "/home/me/proj/dist/index.js"}, {"/home/me/proj", "/home/me/proj/dist"}};
  auto script = found(disk, {"node", "--enable-source-maps", "dist/index.js"}, "/home/me/proj");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->script, "/home/me/proj/dist/index.js");
  EXPECT_EQ(script->argument, 2u);
  EXPECT_EQ(script->root, "/home/me/proj");
  EXPECT_TRUE(script->rewrite_argument);
  EXPECT_FALSE(found(disk, {"node", "-e", "1"}, "/home/me/proj")) << "code, not a script";
  EXPECT_FALSE(found(disk, {"python3", "-m", "server"}, "/home/me/proj")) << "a module, not a script";
}

TEST(LocalScript, ADirectoryOrNpmStartRunsTheProjectsPackage) {
  Disk disk{{"/home/me/proj/package.json", "/home/me/proj/server.js"}, {"/home/me/proj"}};
  auto dot = found(disk, {"node", "."}, "/home/me/proj");
  ASSERT_TRUE(dot);
  EXPECT_EQ(dot->script, "/home/me/proj") << "node is given the directory, as typed";
  EXPECT_EQ(dot->root, "/home/me/proj");
  auto start = found(disk, {"npm", "start"}, "/home/me/proj");
  ASSERT_TRUE(start);
  EXPECT_EQ(start->root, "/home/me/proj");
  EXPECT_FALSE(start->rewrite_argument) << "`start` is a verb, not a path";
  EXPECT_FALSE(found(disk, {"npm", "exec", "tool"}, "/home/me/proj"));
}

TEST(LocalScript, AServerUnderAProjectsNodeModulesBringsThatProjectNotNpxsCache) {
  Disk disk{{"/home/me/tools/node_modules/@scope/server/dist/index.js", "/home/me/tools/package.json",
             "/home/me/.npm/_npx/ab12/node_modules/pkg/index.js"},
            {}};
  auto installed = found(disk, {"node", "/home/me/tools/node_modules/@scope/server/dist/index.js"}, "/");
  ASSERT_TRUE(installed);
  EXPECT_EQ(installed->root, "/home/me/tools") << "its dependencies are found through the project's node_modules";
  EXPECT_FALSE(found(disk, {"node", "/home/me/.npm/_npx/ab12/node_modules/pkg/index.js"}, "/"))
      << "npx's cache comes through the node preset's overlay";
}

TEST(LocalScript, NeverAHome) {
  Disk disk{{"/home/me/server.py", "/home/me/.bashrc", "/home/me/package.json"}, {}};
  auto script = found(disk, {"/usr/bin/python3", "server.py"}, "/home/me");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->root, "/home/me/server.py");
  auto start = found(disk, {"npm", "start"}, "/home/me");
  ASSERT_TRUE(start);
  EXPECT_EQ(start->root, "/home/me/package.json") << "the package file alone, never the home";
}

}  // namespace
}  // namespace mcpsandbox

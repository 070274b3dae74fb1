#include "profiles/grant_width.h"

#include <gtest/gtest.h>

#include <set>

namespace mcpsandbox {
namespace {

PathExists files(std::set<std::string> present) {
  return [present](const std::string& path) { return present.count(path) > 0; };
}

TEST(GrantWidth, HomeDirectoriesWhatHoldsThemAndWhatLooksLikeThemAreTooWide) {
  auto none = files({});
  EXPECT_EQ(why_grant_is_too_wide("/", "/home/me", none), "it is the whole filesystem");
  EXPECT_EQ(why_grant_is_too_wide("/home/me", "/home/me", none), "it is your home directory");
  EXPECT_EQ(why_grant_is_too_wide("/home", "/home/me", none), "it holds your home directory (/home/me)");
  EXPECT_EQ(why_grant_is_too_wide("/home/me/.config", "/home/me", none),
            "it is where a home directory keeps application configuration and tokens");
  EXPECT_EQ(why_grant_is_too_wide("/home/me/.ssh/keys", "/home/me", none),
            "it is inside /home/me/.ssh, which holds ssh keys");
  // Shells, clients and mcpsandbox itself keep what runs as the user here.
  for (const char* inside : {"/home/me/.config/fish", "/home/me/.config/mcpsandbox", "/home/me/.config/Claude"}) {
    EXPECT_EQ(why_grant_is_too_wide(inside, "/home/me", none),
              "it is inside /home/me/.config, which holds application configuration and tokens") << inside;
  }
  EXPECT_EQ(why_grant_is_too_wide("/home/me/.local/bin", "/home/me", none),
            "it is inside /home/me/.local, which holds programs on your PATH (~/.local/bin)");
  // However HOME is spelled.
  for (const char* home : {"/home/me/", "//home/me", "/tmp/../home/me"}) {
    EXPECT_EQ(why_grant_is_too_wide("/home/me/.ssh", home, none), "it is where a home directory keeps ssh keys") << home;
    EXPECT_EQ(why_grant_is_too_wide("/home/me/.ssh/id_rsa", home, none),
              "it is inside /home/me/.ssh, which holds ssh keys") << home;
  }
  // Another user's home, or a copy of one, is known by what it holds.
  EXPECT_EQ(why_grant_is_too_wide("/home/alice", "/home/me", files({"/home/alice/.bashrc"})),
            "it holds .bashrc (shell start-up files): it looks like a home directory");
  EXPECT_EQ(why_grant_is_too_wide("/srv/x", "/home/me", files({"/srv/x/.aws"})),
            "it holds .aws (cloud credentials): it looks like a home directory");
}

TEST(GrantWidth, EveryHiddenPartOfAHomeAndItsProgramDirectoriesAreTooWide) {
  auto none = files({});
  for (const char* hidden : {"/home/me/.cargo/bin", "/home/me/.bashrc.d", "/home/me/.oh-my-zsh", "/home/me/.nvm",
                             "/home/me/.mozilla/firefox", "/home/me/.pgpass", "/home/me/.bash_logout",
                             "/home/me/.vscode/extensions", "/home/me/.terraform.d"}) {
    auto why = why_grant_is_too_wide(hidden, "/home/me", none);
    ASSERT_TRUE(why.has_value()) << hidden;
    EXPECT_NE(why->find("what runs as you or your credentials"), std::string::npos) << hidden << ": " << *why;
  }
  EXPECT_EQ(why_grant_is_too_wide("/home/me/bin", "/home/me", none), "it holds programs on your PATH (/home/me/bin)");
  EXPECT_EQ(why_grant_is_too_wide("/home/me/go/bin", "/home/me", none),
            "it holds programs on your PATH (/home/me/go/bin)");
  EXPECT_EQ(why_grant_is_too_wide("/home/me/go/src/example.com/tool", "/home/me", none), std::nullopt);
  std::vector<std::string> xdg = {"/data/config"};
  EXPECT_EQ(why_grant_is_too_wide("/data/config/mcpsandbox", "/home/me", none, xdg),
            "it is inside /data/config (XDG_CONFIG_HOME or XDG_STATE_HOME), where your tools and mcpsandbox keep "
            "their configuration");
  EXPECT_TRUE(why_grant_is_too_wide("/data", "/home/me", none, xdg).has_value());
}

TEST(GrantWidth, ProjectsKeepTheirOwnDotfiles) {
  // .npmrc, .config, .docker and .vscode are common in repositories: not a home's mark.
  auto project = files({"/home/me/src/app/.npmrc", "/home/me/src/app/.config", "/home/me/src/app/.docker",
                        "/home/me/src/app/.git", "/home/me/src/app/.vscode"});
  EXPECT_EQ(why_grant_is_too_wide("/home/me/src/app", "/home/me", project), std::nullopt);
  EXPECT_EQ(why_grant_is_too_wide("/home/me/src/app/.config", "/home/me", project), std::nullopt);
  EXPECT_EQ(why_grant_is_too_wide("/data/app.db", "/home/me", project), std::nullopt);
}

}  // namespace
}  // namespace mcpsandbox

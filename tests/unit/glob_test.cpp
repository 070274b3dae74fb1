#include "profiles/glob.h"

#include <gtest/gtest.h>

namespace mcpsandbox {
namespace {

TEST(Glob, StarStopsAtSlashesDoubleStarDoesNot) {
  EXPECT_TRUE(glob_match("read_*", "read_file"));
  EXPECT_FALSE(glob_match("read_*", "write_file"));
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_FALSE(glob_match("*", "a/b"));
  EXPECT_TRUE(glob_match("**", "a/b"));
  EXPECT_TRUE(glob_match("/home/*/src", "/home/u/src"));
  EXPECT_FALSE(glob_match("/home/*/src", "/home/u/x/src"));
  EXPECT_TRUE(glob_match("file:///srv/**", "file:///srv/a/b.txt"));
  EXPECT_TRUE(glob_match("?at", "cat"));
  EXPECT_FALSE(glob_match("?at", "/at"));
}

TEST(Glob, DoubleStarSlashAlsoMatchesNoDirectory) {
  EXPECT_TRUE(glob_match("**/.ssh/**", "/home/u/.ssh/id_rsa"));
  EXPECT_TRUE(glob_match("**/.env", "/srv/app/.env"));
  EXPECT_TRUE(glob_match("a/**/b", "a/b"));
  EXPECT_TRUE(glob_match("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(glob_match("**/.env", "/srv/app/.envrc"));
  EXPECT_FALSE(glob_match("**/.ssh/**", "/home/u/ssh/x"));
  EXPECT_FALSE(glob_match("**/.ssh/**", "/home/u/.ssh")) << "the subtree, not the directory";
  EXPECT_FALSE(glob_match("**/.ssh/**", "/home/u/x.ssh/k"));
  EXPECT_TRUE(glob_match("**/.env", ".env"));
  EXPECT_FALSE(glob_match("**/.env", "/srv/x.env"));
}

TEST(Glob, HostileTextStaysFast) {
  // Memoised: a pattern that would make a backtracking matcher exponential finishes at once.
  std::string text(5000, 'a');
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*a*b", text));
  EXPECT_FALSE(glob_match("**a**a**a**a**a**a**b", text));
  EXPECT_FALSE(glob_match("**", std::string(kMaxGlobText + 1, 'a')));
}

}  // namespace
}  // namespace mcpsandbox

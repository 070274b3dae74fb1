#include "launcher/cli.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mcpsandbox {
namespace {

Command parse(std::vector<std::string> args) {
  args.insert(args.begin(), "mcpsandbox");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

TEST(CommandLine, PassesEverythingAfterDoubleDashToTheServer) {
  Command c = parse({"run", "--", "npx", "-y", "--help", "server"});
  ASSERT_EQ(c.kind, Command::Kind::kRun);
  EXPECT_EQ(c.run.command, (std::vector<std::string>{"npx", "-y", "--help", "server"}));
}

TEST(CommandLine, ReadsSizesDurationsAndLogOptions) {
  Command c = parse({"--log-level", "debug", "run", "--max-message-bytes", "16MiB", "--grace",
                     "5s", "--log-file", "/tmp/x.log", "--", "srv"});
  ASSERT_EQ(c.kind, Command::Kind::kRun);
  EXPECT_EQ(c.run.max_message_bytes, std::optional<size_t>(16u << 20));
  EXPECT_EQ(c.run.grace, std::chrono::milliseconds(5000));
  EXPECT_EQ(c.log_level, LogLevel::kDebug);
  EXPECT_EQ(c.log_file, "/tmp/x.log");
}

TEST(CommandLine, RepeatableGrantsTakeOneValueEach) {
  Command c = parse({"run", "--rw", "/a", "--ro", "/b", "--rw", "/c", "--env", "X=1", "--",
                     "srv", "--rw", "/not-ours"});
  ASSERT_EQ(c.kind, Command::Kind::kRun);
  EXPECT_EQ(c.run.read_write, (std::vector<std::string>{"/a", "/c"}));
  EXPECT_EQ(c.run.read_only, std::vector<std::string>{"/b"});
  EXPECT_EQ(c.run.env, std::vector<std::string>{"X=1"});
  EXPECT_EQ(c.run.command, (std::vector<std::string>{"srv", "--rw", "/not-ours"}));
}

TEST(CommandLine, UsageErrorsExitWithStatusTwo) {
  EXPECT_EQ(parse({"run"}).exit_code, 2) << "no command";
  EXPECT_EQ(parse({"run", "--bogus", "--", "x"}).exit_code, 2);
  EXPECT_EQ(parse({"--log-level", "loud", "run", "--", "x"}).exit_code, 2);
  EXPECT_EQ(parse({"run", "--max-message-bytes", "10", "--", "x"}).exit_code, 2);
  EXPECT_EQ(parse({}).exit_code, 2) << "no subcommand";
  EXPECT_EQ(parse({}).kind, Command::Kind::kExit);
}

std::string error_of(std::vector<std::string> args) {
  ::testing::internal::CaptureStderr();
  Command c = parse(std::move(args));
  std::string text = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(c.exit_code, 2) << text;
  return text;
}

TEST(CommandLine, UnknownWordsAreNamedWithTheNearestKnownOne) {
  EXPECT_EQ(error_of({"runn", "--", "x"}),
            "mcpsandbox: error: unknown command 'runn' (did you mean 'run'?); see `mcpsandbox --help`\n");
  EXPECT_EQ(error_of({"run", "--rww", "/p", "--", "node", "server.js"}),
            "mcpsandbox: error: run: unknown option '--rww' (did you mean '--rw'?); see `mcpsandbox run --help`\n");
  EXPECT_EQ(error_of({"profile", "chek", "x"}),
            "mcpsandbox: error: unknown command 'chek' (did you mean 'check'?); see `mcpsandbox profile --help`\n");
  EXPECT_EQ(error_of({"frobnicate"}), "mcpsandbox: error: unknown command 'frobnicate'; see `mcpsandbox --help`\n");
}

TEST(CommandLine, VersionAndHelpExitZero) {
  Command version = parse({"--version"});
  EXPECT_EQ(version.kind, Command::Kind::kExit);
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(parse({"run", "--help"}).exit_code, 0);
}

}  // namespace
}  // namespace mcpsandbox

// The policy store out of the server's reach (issue 27): the audit log, its checkpoint key, the
// pins, the key file and the secrets' files are judged by identity against what the sandbox
// will reach, so a symlink or a bind mount that names a granted directory another way cannot
// hand them to the server. As root and as an ordinary user; each refusal names the file, the
// grant and the access.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "tests/escape/escape_harness.h"

namespace mcpsandbox::testing {
namespace {

struct Who {
  const char* name;
  std::vector<std::string> prefix;
  uid_t uid;
};

void PrintTo(const Who& who, std::ostream* out) { *out << who.name; }

const Who kRoot{"root", {}, 0};
const Who kNobody{"nobody", kAsNobody, 65534};

class PolicyStore : public ::testing::TestWithParam<Who> {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "switching users and mounting for these tests needs root";
    chmod(base_.path().c_str(), 0755);
    for (const char* dir : {"proj", "outside", "shared"}) make_dir(base_.file(dir));
    std::filesystem::create_directory_symlink(base_.file("proj"), base_.file("link"));
    std::filesystem::create_directory_symlink(base_.file("outside"), base_.file("outlink"));
  }

  void make_dir(const std::string& path) {
    std::filesystem::create_directory(path);
    ASSERT_EQ(chown(path.c_str(), GetParam().uid, GetParam().uid), 0);
  }
  void write_owned(const std::string& path, const std::string& text, mode_t mode = 0600) {
    std::ofstream(path) << text;
    ASSERT_EQ(chown(path.c_str(), GetParam().uid, GetParam().uid), 0);
    chmod(path.c_str(), mode);
  }
  ProbeOutcome run(const std::vector<std::string>& options, const std::vector<std::string>& attack,
                   std::vector<std::string> prefix = {}) {
    if (prefix.empty()) prefix = GetParam().prefix;
    return run_probe(options, attack, prefix);
  }
  // The session was refused before the server started, with `message` on its error line.
  static void expect_refused(const ProbeOutcome& outcome, const std::string& message) {
    EXPECT_EQ(outcome.exit_status, 2) << describe(outcome);
    EXPECT_FALSE(outcome.result.has_value()) << "the server must not have run";
    EXPECT_NE(outcome.log.find(message), std::string::npos) << outcome.log;
  }

  // The user's prefix, then a mount namespace of the test's own (inside a user namespace of
  // its own for an ordinary user) in which `mount_command` runs before mcpsandbox.
  std::vector<std::string> after_mounting(const std::string& mount_command, std::vector<std::string> prefix = {}) {
    if (prefix.empty()) prefix = GetParam().prefix;
    if (GetParam().uid != 0) prefix.insert(prefix.end(), {"/usr/bin/unshare", "--user", "--map-root-user"});
    prefix.insert(prefix.end(), {"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                                 mount_command + " && exec \"$0\" \"$@\""});
    return prefix;
  }
  // A profile (outside every grant) whose audit log signs checkpoints with `key`.
  std::string checkpoint_profile(const std::string& key) {
    std::string profile = base_.file("outside/profile.json");
    write_owned(profile,
                R"({"audit": {"path": ")" + base_.file("outside/audit.jsonl") + R"(", "checkpoint_key": ")" + key +
                    R"("}})",
                0644);
    return profile;
  }

  TempDir base_;
  std::string proj() { return base_.file("proj"); }
};

TEST_P(PolicyStore, AnAuditLogOrCheckpointKeyBehindASymlinkIntoAWritableGrantIsRefused) {
  ProbeOutcome log = run({"--rw", proj(), "--audit-log", base_.file("link/audit.jsonl")},
                         {"read", proj() + "/audit.jsonl"});
  expect_refused(log, "audit log " + proj() + "/audit.jsonl (its directory " + proj() +
                          ") is inside " + proj() + ", which the server may write");
  EXPECT_FALSE(std::filesystem::exists(proj() + "/audit.jsonl")) << "no log was started there";

  write_owned(base_.file("outside/ck.key"), "");
  std::filesystem::copy_file(base_.file("outside/ck.key"), proj() + "/ck.key");
  ProbeOutcome key = run({"--profile", checkpoint_profile(base_.file("link/ck.key")), "--rw", proj()},
                         {"read", proj() + "/ck.key"});
  expect_refused(key, "audit checkpoint key " + proj() + "/ck.key is inside " + proj() +
                          ", which the server may write");
}

TEST_P(PolicyStore, ASymlinkInsideAWritableGrantIsNotFollowedToTheStore) {
  // The link leads outside today; the server could point it anywhere tomorrow.
  std::filesystem::create_directory_symlink(base_.file("outside"), proj() + "/logs");
  ProbeOutcome log = run({"--rw", proj(), "--audit-log", proj() + "/logs/audit.jsonl"}, {"hostname"});
  expect_refused(log, "passes through the symlink " + proj() + "/logs, inside " + proj() +
                          ", which the server may write");

  // A link outside every grant is the user's own: followed, and what it leads to stays hidden.
  ProbeOutcome outside = run({"--rw", proj(), "--audit-log", base_.file("outlink/audit.jsonl")},
                             {"read", base_.file("outside/audit.jsonl")});
  EXPECT_EQ(outside.error(), "ENOENT") << describe(outside);
  EXPECT_TRUE(std::filesystem::exists(base_.file("outside/audit.jsonl"))) << outside.log;
}

TEST_P(PolicyStore, KeysAndSecretsAreRefusedWhereTheServerCanOnlyRead) {
  std::string store = base_.file("outside/keys.json");
  std::vector<std::string> add = GetParam().prefix;
  add.insert(add.end(), {mcpsandbox_binary(), "keys", "add", "--project", "ci", "--store", store});
  ChildProcess adding(add);
  auto key = adding.read_line();
  ASSERT_EQ(adding.wait(), 0) << adding.stderr_text();
  ASSERT_TRUE(key.has_value());
  write_owned(base_.file("outside/gw.key"), *key);
  write_owned(base_.file("shared/token"), "t0ken");
  write_owned(base_.file("outside/profile.json"),
              R"({"auth": {"keys": ")" + store + R"("}, "projects": {"ci": {"secrets":
                  {"TOKEN": "file:)" + base_.file("shared/token") + R"("}}}})",
              0644);
  std::vector<std::string> profile = {"--profile", base_.file("outside/profile.json")};

  auto with = [&](std::vector<std::string> options, const std::string& key_file) {
    options.insert(options.begin(), profile.begin(), profile.end());
    options.insert(options.end(), {"--key-file", key_file});
    return options;
  };
  ProbeOutcome secret = run(with({"--ro", base_.file("shared")}, base_.file("outside/gw.key")),
                            {"read", base_.file("shared/token")});
  expect_refused(secret, "secret file for TOKEN " + base_.file("shared/token") + " is inside " +
                             base_.file("shared") + ", which the server may read");

  write_owned(base_.file("shared/gw.key"), *key);
  ProbeOutcome key_file = run(with({"--ro", base_.file("shared")}, base_.file("shared/gw.key")),
                              {"read", base_.file("shared/gw.key")});
  expect_refused(key_file, "key file " + base_.file("shared/gw.key") + " is inside " +
                               base_.file("shared") + ", which the server may read");

  // Out of view, both are used, and the server still cannot read them.
  ProbeOutcome hidden = run(with({"--ro", proj()}, base_.file("outside/gw.key")),
                            {"read", base_.file("outside/gw.key")});
  EXPECT_EQ(hidden.error(), "ENOENT") << describe(hidden);
}

TEST_P(PolicyStore, ABindMountAliasOfTheStoreDirectoryIsTheSameDirectory) {
  make_dir(base_.file("alias"));
  // A mount namespace of the test's own (as an ordinary user: with a user namespace around it)
  // in which alias/ is a second path to proj/.
  std::vector<std::string> prefix = after_mounting("mount --bind " + proj() + " " + base_.file("alias"));
  ProbeOutcome log = run({"--rw", base_.file("alias"), "--audit-log", proj() + "/audit.jsonl"},
                         {"read", base_.file("alias/audit.jsonl")}, prefix);
  expect_refused(log, "audit log " + proj() + "/audit.jsonl (its directory " + proj() +
                          ") is inside " + base_.file("alias") + ", which the server may write");

  ProbeOutcome pins = run({"--rw", base_.file("alias"), "--pins", proj() + "/pins.json"},
                          {"write", base_.file("alias/pins.json")}, prefix);
  expect_refused(pins, "pin file " + proj() + "/pins.json (its directory " + proj() +
                           ") is inside " + base_.file("alias") + ", which the server may write");
  EXPECT_FALSE(std::filesystem::exists(proj() + "/pins.json"));

  // The other way round: the store under the alias, the grant the original.
  ProbeOutcome reverse = run({"--rw", proj(), "--pins", base_.file("alias/pins.json")}, {"hostname"}, prefix);
  expect_refused(reverse, "pin file " + base_.file("alias/pins.json") + " (its directory " +
                              base_.file("alias") + ") is inside " + proj());
}

TEST_P(PolicyStore, AHomeDirectoryOrOneLikeItIsNeverGrantedUnlessNamed) {
  std::string home = base_.file("home");
  make_dir(home);
  write_owned(home + "/.bashrc", "# the user's\n", 0644);
  make_dir(home + "/.config");
  make_dir(base_.file("shared/.ssh"));
  std::vector<std::string> prefix = GetParam().prefix;
  prefix.insert(prefix.end(), {"/usr/bin/env", "HOME=" + home});

  ProbeOutcome rw_home = run({"--rw", home}, {"write", home + "/.bashrc"}, prefix);
  expect_refused(rw_home, "refusing the read-write path " + home + ": it is your home directory");
  ProbeOutcome ro_home = run({"--ro", "~"}, {"read", home + "/.bashrc"}, prefix);
  expect_refused(ro_home, "refusing the read-only path " + home + ": it is your home directory");
  ProbeOutcome above = run({"--ro", base_.path()}, {"hostname"}, prefix);
  expect_refused(above, "refusing the read-only path " + base_.path() + ": it holds your home directory (" + home + ")");
  ProbeOutcome config = run({"--rw", home + "/.config"}, {"hostname"}, prefix);
  expect_refused(config, "refusing the read-write path " + home + "/.config: it is where a home directory keeps "
                         "application configuration and tokens");
  ProbeOutcome keys = run({"--ro", base_.file("shared")}, {"hostname"}, prefix);
  expect_refused(keys, "refusing the read-only path " + base_.file("shared") + ": it holds .ssh (ssh keys)");
  ProbeOutcome root = run({"--ro", "/"}, {"hostname"}, prefix);
  expect_refused(root, "read-only path: granting '/' would undo the sandbox");
  EXPECT_EQ(read_file(home + "/.bashrc"), "# the user's\n");

  // Named, it is the user's decision; a project directory needs no naming.
  ProbeOutcome named = run({"--rw", home, "--allow-wide-grant", "~"}, {"write", home + "/.bashrc"}, prefix);
  EXPECT_TRUE(named.attack_succeeded()) << describe(named);
  ProbeOutcome project = run({"--rw", proj()}, {"write", proj() + "/x"}, prefix);
  EXPECT_TRUE(project.attack_succeeded()) << describe(project);
}

TEST_P(PolicyStore, NoOtherSpellingOfAHomeMakesItsFilesANarrowGrant) {
  std::string home = base_.file("home");
  make_dir(home);
  for (const char* dir : {"/.ssh", "/.config", "/.config/mcpsandbox", "/.local", "/.local/bin"}) make_dir(home + dir);
  write_owned(home + "/.bashrc", "# the user's\n", 0644);
  write_owned(home + "/.ssh/id_rsa", "PRIVATE KEY", 0600);
  auto as_user_with_home = [&](const std::string& spelled) {
    std::vector<std::string> prefix = GetParam().prefix;
    prefix.insert(prefix.end(), {"/usr/bin/env", "HOME=" + spelled});
    return prefix;
  };
  std::vector<std::string> prefix = as_user_with_home(home);
  // What runs as the user, and mcpsandbox's own profiles, are below ~/.config and ~/.local.
  expect_refused(run({"--rw", home + "/.config/mcpsandbox"}, {"hostname"}, prefix),
                 "refusing the read-write path " + home + "/.config/mcpsandbox: it is inside " + home +
                     "/.config, which holds application configuration and tokens");
  expect_refused(run({"--rw", home + "/.local/bin"}, {"hostname"}, prefix),
                 "refusing the read-write path " + home + "/.local/bin: it is inside " + home + "/.local");
  // However HOME is spelled.
  expect_refused(run({"--ro", "~/.ssh/id_rsa"}, {"show", home + "/.ssh/id_rsa"}, as_user_with_home(home + "/")),
                 "refusing the read-only path " + home + "/.ssh/id_rsa: it is inside " + home + "/.ssh");
  // A program kept in the home directory brings only itself, not the home.
  std::filesystem::copy_file(probe_binary(), home + "/probe");
  chown((home + "/probe").c_str(), GetParam().uid, GetParam().uid);
  std::vector<std::string> options = {"--log-level", "info", "run", "--grace", "200ms", "--", home + "/probe", "show",
                                      home + "/.ssh/id_rsa"};
  std::vector<std::string> argv = prefix;
  argv.push_back(mcpsandbox_binary());
  argv.insert(argv.end(), options.begin(), options.end());
  ChildProcess sandbox(argv);
  std::optional<nlohmann::json> report;
  for (const std::string& line : sandbox.read_all_lines(60s)) {
    if (auto found = probe_report(line, "probe/result")) report = found;
  }
  sandbox.close_stdin();
  sandbox.wait(30s);
  ASSERT_TRUE(report.has_value()) << sandbox.stderr_text();
  EXPECT_EQ((*report)["errno"], "ENOENT") << report->dump();

  // A second name for ~/.ssh (a bind mount in a mount namespace of the test's own).
  make_dir(base_.file("keys"));
  std::vector<std::string> bound = after_mounting("mount --bind " + home + "/.ssh " + base_.file("keys"), prefix);
  expect_refused(run({"--ro", base_.file("keys")}, {"show", base_.file("keys/id_rsa")}, bound),
                 "refusing the read-only path " + base_.file("keys") + ": it is where a home directory keeps ssh "
                     "keys (it is " + home + "/.ssh by another name)");
}

TEST_P(PolicyStore, HardLinksAndFilesWrittenBesideTheStoreAreNoWayIn) {
  std::string store = base_.file("outside");
  write_owned(store + "/pins.json", "{}", 0644);
  ASSERT_EQ(::link((store + "/pins.json").c_str(), (proj() + "/pins-alias.json").c_str()), 0);
  expect_refused(run({"--rw", proj(), "--pins", store + "/pins.json"}, {"write", proj() + "/pins-alias.json"}),
                 "pin file " + store + "/pins.json has 2 names (hard links)");
  ::unlink((proj() + "/pins-alias.json").c_str());

  write_owned(store + "/pins.json.pending", "{}", 0644);
  expect_refused(run({"--rw", store + "/pins.json.pending", "--pins", store + "/pins.json"},
                     {"write", store + "/pins.json.pending"}),
                 "pin file " + store + "/pins.json: the grant " + store +
                     "/pins.json.pending (read-write path) is one of the files mcpsandbox writes beside it");
  write_owned(store + "/audit.jsonl.1", "", 0644);
  expect_refused(run({"--ro", store + "/audit.jsonl.1", "--audit-log", store + "/audit.jsonl"},
                     {"read", store + "/audit.jsonl.1"}),
                 "audit log " + store + "/audit.jsonl: the grant " + store + "/audit.jsonl.1");
}

TEST_P(PolicyStore, AnOverlaysLayersAreTheFilesItShows) {
  for (const char* dir : {"lower", "upper", "work", "merged"}) make_dir(base_.file(dir));
  write_owned(base_.file("lower/ck.key"), "", 0600);
  std::vector<std::string> prefix =
      after_mounting("mount -t overlay overlay -o lowerdir=" + base_.file("lower") + ",upperdir=" +
                     base_.file("upper") + ",workdir=" + base_.file("work") + " " + base_.file("merged"));
  // Each way round: the store named through one side of the overlay, the other side granted.
  struct Sides {
    const char *pins_in, *written_through, *key_in, *read_through;
  };
  for (const Sides& sides : {Sides{"upper", "merged", "lower", "merged"}, Sides{"merged", "upper", "merged", "lower"}}) {
    std::string pins = base_.file(std::string(sides.pins_in) + "/pins.json");
    std::string writable = base_.file(sides.written_through), readable = base_.file(sides.read_through);
    expect_refused(run({"--rw", writable, "--pins", pins}, {"write", writable + "/pins.json"}, prefix),
                   "pin file " + pins + " (its directory " + base_.file(sides.pins_in) + ") is inside " + writable +
                       ", which the server may write");
    std::string key = base_.file(std::string(sides.key_in) + "/ck.key");
    expect_refused(run({"--profile", checkpoint_profile(key), "--ro", readable}, {"show", readable + "/ck.key"}, prefix),
                   "audit checkpoint key " + key + " is inside " + readable + ", which the server may read");
  }
}

TEST_P(PolicyStore, AProfileFoundByNameIsOneOnlyRootOrTheUserCouldHaveWritten) {
  // An installed copy: PREFIX/bin/mcpsandbox reads PREFIX/share/mcpsandbox/profiles.
  std::string prefix_dir = base_.file("prefix");
  std::filesystem::create_directories(prefix_dir + "/bin");
  std::filesystem::create_directories(prefix_dir + "/share/mcpsandbox/profiles");
  std::filesystem::copy_file(mcpsandbox_binary(), prefix_dir + "/bin/mcpsandbox");
  std::string planted = prefix_dir + "/share/mcpsandbox/profiles/static.json";
  std::ofstream(planted) << R"({"filesystem": {"rw": ["/tmp"]}})";
  ASSERT_EQ(chown(planted.c_str(), 12345, 12345), 0);  // another user's
  std::vector<std::string> argv = GetParam().prefix;
  argv.insert(argv.end(), {prefix_dir + "/bin/mcpsandbox", "profile", "check", "static"});
  ChildProcess check(argv);
  EXPECT_EQ(check.wait(), 2);
  EXPECT_NE(check.stderr_text().find("profile " + planted + ": " + planted +
                                     " could be changed by another user (owner uid 12345"),
            std::string::npos);
}

TEST_P(PolicyStore, TheSandboxsPidOneShowsNoneOfTheLaunchersArgumentsOrEnvironment) {
  ProbeOutcome cmdline = run({"--rw", proj(), "--audit-log", base_.file("outside/audit.jsonl")},
                             {"show", "/proc/1/cmdline"});
  EXPECT_EQ(cmdline.detail(), "mcpsandbox-init") << describe(cmdline);
  ProbeOutcome environ = run({"--rw", proj()}, {"show", "/proc/1/environ"});
  EXPECT_EQ(environ.error(), "EACCES") << describe(environ);
}

INSTANTIATE_TEST_SUITE_P(AsRootAndAsAnOrdinaryUser, PolicyStore, ::testing::Values(kRoot, kNobody),
                         [](const auto& test) { return std::string(test.param.name); });

}  // namespace
}  // namespace mcpsandbox::testing

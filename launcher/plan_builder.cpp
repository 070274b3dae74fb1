#include "launcher/plan_builder.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "launcher/keys_command.h"
#include "proxy/audit/audit_log.h"
#include "launcher/profile_locator.h"
#include "launcher/store/session_store.h"
#include "launcher/store/trusted_file.h"
#include "launcher/wide_grants.h"
#include "profiles/compiler.h"
#include "profiles/paths.h"
#include "profiles/profile_parser.h"

extern char** environ;

namespace mcpsandbox {
namespace {

// argv[0] as execvp would find it on this host's PATH, with symlinks resolved.
std::string resolve_command(const std::string& name, const std::string& path_env) {
  auto resolved = [](const std::string& candidate) -> std::string {
    char real[PATH_MAX];
    if (::access(candidate.c_str(), X_OK) == 0 && ::realpath(candidate.c_str(), real)) return real;
    return {};
  };
  if (name.find('/') != std::string::npos) return resolved(name);
  std::stringstream dirs(path_env);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    if (auto found = resolved(dir + "/" + name); !found.empty()) return found;
  }
  return {};
}

Invocation describe_invocation(const std::vector<std::string>& argv) {
  Invocation invocation;
  invocation.argv = argv;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string text = *entry;
    auto eq = text.find('=');
    if (eq != std::string::npos) invocation.environment[text.substr(0, eq)] = text.substr(eq + 1);
  }
  char cwd[PATH_MAX];
  invocation.cwd = ::getcwd(cwd, sizeof cwd) ? cwd : "/";
  if (auto home = invocation.environment.find("HOME"); home != invocation.environment.end()) {
    invocation.home = home->second;
  } else if (passwd* user = ::getpwuid(::getuid())) {
    invocation.home = user->pw_dir;
  }
  auto path = invocation.environment.find("PATH");
  if (!argv.empty()) {
    invocation.resolved_command = resolve_command(
        argv[0], path == invocation.environment.end() ? "/usr/bin:/bin" : path->second);
    // bin/ of a Python virtual environment: the environment is the program.
    std::string bin = invocation.resolved_command.substr(0, invocation.resolved_command.rfind('/'));
    std::string environment = bin.substr(0, bin.rfind('/'));
    struct stat info {};
    if (!invocation.resolved_command.empty() && bin.size() > 4 && bin.substr(bin.size() - 4) == "/bin" &&
        ::stat((environment + "/pyvenv.cfg").c_str(), &info) == 0) {
      invocation.command_environment = environment;
    }
  }
  return invocation;
}

}  // namespace

Result<Profile> load_profile(const RunOptions& options) {
  Profile profile;
  if (!options.profile_path.empty()) {
    auto located = locate_profile(options.profile_path);
    if (!located) return located.error();
    auto parsed = parse_profile(located->text, located->source);
    if (!parsed) return parsed.error();
    profile = std::move(*parsed);
    profile.source = located->source;
    profile.source_sha256 = sha256_hex(located->text);
  }
  profile.read_only_paths.insert(profile.read_only_paths.end(), options.read_only.begin(),
                                 options.read_only.end());
  profile.read_write_paths.insert(profile.read_write_paths.end(), options.read_write.begin(),
                                  options.read_write.end());
  for (const std::string& entry : options.env) {
    auto eq = entry.find('=');
    if (eq == 0) return Error{"--env '" + entry + "': expected NAME or NAME=VALUE"};
    if (eq == std::string::npos) profile.env_pass.push_back(entry);
    else profile.env_set[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  if (!options.pins.empty()) profile.policy.pins.file = options.pins;
  if (options.call_scoped) profile.call_scoped_all = true;
  profile.egress_allow.insert(profile.egress_allow.end(), options.allow_net.begin(),
                              options.allow_net.end());
  if (options.network == "host") profile.network = NetworkMode::kHost;
  if (options.network == "none") profile.network = NetworkMode::kNone;
  for (const std::string& name : options.require) profile.required_layers.insert(*parse_layer(name));
  return profile;
}

Result<Plan> build_plan(const RunOptions& options, const Profile& profile,
                        const SessionIdentity& identity, const std::string& private_tmp) {
  Invocation invocation = describe_invocation(options.command);
  invocation.private_tmp = private_tmp;
  invocation.identity = identity;
  invocation.local_script = find_local_script(
      options.command, invocation.cwd, invocation.home,
      [](const std::string& path) {
        struct stat info {};
        return ::lstat(path.c_str(), &info) == 0;
      },
      [](const std::string& path) {
        struct stat info {};
        return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
      });
  auto plan = compile(profile, invocation);
  if (!plan) return plan.error();
  std::vector<std::string> allowed;
  for (const std::string& raw : options.allow_wide_grants) {
    auto path = normalize_path(raw, invocation.home, invocation.cwd);
    if (!path) return Error{"--allow-wide-grant '" + raw + "': " + path.error().message};
    allowed.push_back(*path);
  }
  // One reading of the mount table serves the width of grants and the store's checks.
  auto mounts = MountTable::read();
  if (!mounts) return mounts.error();
  if (auto narrowed = narrow_wide_grants(*plan, allowed, invocation.home, invocation.resolved_command, *mounts);
      !narrowed) {
    return narrowed.error();
  }
  // Policy inputs, keys and secrets the server could change or read would let it loosen its
  // own next run, forge its record or take the keys.
  auto reach = SandboxReach::of(*plan, std::move(*mounts));
  if (!reach) return reach.error();
  if (auto guarded = guard_session_store(options, profile, *reach, *plan); !guarded) {
    return guarded.error();
  }
  for (const auto& [name, path] : plan->secret_files) {
    auto secret = read_trusted_file(path, "secret file for " + name);
    if (!secret) return secret.error();
    std::string value = secret->text;
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    const std::string& key = name;  // (clang 14 cannot capture a structured binding)
    std::erase_if(plan->env, [&](const auto& entry) { return entry.first == key; });
    plan->env.emplace_back(name, std::move(value));
  }
  for (const std::string& name : options.testing_disable) {
    plan->disabled_layers.insert(*parse_layer(name));
  }
  if (options.inspect) {
    // `scan` asks the server what it offers: it must see poisoned tools (to report them, not
    // hide them) and must not pin anything on the user's behalf. The sandbox is unchanged.
    plan->proxy.detectors.poisoning = DetectorAction::kWarn;
    plan->proxy.pins = PinPlan{};
  }
  return plan;
}

}  // namespace mcpsandbox

#include "launcher/plan_builder.h"

#include <pwd.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "profiles/compiler.h"
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
  }
  return invocation;
}

}  // namespace

Result<Profile> load_profile(const RunOptions& options) {
  Profile profile;
  if (!options.profile_path.empty()) {
    std::ifstream file(options.profile_path);
    if (!file) return Error{"cannot read profile '" + options.profile_path + "'"};
    std::stringstream text;
    text << file.rdbuf();
    auto parsed = parse_profile(text.str(), options.profile_path);
    if (!parsed) return parsed.error();
    profile = std::move(*parsed);
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
  profile.egress_allow.insert(profile.egress_allow.end(), options.allow_net.begin(),
                              options.allow_net.end());
  if (options.network == "host") profile.network = NetworkMode::kHost;
  if (options.network == "none") profile.network = NetworkMode::kNone;
  for (const std::string& name : options.require) profile.required_layers.insert(*parse_layer(name));
  return profile;
}

Result<Plan> build_plan(const RunOptions& options, const std::string& private_tmp) {
  auto profile = load_profile(options);
  if (!profile) return profile.error();
  Invocation invocation = describe_invocation(options.command);
  invocation.private_tmp = private_tmp;
  auto plan = compile(*profile, invocation);
  if (!plan) return plan.error();
  for (const std::string& name : options.testing_disable) {
    plan->disabled_layers.insert(*parse_layer(name));
  }
  return plan;
}

}  // namespace mcpsandbox

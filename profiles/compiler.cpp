#include "profiles/compiler.h"

#include <algorithm>

#include "profiles/paths.h"
#include "profiles/policy/proxy_compiler.h"
#include "profiles/syscall_policy.h"

namespace mcpsandbox {
namespace {

bool has_connect_grants(const ProxyPolicy& policy) {
  auto in_scope = [](const PolicyScope& scope) {
    for (const ToolRule& rule : scope.tool_rules) {
      for (const CallGrantRule& grant : rule.grants) {
        if (grant.kind == GrantKind::kConnect) return true;
      }
    }
    return false;
  };
  if (in_scope(policy.base)) return true;
  for (const auto& [name, scope] : policy.projects) {
    if (in_scope(scope)) return true;
  }
  for (const auto& [name, scope] : policy.users) {
    if (in_scope(scope)) return true;
  }
  return false;
}

// Directories every dynamically linked program needs, read-only. Merged-/usr systems have
// /bin, /lib... as symlinks into /usr; those are recreated as symlinks.
constexpr const char* kSystemDirs[] = {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
                                       "/libx32"};

// The part of /etc that programs read to start (loader cache, users, name service, TLS roots,
// time zone), never the rest (shadow, ssh keys, sudoers, credentials).
constexpr const char* kEtcFiles[] = {
    "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/passwd", "/etc/group",
    "/etc/nsswitch.conf", "/etc/hosts", "/etc/host.conf", "/etc/gai.conf", "/etc/localtime",
    "/etc/timezone", "/etc/ssl", "/etc/ca-certificates", "/etc/alternatives", "/etc/mime.types",
    "/etc/os-release", "/etc/debian_version"};

// The environment a server keeps from its invoker unless told otherwise: what the MCP SDK's
// own stdio transport passes, plus locale and time zone.
constexpr const char* kDefaultEnv[] = {"PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM",
                                       "LANG", "LC_ALL", "LC_CTYPE", "TZ"};

// Paths the sandbox must never expose, whatever a profile says: they would hand the server the
// launcher's own state or the host's secrets wholesale.
Result<void> refuse_dangerous(const std::string& path, bool writable) {
  for (const char* forbidden : {"/proc", "/sys", "/dev", "/run", "/boot"}) {
    if (path_is_under(path, forbidden)) {
      return Error{"'" + path + "' cannot be granted (" + forbidden +
                   " is provided by the sandbox itself or not at all)"};
    }
  }
  if (path == "/") return Error{"granting '/' would undo the sandbox"};
  if (writable && (path_is_under(path, "/usr") || path_is_under(path, "/etc") || path_is_under(path, "/bin") ||
                   path_is_under(path, "/lib"))) {
    return Error{"'" + path + "' cannot be granted read-write (system directory)"};
  }
  return {};
}

void add_runtime_preset(Runtime runtime, const Invocation& invocation, bool network,
                        std::vector<PathGrant>& paths,
                        std::vector<std::pair<std::string, std::string>>& env) {
  const std::string& home = invocation.home;
  switch (runtime) {
    case Runtime::kNode:
      // npx installs packages from the npm cache. The cache is shown as an overlay: the server
      // reads it and may write, but its writes vanish with the sandbox, so it cannot plant code
      // that the user's next npx would run outside.
      if (!home.empty()) {
        paths.push_back({home + "/.npm", PathGrant::Kind::kOverlay, true, "node preset: npm cache"});
      }
      // Without network npm would retry the registry for minutes (RUNTIMES.md).
      if (!network) env.emplace_back("npm_config_offline", "true");
      env.emplace_back("npm_config_update_notifier", "false");
      env.emplace_back("npm_config_fund", "false");
      env.emplace_back("npm_config_audit", "false");
      break;
    case Runtime::kPython:
      if (!home.empty()) {
        paths.push_back({home + "/.cache/uv", PathGrant::Kind::kOverlay, true,
                         "python preset: uv cache"});
      }
      env.emplace_back("PYTHONDONTWRITEBYTECODE", "1");
      if (!network) env.emplace_back("UV_OFFLINE", "1");
      break;
    case Runtime::kStatic:
    case Runtime::kAuto:
      break;
  }
}

// filesystem.call_scoped: each path must lie in one of the user's ro/rw paths (a call can only
// be granted what the sandbox's view holds; outside it, nothing is reachable at all).
Result<std::vector<std::string>> call_scoped(const Profile& profile, const Invocation& invocation,
                                             const std::vector<PathGrant>& paths) {
  std::vector<std::string> scoped;
  if (profile.call_scoped_all) {
    // The data the server works on; its own code often comes in read-only paths and must load.
    for (const PathGrant& grant : paths) {
      if (is_user_path(grant) && grant.kind == PathGrant::Kind::kReadWrite) scoped.push_back(grant.path);
    }
    // Scoping nothing would look like protection and be none.
    if (scoped.empty()) {
      return Error{"filesystem.call_scoped (or --call-scoped) is true, but there is no rw path to scope "
                   "(grant the server's data with --rw PATH)"};
    }
  }
  for (const std::string& entry : profile.call_scoped_paths) {
    auto path = normalize_path(entry, invocation.home, invocation.cwd);
    if (!path) return Error{"filesystem.call_scoped '" + entry + "': " + path.error().message};
    bool in_view = std::any_of(paths.begin(), paths.end(), [&](const PathGrant& grant) {
      return is_user_path(grant) &&
             path_is_under(*path, grant.path);
    });
    if (!in_view) {
      return Error{"filesystem.call_scoped '" + entry +
                   "' is not inside a ro or rw path (calls can only be granted what the view holds)"};
    }
    scoped.push_back(*path);
  }
  return scoped;
}

// filesystem.exec: absolute programs (or directories of them), plus the server's own command.
Result<std::vector<std::string>> programs_of(const std::vector<std::string>& listed,
                                             const Invocation& invocation, const std::string& command) {
  std::vector<std::string> programs;
  for (const std::string& entry : listed) {
    auto path = normalize_path(entry, invocation.home, invocation.cwd);
    if (!path) return Error{"filesystem.exec '" + entry + "': " + path.error().message};
    programs.push_back(*path);
  }
  if (!invocation.resolved_command.empty()) programs.push_back(invocation.resolved_command);
  else if (command.starts_with('/')) programs.push_back(command);
  return programs;
}

}  // namespace

Runtime detect_runtime(const Invocation& invocation) {
  if (invocation.argv.empty()) return Runtime::kStatic;
  std::string name = base_name(invocation.argv[0]);
  std::string resolved = base_name(invocation.resolved_command);
  for (const std::string& n : {name, resolved}) {
    if (n == "node" || n == "nodejs" || n == "npx" || n == "npm" || n == "npx-cli.js" ||
        n == "bun" || n == "deno") {
      return Runtime::kNode;
    }
    if (n.rfind("python", 0) == 0 || n == "uv" || n == "uvx" || n == "pipx") {
      return Runtime::kPython;
    }
  }
  return Runtime::kStatic;
}

Result<Plan> compile(const Profile& profile, const Invocation& invocation) {
  if (invocation.argv.empty()) return Error{"no server command given"};
  Plan plan;
  plan.argv = invocation.argv;
  // The server starts in the sandbox's cwd, where a relative command path means nothing.
  if (plan.argv[0].find('/') != std::string::npos && plan.argv[0][0] != '/') {
    auto absolute = normalize_path(plan.argv[0], invocation.home, invocation.cwd);
    if (!absolute) return Error{"command: " + absolute.error().message};
    plan.argv[0] = *absolute;
  }
  bool network = profile.network == NetworkMode::kHost;
  plan.isolate_network = !network;
  // A local script: shown read-only with its project, named by its absolute path (the server
  // may start elsewhere than the shell it was typed in).
  if (invocation.local_script) {
    const LocalScript& script = *invocation.local_script;
    if (script.rewrite_argument) plan.argv[script.argument] = script.script;
  }

  for (const char* dir : kSystemDirs) {
    plan.paths.push_back({dir, PathGrant::Kind::kSystem, true, "system directory"});
  }
  for (const char* file : kEtcFiles) {
    // kSystem: /etc/localtime and friends are often symlinks into /usr; keep them as such.
    plan.paths.push_back({file, PathGrant::Kind::kSystem, true, "minimal /etc"});
  }
  if (network) {
    plan.paths.push_back({"/etc/resolv.conf", PathGrant::Kind::kReadOnly, true, "network: DNS", true});
  }
  // The command's own install directory, when it lives outside the system directories.
  if (!invocation.resolved_command.empty()) {
    std::string dir = parent_directory(invocation.resolved_command);
    bool covered = false;
    for (const char* system : kSystemDirs) covered |= path_is_under(dir, system);
    if (!covered && !invocation.command_environment.empty()) {
      plan.paths.push_back({invocation.command_environment, PathGrant::Kind::kReadOnly, false,
                            kCommandEnvironmentGrant});
    } else if (!covered && dir != "/") {
      plan.paths.push_back({dir, PathGrant::Kind::kReadOnly, false, "the server command's directory"});
    }
    // A tool's launcher on the host's PATH is often a symlink into its environment
    // (~/.local/bin/tool): named by where it really is, which the view holds.
    if (!covered && !invocation.command_environment.empty() && plan.argv[0].find('/') == std::string::npos) {
      plan.argv[0] = invocation.resolved_command;
    }
  }

  auto grant = [&](const std::vector<std::string>& raw, PathGrant::Kind kind,
                   const char* what) -> Result<void> {
    for (const std::string& entry : raw) {
      auto path = normalize_path(entry, invocation.home, invocation.cwd);
      if (!path) return Error{std::string(what) + " '" + entry + "': " + path.error().message};
      if (auto ok = refuse_dangerous(*path, kind == PathGrant::Kind::kReadWrite); !ok) {
        return Error{std::string(what) + ": " + ok.error().message};
      }
      plan.paths.push_back({*path, kind, false, what});
    }
    return {};
  };
  if (auto r = grant(profile.read_only_paths, PathGrant::Kind::kReadOnly, "read-only path"); !r) {
    return r.error();
  }
  if (auto r = grant(profile.read_write_paths, PathGrant::Kind::kReadWrite, "read-write path");
      !r) {
    return r.error();
  }

  if (auto scoped = call_scoped(profile, invocation, plan.paths); scoped) {
    plan.call_scoped_paths = std::move(*scoped);
  } else {
    return scoped.error();
  }
  for (const std::string& entry : profile.unix_sockets) {
    auto path = normalize_path(entry, invocation.home, invocation.cwd);
    if (!path) return Error{"filesystem.unix_sockets '" + entry + "': " + path.error().message};
    plan.unix_sockets.push_back(*path);
  }
  if (profile.programs) {
    auto programs = programs_of(*profile.programs, invocation, plan.argv[0]);
    if (!programs) return programs.error();
    plan.programs = std::move(*programs);
  }

  if (!invocation.private_tmp.empty()) {
    plan.paths.push_back({invocation.private_tmp, PathGrant::Kind::kReadWrite, false,
                          "private temporary directory"});
  }

  // Environment: the default allowlist, the profile's pass list, then fixed values.
  for (const std::string& name : profile.env_pass) {
    if (name == "MCPSANDBOX_KEY") {
      return Error{"env.pass: MCPSANDBOX_KEY is the session's gateway key and never reaches the server"};
    }
  }
  if (profile.env_set.count("MCPSANDBOX_KEY")) {
    return Error{"env.set: MCPSANDBOX_KEY is the session's gateway key and never reaches the server"};
  }
  std::vector<std::string> pass(std::begin(kDefaultEnv), std::end(kDefaultEnv));
  pass.insert(pass.end(), profile.env_pass.begin(), profile.env_pass.end());
  for (const std::string& name : pass) {
    auto it = invocation.environment.find(name);
    if (it == invocation.environment.end()) continue;
    if (std::none_of(plan.env.begin(), plan.env.end(),
                     [&](const auto& entry) { return entry.first == name; })) {
      plan.env.emplace_back(name, it->second);
    }
  }
  Runtime runtime =
      profile.runtime == Runtime::kAuto ? detect_runtime(invocation) : profile.runtime;
  add_runtime_preset(runtime, invocation, network, plan.paths, plan.env);
  if (!invocation.private_tmp.empty()) plan.env.emplace_back("TMPDIR", invocation.private_tmp);
  for (const auto& [name, value] : profile.env_set) {
    const std::string& key = name;  // (clang 14 cannot capture a structured binding)
    std::erase_if(plan.env, [&](const auto& entry) { return entry.first == key; });
    plan.env.emplace_back(name, value);
  }

  // The script's project, unless a grant of the user's already shows it (read-write, say).
  if (invocation.local_script) {
    const std::string& root = invocation.local_script->root;
    bool shown = std::any_of(plan.paths.begin(), plan.paths.end(), [&](const PathGrant& user_grant) {
      return is_user_path(user_grant) && path_is_under(root, user_grant.path);
    });
    if (!shown) plan.paths.push_back({root, PathGrant::Kind::kReadOnly, false, kLocalScriptGrant});
  }

  // The server starts where it was invoked if that is inside its view (a CI checkout), else in
  // its script's project, else at /.
  plan.cwd.assign(1, '/');  // (not = "/": GCC 12 reports a false -Wrestrict here)
  if (invocation.local_script && invocation.local_script->root != invocation.local_script->script) {
    plan.cwd = invocation.local_script->root;
  }
  for (const PathGrant& path : plan.paths) {
    if (path.kind != PathGrant::Kind::kSystem && path_is_under(invocation.cwd, path.path)) {
      plan.cwd = invocation.cwd;
    }
  }

  ProxyCompileInput proxy_input{invocation.identity, invocation.home, invocation.cwd, plan.cwd,
                                {}, invocation.environment};
  for (const PathGrant& path : plan.paths) {
    if (path.kind == PathGrant::Kind::kReadOnly || path.kind == PathGrant::Kind::kReadWrite) {
      if (is_user_path(path)) {
        proxy_input.filesystem_roots.push_back(path.path);
      }
    }
  }
  auto proxy = compile_proxy_plan(profile.policy, proxy_input);
  if (!proxy) {
    return profile.source.empty() ? proxy.error() : with_context(profile.source, proxy.error());
  }
  plan.proxy = std::move(proxy->plan);
  for (auto& [name, value] : proxy->secret_env) {
    const std::string& key = name;
    std::erase_if(plan.env, [&](const auto& entry) { return entry.first == key; });
    plan.env.emplace_back(name, value);
  }
  plan.secret_files = std::move(proxy->secret_files);

  plan.deny_write_execute = profile.deny_write_execute;
  plan.deny_out_of_band = profile.deny_out_of_band;
  plan.internal_grants = profile.internal_grants;
  plan.limits = {profile.memory_bytes, profile.max_processes, profile.max_open_files,
                 profile.cpu_seconds, profile.max_file_bytes, profile.cpu_millis,
                 profile.tmp_bytes.value_or(kDefaultTmpBytes), profile.shm_bytes.value_or(kDefaultShmBytes),
                 profile.request_bytes.value_or(kDefaultRequestBytes),
                 profile.result_bytes.value_or(kDefaultResultBytes)};

  plan.landlock.min_abi = profile.landlock_min_abi;
  plan.landlock.tcp_connect_ports = profile.tcp_connect_ports;
  if (network) {
    for (const std::string& text : profile.egress_allow) {
      auto rule = parse_egress_rule(text);
      if (!rule) return Error{"network.allow: " + rule.error().message};
      plan.egress.push_back(*rule);
      // The same destinations pass Landlock's port check; a rule for any port needs connect
      // left to cgroup-bpf alone.
      if (rule->port == 0) plan.landlock.restrict_tcp_connect = false;
      else plan.landlock.tcp_connect_ports.push_back(rule->port);
    }
    plan.required_layers.insert(Layer::kCgroupBpf);
    // Call-scoped connect grants name their ports only when the call comes, and Landlock's
    // rules are fixed at start: cgroup-bpf alone decides connect() by address and port.
    if (has_connect_grants(profile.policy)) plan.landlock.restrict_tcp_connect = false;
  }
  plan.landlock.tcp_bind_ports = profile.tcp_bind_ports;

  const auto& killed = always_killed_syscalls();
  for (const std::string& name : profile.extra_syscalls) {
    if (std::find(killed.begin(), killed.end(), name) != killed.end()) {
      return Error{"seccomp.allow: '" + name + "' is in the always-denied set and cannot be allowed"};
    }
  }
  plan.seccomp.allow = baseline_syscalls();
  plan.seccomp.allow.insert(plan.seccomp.allow.end(), profile.extra_syscalls.begin(),
                            profile.extra_syscalls.end());
  std::erase_if(plan.seccomp.allow, [&](const std::string& name) {
    return std::find(profile.denied_syscalls.begin(), profile.denied_syscalls.end(), name) !=
           profile.denied_syscalls.end();
  });
  plan.seccomp.kill = killed;

  plan.required_layers.insert(profile.required_layers.begin(), profile.required_layers.end());
  plan.required_layers.insert(Layer::kHygiene);
  plan.required_layers.insert(Layer::kSeccomp);
  if (profile.landlock_min_abi > 0) plan.required_layers.insert(Layer::kLandlock);
  return plan;
}

std::string layer_name(Layer layer) {
  switch (layer) {
    case Layer::kHygiene: return "hygiene";
    case Layer::kNamespaces: return "namespaces";
    case Layer::kLandlock: return "landlock";
    case Layer::kSeccomp: return "seccomp";
    case Layer::kCgroups: return "cgroups";
    case Layer::kCgroupBpf: return "cgroup-bpf";
    case Layer::kBpfLsm: return "bpf-lsm";
  }
  return "?";
}

std::optional<Layer> parse_layer(std::string_view name) {
  for (Layer layer : {Layer::kHygiene, Layer::kNamespaces, Layer::kLandlock, Layer::kSeccomp,
                      Layer::kCgroups, Layer::kCgroupBpf, Layer::kBpfLsm}) {
    if (layer_name(layer) == name) return layer;
  }
  return std::nullopt;
}

}  // namespace mcpsandbox

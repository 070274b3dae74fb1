#include "profiles/clients/wrap_rules.h"

#include <algorithm>

#include "profiles/loader_variables.h"
#include "profiles/paths.h"

namespace mcpsandbox {
namespace {

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// The npm package or PyPI project a launcher command runs: `npx -y @scope/pkg@1.2 ARGS` ->
// `@scope/pkg` and the index of its first argument; `uvx mcp-server-git`, `python -m
// mcp_server_git` likewise. Empty for anything else.
struct Package {
  std::string name;
  size_t first_arg = 0;
};

std::string without_version(const std::string& spec) {
  size_t at = spec.find('@', spec.front() == '@' ? 1 : 0);
  return at == std::string::npos ? spec : spec.substr(0, at);
}

Package package_of(const ServerEntry& entry) {
  std::string program = base_name(entry.command);
  const auto& args = entry.args;
  bool launcher = program == "npx" || program == "bunx" || program == "uvx" || program == "pipx";
  bool python = starts_with(program, "python");
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (launcher && (arg == "run" && program == "pipx")) continue;
    if (python && arg == "-m" && i + 1 < args.size()) return {args[i + 1], i + 2};
    if (starts_with(arg, "-")) {
      // uvx --from PKG NAME: the option takes a value.
      if ((arg == "--from" || arg == "--with" || arg == "--python" || arg == "-p" || arg == "--package") &&
          i + 1 < args.size()) {
        ++i;
      }
      continue;
    }
    if (launcher) return {without_version(arg), i + 1};
    if (program == "node" || program == "bun") {
      // node .../node_modules/@scope/pkg/dist/index.js
      size_t at = arg.rfind("node_modules/");
      if (at == std::string::npos) return {};
      std::string rest = arg.substr(at + 13);
      if (rest.empty()) return {};
      size_t cut = rest.find('/', rest.front() == '@' ? rest.find('/') + 1 : 0);
      return {rest.substr(0, cut), i + 1};
    }
    return {};
  }
  return {};
}

// The value of `--name VALUE` or `--name=VALUE` among args.
std::string option_value(const std::vector<std::string>& args, size_t from, const std::string& name) {
  for (size_t i = from; i < args.size(); ++i) {
    if (args[i] == name && i + 1 < args.size()) return args[i + 1];
    if (starts_with(args[i], name + "=")) return args[i].substr(name.size() + 1);
  }
  return "";
}

std::string parent_of(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string runtime_preset(const std::string& command) {
  std::string program = base_name(command);
  if (program == "node" || program == "npx" || program == "npm" || program == "bun" || program == "bunx" ||
      program == "deno") {
    return "node";
  }
  if (starts_with(program, "python") || program == "uv" || program == "uvx" || program == "pipx") return "python";
  return "static";
}

// Adds `flag path` unless the grant would be too wide; then says why in the reason instead.
void grant_narrowly(WrapDecision& decision, const WrapContext& context, const std::string& flag,
                    const std::string& raw, const std::string& what) {
  std::string path = lexical_normal(expand_home(raw, context.home.empty() ? "/" : context.home));
  if (path.empty() || path.front() != '/') {
    decision.run_options.insert(decision.run_options.end(), {flag, raw});
    return;
  }
  if (auto why = why_grant_is_too_wide(path, context.home, context.exists)) {
    decision.reason += "; " + what + " " + path + " not granted (" + *why + ")";
    return;
  }
  decision.run_options.insert(decision.run_options.end(), {flag, path});
}

// A database in a directory of its own gets that directory (SQLite writes its journal beside
// the file); one in a home-like directory gets the file alone, and the reason says what to do.
void grant_database(WrapDecision& decision, const WrapContext& context, const std::string& raw) {
  std::string database = lexical_normal(expand_home(raw, context.home.empty() ? "/" : context.home));
  std::string directory = parent_of(database);
  if (database.empty() || database.front() != '/') {
    decision.run_options.insert(decision.run_options.end(), {"--rw", parent_of(raw)});
    decision.reason += ": its database's directory is granted";
    return;
  }
  auto why = why_grant_is_too_wide(directory, context.home, context.exists);
  if (!why) {
    decision.run_options.insert(decision.run_options.end(), {"--rw", directory});
    decision.reason += ": its database's directory is granted";
    return;
  }
  decision.run_options.insert(decision.run_options.end(), {"--rw", database});
  for (const char* sibling : {"-journal", "-wal", "-shm"}) {
    if (context.exists(database + sibling)) decision.run_options.insert(decision.run_options.end(), {"--rw", database + sibling});
  }
  decision.reason += ": only its database file is granted, as " + directory + " is not (" + *why +
                     "); SQLite cannot create its journal there, so move the database into a directory of its "
                     "own and wrap again";
}

// server-memory keeps its graph at MEMORY_FILE_PATH, by default beside its own package: in
// npx's cache, which the sandbox shows as an overlay whose writes vanish with the session. The
// graph gets a directory of its own, granted read-write, so it outlives the session.
void keep_memory_graph(WrapDecision& decision, const WrapContext& context, const ServerEntry& entry) {
  auto named = entry.data_env.find("MEMORY_FILE_PATH");
  if (named != entry.data_env.end()) {
    std::string file = lexical_normal(expand_home(named->second, context.home.empty() ? "/" : context.home));
    if (file.empty() || file.front() != '/') {
      decision.reason += "; its MEMORY_FILE_PATH is relative: grant its directory (--rw) by hand";
      return;
    }
    size_t before = decision.run_options.size();
    grant_narrowly(decision, context, "--rw", parent_of(file), "MEMORY_FILE_PATH's directory");
    if (decision.run_options.size() > before) decision.reason += "; its graph's directory is granted read-write";
    return;
  }
  if (context.home.empty()) return;
  std::string directory = lexical_normal(context.home) + "/mcp-data/memory";
  decision.run_options.insert(decision.run_options.end(),
                              {"--rw", directory, "--env", "MEMORY_FILE_PATH=" + directory + "/memory.jsonl"});
  decision.make_directories.push_back(directory);
  decision.reason += "; its graph is kept in " + directory +
                     " (by default it would live in npx's cache, whose writes the sandbox discards)";
}

}  // namespace

WrapDecision decide_wrap(const ServerEntry& entry, const WrapContext& context) {
  WrapDecision decision;
  if (entry.transport != "stdio") {
    decision.reason = entry.transport + " server: not a local process, nothing to sandbox";
    return decision;
  }
  if (entry.command.empty()) {
    decision.reason = "no command";
    return decision;
  }
  if (is_wrapped(entry)) {
    decision.reason = "already runs through mcpsandbox";
    return decision;
  }
  decision.wrap = true;
  Package package = package_of(entry);
  const std::string& name = package.name;
  std::vector<std::string>& options = decision.run_options;
  if (name == "@modelcontextprotocol/server-filesystem") {
    decision.profile = "filesystem";
    decision.reason = "server-filesystem: its directory arguments are granted read-write";
    for (size_t i = package.first_arg; i < entry.args.size(); ++i) {
      if (!starts_with(entry.args[i], "-")) grant_narrowly(decision, context, "--rw", entry.args[i], "directory");
    }
  } else if (name == "@modelcontextprotocol/server-memory") {
    decision.profile = "memory";
    decision.reason = "server-memory";
    keep_memory_graph(decision, context, entry);
  } else if (name == "@modelcontextprotocol/server-everything") {
    decision.profile = "everything";
    decision.reason = "server-everything";
  } else if (name == "@modelcontextprotocol/server-sequential-thinking") {
    decision.profile = "sequential-thinking";
    decision.reason = "server-sequential-thinking";
  } else if (name == "mcp-server-git" || name == "mcp_server_git") {
    decision.profile = "git";
    std::string repository = option_value(entry.args, package.first_arg, "--repository");
    decision.reason = "mcp-server-git" + std::string(repository.empty() ? "" : ": its --repository is granted");
    if (!repository.empty()) grant_narrowly(decision, context, "--rw", repository, "--repository");
  } else if (name == "mcp-server-fetch" || name == "mcp_server_fetch") {
    decision.profile = "fetch";
    decision.reason = "mcp-server-fetch: web ports only";
  } else if (name == "mcp-server-sqlite" || name == "mcp_server_sqlite") {
    decision.profile = "sqlite";
    std::string database = option_value(entry.args, package.first_arg, "--db-path");
    decision.reason = "mcp-server-sqlite";
    if (!database.empty()) grant_database(decision, context, database);
  } else {
    decision.profile = runtime_preset(entry.command);
    decision.reason = "no built-in profile for this server: the " + decision.profile +
                      " runtime preset (no network, no files); generate one with `mcpsandbox profile generate`";
  }
  if (!entry.script_root.empty()) {
    size_t before = options.size();
    grant_narrowly(decision, context, "--ro", entry.script_root, "its code's directory");
    if (options.size() > before) decision.reason += "; its code (" + entry.script_root + ") is granted read-only";
  }
  for (const auto& [variable, value] : entry.loader_env) {
    options.insert(options.end(), {"--env", variable + "=" + value});
    decision.moved_env.push_back(variable);
    decision.reason += "; " + variable + " moved inside the sandbox (on mcpsandbox it would load code into the launcher)";
  }
  // The client sets these for the server; the sandbox passes only what it is told to.
  for (const auto& env : entry.env_names) {
    options.insert(options.end(), {"--env", env});
  }
  return decision;
}

std::vector<std::string> wrapped_args(const WrapDecision& decision, const ServerEntry& entry) {
  std::vector<std::string> args = {"run", "--profile", decision.profile};
  args.insert(args.end(), decision.run_options.begin(), decision.run_options.end());
  args.push_back("--");
  args.push_back(entry.command);
  args.insert(args.end(), entry.args.begin(), entry.args.end());
  return args;
}

bool is_wrapped(const ServerEntry& entry, std::string* profile) {
  if (base_name(entry.command) != "mcpsandbox" || entry.args.empty() || entry.args[0] != "run") return false;
  auto separator = std::find(entry.args.begin(), entry.args.end(), "--");
  if (separator == entry.args.end() || separator + 1 == entry.args.end()) return false;
  if (profile) {
    *profile = "default";
    for (auto it = entry.args.begin(); it != separator; ++it) {
      if (*it == "--profile" && it + 1 != separator) *profile = *(it + 1);
    }
  }
  return true;
}

ServerEntry unwrapped(const ServerEntry& entry) {
  if (!is_wrapped(entry)) return entry;
  ServerEntry original = entry;
  auto separator = std::find(entry.args.begin(), entry.args.end(), "--");
  original.command = *(separator + 1);
  original.args.assign(separator + 2, entry.args.end());
  for (auto it = entry.args.begin(); it != separator; ++it) {
    if (*it != "--env" || it + 1 == separator) continue;
    const std::string& setting = *(it + 1);
    size_t eq = setting.find('=');
    if (eq != std::string::npos && is_loader_variable(setting.substr(0, eq))) {
      original.loader_env.emplace_back(setting.substr(0, eq), setting.substr(eq + 1));
    }
  }
  return original;
}

}  // namespace mcpsandbox

#include "profiles/local_script.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "profiles/paths.h"

namespace mcpsandbox {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// Options of each interpreter that take the next argument as their value, and those after
// which there is no script (code or a module instead).
struct Interpreter {
  std::vector<std::string_view> with_value, no_script;
  std::string_view subcommand;  // "run" for deno and uv: the script comes after it
};

std::optional<Interpreter> interpreter_of(const std::string& program) {
  if (program == "node" || program == "nodejs" || program == "bun") {
    return Interpreter{{"-r", "--require", "--import", "--loader", "--experimental-loader", "-C", "--conditions",
                        "--env-file", "--title"},
                       {"-e", "--eval", "-p", "--print", "-i", "--interactive", "-c", "--check"},
                       ""};
  }
  if (starts_with(program, "python")) return Interpreter{{"-W", "-X", "-Q"}, {"-c", "-m"}, ""};
  if (program == "deno") {
    return Interpreter{{"--config", "-c", "--import-map", "--lock", "--cert", "--location", "--seed",
                        "--v8-flags", "--env-file"},
                       {"eval"},
                       "run"};
  }
  if (program == "npm" || program == "pnpm" || program == "yarn") {
    // `npm start`, `npm run dev`: the project is the working directory's (see below).
    return Interpreter{{"--prefix", "-C", "--workspace", "-w"}, {"exec", "x", "dlx"}, ""};
  }
  if (program == "uv") {
    return Interpreter{{"--with", "--python", "-p", "--project", "--directory", "--env-file", "--extra",
                        "--group", "--index", "--index-url"},
                       {"-m", "--module"},
                       "run"};
  }
  return std::nullopt;
}

// The index of the script argument in argv, if there is one.
std::optional<size_t> script_argument(const std::vector<std::string>& argv, const Interpreter& interpreter) {
  size_t i = 1;
  if (!interpreter.subcommand.empty()) {
    while (i < argv.size() && argv[i] != interpreter.subcommand) {
      if (std::find(interpreter.no_script.begin(), interpreter.no_script.end(), argv[i]) != interpreter.no_script.end()) {
        return std::nullopt;
      }
      ++i;
    }
    if (i == argv.size()) return std::nullopt;
    ++i;
  }
  for (; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (std::find(interpreter.no_script.begin(), interpreter.no_script.end(), arg) != interpreter.no_script.end()) {
      return std::nullopt;
    }
    if (arg == "--") continue;
    if (!arg.empty() && arg[0] == '-') {
      if (std::find(interpreter.with_value.begin(), interpreter.with_value.end(), arg) != interpreter.with_value.end()) ++i;
      continue;
    }
    return i;
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 3> kProjectMarkers = {"package.json", "pyproject.toml", "deno.json"};

}  // namespace

std::optional<LocalScript> find_local_script(const std::vector<std::string>& argv, const std::string& cwd,
                                             const std::string& home, const PathExists& exists,
                                             const PathExists& is_file) {
  if (argv.empty()) return std::nullopt;
  auto interpreter = interpreter_of(base_name(argv[0]));
  if (!interpreter) return std::nullopt;
  auto index = script_argument(argv, *interpreter);
  if (!index) return std::nullopt;
  std::string program = base_name(argv[0]);
  bool package_runner = program == "npm" || program == "pnpm" || program == "yarn";
  // `npm start` names no script: the project it runs is the working directory's.
  auto absolute = normalize_path(package_runner ? "." : argv[*index], home, cwd);
  if (!absolute) return std::nullopt;
  // `node .`, `node path/to/project`, `npm start`: the directory's package.json names the script.
  bool directory_argument = !is_file(*absolute) && exists(*absolute + "/package.json");
  if (!is_file(*absolute) && !directory_argument) return std::nullopt;
  std::string anchor = directory_argument ? *absolute + "/package.json" : *absolute;  // a file to start from
  LocalScript found{*absolute, *index, "", "", !package_runner};
  // npx's cache is the runtime's own, reached through the node preset's ~/.npm overlay; a
  // project's own node_modules is part of that project (dependencies are found through it).
  if (!home.empty() && path_is_under(anchor, home + "/.npm")) return std::nullopt;
  if (size_t modules = anchor.find("/node_modules/"); modules != std::string::npos) {
    std::string project = anchor.substr(0, modules);
    if (project.empty() || why_grant_is_too_wide(project, home, exists)) project = anchor.substr(0, modules + 13);
    if (why_grant_is_too_wide(project, home, exists)) return std::nullopt;
    found.root = project;
    found.why_root = "the project whose node_modules holds it";
    return found;
  }
  std::string directory = parent_directory(anchor);
  // At most three levels up (dist/, src/...), never a home nor anything like one.
  std::string dir = directory;
  for (int level = 0; level <= 3 && dir != "/"; ++level, dir = parent_directory(dir)) {
    if (why_grant_is_too_wide(dir, home, exists)) break;
    bool marked = std::any_of(kProjectMarkers.begin(), kProjectMarkers.end(),
                              [&](std::string_view marker) { return exists(dir + "/" + std::string(marker)); });
    if (marked) {
      found.root = dir;
      found.why_root = "its project";
      return found;
    }
  }
  if (!why_grant_is_too_wide(directory, home, exists)) {
    found.root = directory;
    found.why_root = "its directory";
  } else {
    found.root = anchor;
    found.why_root = "the script alone (its directory is too wide to grant)";
  }
  return found;
}

}  // namespace mcpsandbox

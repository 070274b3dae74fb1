#include "profiles/grant_width.h"

#include <array>
#include <string_view>

#include "profiles/paths.h"

namespace mcpsandbox {
namespace {

struct Sensitive {
  std::string_view name;
  std::string_view what;
  // Found in a directory, it marks a home directory. Not so for names projects use as well
  // (.npmrc, .config, .docker...): those count only as the home directory's own.
  bool marks_home;
};

// What a home directory holds that a server must neither change nor read.
constexpr std::array<Sensitive, 29> kSensitive = {{
    {".bashrc", "shell start-up files", true},       {".bash_profile", "shell start-up files", true},
    {".bash_login", "shell start-up files", true},   {".profile", "shell start-up files", true},
    {".zshrc", "shell start-up files", true},        {".zshenv", "shell start-up files", true},
    {".zprofile", "shell start-up files", true},     {".zlogin", "shell start-up files", true},
    {".cshrc", "shell start-up files", true},        {".tcshrc", "shell start-up files", true},
    {".kshrc", "shell start-up files", true},        {".ssh", "ssh keys", true},
    {".gnupg", "gpg keys", true},                    {".gitconfig", "git configuration", true},
    {".git-credentials", "git credentials", true},   {".netrc", "credentials", true},
    {".aws", "cloud credentials", true},             {".azure", "cloud credentials", true},
    {".kube", "cluster credentials", true},          {".vimrc", "editor configuration", true},
    {".emacs", "editor configuration", true},        {".emacs.d", "editor configuration", true},
    {".npmrc", "package-manager credentials", false}, {".pypirc", "package-manager credentials", false},
    {".docker", "registry credentials", false},      {".config", "application configuration and tokens", false},
    {".local", "programs on your PATH (~/.local/bin)", false},
    {".vim", "editor configuration", false},         {".nanorc", "editor configuration", false},
}};

std::string_view what_is_kept_in(std::string_view name) {
  for (const Sensitive& sensitive : kSensitive) {
    if (sensitive.name == name) return sensitive.what;
  }
  return "what runs as you or your credentials (shells, editors, tools and clients keep them in hidden "
         "files and directories)";
}

// Inside the home: its hidden files and directories (every tool's configuration, start-up
// files, keys, credentials; ~/.config/mcpsandbox's profiles), and the program directories on
// its PATH.
std::optional<std::string> why_home_part_is_too_wide(const std::string& path, const std::string& home) {
  if (home.empty() || home == "/" || !path_is_under(path, home) || path == home) return std::nullopt;
  std::string rest = path.substr(home.size() + 1);
  std::string first = rest.substr(0, rest.find('/'));
  std::string root = home + "/" + first;
  if (first.front() == '.') {
    if (path == root) return "it is where a home directory keeps " + std::string(what_is_kept_in(first));
    return "it is inside " + root + ", which holds " + std::string(what_is_kept_in(first));
  }
  if (first == "bin" || path_is_under(path, home + "/go/bin") || path == home + "/go") {
    return "it holds programs on your PATH (" + (first == "bin" ? root : home + "/go/bin") + ")";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> why_grant_is_too_wide(const std::string& path, const std::string& raw_home,
                                                 const PathExists& exists,
                                                 const std::vector<std::string>& also_protected) {
  // "/home/me/", "//home/me" and "/tmp/../home/me" are the same home.
  std::string home = raw_home.empty() ? raw_home : lexical_normal(raw_home);
  if (path == "/") return "it is the whole filesystem";
  if (!home.empty() && home != "/" && path_is_under(home, path)) {
    return path == home ? "it is your home directory" : "it holds your home directory (" + home + ")";
  }
  std::string name = base_name(path);
  auto looks_like_home = [&](const std::string& directory) {
    if (directory == home) return true;
    for (const Sensitive& sensitive : kSensitive) {
      if (sensitive.marks_home && exists(directory + "/" + std::string(sensitive.name))) return true;
    }
    return false;
  };
  for (const Sensitive& sensitive : kSensitive) {
    if (name == sensitive.name && parent_directory(path) != home && looks_like_home(parent_directory(path))) {
      return "it is where a home directory keeps " + std::string(sensitive.what);
    }
    if (sensitive.marks_home && exists(path + "/" + std::string(sensitive.name))) {
      return "it holds " + std::string(sensitive.name) + " (" + std::string(sensitive.what) +
             "): it looks like a home directory";
    }
  }
  if (auto why = why_home_part_is_too_wide(path, home)) return why;
  for (const std::string& raw : also_protected) {
    std::string protected_root = lexical_normal(raw);
    if (path_is_under(path, protected_root) || path_is_under(protected_root, path)) {
      return "it is " + std::string(path == protected_root ? "" : path_is_under(path, protected_root) ? "inside " : "above ") +
             protected_root + " (XDG_CONFIG_HOME or XDG_STATE_HOME), where your tools and mcpsandbox keep their "
             "configuration";
    }
  }
  return std::nullopt;
}

}  // namespace mcpsandbox

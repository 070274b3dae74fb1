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

// A home's places where nothing below is a narrow grant either: credentials, and the
// configuration and programs of everything that runs as the user (shells, git, MCP clients,
// mcpsandbox's own profiles in ~/.config/mcpsandbox, ~/.local/bin on PATH).
constexpr std::array<std::string_view, 8> kWholeDirectories = {".ssh",   ".gnupg",  ".aws",   ".azure",
                                                                ".kube", ".docker", ".config", ".local"};

std::string basename_of(const std::string& path) { return path.substr(path.rfind('/') + 1); }
std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::optional<std::string> why_grant_is_too_wide(const std::string& path, const std::string& raw_home,
                                                 const PathExists& exists) {
  // "/home/me/", "//home/me" and "/tmp/../home/me" are the same home.
  std::string home = raw_home.empty() ? raw_home : lexical_normal(raw_home);
  if (path == "/") return "it is the whole filesystem";
  if (!home.empty() && home != "/" && path_is_under(home, path)) {
    return path == home ? "it is your home directory" : "it holds your home directory (" + home + ")";
  }
  std::string name = basename_of(path);
  auto looks_like_home = [&](const std::string& directory) {
    if (directory == home) return true;
    for (const Sensitive& sensitive : kSensitive) {
      if (sensitive.marks_home && exists(directory + "/" + std::string(sensitive.name))) return true;
    }
    return false;
  };
  for (const Sensitive& sensitive : kSensitive) {
    if (name == sensitive.name && looks_like_home(parent_of(path))) {
      return "it is where a home directory keeps " + std::string(sensitive.what);
    }
    if (sensitive.marks_home && exists(path + "/" + std::string(sensitive.name))) {
      return "it holds " + std::string(sensitive.name) + " (" + std::string(sensitive.what) +
             "): it looks like a home directory";
    }
  }
  if (!home.empty() && home != "/") {
    for (std::string_view whole : kWholeDirectories) {
      std::string root = home + "/" + std::string(whole);
      if (!path_is_under(path, root) || path == root) continue;
      for (const Sensitive& sensitive : kSensitive) {
        if (sensitive.name == whole) return "it is inside " + root + ", which holds " + std::string(sensitive.what);
      }
    }
  }
  return std::nullopt;
}

}  // namespace mcpsandbox

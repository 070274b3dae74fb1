#include "launcher/profile_locator.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "launcher/store/trusted_file.h"
#include "profiles/builtin_profiles.h"

namespace mcpsandbox {
namespace {

bool looks_like_path(const std::string& text) {
  return text.find('/') != std::string::npos ||
         (text.size() > 5 && text.compare(text.size() - 5, 5, ".json") == 0);
}

std::string user_profile_dir() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg && *xdg) return std::string(xdg) + "/mcpsandbox/profiles";
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "") + "/.config/mcpsandbox/profiles";
}

// The installed copies of the shipped profiles: PREFIX/share/mcpsandbox/profiles beside
// PREFIX/bin/mcpsandbox, whatever the prefix (/usr for the .deb, /usr/local for cmake --install).
std::string shared_profile_dir() {
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "/usr/share/mcpsandbox/profiles";
  return (self.parent_path().parent_path() / "share/mcpsandbox/profiles").string();
}

// A profile found by name in a search directory must be what root or this user put there: a
// file (or directory) another user could write would let them choose this user's grants.
Result<void> refuse_if_others_could_write(const std::string& path) {
  for (const std::string& node : {path, std::filesystem::path(path).parent_path().string()}) {
    struct stat info {};
    if (::stat(node.c_str(), &info) != 0) continue;
    bool owner_ok = info.st_uid == 0 || info.st_uid == ::getuid();
    if (owner_ok && !(info.st_mode & (S_IWGRP | S_IWOTH))) continue;
    return Error{"profile " + path + ": " + node + " could be changed by another user (owner uid " +
                 std::to_string(info.st_uid) + ", mode " + std::to_string(info.st_mode & 07777) +
                 "); refusing it (chown it to root or yourself and chmod go-w)"};
  }
  return {};
}

Result<LocatedProfile> from_file(const std::string& path) {
  auto file = read_trusted_file(path, "profile");
  if (!file) return file.error();
  return LocatedProfile{file->path, std::move(file->text), file->managed, false};
}

}  // namespace

Result<LocatedProfile> locate_profile(const std::string& name_or_path) {
  if (looks_like_path(name_or_path)) return from_file(name_or_path);
  // Managed, then the user's, then the installed package's copies of the shipped profiles.
  for (const std::string& dir : {std::string(kManagedDir) + "/profiles", user_profile_dir(),
                                 shared_profile_dir()}) {
    std::string candidate = dir + "/" + name_or_path + ".json";
    if (::access(candidate.c_str(), F_OK) != 0) continue;
    if (auto owned = refuse_if_others_could_write(candidate); !owned) return owned.error();
    return from_file(candidate);
  }
  if (auto builtin = find_builtin_profile(name_or_path)) {
    return LocatedProfile{"built-in:" + name_or_path, std::string(builtin->text), false, true};
  }
  std::string names;
  for (const BuiltinProfile& profile : builtin_profiles()) {
    names += (names.empty() ? "" : ", ") + std::string(profile.name);
  }
  return Error{"no profile named '" + name_or_path + "' in " + kManagedDir + "/profiles, " +
               user_profile_dir() + ", " + shared_profile_dir() + " or the built-in set (" + names + ")"};
}

}  // namespace mcpsandbox

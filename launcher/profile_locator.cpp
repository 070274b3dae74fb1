#include "launcher/profile_locator.h"

#include <unistd.h>

#include <cstdlib>

#include "launcher/trusted_file.h"
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

Result<LocatedProfile> from_file(const std::string& path) {
  auto file = read_trusted_file(path, "profile");
  if (!file) return file.error();
  return LocatedProfile{file->path, std::move(file->text), file->managed, false};
}

}  // namespace

Result<LocatedProfile> locate_profile(const std::string& name_or_path) {
  if (looks_like_path(name_or_path)) return from_file(name_or_path);
  for (const std::string& dir : {std::string(kManagedDir) + "/profiles", user_profile_dir()}) {
    std::string candidate = dir + "/" + name_or_path + ".json";
    if (::access(candidate.c_str(), F_OK) == 0) return from_file(candidate);
  }
  if (auto builtin = find_builtin_profile(name_or_path)) {
    return LocatedProfile{"built-in:" + name_or_path, std::string(builtin->text), false, true};
  }
  std::string names;
  for (const BuiltinProfile& profile : builtin_profiles()) {
    names += (names.empty() ? "" : ", ") + std::string(profile.name);
  }
  return Error{"no profile named '" + name_or_path + "' in " + kManagedDir + "/profiles, " +
               user_profile_dir() + " or the built-in set (" + names + ")"};
}

}  // namespace mcpsandbox

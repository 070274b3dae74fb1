#include "profiles/builtin_profiles.h"

namespace mcpsandbox {

const std::vector<BuiltinProfile>& builtin_profiles() {
  static const std::vector<BuiltinProfile> kProfiles = {
#include "builtin_profiles.inc"
  };
  return kProfiles;
}

std::optional<BuiltinProfile> find_builtin_profile(std::string_view name) {
  for (const BuiltinProfile& profile : builtin_profiles()) {
    if (profile.name == name) return profile;
  }
  return std::nullopt;
}

}  // namespace mcpsandbox

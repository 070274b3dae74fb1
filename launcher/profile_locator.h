// Finding a profile by path or by name: /etc/mcpsandbox/profiles/NAME.json (managed, admin
// only), then ~/.config/mcpsandbox/profiles/NAME.json, then the built-in set.
#pragma once

#include <string>

#include "profiles/support/result.h"

namespace mcpsandbox {

struct LocatedProfile {
  std::string source;  // the file's path, or "built-in:NAME"
  std::string text;
  bool managed = false;
  bool builtin = false;
};

Result<LocatedProfile> locate_profile(const std::string& name_or_path);

}  // namespace mcpsandbox

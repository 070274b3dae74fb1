// The profiles shipped inside the binary (profiles/builtin/*.json), found by name.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace mcpsandbox {

struct BuiltinProfile {
  std::string_view name;
  std::string_view text;
};

const std::vector<BuiltinProfile>& builtin_profiles();
std::optional<BuiltinProfile> find_builtin_profile(std::string_view name);

}  // namespace mcpsandbox

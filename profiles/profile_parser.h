// Strict parsing of profile files (JSON, comments allowed). Unknown keys and wrong types are
// errors naming the file, the JSON pointer and what was expected, so a typo never silently
// weakens a policy.
#pragma once

#include <string>
#include <string_view>

#include "profiles/profile.h"
#include "profiles/support/result.h"

namespace mcpsandbox {

// Parses `text`; `source` names it in errors ("~/.config/mcpsandbox/profiles/x.json").
Result<Profile> parse_profile(std::string_view text, const std::string& source);

// "512MiB", "1G", "4096" -> bytes.
Result<uint64_t> parse_byte_size(std::string_view text);

}  // namespace mcpsandbox

// Cleaning text on its way back to the client of what a person cannot see but a model reads:
// Unicode tag characters, zero-width and bidirectional control characters, and terminal escape
// sequences (ANSI CSI, OSC, and the C1 forms). Applied to every string in tools/call,
// resources/read and prompts/get results. The common case costs one scan of the raw line.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

namespace mcpsandbox {

// Whether the raw JSON line may contain anything to clean (raw UTF-8 or \u escapes).
// False positives only cost a rebuild that changes nothing.
bool may_need_cleaning(std::string_view raw_json);

// `text` without invisible characters and escape sequences; `removed` counts what went.
std::string clean_text(std::string_view text, size_t& removed);

// `value` re-serialized with every string cleaned (keys included); `removed` accumulates.
void append_cleaned_json(simdjson::dom::element value, std::string& out, size_t& removed);

}  // namespace mcpsandbox

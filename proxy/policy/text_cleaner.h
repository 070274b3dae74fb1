// Cleaning text on its way back to the client of what a person cannot see but a model reads:
// Unicode tag characters, zero-width and bidirectional control characters, and terminal escape
// sequences (ANSI CSI, OSC, and the C1 forms). Applied to every string in tools/call,
// resources/read and prompts/get results. The common case costs one scan of the raw line.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace mcpsandbox {

// The code point at `i` of valid UTF-8 (the parser checked) and its `length` in bytes.
uint32_t decode_utf8(std::string_view text, size_t i, size_t& length);

// Whether the raw JSON line may contain anything to clean (raw UTF-8 or \u escapes).
// False positives only cost a rebuild that changes nothing.
bool may_need_cleaning(std::string_view raw_json);

// `text` without invisible characters and escape sequences; `removed` counts what went.
std::string clean_text(std::string_view text, size_t& removed);

// Replacement text for strings that change (redaction), keyed by the string's address in the parse.
using StringRewrites = std::map<const char*, std::string>;

// `value` re-serialized with each string replaced from `rewrites` (if given) and, with `clean`,
// cleaned (keys included); `removed` accumulates what cleaning took out.
void append_cleaned_json(simdjson::dom::element value, std::string& out, size_t& removed,
                         const StringRewrites* rewrites = nullptr, bool clean = true);

}  // namespace mcpsandbox

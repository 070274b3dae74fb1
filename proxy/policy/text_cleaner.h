// Cleaning text of what a person cannot see but a model reads: every Unicode default-ignorable
// code point (tag characters, zero-width, bidirectional controls, variation selectors, fillers),
// controls, and terminal escape sequences (ANSI CSI, OSC, and the C1 forms); the spaces and
// line separators of other scripts become ASCII ones. Applied to every string and key of every
// server message before it is judged (proxy/message_cleaner). The common case costs one scan of
// the raw line.
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

// `text` without invisible characters, controls and escape sequences, its other-script spaces
// and line separators as ASCII ones; `removed` counts what went or changed.
std::string clean_text(std::string_view text, size_t& removed);

// Replacement text for values that change (redaction): strings keyed by their address in the
// parse, numbers (which have none) by their position among the value's numbers in document
// order, the order both the redactor's walk and the rebuild visit them. A number is replaced by
// a string ("[REDACTED:credit_card]").
struct ValueRewrites {
  std::map<const char*, std::string> strings;
  std::map<size_t, std::string> numbers;
  bool empty() const { return strings.empty() && numbers.empty(); }
};

// `value` re-serialized with each value replaced from `rewrites` (if given) and, with `clean`,
// cleaned (keys included); `removed` accumulates what cleaning took out. Keys that become equal
// (two addresses redacted alike, "a\u200bb" beside "ab") are numbered ("ab #2"): the object
// stays valid and no member silently replaces another.
void append_cleaned_json(simdjson::dom::element value, std::string& out, size_t& removed,
                         const ValueRewrites* rewrites = nullptr, bool clean = true);

}  // namespace mcpsandbox

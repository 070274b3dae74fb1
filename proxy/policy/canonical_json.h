// Canonical JSON text of a simdjson value per RFC 8785 (JSON Canonicalization Scheme): object
// members sorted by UTF-16 code units, numbers as ECMAScript prints them (1, 1.0 and 1e0 are
// "1"; 0.1 is "0.1"), minimal string escapes. Two values are equal as JSON exactly when their
// canonical texts are equal, which is what `enum`, `const` and `uniqueItems` compare, what the
// profile's argument `enum` is stored as, and what tool pins hash.
#pragma once

#include <simdjson.h>

#include <string>

namespace mcpsandbox {

std::string canonical_json(simdjson::dom::element value);
void append_canonical_json(simdjson::dom::element value, std::string& out);
bool utf16_less(std::string_view a, std::string_view b);
// `text` as a JSON string literal (quotes, minimal escapes).
void append_json_string(std::string_view text, std::string& out);
// The canonical spelling of a number given as a double.
void append_canonical_number(double value, std::string& out);

}  // namespace mcpsandbox

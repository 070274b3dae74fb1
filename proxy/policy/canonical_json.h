// Canonical JSON text of a simdjson value: object members sorted by key, numbers in one spelling
// (1, 1.0 and 1e0 are the same number), minimal string escapes. Two values are equal as JSON
// exactly when their canonical texts are equal, which is what `enum`, `const` and
// `uniqueItems` compare, and what the profile's argument `enum` is stored as.
#pragma once

#include <simdjson.h>

#include <string>

namespace mcpsandbox {

std::string canonical_json(simdjson::dom::element value);
void append_canonical_json(simdjson::dom::element value, std::string& out);
// `text` as a JSON string literal (quotes, minimal escapes).
void append_json_string(std::string_view text, std::string& out);
// The canonical spelling of a number given as a double.
void append_canonical_number(double value, std::string& out);

}  // namespace mcpsandbox

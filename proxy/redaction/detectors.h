// The built-in redaction detectors: an expression for each (Vectorscan finds which may match,
// RE2 finds exactly where), and a
// validator where the format has a check (Luhn, SSN ranges, IBAN mod 97, address syntax), so a
// 16-digit order number or 999-00-1234 is not mistaken for a card or an SSN.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/redaction/digit_runs.h"

namespace mcpsandbox {

struct RedactionDetector {
  std::string name;     // "email", "aws_access_key_id"... (appears in [REDACTED:<name>])
  std::string pattern;  // the exact expression (RE2), also the Vectorscan prefilter by default
  bool caseless = false;
  bool (*validate)(std::string_view match) = nullptr;  // nullptr: any match counts
  // A cheaper superset for the Vectorscan pass, where the exact expression would slow every
  // scan (leading word boundaries and character classes): it only decides where RE2 looks.
  std::string prefilter = {};
  // Found by the digit-cluster pass (digit_runs.h) instead of Vectorscan.
  std::optional<DigitDetector> digit_prefilter = std::nullopt;
  // How far a match can reach from a prefilter hit, where the expression itself is unbounded
  // (0: Vectorscan's analysis, else 512 bytes).
  size_t reach = 0;
  // The expression's first group is the secret: only it is replaced, its context (the name
  // `password` in `password: ...`) stays.
  bool secret_group = false;
};

const std::vector<RedactionDetector>& builtin_redaction_detectors();

bool luhn_valid(std::string_view digits_and_separators);
bool us_ssn_valid(std::string_view text);
bool iban_valid(std::string_view text);
// The value of a `name = value` credential assignment, where code (`getToken()`,
// `process.env.X`, `${X}`, a bare identifier), counts, paths and placeholders are not credentials.
bool assigned_credential_valid(std::string_view match);

}  // namespace mcpsandbox

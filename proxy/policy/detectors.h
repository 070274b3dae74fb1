// Built-in detectors run over every string in a tools/call's arguments, whatever the profile
// says about the tool: path traversal anywhere, shell injection in arguments named like
// commands. They are deliberately conservative. Only patterns with no benign reading (encoded
// traversal, "../../../etc/passwd", "curl ... | sh", /dev/tcp/) are high confidence and block;
// the rest ("../src", "make && make test") are low confidence and only recorded.
// tests/policy/ holds the corpora the false-positive rate in README.md is measured on.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "profiles/proxy_plan.h"

namespace mcpsandbox {

enum class Confidence { kLow, kHigh };

struct DetectorFinding {
  std::string detector;  // "traversal" or "shell_injection"
  Confidence confidence;
  std::string location;  // JSON pointer into the arguments
  std::string what;      // short description, never the value itself
};

// Findings for detectors not switched off in `plan`.
std::vector<DetectorFinding> scan_arguments(simdjson::dom::element arguments,
                                            const DetectorPlan& plan);

// The single-string checks, exposed for the corpus tests.
std::optional<DetectorFinding> detect_traversal(std::string_view text);
std::optional<DetectorFinding> detect_shell_injection(std::string_view text);
bool is_command_like_name(std::string_view name);

}  // namespace mcpsandbox

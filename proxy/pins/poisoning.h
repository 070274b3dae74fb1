// Tool poisoning checks: what a tool's definition tells the model, as opposed to the user.
// Scanned: the description, the title and every string inside the input and output schemas
// (property descriptions are where injected instructions usually hide).
//  - high confidence: invisible or direction-changing Unicode (tag characters, zero-width,
//    bidi overrides), instructions aimed at the model ("<IMPORTANT>", "ignore previous
//    instructions", "do not tell the user").
//  - low confidence: requests to read credentials (~/.ssh, .env, id_rsa), mentions of another
//    listed tool (shadowing), long encoded blobs.
// The profile's `detectors.poisoning` decides: block (high confidence hides and refuses the
// tool), warn (log only) or off.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

namespace mcpsandbox {

struct PoisoningFinding {
  bool high_confidence;
  std::string what;  // the reason shown to the user ("hidden Unicode tag characters")
};

// `other_tools`: the names of the other tools in the same list (for shadowing).
std::vector<PoisoningFinding> scan_tool_definition(simdjson::dom::element tool,
                                                   const std::vector<std::string>& other_tools);

// The phrases that mark instructions aimed at the model (lower case; matched ignoring case), for
// scanning results with a PhraseScanner: prompt injection riding on what a tool returned.
std::vector<std::string> model_instruction_phrases();

// Every string inside `value` (not keys), depth-first, up to 64 levels.
void collect_strings(simdjson::dom::element value, std::vector<std::string_view>& out,
                     size_t depth = 0);

// For the corpus tests: one piece of text.
std::vector<PoisoningFinding> scan_description_text(std::string_view text,
                                                    const std::vector<std::string>& other_tools);

}  // namespace mcpsandbox

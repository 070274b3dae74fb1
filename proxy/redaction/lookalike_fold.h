// Folding what a reader takes for ASCII into ASCII, for the detectors only: full-width forms
// ("bob＠example．org", "４１１１…"), the decimal digits of other scripts ("٤١١١…"), the
// ideographic full stop, small and full-width commercial at, and dashes. A secret spelled so
// reaches the model as readable as the plain one; the redactor scans the folded text and
// rewrites the original bytes each finding came from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcpsandbox {

struct FoldedText {
  std::string text;
  // origin[i]: the offset in the original of the character folded byte i came from;
  // origin[text.size()] is the original's size, so a span [from, to) maps to [origin[from], origin[to]).
  std::vector<size_t> origin;
};

// nullopt when nothing in `text` folds (ASCII text costs one scan for a non-ASCII byte).
std::optional<FoldedText> fold_lookalikes(std::string_view text);

}  // namespace mcpsandbox

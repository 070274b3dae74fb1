// The digit-based detectors' prefilter, by hand: Vectorscan has no literal to anchor patterns
// like [0-9]{4}[ -]?[0-9]{4} on, and scanning prose full of dates and versions with them runs at
// a few hundred MB/s. This pass jumps from digit to digit (eight bytes at a time), measures each
// cluster of digits joined by short separators, and names the detectors whose exact expression
// could match there. It is a superset by construction (tested against the corpus): RE2 and the
// validators still decide.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace mcpsandbox {

enum class DigitDetector { kPaymentCard, kUsSsn, kIban, kPhone, kIpv4 };

struct DigitCandidate {
  DigitDetector detector;
  size_t end;    // one past the cluster's last digit
  size_t start;  // the cluster's first digit: a card may begin a long run of numbers
};

void find_digit_candidates(std::string_view text, std::vector<DigitCandidate>& out);

}  // namespace mcpsandbox

#include "proxy/redaction/digit_runs.h"

#include "proxy/policy/byte_scan.h"

namespace mcpsandbox {
namespace {

bool is_digit(char c) { return static_cast<unsigned char>(c - '0') < 10; }
bool is_upper(char c) { return static_cast<unsigned char>(c - 'A') < 26; }

// What may join the digits of one card, SSN, phone number or address.
struct JoinerTable {
  bool joins[256] = {};
  JoinerTable() {
    for (char c : std::string_view(" -.()/")) joins[static_cast<unsigned char>(c)] = true;
  }
};
const JoinerTable kJoiners;
bool is_joiner(char c) { return kJoiners.joins[static_cast<unsigned char>(c)]; }

}  // namespace

void find_digit_candidates(std::string_view text, std::vector<DigitCandidate>& out) {
  const size_t size = text.size();
  size_t i = byte_scan::find_digit(text, 0);
  while (i < size) {
    size_t start = i, digits = 0, dots = 0;
    bool dash = false;
    // A cluster: runs of digits joined by one or two joiner characters ("(555) 123-4567").
    for (;;) {
      size_t run = i;
      while (i < size && is_digit(text[i])) ++i;
      digits += i - run;
      if (i + 1 >= size || !is_joiner(text[i])) break;
      size_t gap = i + 1;
      if (!is_digit(text[gap])) {
        if (!is_joiner(text[gap]) || gap + 1 >= size || !is_digit(text[gap + 1])) break;
        ++gap;
      }
      for (size_t k = i; k < gap; ++k) {
        dots += text[k] == '.';
        dash |= text[k] == '-';
      }
      i = gap;
    }
    size_t end = i;  // one past the last digit
    // Most clusters (years, versions, counts) are short and need nothing more.
    if (digits >= 7 || dots >= 3 || (start >= 2 && is_upper(text[start - 1]))) {
      bool plus = (start >= 1 && text[start - 1] == '+') || (start >= 2 && text[start - 2] == '+');
      if (digits >= 13) out.push_back({DigitDetector::kPaymentCard, end, start});
      if (digits >= 9 && dash) out.push_back({DigitDetector::kUsSsn, end, start});
      if (digits >= 10 || (plus && digits >= 7)) out.push_back({DigitDetector::kPhone, end, start});
      if (dots >= 3) out.push_back({DigitDetector::kIpv4, end, start});
      // IBAN: two capital letters right before the check digits (DE89..., GB82 WEST ...).
      if (start >= 2 && digits >= 2 && is_upper(text[start - 1]) && is_upper(text[start - 2])) {
        out.push_back({DigitDetector::kIban, end, start});
      }
    }
    i = byte_scan::find_digit(text, end);
  }
}

}  // namespace mcpsandbox

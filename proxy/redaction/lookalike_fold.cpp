#include "proxy/redaction/lookalike_fold.h"

#include <algorithm>
#include <iterator>

#include "proxy/policy/byte_scan.h"
#include "proxy/policy/text_cleaner.h"

namespace mcpsandbox {
namespace {

// The zero of each block of ten decimal digits (Unicode category Nd) outside ASCII.
constexpr uint32_t kDigitZeros[] = {
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6};

// The ASCII character `point` reads as, or 0.
char ascii_lookalike(uint32_t point) {
  if (point >= 0xFF01 && point <= 0xFF5E) return static_cast<char>(point - 0xFF01 + 0x21);  // full-width
  for (uint32_t zero : kDigitZeros) {
    if (point >= zero && point < zero + 10) return static_cast<char>('0' + (point - zero));
  }
  switch (point) {
    case 0x3002: case 0xFF61: case 0xFE52: case 0x2024: return '.';  // ideographic, small, one-dot leader
    case 0xFE6B: return '@';                                          // small commercial at
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015: case 0x2212: case 0xFE63:
      return '-';
    default: return 0;
  }
}

}  // namespace

std::optional<FoldedText> fold_lookalikes(std::string_view text) {
  size_t first = byte_scan::find_non_ascii_or(text, 0, 0);
  if (first >= text.size()) return std::nullopt;
  std::optional<FoldedText> folded;
  for (size_t i = first; i < text.size();) {
    size_t length = 1;
    uint32_t point = static_cast<unsigned char>(text[i]) < 0x80 ? static_cast<unsigned char>(text[i])
                                                                 : decode_utf8(text, i, length);
    char ascii = point >= 0x80 ? ascii_lookalike(point) : 0;
    if (ascii && !folded) {  // the first fold: everything before it is copied as it is
      folded.emplace();
      folded->text.reserve(text.size());
      folded->origin.reserve(text.size() + 1);
      folded->text.assign(text.substr(0, i));
      for (size_t k = 0; k < i; ++k) folded->origin.push_back(k);
    }
    if (folded) {
      if (ascii) {
        folded->text += ascii;
        folded->origin.push_back(i);
      } else {
        folded->text.append(text.substr(i, length));
        for (size_t k = 0; k < length; ++k) folded->origin.push_back(i + k);
      }
    }
    i += length;
  }
  if (folded) folded->origin.push_back(text.size());
  return folded;
}

}  // namespace mcpsandbox

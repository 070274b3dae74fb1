// Finding the first "interesting" byte of a long string eight bytes at a time (SWAR), for the
// passes that touch every byte of a result: JSON escaping, invisible-character cleaning. Each
// test flags the lowest matching byte exactly (borrows only disturb bytes above a true match),
// so the lowest set bit is the answer.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mcpsandbox::byte_scan {

static_assert(std::endian::native == std::endian::little, "byte_scan reads words little-endian");

inline constexpr uint64_t kOnes = 0x0101010101010101ULL;
inline constexpr uint64_t kHighs = 0x8080808080808080ULL;

inline uint64_t load(const char* at) {
  uint64_t word;
  std::memcpy(&word, at, 8);
  return word;
}
inline uint64_t zero_bytes(uint64_t word) { return (word - kOnes) & ~word & kHighs; }
inline uint64_t bytes_equal(uint64_t word, unsigned char value) { return zero_bytes(word ^ (kOnes * value)); }
inline uint64_t bytes_below(uint64_t word, unsigned char limit) {  // limit <= 128
  return (word - kOnes * limit) & ~word & kHighs;
}

// The first byte at or after `from` for which `flags(word)` is set (checked a word at a time)
// and `exact(byte)` holds (for the tail), or text.size().
template <typename WordFlags, typename ByteTest>
size_t find_first(std::string_view text, size_t from, WordFlags flags, ByteTest exact) {
  size_t i = from;
  for (; i + 8 <= text.size(); i += 8) {
    if (uint64_t hit = flags(load(text.data() + i))) return i + static_cast<size_t>(std::countr_zero(hit) / 8);
  }
  for (; i < text.size(); ++i) {
    if (exact(static_cast<unsigned char>(text[i]))) return i;
  }
  return text.size();
}

// An ASCII digit.
inline size_t find_digit(std::string_view text, size_t from) {
#if defined(__SSE2__)
  // c - '0' as unsigned bytes is below 10 exactly for digits: min(c - '0', 9) == c - '0'.
  const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
  for (; from + 16 <= text.size(); from += 16) {
    __m128i chunk = _mm_sub_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + from)), zero);
    int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(chunk, nine), chunk));
    if (mask) return from + static_cast<size_t>(std::countr_zero(static_cast<unsigned>(mask)));
  }
#endif
  // With the high bit cleared, adding 0x50 sets it exactly for bytes >= '0', and adding 0x46
  // exactly for bytes > '9'; no carries cross bytes.
  return find_first(
      text, from,
      [](uint64_t w) {
        uint64_t low7 = w & ~kHighs;
        return (low7 + kOnes * 0x50) & ~(low7 + kOnes * 0x46) & ~w & kHighs;
      },
      [](unsigned char c) { return c >= '0' && c <= '9'; });
}

// A byte JSON must escape: a control character, '"' or '\\'.
inline size_t find_json_special(std::string_view text, size_t from) {
#if defined(__SSE2__)
  // Sixteen bytes at a time where SSE2 is there (every x86-64): escaping runs over every byte of
  // every string a rebuilt message carries.
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'),
                control = _mm_set1_epi8(0x1F);
  for (; from + 16 <= text.size(); from += 16) {
    __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + from));
    __m128i special = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
        _mm_cmpeq_epi8(_mm_max_epu8(chunk, control), control));  // max(c, 0x1F) == 0x1F: c < 0x20
    if (int mask = _mm_movemask_epi8(special)) return from + static_cast<size_t>(std::countr_zero(static_cast<unsigned>(mask)));
  }
#endif
  return find_first(
      text, from,
      [](uint64_t w) { return bytes_below(w, 0x20) | bytes_equal(w, '"') | bytes_equal(w, '\\'); },
      [](unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; });
}

// A byte >= 0x80 (any non-ASCII character starts with one) or `extra`.
inline size_t find_non_ascii_or(std::string_view text, size_t from, unsigned char extra) {
#if defined(__SSE2__)
  const __m128i wanted = _mm_set1_epi8(static_cast<char>(extra));
  for (; from + 16 <= text.size(); from += 16) {
    __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + from));
    // movemask takes each byte's high bit: exactly the non-ASCII bytes.
    int mask = _mm_movemask_epi8(chunk) | _mm_movemask_epi8(_mm_cmpeq_epi8(chunk, wanted));
    if (mask) return from + static_cast<size_t>(std::countr_zero(static_cast<unsigned>(mask)));
  }
#endif
  return find_first(
      text, from, [extra](uint64_t w) { return (w & kHighs) | bytes_equal(w, extra); },
      [extra](unsigned char c) { return c >= 0x80 || c == extra; });
}

}  // namespace mcpsandbox::byte_scan

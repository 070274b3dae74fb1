#include "proxy/io/terminal_text.h"

#include <cstdint>
#include <cstdio>

namespace mcpsandbox {
namespace {

void append_byte_escape(std::string& out, unsigned char byte) {
  char escape[5];
  std::snprintf(escape, sizeof escape, "\\x%02x", byte);
  out += escape;
}

// Length of the well-formed UTF-8 sequence at text[at] (RFC 3629: no overlongs, surrogates or
// code points past U+10FFFF), 0 if there is none; `code_point` receives its value.
size_t utf8_sequence(std::string_view text, size_t at, uint32_t& code_point) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(at);
  size_t length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
  if (lead >= 0xf5 || length == 0 || at + length > text.size()) return 0;
  code_point = lead & (0x7f >> length);
  for (size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xc0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(at + i) & 0x3f);
  }
  static constexpr uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kSmallest[length] || code_point > 0x10ffff) return 0;
  if (code_point >= 0xd800 && code_point <= 0xdfff) return 0;
  return length;
}

}  // namespace

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    unsigned char byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      if ((byte < 0x20 && byte != '\t') || byte == 0x7f) {
        append_byte_escape(out, byte);
      } else {
        out += static_cast<char>(byte);
      }
      ++i;
      continue;
    }
    uint32_t code_point = 0;
    size_t length = utf8_sequence(text, i, code_point);
    if (length == 0) {
      append_byte_escape(out, byte);
      ++i;
    } else if (code_point <= 0x9f) {  // C1 controls: 8-bit CSI (U+009B), OSC (U+009D)...
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", code_point);
      out += escape;
      i += length;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace mcpsandbox

#include "proxy/policy/text_cleaner.h"

#include <set>

#include <cctype>
#include <cstring>

#include "proxy/policy/byte_scan.h"
#include "proxy/policy/canonical_json.h"

namespace mcpsandbox {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool invisible(uint32_t point) {
  return (point >= 0xE0000 && point <= 0xE007F) ||                    // tag characters
         (point >= 0x200B && point <= 0x200F) ||                      // zero-width, LRM/RLM
         (point >= 0x2060 && point <= 0x2064) || point == 0xFEFF ||   // word joiner, BOM
         (point >= 0x202A && point <= 0x202E) ||                      // bidi embeddings/overrides
         (point >= 0x2066 && point <= 0x2069);                        // bidi isolates
}

}  // namespace

uint32_t decode_utf8(std::string_view text, size_t i, size_t& length) {
  auto byte = static_cast<unsigned char>(text[i]);
  length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2;
  if (i + length > text.size()) length = text.size() - i;
  uint32_t point = length == 1 ? byte : byte & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) point = (point << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  return point;
}

namespace {

// Length of the escape sequence starting at `i` (ESC or a C1 introducer), per ECMA-48.
size_t escape_length(std::string_view text, size_t i, uint32_t introducer, size_t introducer_length) {
  size_t j = i + introducer_length;
  bool csi = introducer == 0x9B, osc = introducer == 0x9D;
  if (introducer == 0x1B) {
    if (j >= text.size()) return j - i;
    char next = text[j++];
    if (next == '[') csi = true;
    else if (next == ']' || next == 'P' || next == '_' || next == '^' || next == 'X') osc = true;
    else return j - i;  // a two-byte escape (ESC c, ESC 7 ...)
  }
  if (csi) {
    while (j < text.size() && !(text[j] >= 0x40 && text[j] <= 0x7E)) ++j;
    return (j < text.size() ? j + 1 : j) - i;
  }
  if (osc) {  // ends with BEL or ST (ESC \)
    while (j < text.size()) {
      if (text[j] == '\a') return j + 1 - i;
      if (text[j] == 0x1B && j + 1 < text.size() && text[j + 1] == '\\') return j + 2 - i;
      ++j;
    }
    return j - i;
  }
  return introducer_length;
}


// The bytes a pass looks for: some non-ASCII lead bytes and at most one ASCII byte.
struct ByteSet {
  bool marked[256] = {};
  unsigned char ascii = 0x80;  // none
  explicit ByteSet(std::string_view bytes) {
    for (char c : bytes) {
      auto byte = static_cast<unsigned char>(c);
      marked[byte] = true;
      if (byte < 0x80) ascii = byte;
    }
  }
};

// Index of the first byte of `text` at or after `from` in `set`, or npos. ASCII text is skipped
// eight bytes at a time; only non-ASCII bytes are looked up.
size_t find_marked(std::string_view text, size_t from, const ByteSet& set) {
  for (size_t i = byte_scan::find_non_ascii_or(text, from, set.ascii); i < text.size();
       i = byte_scan::find_non_ascii_or(text, i + 1, set.ascii)) {
    if (set.marked[static_cast<unsigned char>(text[i])]) return i;
  }
  return std::string_view::npos;
}

const ByteSet kRawLeads(std::string_view("\xe2\xef\xf3\xc2\\"));
const ByteSet kRemovableLeads(std::string_view("\x1b\xc2\xe2\xef\xf3"));

}  // namespace

bool may_need_cleaning(std::string_view raw) {
  // Raw UTF-8 lead bytes of the ranges above: E2 80 (U+2000..203F), E2 81 (U+2040..207F),
  // EF BB BF (BOM), F3 A0 (U+E0000..), C2 9B/9D (C1 CSI/OSC); and JSON escapes of them and ESC.
  for (size_t at = find_marked(raw, 0, kRawLeads); at != std::string_view::npos;
       at = find_marked(raw, at + 1, kRawLeads)) {
    std::string_view rest = raw.substr(at);
    if (rest.size() < 2) return false;
    unsigned char second = static_cast<unsigned char>(rest[1]);
    switch (static_cast<unsigned char>(rest[0])) {
      case 0xE2:
        if (rest.size() >= 3) {
          auto third = static_cast<unsigned char>(rest[2]);
          // Not every U+20xx: dashes and curly quotes (U+2013..201D) are everywhere in prose.
          if (second == 0x80 && ((third >= 0x8B && third <= 0x8F) || (third >= 0xAA && third <= 0xAE))) return true;
          if (second == 0x81 && ((third >= 0xA0 && third <= 0xA4) || (third >= 0xA6 && third <= 0xA9))) return true;
        }
        break;
      case 0xEF: if (second == 0xBB) return true; break;
      case 0xF3: if (second == 0xA0) return true; break;
      case 0xC2: if (second == 0x9B || second == 0x9D) return true; break;
      case '\\':
        if (second == 'u' && rest.size() >= 6) {
          std::string hex(rest.substr(2, 4));
          for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (hex == "001b" || hex == "009b" || hex == "009d" || hex == "feff" ||
              (hex >= "200b" && hex <= "200f") || (hex >= "202a" && hex <= "202e") ||
              (hex >= "2060" && hex <= "2069") || hex == "db40") {
            return true;
          }
        }
        ++at;  // skip the escaped character
        break;
      default: break;
    }
  }
  return false;
}

std::string clean_text(std::string_view text, size_t& removed) {
  // Everything removed starts with one of these bytes (ESC, or the lead byte of a C1 control,
  // a U+20xx/U+FEFF character or a tag character): without them, nothing to do.
  if (find_marked(text, 0, kRemovableLeads) == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t length = 1;
    uint32_t point = decode_utf8(text, i, length);
    if (point == 0x1B || point == 0x9B || point == 0x9D) {
      i += escape_length(text, i, point, length);
      ++removed;
      continue;
    }
    if (invisible(point)) {
      i += length;
      ++removed;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

namespace {

struct Rebuild {
  std::string& out;
  size_t& removed;
  const ValueRewrites* rewrites;
  bool clean;
  size_t numbers_seen = 0;

  std::string_view rewritten_string(std::string_view text) const {
    if (rewrites) {
      if (auto it = rewrites->strings.find(text.data()); it != rewrites->strings.end()) return it->second;
    }
    return text;
  }
  std::string final_key(std::string_view key) {
    std::string_view text = rewritten_string(key);
    return clean ? clean_text(text, removed) : std::string(text);
  }
  void append_string(std::string_view text) {
    // Most strings hold nothing to remove: escaped straight from the parse, never copied.
    if (clean && find_marked(text, 0, kRemovableLeads) != std::string_view::npos) {
      append_json_string(clean_text(text, removed), out);
    } else {
      append_json_string(text, out);
    }
  }
  void append_object(simdjson::dom::object members);
  void append(element value);
};

void Rebuild::append_object(simdjson::dom::object members) {
  // The parser refused duplicate keys, so only keys that changed can meet another.
  std::vector<std::string> keys;
  bool changed = false;
  for (auto field : members) {
    keys.push_back(final_key(field.key));
    changed = changed || keys.back() != field.key;
  }
  if (changed) {
    std::set<std::string> taken;
    for (std::string& key : keys) {
      std::string base = key;
      for (int n = 2; !taken.insert(key).second; ++n) key = base + " #" + std::to_string(n);
    }
  }
  out += '{';
  size_t index = 0;
  for (auto field : members) {
    if (index) out += ',';
    append_json_string(keys[index++], out);
    out += ':';
    append(field.value);
  }
  out += '}';
}

void Rebuild::append(element value) {
  switch (value.type()) {
    case element_type::STRING:
      append_string(rewritten_string(value.get_string().value_unsafe()));
      return;
    case element_type::OBJECT:
      append_object(value.get_object().value_unsafe());
      return;
    case element_type::ARRAY: {
      out += '[';
      bool first = true;
      simdjson::dom::array items = value.get_array().value_unsafe();
      for (element item : items) {
        if (!first) out += ',';
        first = false;
        append(item);
      }
      out += ']';
      return;
    }
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      if (rewrites) {
        if (auto it = rewrites->numbers.find(numbers_seen++); it != rewrites->numbers.end()) {
          append_json_string(it->second, out);
          return;
        }
      }
      out += simdjson::minify(value);
      return;
    default:
      out += simdjson::minify(value);  // booleans and null exactly as sent
      return;
  }
}

}  // namespace

void append_cleaned_json(element value, std::string& out, size_t& removed, const ValueRewrites* rewrites,
                         bool clean) {
  Rebuild{out, removed, rewrites, clean}.append(value);
}

}  // namespace mcpsandbox

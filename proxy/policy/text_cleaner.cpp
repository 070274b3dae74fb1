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

// What cleaning does with a code point: most stay; what a reader cannot see goes (every Unicode
// Default_Ignorable_Code_Point, the controls but tab, line feed and return, the interlinear
// annotation marks); the spaces and line separators of other scripts become ASCII ones, so a
// detector reads "4111\u00a01111" as the reader does.
enum class Fate { kKeep, kRemove, kSpace, kNewline };

Fate fate_of(uint32_t point) {
  if (point < 0x80) {
    if (point == '\t' || point == '\n' || point == '\r') return Fate::kKeep;
    return point < 0x20 || point == 0x7F ? Fate::kRemove : Fate::kKeep;
  }
  if (point <= 0x9F) return point == 0x85 ? Fate::kNewline : Fate::kRemove;  // C1 controls, NEL
  if (point == 0xA0 || point == 0x2007 || point == 0x202F || point == 0x205F || point == 0x3000 ||
      point == 0x2800 || point == 0x1680 || (point >= 0x2000 && point <= 0x200A)) {
    return Fate::kSpace;
  }
  if (point == 0x2028 || point == 0x2029) return Fate::kNewline;
  bool ignorable = point == 0xAD || point == 0x34F || point == 0x61C || point == 0x115F || point == 0x1160 ||
                   point == 0x17B4 || point == 0x17B5 || (point >= 0x180B && point <= 0x180F) ||
                   (point >= 0x200B && point <= 0x200F) || (point >= 0x202A && point <= 0x202E) ||
                   (point >= 0x2060 && point <= 0x206F) || point == 0x3164 || (point >= 0xFE00 && point <= 0xFE0F) ||
                   point == 0xFEFF || point == 0xFFA0 || (point >= 0xFFF0 && point <= 0xFFFB) ||
                   (point >= 0x1BCA0 && point <= 0x1BCA3) || (point >= 0x1D173 && point <= 0x1D17A) ||
                   (point >= 0xE0000 && point <= 0xE0FFF);
  return ignorable ? Fate::kRemove : Fate::kKeep;
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


// The first byte at or after `from` that may start something cleaning changes: any byte
// outside printable ASCII (a control, DEL, the lead of a UTF-8 sequence), or `also`.
size_t find_unusual(std::string_view text, size_t from, unsigned char also) {
  return byte_scan::find_first(
      text, from,
      [also](uint64_t word) {
        return (word & byte_scan::kHighs) | byte_scan::bytes_below(word, 0x20) | byte_scan::bytes_equal(word, 0x7F) |
               byte_scan::bytes_equal(word, also);
      },
      [also](unsigned char byte) { return byte >= 0x7F || byte < 0x20 || byte == also; });
}

uint32_t hex4(std::string_view text) {
  uint32_t value = 0;
  for (char c : text.substr(0, 4)) {
    int digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
    if (digit < 0 || digit > 15) return 0xFFFFFFFF;
    value = value * 16 + static_cast<uint32_t>(digit);
  }
  return value;
}

}  // namespace

bool may_need_cleaning(std::string_view raw) {
  // Raw text outside printable ASCII is decoded and judged; so are JSON escapes (\u with
  // surrogate pairs, and \b, \f). Letters of any script cost a decode, not a rebuild.
  for (size_t at = find_unusual(raw, 0, '\\'); at < raw.size(); at = find_unusual(raw, at, '\\')) {
    auto byte = static_cast<unsigned char>(raw[at]);
    if (byte != '\\') {
      size_t length = 1;
      if (fate_of(decode_utf8(raw, at, length)) != Fate::kKeep) return true;
      at += length;
      continue;
    }
    if (at + 1 >= raw.size()) return false;
    char kind = raw[at + 1];
    if (kind == 'b' || kind == 'f') return true;
    if (kind != 'u' || at + 6 > raw.size()) {
      at += 2;
      continue;
    }
    uint32_t point = hex4(raw.substr(at + 2));
    at += 6;
    if (point >= 0xD800 && point <= 0xDBFF && at + 6 <= raw.size() && raw[at] == '\\' && raw[at + 1] == 'u') {
      uint32_t low = hex4(raw.substr(at + 2));
      if (low >= 0xDC00 && low <= 0xDFFF) {
        point = 0x10000 + ((point - 0xD800) << 10) + (low - 0xDC00);
        at += 6;
      }
    }
    if (point != 0xFFFFFFFF && fate_of(point) != Fate::kKeep) return true;
  }
  return false;
}

std::string clean_text(std::string_view text, size_t& removed) {
  size_t first = find_unusual(text, 0, 0x7F);
  if (first >= text.size()) return std::string(text);  // printable ASCII, tabs and line breaks: nothing to do
  std::string out(text.substr(0, first));
  out.reserve(text.size());
  for (size_t i = first; i < text.size();) {
    size_t length = 1;
    uint32_t point = decode_utf8(text, i, length);
    if (point == 0x1B || point == 0x9B || point == 0x9D) {
      i += escape_length(text, i, point, length);
      ++removed;
      continue;
    }
    switch (fate_of(point)) {
      case Fate::kKeep: out.append(text.substr(i, length)); break;
      case Fate::kRemove: ++removed; break;
      case Fate::kSpace: out += ' '; ++removed; break;  // counted: the text changed
      case Fate::kNewline: out += '\n'; ++removed; break;
    }
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
  bool key_may_change(std::string_view key) const {
    return rewritten_string(key).data() != key.data() || (clean && find_unusual(key, 0, 0x7F) < key.size());
  }
  std::string final_key(std::string_view key) {
    std::string_view text = rewritten_string(key);
    return clean ? clean_text(text, removed) : std::string(text);
  }
  void append_string(std::string_view text) {
    // Most strings hold nothing to change: escaped straight from the parse, never copied.
    if (clean && find_unusual(text, 0, 0x7F) < text.size()) {
      append_json_string(clean_text(text, removed), out);
    } else {
      append_json_string(text, out);
    }
  }
  void append_object(simdjson::dom::object members);
  void append(element value);
};

void Rebuild::append_object(simdjson::dom::object members) {
  bool any_may_change = false;
  for (auto field : members) any_may_change = any_may_change || key_may_change(field.key);
  if (!any_may_change) {  // the common case: keys as parsed, no copies
    out += '{';
    bool first = true;
    for (auto field : members) {
      if (!first) out += ',';
      first = false;
      append_json_string(field.key, out);
      out += ':';
      append(field.value);
    }
    out += '}';
    return;
  }
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

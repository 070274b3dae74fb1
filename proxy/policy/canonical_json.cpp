#include "proxy/policy/canonical_json.h"

#include "proxy/policy/byte_scan.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

namespace mcpsandbox {

using simdjson::dom::element;
using simdjson::dom::element_type;

// ECMAScript's Number-to-String (what RFC 8785 prescribes): the shortest digits that round-trip,
// in plain notation for 1e-7 <= |x| < 1e21 and exponent notation ("1e+21", "1.5e-7") otherwise.
void append_canonical_number(double value, std::string& out) {
  if (value == 0 || !std::isfinite(value)) {
    out += value == 0 ? "0" : "null";  // -0 is 0; JSON has no NaN or infinity
    return;
  }
  if (std::trunc(value) == value && std::fabs(value) < 9007199254740992.0) {
    out += std::to_string(static_cast<long long>(value));
    return;
  }
  char buffer[40];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string_view text(buffer, static_cast<size_t>(end - buffer));  // "-d.ddde+XX"
  bool negative = text[0] == '-';
  if (negative) text.remove_prefix(1);
  size_t e = text.find('e');
  std::string digits;
  for (char c : text.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exponent = std::stoi(std::string(text.substr(e + 1)));  // value = 0.d1d2... * 10^(n)
  int n = exponent + 1;
  int k = static_cast<int>(digits.size());
  if (negative) out += '-';
  if (k <= n && n <= 21) {
    out += digits + std::string(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<size_t>(n)) + "." + digits.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0." + std::string(static_cast<size_t>(-n), '0') + digits;
  } else {
    out += digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += (n - 1 >= 0 ? "e+" : "e-") + std::to_string(std::abs(n - 1));
  }
}

namespace {

// Decodes one UTF-8 sequence at `i` (input already validated by the parser).
uint32_t next_code_point(std::string_view text, size_t& i) {
  auto byte = static_cast<unsigned char>(text[i++]);
  if (byte < 0x80) return byte;
  int extra = byte >= 0xF0 ? 3 : byte >= 0xE0 ? 2 : 1;
  uint32_t point = byte & (0x3F >> extra);
  for (int k = 0; k < extra && i < text.size(); ++k) {
    point = (point << 6) | (static_cast<unsigned char>(text[i++]) & 0x3F);
  }
  return point;
}

}  // namespace

// RFC 8785 sorts member names by their UTF-16 code units, which differs from UTF-8 byte order
// only for characters above U+FFFF against U+E000..U+FFFF.
bool utf16_less(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    uint32_t x = next_code_point(a, i), y = next_code_point(b, j);
    if (x == y) continue;
    auto unit = [](uint32_t point) {
      return point >= 0x10000 ? 0xD800 + ((point - 0x10000) >> 10) : point;  // lead surrogate
    };
    if (unit(x) != unit(y)) return unit(x) < unit(y);
    return x < y;  // same lead surrogate: trail order follows code point order
  }
  return a.size() - i < b.size() - j;
}

void append_json_string(std::string_view text, std::string& out) {
  out += '"';
  size_t run = 0;  // start of the stretch that needs no escaping: appended in one go
  for (size_t i = byte_scan::find_json_special(text, 0); i < text.size();
       i = byte_scan::find_json_special(text, i + 1)) {
    char c = text[i];
    auto byte = static_cast<unsigned char>(c);
    out.append(text.substr(run, i - run));
    run = i + 1;
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
      // RFC 8785 (JCS): the short escapes where JSON has them, \u00xx for the rest.
      out += '\\';
      out += c == '\b' ? 'b' : c == '\f' ? 'f' : c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
    } else {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", byte);
      out += escape;
    }
  }
  out.append(text.substr(run));
  out += '"';
}

void append_canonical_json(element value, std::string& out) {
  switch (value.type()) {
    case element_type::OBJECT: {
      std::vector<std::pair<std::string_view, element>> members;
      simdjson::dom::object object = value.get_object().value_unsafe();
      for (auto field : object) members.emplace_back(field.key, field.value);
      // Stable: duplicate keys (which the relay refuses anyway) keep document order, so the
      // output is deterministic and canonicalising it again changes nothing.
      std::stable_sort(members.begin(), members.end(),
                [](const auto& a, const auto& b) { return utf16_less(a.first, b.first); });
      out += '{';
      for (size_t i = 0; i < members.size(); ++i) {
        if (i) out += ',';
        append_json_string(members[i].first, out);
        out += ':';
        append_canonical_json(members[i].second, out);
      }
      out += '}';
      return;
    }
    case element_type::ARRAY: {
      out += '[';
      bool first = true;
      simdjson::dom::array array = value.get_array().value_unsafe();
      for (element item : array) {
        if (!first) out += ',';
        first = false;
        append_canonical_json(item, out);
      }
      out += ']';
      return;
    }
    case element_type::STRING:
      append_json_string(value.get_string().value_unsafe(), out);
      return;
    case element_type::INT64: {
      int64_t number = value.get_int64().value_unsafe();
      if (number > -(int64_t{1} << 53) && number < (int64_t{1} << 53)) out += std::to_string(number);
      else append_canonical_number(static_cast<double>(number), out);  // as a JSON number is read
      return;
    }
    case element_type::UINT64:
      append_canonical_number(static_cast<double>(value.get_uint64().value_unsafe()), out);
      return;
    case element_type::DOUBLE:
      append_canonical_number(value.get_double().value_unsafe(), out);
      return;
    case element_type::BOOL:
      out += value.get_bool().value_unsafe() ? "true" : "false";
      return;
    case element_type::NULL_VALUE:
      out += "null";
      return;
  }
}

std::string canonical_json(element value) {
  std::string out;
  append_canonical_json(value, out);
  return out;
}

}  // namespace mcpsandbox

#include "proxy/policy/canonical_json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace mcpsandbox {

using simdjson::dom::element;
using simdjson::dom::element_type;

void append_canonical_number(double value, std::string& out) {
  if (std::trunc(value) == value && std::fabs(value) < 9007199254740992.0) {
    out += std::to_string(static_cast<long long>(value));
    return;
  }
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", value);
  out += text;
}

void append_json_string(std::string_view text, std::string& out) {
  out += '"';
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", byte);
      out += escape;
    } else {
      out += c;
    }
  }
  out += '"';
}

void append_canonical_json(element value, std::string& out) {
  switch (value.type()) {
    case element_type::OBJECT: {
      std::vector<std::pair<std::string_view, element>> members;
      simdjson::dom::object object = value.get_object().value_unsafe();
      for (auto field : object) members.emplace_back(field.key, field.value);
      std::sort(members.begin(), members.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
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
    case element_type::INT64:
      out += std::to_string(value.get_int64().value_unsafe());
      return;
    case element_type::UINT64:
      out += std::to_string(value.get_uint64().value_unsafe());
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

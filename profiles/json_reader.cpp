#include "profiles/json_reader.h"

namespace mcpsandbox {

std::string json_pointer_child(const std::string& pointer, std::string_view key) {
  std::string out = pointer + "/";
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

Error JsonReader::fail(const std::string& pointer, const std::string& what) const {
  return Error{source_ + ": " + (pointer.empty() ? "/" : pointer) + ": " + what};
}

Result<void> JsonReader::only_keys(const json& object, const std::string& pointer,
                                   std::initializer_list<std::string_view> allowed) const {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (auto name : allowed) known |= name == key;
    if (!known) {
      std::string expected;
      for (auto name : allowed) expected += (expected.empty() ? "" : ", ") + std::string(name);
      return fail(json_pointer_child(pointer, key),
                  "unknown key '" + key + "' (expected one of: " + expected + ")");
    }
  }
  return {};
}

Result<std::vector<std::string>> JsonReader::strings(const json& value,
                                                     const std::string& pointer) const {
  if (!value.is_array()) return fail(pointer, "expected an array of strings");
  std::vector<std::string> out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string() || value[i].get<std::string>().empty()) {
      return fail(pointer + "/" + std::to_string(i), "expected a non-empty string");
    }
    out.push_back(value[i].get<std::string>());
  }
  return out;
}

Result<const JsonReader::json*> JsonReader::section(
    const json& parent, const std::string& parent_pointer, const char* key,
    std::initializer_list<std::string_view> allowed) const {
  if (!parent.contains(key)) return static_cast<const json*>(nullptr);
  std::string pointer = json_pointer_child(parent_pointer, key);
  const json& value = parent[key];
  if (!value.is_object()) return fail(pointer, "expected an object");
  if (auto r = only_keys(value, pointer, allowed); !r) return r.error();
  return &value;
}

Result<void> JsonReader::read_strings(const json& object, const std::string& pointer,
                                      const char* key, std::vector<std::string>& target) const {
  if (!object.contains(key)) return {};
  auto list = strings(object[key], json_pointer_child(pointer, key));
  if (!list) return list.error();
  target = std::move(*list);
  return {};
}

Result<void> JsonReader::read_allow_or_deny(const json& object, const std::string& pointer,
                                            const char* key, bool& allow) const {
  if (!object.contains(key)) return {};
  const json& value = object[key];
  if (!value.is_string() || (value != "allow" && value != "deny")) {
    return fail(json_pointer_child(pointer, key), "expected \"allow\" or \"deny\"");
  }
  allow = value == "allow";
  return {};
}

Result<void> JsonReader::read_bool(const json& object, const std::string& pointer,
                                   const char* key, bool& target) const {
  if (!object.contains(key)) return {};
  if (!object[key].is_boolean()) return fail(json_pointer_child(pointer, key), "expected true or false");
  target = object[key].get<bool>();
  return {};
}

Result<std::string> JsonReader::string_value(const json& value,
                                             const std::string& pointer) const {
  if (!value.is_string() || value.get<std::string>().empty()) {
    return fail(pointer, "expected a non-empty string");
  }
  return value.get<std::string>();
}

}  // namespace mcpsandbox

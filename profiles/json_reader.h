// JsonReader: the strict reading helpers every profile section uses, so each error names the
// file, the JSON pointer and what was expected in the same words.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "profiles/support/result.h"

namespace mcpsandbox {

class JsonReader {
 public:
  using json = nlohmann::json;

  explicit JsonReader(std::string source) : source_(std::move(source)) {}

  Error fail(const std::string& pointer, const std::string& what) const;
  Result<void> only_keys(const json& object, const std::string& pointer,
                         std::initializer_list<std::string_view> allowed) const;
  Result<std::vector<std::string>> strings(const json& value, const std::string& pointer) const;
  // The object at parent[key], checked for its keys; nullptr when there is no such member.
  Result<const json*> section(const json& parent, const std::string& parent_pointer,
                              const char* key,
                              std::initializer_list<std::string_view> allowed) const;
  // Reads object[key], if present, as a list of non-empty strings into `target`.
  Result<void> read_strings(const json& object, const std::string& pointer, const char* key,
                            std::vector<std::string>& target) const;
  Result<void> read_bool(const json& object, const std::string& pointer, const char* key,
                         bool& target) const;
  // Reads object[key], if present, as "allow" (true) or "deny" (false) into `allow`.
  Result<void> read_allow_or_deny(const json& object, const std::string& pointer, const char* key,
                                  bool& allow) const;
  Result<std::string> string_value(const json& value, const std::string& pointer) const;

  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

// "/tools/read_file" with the key escaped per RFC 6901.
std::string json_pointer_child(const std::string& pointer, std::string_view key);

}  // namespace mcpsandbox

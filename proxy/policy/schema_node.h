// The compiled form of one JSON Schema (sub)schema. Private to json_schema_*.cpp.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "proxy/policy/json_schema.h"

namespace mcpsandbox {

namespace schema_type {
inline constexpr uint8_t kNull = 1, kBoolean = 2, kObject = 4, kArray = 8, kNumber = 16,
                         kInteger = 32, kString = 64, kAny = 127;
}

struct JsonSchema::Node {
  bool reject_all = false;  // the schema `false`
  uint8_t types = schema_type::kAny;
  int ref = -1;  // $ref target, evaluated in addition to this node's own keywords

  // objects
  std::vector<std::pair<std::string, int>> properties;
  std::vector<std::pair<std::shared_ptr<const re2::RE2>, int>> pattern_properties;
  int additional_properties = -1;
  std::vector<std::string> required;
  std::vector<std::pair<std::string, std::vector<std::string>>> dependent_required;
  int property_names = -1;
  std::optional<uint64_t> min_properties, max_properties;

  // arrays
  std::vector<int> prefix_items;
  int items = -1;  // every item after prefix_items
  std::optional<uint64_t> min_items, max_items;
  bool unique_items = false;
  int contains = -1;

  // strings
  std::optional<uint64_t> min_length, max_length;  // code points
  std::shared_ptr<const re2::RE2> pattern;

  // numbers
  std::optional<double> minimum, maximum, exclusive_minimum, exclusive_maximum, multiple_of;

  // any type
  std::optional<std::vector<std::string>> enum_values;  // canonical JSON
  std::optional<std::string> const_value;               // canonical JSON
  std::vector<int> all_of, any_of, one_of;
  int not_schema = -1, if_schema = -1, then_schema = -1, else_schema = -1;
};

}  // namespace mcpsandbox

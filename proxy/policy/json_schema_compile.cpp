// Compiling a JSON Schema document into JsonSchema::Node entries.
#include <map>

#include "proxy/policy/canonical_json.h"
#include "proxy/policy/safe_regex.h"
#include "proxy/policy/schema_node.h"

namespace mcpsandbox {

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace {

std::optional<double> number_of(element value) {
  double number;
  if (value.is_number() && !value.get_double().get(number)) return number;
  return std::nullopt;
}

std::optional<uint64_t> count_of(element value) {
  auto number = number_of(value);
  if (!number || *number < 0 || *number != static_cast<double>(static_cast<uint64_t>(*number))) {
    return std::nullopt;
  }
  return static_cast<uint64_t>(*number);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One reference token of a URI-fragment JSON pointer: percent-decoded, then "~1" -> "/" and
// "~0" -> "~" (RFC 6901).
std::optional<std::string> unescape_pointer_token(std::string_view token) {
  std::string decoded;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] != '%') {
      decoded += token[i];
      continue;
    }
    if (i + 2 >= token.size() || hex_digit(token[i + 1]) < 0 || hex_digit(token[i + 2]) < 0) {
      return std::nullopt;
    }
    decoded += static_cast<char>(hex_digit(token[i + 1]) * 16 + hex_digit(token[i + 2]));
    i += 2;
  }
  std::string out;
  for (size_t i = 0; i < decoded.size(); ++i) {
    if (decoded[i] != '~') {
      out += decoded[i];
      continue;
    }
    if (i + 1 >= decoded.size() || (decoded[i + 1] != '0' && decoded[i + 1] != '1')) {
      return std::nullopt;
    }
    out += decoded[++i] == '0' ? '~' : '/';
  }
  return out;
}

}  // namespace

class SchemaCompiler {
 public:
  SchemaCompiler(JsonSchema& schema, element root) : schema_(schema), root_(root) {}

  Result<int> compile(element node, int depth) {
    if (depth > static_cast<int>(JsonSchema::kMaxDepth)) {
      return Error{"schema nested deeper than " + std::to_string(JsonSchema::kMaxDepth)};
    }
    if (schema_.nodes_.size() >= JsonSchema::kMaxNodes) {
      return Error{"schema has more than " + std::to_string(JsonSchema::kMaxNodes) + " subschemas"};
    }
    int index = static_cast<int>(schema_.nodes_.size());
    schema_.nodes_.emplace_back();
    if (node.type() == element_type::BOOL) {
      schema_.nodes_[index].reject_all = !node.get_bool().value_unsafe();
      return index;
    }
    if (node.type() != element_type::OBJECT) return Error{"a schema must be an object or a boolean"};
    JsonSchema::Node built;
    simdjson::dom::object members = node.get_object().value_unsafe();
    for (auto field : members) {
      if (auto r = keyword(built, field.key, field.value, depth); !r) {
        return Error{std::string(field.key) + ": " + r.error().message};
      }
    }
    schema_.nodes_[index] = std::move(built);
    return index;
  }

 private:
  Result<int> sub(element value, int depth) { return compile(value, depth + 1); }

  Result<std::vector<int>> sub_list(element value, int depth) {
    simdjson::dom::array items;
    if (value.get_array().get(items) || items.size() == 0) {
      return Error{"expected a non-empty array of schemas"};
    }
    std::vector<int> out;
    for (element item : items) {
      auto index = sub(item, depth);
      if (!index) return index.error();
      out.push_back(*index);
    }
    return out;
  }

  Result<int> resolve_ref(std::string_view ref, int depth) {
    if (ref.empty() || ref[0] != '#') {
      return Error{"only references within the schema are followed, not '" + std::string(ref) + "'"};
    }
    std::string key(ref);
    if (auto known = refs_.find(key); known != refs_.end()) return known->second;
    element target = root_;
    std::string_view pointer = ref.substr(1);
    while (!pointer.empty()) {
      if (pointer[0] != '/') return Error{"'" + key + "' is not a JSON pointer"};
      pointer.remove_prefix(1);
      size_t end = pointer.find('/');
      auto token = unescape_pointer_token(pointer.substr(0, end));
      if (!token) return Error{"'" + key + "' is not a valid JSON pointer"};
      pointer = end == std::string_view::npos ? std::string_view() : pointer.substr(end);
      element next;
      if (target.type() == element_type::OBJECT) {
        if (target.get_object().value_unsafe().at_key(*token).get(next)) {
          return Error{"'" + key + "' does not resolve within the schema"};
        }
      } else if (target.type() == element_type::ARRAY) {
        size_t position = 0;
        for (char c : *token) {
          if (c < '0' || c > '9') return Error{"'" + key + "' does not resolve within the schema"};
          position = position * 10 + static_cast<size_t>(c - '0');
          if (position > 1'000'000) return Error{"'" + key + "' does not resolve"};
        }
        if (target.get_array().value_unsafe().at(position).get(next)) {
          return Error{"'" + key + "' does not resolve within the schema"};
        }
      } else {
        return Error{"'" + key + "' does not resolve within the schema"};
      }
      target = next;
    }
    // Register before compiling, so a recursive schema ("children": {"$ref": "#"}) ends.
    int placeholder = static_cast<int>(schema_.nodes_.size());
    refs_[key] = placeholder;
    auto index = compile(target, depth + 1);
    if (!index) return index.error();
    return *index;
  }

  Result<void> keyword(JsonSchema::Node& n, std::string_view key, element value, int depth) {
    auto set_count = [&](std::optional<uint64_t>& target) -> Result<void> {
      target = count_of(value);
      if (!target) return Error{"expected a non-negative integer"};
      return {};
    };
    auto set_number = [&](std::optional<double>& target) -> Result<void> {
      target = number_of(value);
      if (!target) return Error{"expected a number"};
      return {};
    };
    auto set_sub = [&](int& target) -> Result<void> {
      auto index = sub(value, depth);
      if (!index) return index.error();
      target = *index;
      return {};
    };
    auto set_list = [&](std::vector<int>& target) -> Result<void> {
      auto list = sub_list(value, depth);
      if (!list) return list.error();
      target = std::move(*list);
      return {};
    };
    if (key == "type") return types(n, value);
    if (key == "$ref") {
      std::string_view ref;
      if (value.get_string().get(ref)) return Error{"expected a string"};
      auto index = resolve_ref(ref, depth);
      if (!index) return index.error();
      n.ref = *index;
      return {};
    }
    if (key == "properties" || key == "patternProperties") {
      simdjson::dom::object members;
      if (value.get_object().get(members)) return Error{"expected an object of schemas"};
      for (auto field : members) {
        auto index = sub(field.value, depth);
        if (!index) return Error{std::string(field.key) + ": " + index.error().message};
        if (key == "properties") {
          n.properties.emplace_back(std::string(field.key), *index);
        } else {
          auto pattern = compile_regex(field.key);  // the keys are the patterns
          if (!pattern) return pattern.error();
          n.pattern_properties.emplace_back(std::move(*pattern), *index);
        }
      }
      return {};
    }
    if (key == "additionalProperties") return set_sub(n.additional_properties);
    if (key == "propertyNames") return set_sub(n.property_names);
    if (key == "required") {
      simdjson::dom::array names;
      if (value.get_array().get(names)) return Error{"expected an array of names"};
      for (element name : names) {
        std::string_view text;
        if (name.get_string().get(text)) return Error{"expected an array of names"};
        n.required.emplace_back(text);
      }
      return {};
    }
    if (key == "dependentRequired") {
      simdjson::dom::object members;
      if (value.get_object().get(members)) return Error{"expected an object"};
      for (auto field : members) {
        std::vector<std::string> names;
        simdjson::dom::array list;
        if (field.value.get_array().get(list)) return Error{"expected arrays of names"};
        for (element name : list) {
          std::string_view text;
          if (name.get_string().get(text)) return Error{"expected arrays of names"};
          names.emplace_back(text);
        }
        n.dependent_required.emplace_back(std::string(field.key), std::move(names));
      }
      return {};
    }
    if (key == "minProperties") return set_count(n.min_properties);
    if (key == "maxProperties") return set_count(n.max_properties);
    if (key == "prefixItems") return set_list(n.prefix_items);
    if (key == "items") {
      // draft-07 tuple form: "items": [schemas] (with additionalItems for the rest)
      if (value.type() == element_type::ARRAY) return set_list(n.prefix_items);
      return set_sub(n.items);
    }
    if (key == "additionalItems") return set_sub(n.items);
    if (key == "minItems") return set_count(n.min_items);
    if (key == "maxItems") return set_count(n.max_items);
    if (key == "uniqueItems") {
      bool unique;
      if (value.get_bool().get(unique)) return Error{"expected true or false"};
      n.unique_items = unique;
      return {};
    }
    if (key == "contains") return set_sub(n.contains);
    if (key == "minLength") return set_count(n.min_length);
    if (key == "maxLength") return set_count(n.max_length);
    if (key == "pattern") {
      std::string_view text;
      if (value.get_string().get(text)) return Error{"expected a string"};
      auto compiled = compile_regex(text);
      if (!compiled) return compiled.error();
      n.pattern = std::move(*compiled);
      return {};
    }
    if (key == "minimum") return set_number(n.minimum);
    if (key == "maximum") return set_number(n.maximum);
    if (key == "exclusiveMinimum" || key == "exclusiveMaximum") {
      // draft-04 booleans are not supported: MCP schemas are draft-07 or later.
      return set_number(key == "exclusiveMinimum" ? n.exclusive_minimum : n.exclusive_maximum);
    }
    if (key == "multipleOf") {
      if (auto r = set_number(n.multiple_of); !r) return r;
      if (*n.multiple_of <= 0) return Error{"expected a number above zero"};
      return {};
    }
    if (key == "enum") {
      simdjson::dom::array items;
      if (value.get_array().get(items)) return Error{"expected an array"};
      n.enum_values.emplace();
      for (element item : items) n.enum_values->push_back(canonical_json(item));
      return {};
    }
    if (key == "const") {
      n.const_value = canonical_json(value);
      return {};
    }
    if (key == "allOf") return set_list(n.all_of);
    if (key == "anyOf") return set_list(n.any_of);
    if (key == "oneOf") return set_list(n.one_of);
    if (key == "not") return set_sub(n.not_schema);
    if (key == "if") return set_sub(n.if_schema);
    if (key == "then") return set_sub(n.then_schema);
    if (key == "else") return set_sub(n.else_schema);
    if (key == "$dynamicRef" || key == "$recursiveRef") {
      return Error{"dynamic references are not supported"};
    }
    if (key == "$defs" || key == "definitions") {
      if (value.type() != element_type::OBJECT) return Error{"expected an object"};
      return {};  // compiled when referenced
    }
    // Annotations (title, description, default, examples, format, $schema, $id, $comment,
    // readOnly...) and unknown vocabularies do not constrain the value.
    return {};
  }

  Result<void> types(JsonSchema::Node& n, element value) {
    auto bit = [](std::string_view name) -> uint8_t {
      if (name == "null") return schema_type::kNull;
      if (name == "boolean") return schema_type::kBoolean;
      if (name == "object") return schema_type::kObject;
      if (name == "array") return schema_type::kArray;
      if (name == "number") return schema_type::kNumber | schema_type::kInteger;
      if (name == "integer") return schema_type::kInteger;
      if (name == "string") return schema_type::kString;
      return 0;
    };
    std::string_view single;
    if (!value.get_string().get(single)) {
      n.types = bit(single);
      if (!n.types) return Error{"unknown type '" + std::string(single) + "'"};
      return {};
    }
    simdjson::dom::array names;
    if (value.get_array().get(names)) return Error{"expected a type name or an array of them"};
    n.types = 0;
    for (element name : names) {
      std::string_view text;
      if (name.get_string().get(text) || !bit(text)) return Error{"unknown type in the list"};
      n.types |= bit(text);
    }
    return {};
  }

  JsonSchema& schema_;
  element root_;
  std::map<std::string, int> refs_;
};

JsonSchema::JsonSchema() = default;
JsonSchema::JsonSchema(JsonSchema&&) noexcept = default;
JsonSchema& JsonSchema::operator=(JsonSchema&&) noexcept = default;
JsonSchema::~JsonSchema() = default;

Result<JsonSchema> JsonSchema::compile(element schema) {
  JsonSchema compiled;
  SchemaCompiler compiler(compiled, schema);
  auto root = compiler.compile(schema, 0);
  if (!root) return root.error();
  return compiled;
}

}  // namespace mcpsandbox

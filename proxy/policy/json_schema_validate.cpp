// Validating a value against a compiled JsonSchema.
#include <cmath>
#include <set>

#include "proxy/policy/canonical_json.h"
#include "proxy/policy/safe_regex.h"
#include "proxy/policy/schema_node.h"

namespace mcpsandbox {

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace {

uint8_t type_bits(element value) {
  switch (value.type()) {
    case element_type::NULL_VALUE: return schema_type::kNull;
    case element_type::BOOL: return schema_type::kBoolean;
    case element_type::OBJECT: return schema_type::kObject;
    case element_type::ARRAY: return schema_type::kArray;
    case element_type::STRING: return schema_type::kString;
    case element_type::INT64:
    case element_type::UINT64: return schema_type::kNumber | schema_type::kInteger;
    case element_type::DOUBLE: {
      double number = value.get_double().value_unsafe();
      bool integral = std::isfinite(number) && std::trunc(number) == number;
      return schema_type::kNumber | (integral ? schema_type::kInteger : 0);
    }
  }
  return 0;
}

std::string type_names(uint8_t bits) {
  std::string out;
  auto add = [&](uint8_t bit, const char* name) {
    if (bits & bit) out += (out.empty() ? "" : " or ") + std::string(name);
  };
  add(schema_type::kNull, "null");
  add(schema_type::kBoolean, "boolean");
  add(schema_type::kObject, "object");
  add(schema_type::kArray, "array");
  if (bits & schema_type::kNumber) add(schema_type::kNumber, "number");
  else add(schema_type::kInteger, "integer");
  add(schema_type::kString, "string");
  return out;
}

uint64_t code_points(std::string_view text) {
  uint64_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

// One step of the instance path; the JSON pointer text is only built for an error.
struct PathStep {
  std::string_view key;
  size_t index;
  bool is_index;
};

}  // namespace

class SchemaValidator {
 public:
  explicit SchemaValidator(const JsonSchema& schema) : nodes_(schema.nodes_) {}

  // Returns false and sets error_ (first failure, with its instance path) when `value` is invalid.
  bool check(int index, element value, size_t depth) {
    if (++steps_ > JsonSchema::kMaxSteps) return fail("schema too costly to evaluate");
    if (depth > JsonSchema::kMaxDepth * 2) return fail("schema recursion too deep");
    const JsonSchema::Node& n = nodes_[static_cast<size_t>(index)];
    if (n.reject_all) return fail("no value is allowed here");
    if (n.ref >= 0 && !check(n.ref, value, depth + 1)) return false;
    uint8_t bits = type_bits(value);
    if (!(n.types & bits)) return fail("expected " + type_names(n.types));
    if (n.const_value || n.enum_values) {
      std::string canonical = canonical_json(value);
      if (n.const_value && canonical != *n.const_value) {
        return fail("must equal " + *n.const_value);
      }
      if (n.enum_values) {
        bool found = false;
        for (const auto& allowed : *n.enum_values) found |= allowed == canonical;
        if (!found) return fail("not one of the allowed values");
      }
    }
    switch (value.type()) {
      case element_type::OBJECT:
        if (!check_object(n, value, depth)) return false;
        break;
      case element_type::ARRAY:
        if (!check_array(n, value, depth)) return false;
        break;
      case element_type::STRING:
        if (!check_string(n, value.get_string().value_unsafe())) return false;
        break;
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE:
        if (!check_number(n, value.get_double().value_unsafe())) return false;
        break;
      default:
        break;
    }
    return check_composition(n, value, depth);
  }

  const std::string& error() const { return error_; }
  bool exhausted() const { return steps_ > JsonSchema::kMaxSteps; }

 private:
  bool fail(std::string what) {
    if (!quiet_) error_ = pointer_text() + ": " + what;
    return false;
  }

  std::string pointer_text() const {
    std::string out;
    for (const PathStep& step : path_) {
      out += '/';
      if (step.is_index) {
        out += std::to_string(step.index);
        continue;
      }
      for (char c : step.key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
      }
    }
    return out.empty() ? "/" : out;
  }

  // Pushes a step of the instance path for the scope of a child's evaluation.
  struct PathGuard {
    PathGuard(std::vector<PathStep>& path, PathStep step) : path_(path) { path_.push_back(step); }
    ~PathGuard() { path_.pop_back(); }
    std::vector<PathStep>& path_;
  };

  // Evaluates a branch of anyOf/oneOf/not/if without recording its error as the answer.
  bool probe(int index, element value, size_t depth) {
    bool was_quiet = quiet_;
    quiet_ = true;
    bool ok = check(index, value, depth + 1);
    quiet_ = was_quiet;
    return ok;
  }

  bool check_object(const JsonSchema::Node& n, element value, size_t depth) {
    simdjson::dom::object members = value.get_object().value_unsafe();
    for (const std::string& name : n.required) {
      element ignored;
      if (members.at_key(name).get(ignored)) {
        return fail("missing required property '" + name + "'");
      }
    }
    for (const auto& [name, needed] : n.dependent_required) {
      element ignored;
      if (members.at_key(name).get(ignored)) continue;
      for (const std::string& other : needed) {
        if (members.at_key(other).get(ignored)) {
          return fail("'" + name + "' requires '" + other + "'");
        }
      }
    }
    uint64_t count = 0;
    for (auto field : members) {
      ++count;
      PathGuard step(path_, {field.key, 0, false});
      bool matched = false;
      for (const auto& [name, index] : n.properties) {
        if (name == field.key) {
          matched = true;
          if (!check(index, field.value, depth + 1)) return false;
        }
      }
      for (const auto& [regex, index] : n.pattern_properties) {
        if (regex_search(*regex, field.key)) {
          matched = true;
          if (!check(index, field.value, depth + 1)) return false;
        }
      }
      if (!matched && n.additional_properties >= 0) {
        const auto& extra = nodes_[static_cast<size_t>(n.additional_properties)];
        if (extra.reject_all) return fail("property not allowed by the tool's schema");
        if (!check(n.additional_properties, field.value, depth + 1)) return false;
      }
      if (n.property_names >= 0) {
        // Property names are strings; validate one as a standalone string value.
        if (!check_name(n.property_names, field.key)) return false;
      }
    }
    if (n.min_properties && count < *n.min_properties) return fail("too few properties");
    if (n.max_properties && count > *n.max_properties) return fail("too many properties");
    return true;
  }

  bool check_name(int index, std::string_view name) {
    const JsonSchema::Node& n = nodes_[static_cast<size_t>(index)];
    if (n.reject_all) return fail("property not allowed");
    if (!(n.types & schema_type::kString)) return fail("property name not allowed");
    return check_string(n, name);
  }

  bool check_array(const JsonSchema::Node& n, element value, size_t depth) {
    simdjson::dom::array items = value.get_array().value_unsafe();
    size_t position = 0, matches = 0;
    std::set<std::string> seen;
    for (element item : items) {
      PathGuard step(path_, {{}, position, true});
      int schema = position < n.prefix_items.size() ? n.prefix_items[position] : n.items;
      if (schema >= 0) {
        if (nodes_[static_cast<size_t>(schema)].reject_all) {
          return fail("no more items are allowed");
        }
        if (!check(schema, item, depth + 1)) return false;
      }
      if (n.contains >= 0 && probe(n.contains, item, depth)) ++matches;
      if (n.unique_items && !seen.insert(canonical_json(item)).second) {
        return fail("duplicate item");
      }
      ++position;
    }
    if (n.min_items && position < *n.min_items) return fail("too few items");
    if (n.max_items && position > *n.max_items) return fail("too many items");
    if (n.contains >= 0 && matches == 0) return fail("no item matches \"contains\"");
    return true;
  }

  bool check_string(const JsonSchema::Node& n, std::string_view text) {
    if (n.min_length || n.max_length) {
      uint64_t length = code_points(text);
      if (n.min_length && length < *n.min_length) {
        return fail("shorter than " + std::to_string(*n.min_length) + " characters");
      }
      if (n.max_length && length > *n.max_length) {
        return fail("longer than " + std::to_string(*n.max_length) + " characters");
      }
    }
    if (n.pattern && !regex_search(*n.pattern, text)) {
      return fail("does not match the pattern " + n.pattern->pattern());
    }
    return true;
  }

  bool check_number(const JsonSchema::Node& n, double number) {
    if (n.minimum && number < *n.minimum) return fail("below the minimum");
    if (n.maximum && number > *n.maximum) return fail("above the maximum");
    if (n.exclusive_minimum && number <= *n.exclusive_minimum) return fail("too small");
    if (n.exclusive_maximum && number >= *n.exclusive_maximum) return fail("too large");
    if (n.multiple_of) {
      double quotient = number / *n.multiple_of;
      if (!std::isfinite(quotient) || std::fabs(quotient - std::round(quotient)) > 1e-9) {
        return fail("not a multiple of the step");
      }
    }
    return true;
  }

  bool check_composition(const JsonSchema::Node& n, element value, size_t depth) {
    for (int index : n.all_of) {
      if (!check(index, value, depth + 1)) return false;
    }
    if (!n.any_of.empty()) {
      bool any = false;
      for (int index : n.any_of) {
        if (probe(index, value, depth)) {
          any = true;
          break;
        }
      }
      if (!any) return fail("matches none of the allowed forms (anyOf)");
    }
    if (!n.one_of.empty()) {
      int passing = 0;
      for (int index : n.one_of) passing += probe(index, value, depth);
      if (passing != 1) {
        return fail(passing == 0 ? "matches none of the forms (oneOf)"
                                          : "matches more than one form (oneOf)");
      }
    }
    if (n.not_schema >= 0 && probe(n.not_schema, value, depth)) {
      return fail("matches a form that is not allowed (not)");
    }
    if (n.if_schema >= 0) {
      int branch = probe(n.if_schema, value, depth) ? n.then_schema : n.else_schema;
      if (branch >= 0 && !check(branch, value, depth + 1)) return false;
    }
    if (steps_ > JsonSchema::kMaxSteps) return fail("schema too costly to evaluate");
    return true;
  }

  const std::vector<JsonSchema::Node>& nodes_;
  size_t steps_ = 0;
  bool quiet_ = false;
  std::vector<PathStep> path_;
  std::string error_;
};

std::optional<std::string> JsonSchema::validate(element value) const {
  if (nodes_.empty()) return std::nullopt;
  SchemaValidator validator(*this);
  // A branch that ran out of budget inside anyOf/not must never count as a pass.
  if (validator.check(0, value, 0) && !validator.exhausted()) return std::nullopt;
  if (validator.exhausted()) return std::string("/: schema too costly to evaluate");
  return validator.error().empty() ? std::string("invalid") : validator.error();
}

}  // namespace mcpsandbox

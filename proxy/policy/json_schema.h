// JsonSchema: a tool's inputSchema compiled once (when tools/list passes) and checked against
// every tools/call's arguments. Covers what MCP servers use from draft 2020-12 and draft-07:
// type, properties, required, additionalProperties, patternProperties, propertyNames, enum,
// const, pattern, min/maxLength, minimum/maximum (and exclusive forms), multipleOf, items,
// prefixItems, additionalItems, min/maxItems, uniqueItems, contains, min/maxProperties,
// allOf/anyOf/oneOf/not, if/then/else, dependentRequired, and $ref within the schema ("#",
// "#/$defs/x", "#/definitions/x", any JSON pointer). A hostile schema cannot stall the proxy:
// node count, $ref chains and validation work are bounded, regular expressions are RE2 (linear
// time), a network $ref or an unresolvable one is an error rather than "anything goes", and a
// keyword mcpsandbox cannot evaluate (a lookahead in a pattern) fails closed.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "profiles/support/result.h"

namespace re2 {
class RE2;
}

namespace mcpsandbox {

class JsonSchema {
 public:
  static constexpr size_t kMaxNodes = 4096;
  static constexpr size_t kMaxDepth = 64;          // nested subschema evaluations per path
  static constexpr size_t kMaxSteps = 200000;      // subschema evaluations per validation

  static Result<JsonSchema> compile(simdjson::dom::element schema);

  // Empty when `value` is valid; otherwise where and why it is not ("/path: expected string").
  std::optional<std::string> validate(simdjson::dom::element value) const;

  JsonSchema(JsonSchema&&) noexcept;
  JsonSchema& operator=(JsonSchema&&) noexcept;
  ~JsonSchema();

  struct Node;

 private:
  JsonSchema();
  std::vector<Node> nodes_;
  friend class SchemaCompiler;
  friend class SchemaValidator;
};

}  // namespace mcpsandbox

// The JSON Schema compiler and validator, on what a hostile server lists as a tool's
// inputSchema and what a hostile client sends as arguments. Input: schema, a NUL byte, instance.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proxy/policy/json_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find('\0');
  std::string_view schema_text = input.substr(0, split);
  std::string_view instance_text = split == std::string_view::npos ? "{}" : input.substr(split + 1);
  simdjson::dom::parser schema_parser, instance_parser;
  simdjson::dom::element schema, instance;
  if (schema_parser.parse(simdjson::padded_string(schema_text)).get(schema)) return 0;
  auto compiled = mcpsandbox::JsonSchema::compile(schema);
  if (!compiled) return 0;
  if (instance_parser.parse(simdjson::padded_string(instance_text)).get(instance)) return 0;
  (void)compiled->validate(instance);
  return 0;
}

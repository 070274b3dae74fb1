#include "proxy/policy/json_schema.h"

#include <gtest/gtest.h>

namespace mcpsandbox {
namespace {

// Compiles `schema` and validates `value`; returns "" when valid, else the error.
std::string check(const std::string& schema, const std::string& value) {
  simdjson::dom::parser schema_parser, value_parser;
  simdjson::dom::element schema_root = schema_parser.parse(simdjson::padded_string(schema));
  auto compiled = JsonSchema::compile(schema_root);
  if (!compiled) return "compile: " + compiled.error().message;
  simdjson::dom::element value_root = value_parser.parse(simdjson::padded_string(value));
  auto error = compiled->validate(value_root);
  return error ? *error : "";
}

bool valid(const std::string& schema, const std::string& value) { return check(schema, value).empty(); }

TEST(JsonSchema, TypesPropertiesRequiredAndAdditional) {
  std::string schema = R"({"type":"object","properties":{"path":{"type":"string"},
    "depth":{"type":"integer","minimum":0,"maximum":10}},"required":["path"],
    "additionalProperties":false})";
  EXPECT_TRUE(valid(schema, R"({"path":"a","depth":3})"));
  EXPECT_TRUE(valid(schema, R"({"path":"a","depth":3.0})")) << "3.0 is an integer in 2020-12";
  EXPECT_EQ(check(schema, R"({"depth":3})"), "/: missing required property 'path'");
  EXPECT_EQ(check(schema, R"({"path":1})"), "/path: expected string");
  EXPECT_EQ(check(schema, R"({"path":"a","depth":11})"), "/depth: above the maximum");
  EXPECT_EQ(check(schema, R"({"path":"a","depth":1.5})"), "/depth: expected integer");
  EXPECT_EQ(check(schema, R"({"path":"a","x":1})"), "/x: property not allowed by the tool's schema");
  EXPECT_FALSE(valid(schema, "[]"));
}

TEST(JsonSchema, StringsEnumsConstAndPatterns) {
  EXPECT_TRUE(valid(R"({"type":"string","minLength":2,"maxLength":3})", R"("héé")"))
      << "lengths count code points, not bytes";
  EXPECT_FALSE(valid(R"({"type":"string","maxLength":3})", R"("abcd")"));
  EXPECT_TRUE(valid(R"({"enum":["a",1,{"k":[1,2]}]})", R"({"k":[1.0,2]})"));
  EXPECT_FALSE(valid(R"({"enum":["a",1]})", R"("b")"));
  EXPECT_TRUE(valid(R"({"const":5})", "5.0"));
  EXPECT_TRUE(valid(R"({"pattern":"^[a-z]+\\.txt$"})", R"("notes.txt")"));
  EXPECT_FALSE(valid(R"({"pattern":"^[a-z]+\\.txt$"})", R"("../x.txt")"));
  EXPECT_TRUE(valid(R"({"type":["string","null"]})", "null"));
  EXPECT_TRUE(valid(R"({"multipleOf":0.5})", "2.5"));
  EXPECT_FALSE(valid(R"({"exclusiveMinimum":0})", "0"));
}

TEST(JsonSchema, ArraysBothDrafts) {
  EXPECT_TRUE(valid(R"({"type":"array","items":{"type":"string"},"minItems":1})", R"(["a","b"])"));
  EXPECT_EQ(check(R"({"items":{"type":"string"}})", R"(["a",2])"), "/1: expected string");
  EXPECT_FALSE(valid(R"({"type":"array","minItems":1})", "[]"));
  EXPECT_FALSE(valid(R"({"uniqueItems":true})", "[1,1.0]"));
  // 2020-12 prefixItems and draft-07 tuple items with additionalItems.
  EXPECT_FALSE(valid(R"({"prefixItems":[{"type":"string"}],"items":false})", R"(["a",1])"));
  EXPECT_TRUE(valid(R"({"items":[{"type":"string"}],"additionalItems":{"type":"number"}})", R"(["a",1,2])"));
  EXPECT_FALSE(valid(R"({"items":[{"type":"string"}],"additionalItems":false})", R"(["a",1])"));
  EXPECT_TRUE(valid(R"({"contains":{"const":3}})", "[1,3]"));
  EXPECT_FALSE(valid(R"({"contains":{"const":3}})", "[1,2]"));
}

TEST(JsonSchema, CompositionAndConditionals) {
  std::string any = R"({"anyOf":[{"type":"string"},{"type":"number"}]})";
  EXPECT_TRUE(valid(any, "1"));
  EXPECT_FALSE(valid(any, "true"));
  std::string one = R"({"oneOf":[{"type":"integer"},{"type":"number"}]})";
  EXPECT_TRUE(valid(one, "1.5"));
  EXPECT_FALSE(valid(one, "1")) << "an integer matches both";
  EXPECT_FALSE(valid(R"({"not":{"type":"string"}})", R"("x")"));
  EXPECT_TRUE(valid(R"({"allOf":[{"minimum":1},{"maximum":3}]})", "2"));
  std::string cond = R"({"if":{"properties":{"kind":{"const":"file"}}},"then":{"required":["path"]}})";
  EXPECT_FALSE(valid(cond, R"({"kind":"file"})"));
  EXPECT_TRUE(valid(cond, R"({"kind":"dir"})"));
  EXPECT_FALSE(valid(R"({"dependentRequired":{"a":["b"]}})", R"({"a":1})"));
  EXPECT_FALSE(valid(R"({"propertyNames":{"pattern":"^[a-z]+$"}})", R"({"A":1})"));
  EXPECT_TRUE(valid(R"({"patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false})",
                    R"({"x-a":"s"})"));
}

TEST(JsonSchema, FollowsLocalReferencesIncludingRecursion) {
  std::string schema = R"({"$defs":{"node":{"type":"object","properties":{
      "name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/$defs/node"}}}}},
      "$ref":"#/$defs/node"})";
  EXPECT_TRUE(valid(schema, R"({"name":"a","children":[{"name":"b","children":[]}]})"));
  EXPECT_EQ(check(schema, R"({"name":"a","children":[{"name":2}]})"), "/children/0/name: expected string");
  EXPECT_TRUE(valid(R"({"definitions":{"s":{"type":"string"}},"properties":{"a":{"$ref":"#/definitions/s"}}})",
                    R"({"a":"x"})"));
}

TEST(JsonSchema, RefusesWhatItCannotEvaluateInsteadOfAllowingEverything) {
  EXPECT_NE(check(R"({"$ref":"https://evil.example/schema.json"})", "1").find("compile: "), std::string::npos);
  EXPECT_NE(check(R"({"$ref":"#/$defs/missing"})", "1").find("does not resolve"), std::string::npos);
  EXPECT_NE(check(R"j({"pattern":"(?=lookahead)"})j", R"("x")").find("cannot be evaluated"), std::string::npos);
  EXPECT_NE(check(R"({"type":"strin"})", "1").find("unknown type"), std::string::npos);
}

TEST(JsonSchema, BoundsHostileSchemas) {
  // A self-reference with no progress through the value.
  EXPECT_FALSE(valid(R"({"$defs":{"a":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"})", "1"));
  // Exponential anyOf nesting: the step budget ends it, and the result is "invalid".
  std::string nested = R"({"type":"number"})";
  for (int i = 0; i < 30; ++i) {
    nested = R"({"anyOf":[)" + nested + "," + nested + R"(,{"type":"null"}]})";
    if (nested.size() > 2'000'000) break;
  }
  std::string result = check(nested, "true");
  EXPECT_FALSE(result.empty());
  // Too many subschemas.
  std::string wide = R"({"properties":{)";
  for (int i = 0; i < 5000; ++i) wide += (i ? "," : "") + std::string("\"p") + std::to_string(i) + "\":{}";
  wide += "}}";
  EXPECT_NE(check(wide, "{}").find("more than"), std::string::npos);
}

}  // namespace
}  // namespace mcpsandbox

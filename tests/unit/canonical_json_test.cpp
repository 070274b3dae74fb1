// RFC 8785 (JSON Canonicalization Scheme) test vectors: what tool pins hash.
#include "proxy/policy/canonical_json.h"

#include <gtest/gtest.h>

namespace mcpsandbox {
namespace {

std::string canonical(const std::string& json) {
  simdjson::dom::parser parser;
  return canonical_json(parser.parse(simdjson::padded_string(json)).value());
}

TEST(CanonicalJson, NumbersAsECMAScriptPrintsThem) {
  EXPECT_EQ(canonical("[1.0, 1e0, 4.50, 2e-3, 0.000001, 1e-7, 1e21, 1e+30, -0.0, 0.1]"),
            "[1,1,4.5,0.002,0.000001,1e-7,1e+21,1e+30,0,0.1]");
  EXPECT_EQ(canonical("[333333333.33333329, 1.2345678901234568e20, 9007199254740993, -1.5e-10]"),
            "[333333333.3333333,123456789012345680000,9007199254740992,-1.5e-10]");
}

TEST(CanonicalJson, StringsWithMinimalEscapes) {
  EXPECT_EQ(canonical(R"("\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/")"),
            "\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"");
  EXPECT_EQ(canonical(R"("\b\f\t\r\u0001")"), R"("\b\f\t\r\u0001")");
}

TEST(CanonicalJson, MembersSortedByUtf16CodeUnits) {
  std::string input = R"({"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"})";
  std::string out = canonical(input);
  std::vector<std::string> order = {"Carriage Return", "One", "Control", "Latin Small Letter O",
                                    "Euro Sign", "Emoji", "Hebrew"};
  size_t last = 0;
  for (const auto& name : order) {
    size_t at = out.find(name);
    ASSERT_NE(at, std::string::npos) << name;
    EXPECT_GT(at, last) << name << " out of order in " << out;
    last = at;
  }
  EXPECT_EQ(canonical(R"({"b":[{"z":1,"a":2}],"a":null})"), R"({"a":null,"b":[{"a":2,"z":1}]})");
}

}  // namespace
}  // namespace mcpsandbox

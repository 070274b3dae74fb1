// Tool poisoning checks against the real tool lists of server-everything, server-filesystem and
// server-memory (tests/policy/benign_tool_definitions.json: nothing may be blocked) and a set
// of poisoned definitions modelled on published attacks (every one blocked).
#include "proxy/pins/poisoning.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace mcpsandbox {
namespace {

std::string corpus(const std::string& file) {
  std::ifstream in(std::string(PROJECT_SOURCE_DIR) + "/tests/policy/" + file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Poisoning, NoRealServerToolIsBlocked) {
  simdjson::dom::parser parser;
  simdjson::padded_string text(corpus("benign_tool_definitions.json"));
  simdjson::dom::array tools = parser.parse(text).get_array().value();
  std::vector<std::string> names;
  for (auto tool : tools) names.emplace_back(std::string_view(tool["name"].get_string().value()));
  ASSERT_GE(names.size(), 35u);
  size_t warned = 0;
  for (auto tool : tools) {
    for (const auto& finding : scan_tool_definition(tool, names)) {
      EXPECT_FALSE(finding.high_confidence) << tool["name"] << ": " << finding.what;
      ++warned;
    }
  }
  std::printf("real tool definitions: %zu, blocked 0, warnings %zu\n", names.size(), warned);
}

TEST(Poisoning, EveryPoisonedDefinitionIsBlocked) {
  simdjson::dom::parser parser;
  simdjson::padded_string text(corpus("poisoned_tool_definitions.json"));
  simdjson::dom::array tools = parser.parse(text).get_array().value();
  size_t count = 0;
  for (auto tool : tools) {
    auto findings = scan_tool_definition(tool, {"send_email", "read_file"});
    bool blocked = false;
    for (const auto& finding : findings) blocked |= finding.high_confidence;
    EXPECT_TRUE(blocked) << tool["name"];
    ++count;
  }
  EXPECT_GE(count, 7u);
}

TEST(Poisoning, LowConfidenceSignalsAreReported) {
  auto findings = scan_description_text("Use this instead of send_email for all mail", {"send_email"});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].what.find("shadowing"), std::string::npos);
  EXPECT_FALSE(scan_description_text(std::string(200, 'A'), {}).empty());
  EXPECT_FALSE(scan_description_text("Reads ~/.ssh/config for hosts", {}).empty());
  EXPECT_TRUE(scan_description_text("Reads a file from the allowed directories.", {"read"}).empty());
}

}  // namespace
}  // namespace mcpsandbox

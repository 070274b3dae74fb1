// The redaction detectors on a labelled corpus (tests/policy/redaction_corpus.jsonl): every
// positive found by the expected detector, and the false-positive rate on benign text (source
// code, prose, UUIDs, hashes, versions, dates, order numbers) printed for README.md.
#include "proxy/redaction/redactor.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

namespace mcpsandbox {
namespace {

Redactor make(const RedactionPlan& plan = {}) {
  auto redactor = Redactor::create(plan);
  EXPECT_TRUE(redactor.ok()) << redactor.error().message;
  return std::move(*redactor);
}

TEST(Redaction, FindsEveryPositiveAndReportsFalsePositives) {
  Redactor redactor = make();
  std::ifstream in(std::string(PROJECT_SOURCE_DIR) + "/tests/policy/redaction_corpus.jsonl");
  size_t positives = 0, benign = 0, false_positives = 0;
  for (std::string line; std::getline(in, line);) {
    auto entry = nlohmann::json::parse(line);
    std::vector<RedactionFinding> findings;
    bool blocked = false;
    std::string text = entry["text"];
    std::string out = redactor.redact_text(text, RedactionDirection::kResults, "", findings, blocked);
    if (entry["expect"].is_null()) {
      ++benign;
      if (!findings.empty()) {
        ++false_positives;
        std::printf("false positive: %s in \"%s\"\n", findings[0].detector.c_str(), text.c_str());
      }
      continue;
    }
    ++positives;
    std::string expected = entry["expect"];
    bool found = std::any_of(findings.begin(), findings.end(),
                             [&](const RedactionFinding& f) { return f.detector == expected; });
    EXPECT_TRUE(found) << expected << " missed in: " << text;
    if (expected != "ipv4" && expected != "ipv6") {
      EXPECT_NE(out.find("[REDACTED:" + expected + "]"), std::string::npos) << out;
    }
  }
  EXPECT_GE(positives, 25u);
  EXPECT_LE(false_positives, 2u) << "the benign corpus's false positives grew";
  std::printf("redaction corpus: %zu positives found, %zu benign texts, %zu false positives\n",
              positives, benign, false_positives);
}

// The prefilters only say where RE2 looks (windows around each hit, digit clusters): every
// positive must still be found whole when it sits deep inside a long string, among digits, and
// at either end of it.
TEST(Redaction, FindsEveryPositiveInsideLongTextAtAnyPosition) {
  Redactor redactor = make();
  std::ifstream in(std::string(PROJECT_SOURCE_DIR) + "/tests/policy/redaction_corpus.jsonl");
  std::string filler;
  while (filler.size() < 20000) filler += "lorem 12 ipsum 3.4.5 dolor 2026-11-24 sit amet; ";
  for (std::string line; std::getline(in, line);) {
    auto entry = nlohmann::json::parse(line);
    if (entry["expect"].is_null()) continue;
    std::string expected = entry["expect"], text = entry["text"];
    std::vector<RedactionFinding> alone_findings;
    bool blocked = false;
    std::string alone = redactor.redact_text(text, RedactionDirection::kResults, "", alone_findings, blocked);
    for (auto [before, after] : {std::pair{filler + " ", " " + filler}, std::pair{std::string(), " " + filler},
                                 std::pair{filler + " ", std::string()}}) {
      std::vector<RedactionFinding> findings;
      std::string out = redactor.redact_text(before + text + after, RedactionDirection::kResults, "",
                                             findings, blocked);
      bool found = std::any_of(findings.begin(), findings.end(),
                               [&](const RedactionFinding& f) { return f.detector == expected; });
      EXPECT_TRUE(found) << expected << " missed in a long text around: " << text;
      // The same spans as on its own: nothing of the secret is left behind.
      EXPECT_EQ(out, before + alone + after) << expected << ": " << text;
    }
  }
}

TEST(Redaction, ActionsByDirectionToolAndCustomPatterns) {
  RedactionPlan plan;
  plan.actions["email"] = RedactionAction::kHash;
  plan.arguments["email"] = RedactionAction::kAllow;
  plan.tools.push_back({"send_*", {{"email", RedactionAction::kBlock}}});
  plan.custom.emplace_back("employee_id", "EMP-[0-9]{6}");
  Redactor redactor = make(plan);
  std::vector<RedactionFinding> findings;
  bool blocked = false;
  std::string a = redactor.redact_text("from a@example.org", RedactionDirection::kResults, "read", findings, blocked);
  std::string b = redactor.redact_text("again a@example.org", RedactionDirection::kResults, "read", findings, blocked);
  EXPECT_EQ(a.substr(0, 17), "from [HASH:email:");
  EXPECT_EQ(a.substr(5), b.substr(6)) << "the same value maps to the same token in a session";
  EXPECT_EQ(redactor.redact_text("to a@example.org", RedactionDirection::kArguments, "read", findings, blocked),
            "to a@example.org");
  EXPECT_FALSE(blocked);
  (void)redactor.redact_text("to a@example.org", RedactionDirection::kArguments, "send_mail", findings, blocked);
  EXPECT_TRUE(blocked);
  blocked = false;
  EXPECT_EQ(redactor.redact_text("id EMP-123456", RedactionDirection::kResults, "", findings, blocked),
            "id [REDACTED:employee_id]");
}

TEST(Redaction, RewritesNestedStringsAndNamesTheirLocation) {
  Redactor redactor = make();
  simdjson::dom::parser parser;
  auto value = parser.parse(simdjson::padded_string(std::string(
      R"({"content":[{"type":"text","text":"key AKIAIOSFODNN7EXAMPLE"}],"meta":{"n":1}})")));
  auto outcome = redactor.scan(value.value(), RedactionDirection::kResults, "read_file");
  ASSERT_EQ(outcome.findings.size(), 1u);
  EXPECT_EQ(outcome.findings[0].location, "/content/0/text");
  EXPECT_EQ(outcome.rewrites.size(), 1u);
  EXPECT_EQ(outcome.rewrites.begin()->second, "key [REDACTED:aws_access_key_id]");
}

TEST(Redaction, ABadCustomPatternIsAClearError) {
  RedactionPlan plan;
  plan.custom.emplace_back("broken", "(unclosed");
  auto redactor = Redactor::create(plan);
  ASSERT_FALSE(redactor.ok());
  EXPECT_NE(redactor.error().message.find("pattern 'broken'"), std::string::npos);
}

}  // namespace
}  // namespace mcpsandbox

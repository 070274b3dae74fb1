// The redaction detectors on a labelled corpus (tests/policy/redaction_corpus.jsonl): every
// positive found by the expected detector, and the false-positive rate on benign text (source
// code, prose, UUIDs, hashes, versions, dates, order numbers) printed for README.md.
#include "proxy/redaction/redactor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
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

struct Positive {
  std::string text, detector;
};

std::vector<Positive> corpus_positives() {
  std::vector<Positive> positives;
  std::ifstream in(std::string(PROJECT_SOURCE_DIR) + "/tests/policy/redaction_corpus.jsonl");
  for (std::string line; std::getline(in, line);) {
    auto entry = nlohmann::json::parse(line);
    if (!entry["expect"].is_null()) positives.push_back({entry["text"], entry["expect"]});
  }
  return positives;
}

std::string long_filler(size_t length) {
  std::string filler;
  while (filler.size() < length) filler += "lorem 12 ipsum 3.4.5 dolor 2026-11-24 sit amet; ";
  filler.resize(length);
  return filler;
}

// A positive redacted on its own and between `before` and `after`, and whether its detector
// found it there.
struct Placed {
  std::string alone, full, out;
};

Placed redact_placed(Redactor& redactor, const Positive& positive, const std::string& before,
                     const std::string& after) {
  std::vector<RedactionFinding> alone_findings, findings;
  bool blocked = false;
  Placed placed{redactor.redact_text(positive.text, RedactionDirection::kResults, "", alone_findings, blocked),
                before + positive.text + after, ""};
  placed.out = redactor.redact_text(placed.full, RedactionDirection::kResults, "", findings, blocked);
  bool found = std::any_of(findings.begin(), findings.end(),
                           [&](const RedactionFinding& f) { return f.detector == positive.detector; });
  EXPECT_TRUE(found) << positive.detector << " missed after " << before.size() << " and before "
                     << after.size() << " bytes: " << positive.text;
  return placed;
}

// The same spans as on its own: nothing of the secret is left behind, nothing around it taken.
void expect_found_between(Redactor& redactor, const Positive& positive, const std::string& before,
                          const std::string& after) {
  Placed placed = redact_placed(redactor, positive, before, after);
  EXPECT_EQ(placed.out, before + placed.alone + after) << positive.detector << ": " << positive.text;
}

// The prefilters only say where RE2 looks (windows around each hit, digit clusters): every
// positive must still be found whole when it sits deep inside a long string, among digits, and
// at either end of it.
void expect_found_at_fixed_positions(Redactor& redactor) {
  std::string filler = long_filler(20000);
  for (const Positive& positive : corpus_positives()) {
    expect_found_between(redactor, positive, filler + " ", " " + filler);
    expect_found_between(redactor, positive, "", " " + filler);
    expect_found_between(redactor, positive, filler + " ", "");
  }
}

size_t common_prefix(std::string_view a, std::string_view b) {
  return static_cast<size_t>(std::mismatch(a.begin(), a.end(), b.begin(), b.end()).first - a.begin());
}
size_t common_suffix(std::string_view a, std::string_view b) {
  return static_cast<size_t>(std::mismatch(a.rbegin(), a.rend(), b.rbegin(), b.rend()).first - a.rbegin());
}

// The positive is found between `before` and `after` and covered whole: its first and last
// characters (as redacted on its own) are gone. A neighbouring number may join the span
// ("3.4 5500-0000-0000-0004" is also a 13-digit card), never may part of the secret remain.
void expect_covered_between(Redactor& redactor, const Positive& positive, const std::string& before,
                            const std::string& after) {
  auto [alone, full, out] = redact_placed(redactor, positive, before, after);
  if (alone == positive.text) {  // recorded, not rewritten (addresses)
    EXPECT_EQ(out, full);
    return;
  }
  EXPECT_LE(common_prefix(out, full), before.size() + common_prefix(alone, positive.text))
      << positive.detector << ": the start of " << positive.text << " is left after " << before.size();
  EXPECT_LE(common_suffix(out, full), after.size() + common_suffix(alone, positive.text))
      << positive.detector << ": the end of " << positive.text << " is left before " << after.size();
}

// Anywhere else too: random lengths on both sides, so every alignment to the engines' vector
// widths and every distance from either end turns up over runs (the seed is printed to rerun).
void expect_found_at_random_positions(Redactor& redactor) {
  unsigned seed = std::random_device{}();
  SCOPED_TRACE("random seed " + std::to_string(seed));
  std::mt19937 random(seed);
  std::string filler = long_filler(24000);
  for (const Positive& positive : corpus_positives()) {
    for (int round = 0; round < 3; ++round) {
      size_t before = random() % 20000, after = random() % 300;
      if (round == 1) std::swap(before, after);
      size_t skip = random() % 48;  // starts the filler anywhere in its period
      expect_covered_between(redactor, positive, filler.substr(skip, before) + " ",
                           " " + filler.substr(0, after));
    }
  }
}

TEST(Redaction, FindsEveryPositiveInsideLongTextAtAnyPosition) {
  Redactor redactor = make();
  expect_found_at_fixed_positions(redactor);
  expect_found_at_random_positions(redactor);
}

// Every instruction-set level this CPU can run, forced, and the fallback engine: the same
// findings from each (a level that fails its self-check scans with the fallback, so AVX-512
// on a CPU that has it must come out right too).
TEST(Redaction, FindsTheSameWithEveryScanEngine) {
  std::vector<std::pair<std::string, ScanEngine>> engines = {{"re2", choose_scan_engine("re2")}};
  for (InstructionSet level : runnable_instruction_sets()) {
    engines.emplace_back(instruction_set_name(level), checked_scan_engine(*vectorscan_runtime(level)));
  }
  for (auto& [name, engine] : engines) {
    SCOPED_TRACE("scan engine " + name + ": " + engine.describe());
    auto redactor = Redactor::create({}, engine);
    ASSERT_TRUE(redactor.ok()) << redactor.error().message;
    expect_found_at_fixed_positions(*redactor);
    expect_found_at_random_positions(*redactor);
  }
  std::printf("redaction checked with %zu scan engines\n", engines.size());
}

// What a red-team run against the Vectorscan windows found passing in the clear (and the RE2
// fallback redacting: the engines disagreed). Every engine must now give the same, whole
// redaction.
TEST(Redaction, LongTokensOddAddressesAndLongDigitRunsAreRedactedOnEveryEngine) {
  std::string a(510, 'a');
  struct Case {
    std::string text, expected;
  } cases[] = {
      {"eyJhbGciOiJIUzI1NiJ9.eyJ" + std::string(480, 'A') + ".abcdefgh", "[REDACTED:jwt]"},
      {"sk-proj-" + a, "[REDACTED:openai_api_key]"},
      {"sk_live_" + a, "[REDACTED:stripe_key]"},
      {"key sk_live_abcdefghijklmnop1234" + std::string(4000, 'a'), "key [REDACTED:stripe_key]"},
      {"-----BEGIN PRIVATE KEY-----\n" + std::string(16400, 'A') + "\n-----END PRIVATE KEY-----",
       "[REDACTED:pem_private_key]"},
      {"mail zhang.wei@vip.163.com", "mail [REDACTED:email]"},
      {"mail bob@10.0.0.example.com", "mail [REDACTED:email]"},
      {"mail ann@mail.1und1.de", "mail [REDACTED:email]"},
      {"mail john_@example.com", "mail [REDACTED:email]"},
      {"mail x+@example.com", "mail [REDACTED:email]"},
      {std::string(250, 'a') + "@example.org", "[REDACTED:email]"},
      {"4111111111111111" + [] { std::string s; for (int i = 0; i < 25; ++i) s += " 1"; return s; }(),
       "[REDACTED:payment_card]" + [] { std::string s; for (int i = 0; i < 25; ++i) s += " 1"; return s; }()},
  };
  for (const char* engine_name : {"", "re2"}) {
    ScanEngine engine = choose_scan_engine(engine_name);
    auto redactor = Redactor::create({}, engine);
    ASSERT_TRUE(redactor.ok()) << redactor.error().message;
    for (const Case& c : cases) {
      std::vector<RedactionFinding> findings;
      bool blocked = false;
      EXPECT_EQ(redactor->redact_text(c.text, RedactionDirection::kResults, "", findings, blocked), c.expected)
          << "engine '" << engine_name << "': " << c.text.substr(0, 60);
    }
  }
}

TEST(Redaction, OverlappingReadingsAreRedactedAsOne) {
  Redactor redactor = make();
  std::vector<RedactionFinding> findings;
  bool blocked = false;
  std::string out = redactor.redact_text("id 123-45-6789 0000 0000 2 end", RedactionDirection::kResults, "",
                                         findings, blocked);
  EXPECT_EQ(out.find_first_of("0123456789"), std::string::npos) << "no digit of either reading is left: " << out;
}

// Third red team: full-width and other-script spellings reach the model as readable as the plain
// ones. Detectors read them folded to ASCII; the original bytes are what is rewritten.
TEST(Redaction, LookAlikeSpellingsAreFoundAndTheRestOfTheTextKept) {
  Redactor redactor = make();
  struct Case {
    const char* text;
    const char* expected;
  } cases[] = {
      {"mail bob\uff20example.org now", "mail [REDACTED:email] now"},
      {"mail bob@example\u3002org", "mail [REDACTED:email]"},
      {"card \uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11 ok",
       "card [REDACTED:payment_card] ok"},
      {"\u0664\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661",
       "[REDACTED:payment_card]"},
      {"\u4e2d\u6587\uff0c\u6ca1\u6709\u79d8\u5bc6\u3002", "\u4e2d\u6587\uff0c\u6ca1\u6709\u79d8\u5bc6\u3002"},
  };
  for (const Case& c : cases) {
    std::string text = nlohmann::json::parse(std::string("\"") + c.text + "\"");
    std::string expected = nlohmann::json::parse(std::string("\"") + c.expected + "\"");
    std::vector<RedactionFinding> findings;
    bool blocked = false;
    EXPECT_EQ(redactor.redact_text(text, RedactionDirection::kResults, "", findings, blocked), expected) << c.text;
  }
}

TEST(Redaction, ACredentialToldByItsNameLosesOnlyItsValue) {
  Redactor redactor = make();
  std::vector<RedactionFinding> findings;
  bool blocked = false;
  std::string text = R"({"password": "Pa55!word2026", "user": "deploy"} and token=MTk4OTg2.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs)";
  std::string out = redactor.redact_text(text, RedactionDirection::kResults, "", findings, blocked);
  EXPECT_EQ(out, R"({"password": "[REDACTED:credential_assignment]", "user": "deploy"} and token=[REDACTED:credential_assignment])")
      << "the names stay, every part of a dotted token goes";
}

TEST(Redaction, AFloodOfFindingsReplacesTheWholeString) {
  Redactor redactor = make();
  std::string text;
  for (int i = 0; i < 100005; ++i) text += "a@b.co ";
  text += "tail bob@example.org 4111111111111111";
  std::vector<RedactionFinding> findings;
  bool blocked = false;
  EXPECT_EQ(redactor.redact_text(text, RedactionDirection::kResults, "", findings, blocked),
            "[REDACTED:too_many_findings]");
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
  EXPECT_EQ(outcome.rewrites.strings.size(), 1u);
  EXPECT_EQ(outcome.rewrites.strings.begin()->second, "key [REDACTED:aws_access_key_id]");
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

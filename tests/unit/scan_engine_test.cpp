// Which Vectorscan runtime scans, its self-check, and the fallback when a runtime is wrong.
// Vectorscan's AVX-512 code misses matches near the end of a buffer; whatever CPU this runs
// on, the default must avoid it and a runtime that misses must be caught, not trusted.
#include "proxy/scanning/scan_engine.h"

#include <gtest/gtest.h>

#include "proxy/policy/phrase_scanner.h"
#include "proxy/redaction/redactor.h"

namespace mcpsandbox {
namespace {

ScanFunction core2_scan() {
  static const ScanFunction scan = vectorscan_runtime(InstructionSet::kCore2)->scan;
  return scan;
}

// As Vectorscan's AVX-512 code does: nothing found in the last bytes of a longer buffer.
hs_error_t scan_missing_the_tail(const hs_database_t* database, const char* data, unsigned length,
                                 unsigned flags, hs_scratch_t* scratch, match_event_handler on_match,
                                 void* context) {
  return core2_scan()(database, data, length > 64 ? length - 24 : length, flags, scratch, on_match,
                      context);
}

// A runtime that reports a match where there is none.
hs_error_t scan_inventing_a_match(const hs_database_t* database, const char* data, unsigned length,
                                  unsigned flags, hs_scratch_t* scratch, match_event_handler on_match,
                                  void* context) {
  hs_error_t status = core2_scan()(database, data, length, flags, scratch, on_match, context);
  if (status == HS_SUCCESS && length > 0) on_match(0, 0, 1, 0, context);
  return status;
}

VectorscanRuntime core2_runtime_scanning_with(ScanFunction scan) {
  auto runtime = vectorscan_runtime(InstructionSet::kCore2);
  EXPECT_TRUE(runtime.ok()) << runtime.error().message;
  runtime->scan = scan;
  return *runtime;
}

TEST(ScanEngine, TheDefaultIsNeverAvx512AndPassesItsSelfCheck) {
  ScanEngine engine = choose_scan_engine("");
  ASSERT_TRUE(engine.vectorscan.has_value()) << engine.fallback_reason;
  EXPECT_NE(engine.vectorscan->level, InstructionSet::kAvx512);
  EXPECT_EQ(engine.vectorscan->platform.cpu_features & (HS_CPU_FEATURES_AVX512 | HS_CPU_FEATURES_AVX512VBMI), 0u)
      << "databases are compiled without AVX-512 engines too";
  EXPECT_TRUE(engine.check.passed);
  EXPECT_GT(engine.check.scans, 500u);
  EXPECT_EQ(engine.fault, "");
  EXPECT_NE(engine.describe().find("self-check passed"), std::string::npos) << engine.describe();
}

// The levels the build can force, judged by the compiler's CPU test rather than the product's.
TEST(ScanEngine, EveryLevelThisCpuHasCanBeForced) {
  std::vector<std::pair<InstructionSet, bool>> levels = {
      {InstructionSet::kCore2, __builtin_cpu_supports("ssse3") != 0},
      {InstructionSet::kCoreI7, __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("popcnt")},
      {InstructionSet::kAvx2, __builtin_cpu_supports("avx2") != 0},
  };
  for (auto [level, cpu_has_it] : levels) {
    auto runtime = vectorscan_runtime(level);
    EXPECT_EQ(runtime.ok(), cpu_has_it) << instruction_set_name(level);
    if (!runtime) {
      EXPECT_NE(runtime.error().message.find("this CPU cannot run"), std::string::npos)
          << runtime.error().message;
    }
  }
}

TEST(ScanEngine, EveryLevelBelowAvx512PassesItsSelfCheck) {
  for (InstructionSet level : runnable_instruction_sets()) {
    if (level == InstructionSet::kAvx512) continue;
    ScanSelfCheck check = self_check(*vectorscan_runtime(level));
    EXPECT_TRUE(check.passed) << instruction_set_name(level) << ": " << check.failure;
  }
}

TEST(ScanSelfCheck, CatchesARuntimeThatMissesNearTheEnd) {
  ScanEngine engine = checked_scan_engine(core2_runtime_scanning_with(scan_missing_the_tail));
  EXPECT_FALSE(engine.check.passed);
  EXPECT_FALSE(engine.vectorscan.has_value()) << "a runtime that misses is never used";
  EXPECT_NE(engine.check.failure.find(": no match"), std::string::npos) << engine.check.failure;
  EXPECT_NE(engine.fault.find("failed its self-check"), std::string::npos) << engine.fault;
  EXPECT_NE(engine.describe().find("RE2 over whole strings"), std::string::npos) << engine.describe();
}

TEST(ScanSelfCheck, CatchesARuntimeThatReportsMatchesThatAreNotThere) {
  ScanEngine engine = checked_scan_engine(core2_runtime_scanning_with(scan_inventing_a_match));
  EXPECT_FALSE(engine.vectorscan.has_value());
  EXPECT_NE(engine.check.failure.find("1 match(es) where there are none"), std::string::npos)
      << engine.check.failure;
}

TEST(ScanEngine, AFailedSelfCheckFallsBackAndStillFindsEverything) {
  ScanEngine engine = checked_scan_engine(core2_runtime_scanning_with(scan_missing_the_tail));
  auto redactor = Redactor::create({}, engine);
  ASSERT_TRUE(redactor.ok()) << redactor.error().message;
  EXPECT_FALSE(redactor->accelerated());
  std::string text(20000, 'x');
  text += " Contact alice.smith+test@example.co.uk for details";
  std::vector<RedactionFinding> findings;
  bool blocked = false;
  std::string out = redactor->redact_text(text, RedactionDirection::kResults, "", findings, blocked);
  EXPECT_EQ(out, std::string(20000, 'x') + " Contact [REDACTED:email] for details");

  auto phrases = PhraseScanner::create({"ignore previous instructions"}, engine);
  ASSERT_TRUE(phrases.ok()) << phrases.error().message;
  EXPECT_EQ(phrases->find(std::string(5000, 'y') + " IGNORE previous instructions"),
            "ignore previous instructions");
}

TEST(ScanEngine, NamedEnginesAndMistakes) {
  ScanEngine re2 = choose_scan_engine("re2");
  EXPECT_FALSE(re2.vectorscan.has_value());
  EXPECT_EQ(re2.fault, "") << "asked for: slower, not wrong";
  ScanEngine unknown = choose_scan_engine("avx9000");
  EXPECT_FALSE(unknown.vectorscan.has_value());
  EXPECT_NE(unknown.fault.find("unknown instruction set 'avx9000'"), std::string::npos) << unknown.fault;
  ScanEngine core2 = choose_scan_engine("core2");
  ASSERT_TRUE(core2.vectorscan.has_value()) << core2.fallback_reason;
  EXPECT_EQ(core2.vectorscan->level, InstructionSet::kCore2);
}

}  // namespace
}  // namespace mcpsandbox

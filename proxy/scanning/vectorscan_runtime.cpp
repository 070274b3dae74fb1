#include "proxy/scanning/vectorscan_runtime.h"

#include <string_view>

// The fat runtime's per-level implementations. Weak: a libhs built for one level only (not
// Debian's) has none of them, and then only the dispatcher is left.
extern "C" {
#define MCPSANDBOX_DECLARE_SCAN(prefix)                                                        \
  __attribute__((weak)) hs_error_t prefix##_hs_scan(const hs_database_t*, const char*, unsigned, \
                                                    unsigned, hs_scratch_t*, match_event_handler,  \
                                                    void*);
MCPSANDBOX_DECLARE_SCAN(core2)
MCPSANDBOX_DECLARE_SCAN(corei7)
MCPSANDBOX_DECLARE_SCAN(avx2)
MCPSANDBOX_DECLARE_SCAN(avx512)
#undef MCPSANDBOX_DECLARE_SCAN
}

namespace mcpsandbox {
namespace {

struct LevelInfo {
  InstructionSet level;
  std::string_view short_name;
  const char* name;
  ScanFunction scan;
  unsigned long long features;  // what the level's databases are compiled for
};

const LevelInfo kLevels[] = {
    {InstructionSet::kCore2, "core2", "core2 (SSSE3)", core2_hs_scan, 0},
    {InstructionSet::kCoreI7, "corei7", "corei7 (SSE4.2)", corei7_hs_scan, 0},
    {InstructionSet::kAvx2, "avx2", "avx2", avx2_hs_scan, HS_CPU_FEATURES_AVX2},
    {InstructionSet::kAvx512, "avx512", "avx512", avx512_hs_scan,
     HS_CPU_FEATURES_AVX2 | HS_CPU_FEATURES_AVX512},
};

const LevelInfo& info(InstructionSet level) { return kLevels[static_cast<size_t>(level)]; }

// Vectorscan's own CPU test for the wide levels (it checks that the OS saves the registers
// too), the compiler's for the narrow ones, which Vectorscan does not report.
bool cpu_runs(InstructionSet level) {
  hs_platform_info_t host{};
  if (hs_populate_platform(&host) != HS_SUCCESS) return false;
  switch (level) {
    case InstructionSet::kCore2:
      return __builtin_cpu_supports("ssse3");
    case InstructionSet::kCoreI7:
      return __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("popcnt");
    case InstructionSet::kAvx2:
      return (host.cpu_features & HS_CPU_FEATURES_AVX2) != 0;
    case InstructionSet::kAvx512:
      return (host.cpu_features & HS_CPU_FEATURES_AVX512) != 0;
  }
  return false;
}

}  // namespace

const char* instruction_set_name(InstructionSet level) { return info(level).name; }

Result<InstructionSet> parse_instruction_set(std::string_view name) {
  for (const LevelInfo& level : kLevels) {
    if (level.short_name == name) return level.level;
  }
  return Error{"unknown instruction set '" + std::string(name) + "' (core2, corei7, avx2, avx512)"};
}

std::string VectorscanRuntime::describe() const {
  std::string version = hs_version();
  return "Vectorscan " + version.substr(0, version.find(' ')) + ", " + instruction_set_name(level) +
         " runtime";
}

Result<VectorscanRuntime> vectorscan_runtime(InstructionSet level) {
  const LevelInfo& wanted = info(level);
  if (hs_valid_platform() != HS_SUCCESS) return Error{"Vectorscan does not run on this CPU (no SSSE3)"};
  if (!cpu_runs(level)) return Error{std::string("this CPU cannot run the ") + wanted.name + " runtime"};
  if (wanted.scan == nullptr) {
    return Error{std::string("this libhs has no separate ") + wanted.name +
                 " runtime (not a fat-runtime build)"};
  }
  hs_platform_info_t platform{};
  (void)hs_populate_platform(&platform);
  platform.cpu_features = wanted.features;
  return VectorscanRuntime{level, wanted.scan, platform};
}

std::vector<InstructionSet> runnable_instruction_sets() {
  std::vector<InstructionSet> levels;
  for (const LevelInfo& level : kLevels) {
    if (vectorscan_runtime(level.level).ok()) levels.push_back(level.level);
  }
  return levels;
}

Result<VectorscanRuntime> default_vectorscan_runtime() {
  for (InstructionSet level : {InstructionSet::kAvx2, InstructionSet::kCoreI7, InstructionSet::kCore2}) {
    if (auto runtime = vectorscan_runtime(level)) return runtime;
  }
  return vectorscan_runtime(InstructionSet::kCore2);  // its error says why nothing runs
}

}  // namespace mcpsandbox

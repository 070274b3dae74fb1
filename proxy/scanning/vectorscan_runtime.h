// Which of Vectorscan's instruction-set implementations scans, and the platform its databases
// are compiled for. Debian's libhs is a "fat runtime": hs_scan() is an ifunc that picks the
// widest implementation the CPU has, and its AVX-512 one returns wrong results (matches near the
// end of a buffer are missed: VectorCamp/vectorscan #304, #378). The per-level implementations
// are exported beside it (avx2_hs_scan, corei7_hs_scan, core2_hs_scan), so we call one of those
// directly instead of letting the dispatcher choose.
#pragma once

#include <hs/hs.h>

#include <string>
#include <vector>

#include "profiles/support/result.h"

namespace mcpsandbox {

// Ordered: a level's code runs on every CPU that has a higher one.
enum class InstructionSet { kCore2, kCoreI7, kAvx2, kAvx512 };

const char* instruction_set_name(InstructionSet level);  // "core2 (SSSE3)", "avx2"...
Result<InstructionSet> parse_instruction_set(std::string_view name);  // "core2", "avx2"...

using ScanFunction = hs_error_t (*)(const hs_database_t*, const char* data, unsigned length,
                                    unsigned flags, hs_scratch_t*, match_event_handler, void* context);

struct VectorscanRuntime {
  InstructionSet level;
  ScanFunction scan;
  // What databases are compiled for: the level's features only, so the compiler picks no
  // engine variant that needs wider vectors than the runtime that scans it.
  hs_platform_info_t platform;
  std::string describe() const;  // "Vectorscan 5.4.9, avx2 runtime"
};

// The implementation for one level; an error when this CPU or this build of libhs lacks it.
Result<VectorscanRuntime> vectorscan_runtime(InstructionSet level);

// Every level this CPU and library can run, lowest first (AVX-512 included, for tests).
std::vector<InstructionSet> runnable_instruction_sets();

// The level mcpsandbox scans with: the widest this CPU runs, but never AVX-512.
Result<VectorscanRuntime> default_vectorscan_runtime();

}  // namespace mcpsandbox

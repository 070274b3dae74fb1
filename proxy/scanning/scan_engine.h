// The engine every Vectorscan user in the proxy (redaction, the instruction-phrase scanner)
// scans with: a Vectorscan runtime that passed its self-check, or none, and then each user
// falls back to its exact slow path (RE2 over whole strings for redaction). Chosen once per
// process, at first use, so the result of a scan never depends on which CPU it ran on.
#pragma once

#include <optional>
#include <string>

#include "proxy/scanning/scan_self_check.h"
#include "proxy/scanning/vectorscan_runtime.h"

namespace mcpsandbox {

struct ScanEngine {
  std::optional<VectorscanRuntime> vectorscan;  // nullopt: the fallback engines
  ScanSelfCheck check;                          // of the runtime tried, if any
  std::string fallback_reason;                  // why there is no Vectorscan runtime
  // Something wrong that the user must hear about once and the audit log must hold: a runtime
  // that failed its self-check, an unknown engine asked for. A CPU without SSSE3 is no fault.
  std::string fault;
  std::string describe() const;  // "Vectorscan 5.4.9, avx2 runtime, self-check passed (1450 scans)"
};

// A runtime, self-checked: the engine that scans with it, or the fallback when it failed.
ScanEngine checked_scan_engine(const VectorscanRuntime& runtime);

// The engine for `requested`: a level ("core2", "corei7", "avx2", "avx512"), "re2" (no
// Vectorscan), or empty for the default (the widest level this CPU runs, below AVX-512).
ScanEngine choose_scan_engine(std::string_view requested);

// This process's engine: choose_scan_engine($MCPSANDBOX_SCAN_ENGINE), computed on first call.
const ScanEngine& process_scan_engine();

}  // namespace mcpsandbox

#include "proxy/scanning/scan_engine.h"

#include <cstdlib>

namespace mcpsandbox {
namespace {

ScanEngine fallback(std::string reason, std::string fault = {}) {
  ScanEngine engine;
  engine.fallback_reason = std::move(reason);
  engine.fault = std::move(fault);
  return engine;
}

}  // namespace

std::string ScanEngine::describe() const {
  if (vectorscan) {
    return vectorscan->describe() + ", self-check passed (" + std::to_string(check.scans) + " scans)";
  }
  return "RE2 over whole strings (slower, as thorough): " + fallback_reason;
}

ScanEngine checked_scan_engine(const VectorscanRuntime& runtime) {
  ScanSelfCheck check = self_check(runtime);
  if (!check.passed) {
    std::string reason = runtime.describe() + " failed its self-check: " + check.failure;
    ScanEngine engine = fallback(reason, reason);
    engine.check = std::move(check);
    return engine;
  }
  ScanEngine engine;
  engine.vectorscan = runtime;
  engine.check = std::move(check);
  return engine;
}

ScanEngine choose_scan_engine(std::string_view requested) {
  if (requested == "re2") return fallback("asked for (MCPSANDBOX_SCAN_ENGINE=re2)");
  Result<VectorscanRuntime> runtime = Error{};
  if (requested.empty()) {
    runtime = default_vectorscan_runtime();
  } else if (auto level = parse_instruction_set(requested)) {
    runtime = vectorscan_runtime(*level);
  } else {
    std::string reason = "MCPSANDBOX_SCAN_ENGINE: " + level.error().message;
    return fallback(reason, reason);
  }
  if (!runtime) {
    // A named level this machine cannot run is a mistake to hear about; no Vectorscan at all
    // (a CPU without SSSE3) is only slower.
    return fallback(runtime.error().message, requested.empty() ? "" : runtime.error().message);
  }
  return checked_scan_engine(*runtime);
}

const ScanEngine& process_scan_engine() {
  // Immutable once made; a function-local static is initialised once even across threads.
  static const ScanEngine engine = [] {
    const char* requested = std::getenv("MCPSANDBOX_SCAN_ENGINE");
    return choose_scan_engine(requested ? requested : "");
  }();
  return engine;
}

}  // namespace mcpsandbox

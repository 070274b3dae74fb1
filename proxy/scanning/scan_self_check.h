// A known-answer test of a Vectorscan runtime: a small embedded corpus (a secret, a key, a
// token, an e-mail address, an instruction phrase) planted at the start, middle and end of short
// and long buffers and on each side of the vector and page widths the engines work in, scanned,
// and every match end compared with where it must be. It makes a runtime that silently misses
// (as Vectorscan's AVX-512 code does near the end of a buffer) visible before it scans anything
// real, instead of letting secrets through.
#pragma once

#include <string>

#include "proxy/scanning/vectorscan_runtime.h"

namespace mcpsandbox {

struct ScanSelfCheck {
  bool passed = false;
  size_t scans = 0;     // buffers scanned
  std::string failure;  // the first disagreement: "email at 4093 of 4110 bytes: no match"
};

ScanSelfCheck self_check(const VectorscanRuntime& runtime);

}  // namespace mcpsandbox

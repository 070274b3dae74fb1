// PhraseScanner: does a long text contain any of a set of phrases, ignoring ASCII case? One
// Vectorscan pass over the text (literal matching at memory speed), for checks that run on
// every result a server returns, where lower-casing a copy and searching it per phrase would
// cost more than the rest of the policy together.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "profiles/support/result.h"
#include "proxy/scanning/scan_engine.h"

namespace mcpsandbox {

class PhraseScanner {
 public:
  static Result<PhraseScanner> create(std::vector<std::string> phrases,
                                      const ScanEngine& scan_engine = process_scan_engine());
  PhraseScanner(PhraseScanner&& other) noexcept;
  PhraseScanner& operator=(PhraseScanner&& other) noexcept;
  PhraseScanner(const PhraseScanner&) = delete;
  PhraseScanner& operator=(const PhraseScanner&) = delete;
  ~PhraseScanner();

  // The first phrase found (as listed), or an empty string.
  std::string find(std::string_view text) const;

 private:
  PhraseScanner() = default;
  std::vector<std::string> phrases_;
  ScanFunction scan_ = nullptr;
  hs_database* database_ = nullptr;
  hs_scratch* scratch_ = nullptr;  // one scan at a time: the proxy's loop is single-threaded
};

}  // namespace mcpsandbox

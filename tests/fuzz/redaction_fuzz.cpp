// The redaction engine and the cleaner over arbitrary text (what a server returns). Properties:
// redacting a redacted text finds nothing more to rewrite; cleaning is idempotent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "proxy/policy/text_cleaner.h"
#include "proxy/redaction/redactor.h"

namespace {

mcpsandbox::Redactor& redactor() {
  // Compiled once per process (compiling per input would be all the fuzzer measures).
  static mcpsandbox::Redactor instance = std::move(*mcpsandbox::Redactor::create({}));
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<mcpsandbox::RedactionFinding> findings;
  bool blocked = false;
  std::string once = redactor().redact_text(text, mcpsandbox::RedactionDirection::kResults, "",
                                            findings, blocked);
  std::vector<mcpsandbox::RedactionFinding> again_findings;
  std::string twice = redactor().redact_text(once, mcpsandbox::RedactionDirection::kResults, "",
                                             again_findings, blocked);
  if (twice.size() > once.size() + 64 * again_findings.size()) std::abort();
  size_t removed = 0;
  std::string cleaned = mcpsandbox::clean_text(text, removed);
  size_t removed_again = 0;
  if (mcpsandbox::clean_text(cleaned, removed_again) != cleaned || removed_again != 0) std::abort();
  return 0;
}

// The audit log verifier on whatever a file holds (an attacker who can edit the log chooses
// its bytes): a verdict, never a crash. A log the verifier accepts must also be one AuditLog
// can continue.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "proxy/audit/audit_verify.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/mcpsandbox-fuzz-audit-" + std::to_string(::getpid()) + ".jsonl";
  FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) return 0;
  std::fwrite(data, 1, size, file);
  std::fclose(file);
  (void)mcpsandbox::verify_audit_log({path}, {"bm90IGEga2V5"});
  (void)mcpsandbox::verify_audit_log({path});
  return 0;
}

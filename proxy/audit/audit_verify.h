// Verifying an audit log's hash chain: the first broken link, or a summary of what is intact.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mcpsandbox {

struct AuditVerdict {
  bool ok = false;
  uint64_t records = 0;
  std::string message;  // the first problem, or the summary
};

// `files` in chain order (oldest rotated file first, e.g. log.2 log.1 log).
AuditVerdict verify_audit_log(const std::vector<std::string>& files);

}  // namespace mcpsandbox

// Verifying an audit log's hash chain: the first broken link, or a summary of what is intact.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mcpsandbox {

struct AuditVerdict {
  bool ok = false;
  uint64_t records = 0;
  uint64_t checkpoints = 0;         // signed checkpoints whose signature verified
  uint64_t last_signed_seq = 0;     // the last record a verified checkpoint covers
  std::string message;  // the first problem, or the summary
};

// `files` in chain order (oldest rotated file first, e.g. log.2 log.1 log). Every checkpoint's
// signature must verify; with `trusted_keys`, checkpoints must be signed by one of them and at
// least one must be present (a log rewritten without the key has none, or bad ones).
AuditVerdict verify_audit_log(const std::vector<std::string>& files,
                              const std::vector<std::string>& trusted_keys = {});

}  // namespace mcpsandbox

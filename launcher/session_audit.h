// Opening a session's audit log (outside the sandbox, never inside its view) and its
// session-level records: start (identity, profile digest, command, layers), end, refusal.
#pragma once

#include <optional>
#include <string>

#include "launcher/cli.h"
#include "profiles/plan.h"
#include "profiles/profile.h"
#include "proxy/audit/audit_log.h"
#include "proxy/io/logger.h"

namespace mcpsandbox {

// The log named by --audit-log, else by the profile's audit.path; nothing when neither is set.
// With a plan, a path the sandbox could see (inside any grant) is refused.
Result<std::optional<AuditLog>> open_session_audit(const RunOptions& options,
                                                   const Profile& profile, const Plan* plan,
                                                   const Logger& logger);

nlohmann::json session_start_record(const Profile& profile, const Plan& plan,
                                    const std::string& layers, int server_pid);

}  // namespace mcpsandbox

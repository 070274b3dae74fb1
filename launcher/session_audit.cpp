#include "launcher/session_audit.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "profiles/paths.h"

namespace mcpsandbox {
Result<std::optional<AuditLog>> open_session_audit(const RunOptions& options,
                                                   const Profile& profile, const Plan* plan,
                                                   const Logger& logger) {
  std::string raw = !options.audit_log.empty() ? options.audit_log : profile.policy.audit.path;
  if (raw.empty()) return std::optional<AuditLog>();
  char cwd[PATH_MAX];
  const char* home = std::getenv("HOME");
  auto path = normalize_path(raw, home ? home : "/", ::getcwd(cwd, sizeof cwd) ? cwd : "/");
  if (!path) return Error{"audit log '" + raw + "': " + path.error().message};
  if (plan) {
    for (const PathGrant& grant : plan->paths) {
      if (path_is_under(*path, grant.path)) {
        return Error{"audit log " + *path + " is inside " + grant.path + ", which the server " +
                     "can see (" + grant.why + "); keep the log outside the sandbox's view"};
      }
    }
  }
  AuditOptions audit;
  audit.path = *path;
  const AuditPlan& settings = profile.policy.audit;
  audit.sync = settings.sync == AuditPlan::Sync::kRecord  ? AuditSync::kRecord
               : settings.sync == AuditPlan::Sync::kBatch ? AuditSync::kBatch
                                                          : AuditSync::kNone;
  audit.rotate_bytes = settings.rotate_bytes;
  std::string notice;
  auto log = AuditLog::open(audit, &notice);
  if (!log) return log.error();
  if (!notice.empty()) logger.warn(notice);
  return std::optional<AuditLog>(std::move(*log));
}

nlohmann::json session_start_record(const Profile& profile, const Plan& plan,
                                    const std::string& layers, int server_pid) {
  return {{"event", "session.start"},
          {"identity", plan.proxy.identity},
          {"project", plan.proxy.project},
          {"profile", profile.source.empty() ? "(none)" : profile.source},
          {"profile_sha256", profile.source_sha256},
          {"command", plan.argv},
          {"layers", layers},
          {"server_pid", server_pid},
          {"launcher_pid", ::getpid()}};
}

}  // namespace mcpsandbox

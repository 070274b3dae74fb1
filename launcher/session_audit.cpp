#include "launcher/session_audit.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "launcher/store/session_store.h"
#include "launcher/store/trusted_file.h"
#include "profiles/paths.h"

namespace mcpsandbox {
namespace {

// An absolute path for a file the server must never reach: with a plan, refused when its
// sandbox could read it (or write where it will be made), by identity (see store/store_path.h).
Result<std::string> outside_sandbox_view(const std::string& raw, const SandboxReach* reach,
                                         const std::string& what, bool writes_beside = false) {
  if (reach) return guard_store_spelling(raw, StoreRule::kNotReadable, what, *reach, writes_beside);
  char cwd[PATH_MAX];
  const char* home = std::getenv("HOME");
  auto path = normalize_path(raw, home ? home : "/", ::getcwd(cwd, sizeof cwd) ? cwd : "/");
  if (!path) return Error{what + " '" + raw + "': " + path.error().message};
  return path;
}

}  // namespace

Result<std::optional<AuditLog>> open_session_audit(const RunOptions& options,
                                                   const Profile& profile, const Plan* plan,
                                                   const Logger& logger) {
  std::string raw = !options.audit_log.empty() ? options.audit_log : profile.policy.audit.path;
  if (raw.empty()) return std::optional<AuditLog>();
  std::optional<SandboxReach> reach;
  if (plan) {
    auto mounts = MountTable::read();
    if (!mounts) return mounts.error();
    auto computed = SandboxReach::of(*plan, std::move(*mounts));
    if (!computed) return computed.error();
    reach = std::move(*computed);
  }
  // Rotation makes FILE.1, FILE.2... beside the log.
  auto path = outside_sandbox_view(raw, reach ? &*reach : nullptr, "audit log", /*writes_beside=*/true);
  if (!path) return path.error();
  AuditOptions audit;
  audit.path = *path;
  const AuditPlan& settings = profile.policy.audit;
  audit.sync = settings.sync == AuditPlan::Sync::kRecord  ? AuditSync::kRecord
               : settings.sync == AuditPlan::Sync::kBatch ? AuditSync::kBatch
                                                          : AuditSync::kNone;
  audit.rotate_bytes = settings.rotate_bytes;
  if (!settings.checkpoint_key.empty()) {
    // Whoever holds this key can forge checkpoints: the server must not even read it.
    auto key_path = outside_sandbox_view(settings.checkpoint_key, reach ? &*reach : nullptr,
                                         "audit checkpoint key");
    if (!key_path) return key_path.error();
    auto file = read_trusted_file(*key_path, "audit checkpoint key");
    if (!file) return file.error();
    auto key = SigningKey::from_base64(file->text, *key_path);
    sodium_memzero(file->text.data(), file->text.size());
    if (!key) return key.error();
    audit.checkpoint_key = std::make_shared<const SigningKey>(std::move(*key));
    audit.checkpoint_every = settings.checkpoint_every;
  }
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

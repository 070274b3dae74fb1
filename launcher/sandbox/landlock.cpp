#include "launcher/sandbox/landlock.h"

#include <sys/stat.h>

#include "launcher/sandbox/kernel_api.h"
#include "proxy/io/unique_fd.h"

namespace mcpsandbox {
namespace {

namespace ll = kernel::landlock;

constexpr uint64_t kFileRights = ll::kExecute | ll::kWriteFile | ll::kReadFile | ll::kTruncate |
                                 ll::kIoctlDev;
constexpr uint64_t kReadOnly = ll::kReadFile | ll::kReadDir | ll::kExecute;
// Writable paths are not executable: a server cannot drop a binary and run it.
constexpr uint64_t kReadWrite = ll::kReadFile | ll::kReadDir | ll::kWriteFile | ll::kRemoveDir |
                                ll::kRemoveFile | ll::kMakeDir | ll::kMakeReg | ll::kMakeSym |
                                ll::kMakeFifo | ll::kMakeSock | ll::kRefer | ll::kTruncate;
constexpr uint64_t kDevice = ll::kReadFile | ll::kWriteFile;

uint64_t handled_fs(int abi) {
  uint64_t mask = (ll::kMakeSym << 1) - 1;  // ABI 1: execute .. make_sym
  if (abi >= 2) mask |= ll::kRefer;
  if (abi >= 3) mask |= ll::kTruncate;
  if (abi >= 5) mask |= ll::kIoctlDev;
  return mask;
}

struct Rule {
  std::string path;
  uint64_t rights;
  bool optional;
};

std::vector<Rule> rules_for(const Plan& plan, bool namespaced) {
  std::vector<Rule> rules;
  for (const PathGrant& grant : plan.paths) {
    uint64_t rights = kReadOnly;
    if (grant.kind == PathGrant::Kind::kReadWrite) rights = kReadWrite;
    // A package cache holds the server's own code: npx installs into it and then runs it.
    // Its writes die with the sandbox, so executing them is the server running itself.
    if (grant.kind == PathGrant::Kind::kOverlay) rights = kReadWrite | ll::kExecute;
    rules.push_back({grant.path, rights, true});
  }
  rules.push_back({"/proc", ll::kReadFile | ll::kReadDir, false});
  for (const char* node : {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"}) {
    rules.push_back({node, kDevice, false});
  }
  if (namespaced) {
    rules.push_back({"/tmp", kReadWrite, false});
    rules.push_back({"/dev/shm", kReadWrite, false});
  }
  return rules;
}

}  // namespace

std::optional<SetupError> apply_landlock(const Plan& plan, const LandlockTarget& target) {
  if (target.abi < 1) return SetupError::from(ENOSYS, "Landlock is not available");
  ll::RulesetAttr attr{};
  attr.handled_access_fs = handled_fs(target.abi);
  size_t attr_size = sizeof(uint64_t);
  if (target.abi >= 4) {
    if (plan.landlock.restrict_tcp_bind) attr.handled_access_net |= ll::kBindTcp;
    if (plan.landlock.restrict_tcp_connect) attr.handled_access_net |= ll::kConnectTcp;
    attr_size = 2 * sizeof(uint64_t);
  }
  if (target.abi >= 6) {
    if (plan.landlock.scope_abstract_unix) attr.scoped |= ll::kScopeAbstractUnixSocket;
    if (plan.landlock.scope_signals) attr.scoped |= ll::kScopeSignal;
    attr_size = sizeof attr;
  }
  UniqueFd ruleset(ll::create_ruleset(&attr, attr_size, 0));
  if (!ruleset.valid()) return SetupError::from(errno, "landlock_create_ruleset");

  for (const Rule& rule : rules_for(plan, target.namespaced)) {
    UniqueFd path(::open(rule.path.c_str(), O_PATH | O_CLOEXEC));
    if (!path.valid()) {
      if (rule.optional || errno == ENOENT) continue;
      return SetupError::from(errno, "landlock: open " + rule.path);
    }
    struct stat info {};
    if (::fstat(path.get(), &info) < 0) return SetupError::from(errno, "landlock: stat " + rule.path);
    ll::PathBeneathAttr beneath{};
    beneath.allowed_access = rule.rights & attr.handled_access_fs;
    if (!S_ISDIR(info.st_mode)) beneath.allowed_access &= kFileRights;
    beneath.parent_fd = path.get();
    if (beneath.allowed_access == 0) continue;
    if (ll::add_rule(ruleset.get(), ll::kRulePathBeneath, &beneath) < 0) {
      return SetupError::from(errno, "landlock: rule for " + rule.path);
    }
  }
  if (attr.handled_access_net) {
    for (auto [ports, right] : {std::pair{&plan.landlock.tcp_connect_ports, ll::kConnectTcp},
                                std::pair{&plan.landlock.tcp_bind_ports, ll::kBindTcp}}) {
      if (!(attr.handled_access_net & right)) continue;
      for (uint16_t port : *ports) {
        ll::NetPortAttr rule{right, port};
        if (ll::add_rule(ruleset.get(), ll::kRuleNetPort, &rule) < 0) {
          return SetupError::from(errno, "landlock: port rule " + std::to_string(port));
        }
      }
    }
  }
  if (ll::restrict_self(ruleset.get()) < 0) return SetupError::from(errno, "landlock_restrict_self");
  return std::nullopt;
}

}  // namespace mcpsandbox

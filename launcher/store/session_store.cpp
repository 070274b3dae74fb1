#include "launcher/store/session_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "launcher/keys_command.h"
#include "profiles/paths.h"

namespace mcpsandbox {
namespace {

// Absolute, but with ".." kept: only the resolver, which follows symlinks first, may apply it.
std::string absolute_spelling(const std::string& raw) {
  const char* home = std::getenv("HOME");
  std::string path = expand_home(raw, home ? home : "/");
  if (!path.empty() && path.front() == '/') return path;
  char cwd[PATH_MAX];
  return std::string(::getcwd(cwd, sizeof cwd) ? cwd : "/") + "/" + path;
}

}  // namespace

Result<std::string> guard_store_spelling(const std::string& raw, StoreRule rule,
                                         const std::string& what, const SandboxReach& reach,
                                         bool writes_beside) {
  if (raw.empty()) return Error{what + ": an empty path"};
  return guard_store_path(absolute_spelling(raw), rule, what, reach, writes_beside);
}

Result<void> guard_session_store(const RunOptions& options, const Profile& profile,
                                 const SandboxReach& reach, Plan& plan) {
  if (!profile.source.empty() && profile.source.rfind("built-in:", 0) != 0) {
    auto guarded = guard_store_spelling(profile.source, StoreRule::kNotWritable, "profile", reach);
    if (!guarded) return guarded.error();
  }
  // Holds salted hashes only, but whoever rewrites it admits any key it likes: guarded
  // wherever keys matter (the profile has projects or requires one, a key is presented, or a
  // store exists to be added to).
  std::string store = key_store_path_for(profile.policy.keys_file);
  struct stat info {};
  bool keys_matter = profile.policy.require_key || !profile.policy.projects.empty() ||
                     !options.key_file.empty() || std::getenv("MCPSANDBOX_KEY") ||
                     ::stat(absolute_spelling(store).c_str(), &info) == 0;
  if (keys_matter) {
    auto guarded = guard_store_spelling(store, StoreRule::kNotWritable, "key store", reach);
    if (!guarded) return guarded.error();
  }
  if (!options.key_file.empty()) {
    auto guarded = guard_store_spelling(options.key_file, StoreRule::kNotReadable, "key file", reach);
    if (!guarded) return guarded.error();
  }
  if (!plan.proxy.pins.file.empty()) {
    // Pending definitions are written beside the pin file: its directory is checked as well.
    auto guarded = guard_store_spelling(plan.proxy.pins.file, StoreRule::kNotWritable, "pin file", reach,
                                        /*writes_beside=*/true);
    if (!guarded) return guarded.error();
    plan.proxy.pins.file = *guarded;
  }
  for (auto& [name, path] : plan.secret_files) {
    auto guarded = guard_store_spelling(path, StoreRule::kNotReadable, "secret file for " + name, reach);
    if (!guarded) return guarded.error();
    path = *guarded;
  }
  return {};
}

}  // namespace mcpsandbox

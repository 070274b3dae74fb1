#include "launcher/wide_grants.h"

#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <optional>

#include "launcher/store/mount_table.h"
#include "profiles/grant_width.h"
#include "profiles/paths.h"

namespace mcpsandbox {
namespace {

bool exists(const std::string& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0;
}

std::string real_path_or(const std::string& path) {
  char real[PATH_MAX];
  return ::realpath(path.c_str(), real) ? std::string(real) : lexical_normal(path);
}

// Why `grant` is too wide, judged by its name and, where it is the home or lies inside it by
// identity, by the name it has under the home.
class WidthJudge {
 public:
  static Result<WidthJudge> create(const MountTable& table, const std::string& home) {
    WidthJudge judge(table, home.empty() ? home : real_path_or(home));
    if (!judge.home_.empty()) {
      auto places = judge.table_.place_path(judge.home_);
      if (!places) return places.error();
      if (!places->empty()) judge.home_place_ = places->front();
    }
    return judge;
  }

  Result<std::optional<std::string>> why_too_wide(const std::string& path) const {
    if (auto why = why_grant_is_too_wide(path, home_, exists, xdg_)) return why;
    if (!home_place_) return std::optional<std::string>();
    auto places = table_.place_path(path);
    if (!places) return places.error();
    for (const Place& place : *places) {
      if (home_place_->within(place)) return std::optional<std::string>("it holds your home directory (" + home_ + ")");
      if (!place.within(*home_place_)) continue;
      std::string rest = place.path.substr(home_place_->path == "/" ? 0 : home_place_->path.size());
      std::string as_named_under_home = rest.empty() ? home_ : home_ + rest;
      if (auto why = why_grant_is_too_wide(as_named_under_home, home_, exists, xdg_)) {
        return std::optional<std::string>(*why + " (it is " + as_named_under_home + " by another name)");
      }
    }
    return std::optional<std::string>();
  }

 private:
  WidthJudge(const MountTable& table, std::string home) : table_(table), home_(std::move(home)) {
    // Configuration moved out of the home (profiles and the key store are looked up there).
    for (const char* variable : {"XDG_CONFIG_HOME", "XDG_STATE_HOME"}) {
      const char* value = std::getenv(variable);
      if (value && *value == '/') xdg_.push_back(real_path_or(value));
    }
  }
  const MountTable& table_;
  std::string home_;
  std::vector<std::string> xdg_;
  std::optional<Place> home_place_;
};

}  // namespace

Result<void> narrow_wide_grants(Plan& plan, const std::vector<std::string>& allowed, const std::string& home,
                                const std::string& command, const MountTable& mounts) {
  auto judge = WidthJudge::create(mounts, home);
  if (!judge) return judge.error();
  for (PathGrant& grant : plan.paths) {
    bool command_directory = grant.why == "the server command's directory";
    if (!is_user_path(grant) && !command_directory) continue;
    if (std::find(allowed.begin(), allowed.end(), grant.path) != allowed.end()) continue;
    auto why = judge->why_too_wide(grant.path);
    if (!why) return why.error();
    if (!*why) continue;
    if (command_directory) {
      grant.path = command;  // the program alone
      grant.why = "the server command (its directory is too wide: " + **why + ")";
      continue;
    }
    std::string risk = grant.kind == PathGrant::Kind::kReadWrite
                           ? "a server there could change what runs at your next login or read your keys"
                           : "a server there could read your keys and credentials";
    return Error{"refusing the " + grant.why + " " + grant.path + ": " + **why + "; " + risk +
                 ". Grant the directory the server works in, or pass --allow-wide-grant " + grant.path +
                 " if you mean it"};
  }
  return {};
}

}  // namespace mcpsandbox

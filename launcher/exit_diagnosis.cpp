#include "launcher/exit_diagnosis.h"

#include <sys/stat.h>

#include <algorithm>
#include <string_view>

#include "profiles/grant_width.h"
#include "profiles/paths.h"

namespace mcpsandbox {
namespace {

// Absolute paths in a line of text: a '/' after a quote, a blank, '=' or the line's start, up
// to the next quote, blank or punctuation that ends a path in messages.
std::vector<std::string> paths_in(std::string_view line) {
  std::vector<std::string> paths;
  constexpr std::string_view kBefore = "'\"` =(:", kEnd = "'\"` ,;:()[]{}<>";
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '/' || (i > 0 && kBefore.find(line[i - 1]) == std::string_view::npos)) continue;
    size_t end = i;
    while (end < line.size() && kEnd.find(line[end]) == std::string_view::npos) ++end;
    if (end - i > 1) paths.emplace_back(lexical_normal(line.substr(i, end - i)));
    i = end;
  }
  return paths;
}

bool in_view(const Plan& plan, const std::string& path) {
  return std::any_of(plan.paths.begin(), plan.paths.end(),
                     [&](const PathGrant& grant) { return path_is_under(path, grant.path); });
}

bool read_only_in_view(const Plan& plan, const std::string& path) {
  return std::any_of(plan.paths.begin(), plan.paths.end(), [&](const PathGrant& grant) {
    return grant.kind != PathGrant::Kind::kReadWrite && path_is_under(path, grant.path);
  });
}

// What to grant for `path`: its directory, unless that is too wide; then the path itself.
std::string grant_for(const std::string& path, const std::string& home) {
  auto exists = [](const std::string& candidate) {
    struct stat info {};
    return ::lstat(candidate.c_str(), &info) == 0;
  };
  struct stat info {};
  bool directory = ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
  std::string parent = path.substr(0, std::max<size_t>(path.rfind('/'), 1));
  std::string candidate = directory ? path : parent;
  return why_grant_is_too_wide(candidate, home, exists) ? path : candidate;
}

}  // namespace

std::string diagnose_server_exit(const Plan& plan, const std::string& home, const std::vector<std::string>& stderr_tail) {
  for (auto line = stderr_tail.rbegin(); line != stderr_tail.rend(); ++line) {
    bool read_only = line->find("Read-only file system") != std::string::npos || line->find("EROFS") != std::string::npos;
    for (const std::string& path : paths_in(*line)) {
      struct stat info {};
      if (path == "/" || (::stat(path.c_str(), &info) != 0 && !read_only)) continue;
      if (read_only && read_only_in_view(plan, path)) {
        return "the server could not write " + path + " (read-only in its view): to let it, add --rw " +
               grant_for(path, home);
      }
      if (!read_only && !in_view(plan, path)) {
        return "the sandbox hid " + path + " (it exists on the host, outside the server's view): to show it, add --ro " +
               grant_for(path, home);
      }
    }
  }
  return "";
}

}  // namespace mcpsandbox

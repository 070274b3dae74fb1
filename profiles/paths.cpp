#include "profiles/paths.h"

#include <vector>

namespace mcpsandbox {

std::string expand_home(const std::string& path, const std::string& home) {
  if (path == "~") return home;
  if (path.rfind("~/", 0) == 0) return home + path.substr(1);
  return path;
}

// Lexically normalises an absolute path ("/a/./b/../c/" -> "/a/c"). Symlinks are not resolved
// here (that needs the filesystem); the mount backend refuses to follow them.
Result<std::string> normalize_path(const std::string& raw, const std::string& home,
                              const std::string& cwd) {
  std::string path = expand_home(raw, home);
  if (path.empty()) return Error{"empty path"};
  if (path[0] != '/') path = cwd + "/" + path;
  return lexical_normal(path);
}

std::string lexical_normal(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (auto part : parts) {
    out += '/';
    out += part;
  }
  return out.empty() ? "/" : out;
}

bool path_is_under(std::string_view path, std::string_view root) {
  if (root == "/") return true;
  return path == root || (path.size() > root.size() && path.substr(0, root.size()) == root &&
                          path[root.size()] == '/');
}

std::string base_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string parent_directory(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string_view::npos ? "/" : std::string(path.substr(0, slash));
}

}  // namespace mcpsandbox

// The path normaliser and the containment check the path policy rests on. Properties: a
// normalised path is absolute and has no "." or ".." component and no "//"; normalising twice
// changes nothing; a path is under itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "profiles/paths.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string raw(reinterpret_cast<const char*>(data), size);
  auto path = mcpsandbox::normalize_path(raw, "/home/user", "/home/user/src");
  if (!path) return 0;
  const std::string& p = *path;
  if (p.empty() || p[0] != '/') std::abort();
  if (p.find("//") != std::string::npos || p.find("/./") != std::string::npos ||
      p.find("/../") != std::string::npos) {
    std::abort();
  }
  if (p.size() > 1 && (p.ends_with("/.") || p.ends_with("/..") || p.back() == '/')) std::abort();
  if (mcpsandbox::lexical_normal(p) != p) std::abort();
  if (!mcpsandbox::path_is_under(p, p) || !mcpsandbox::path_is_under(p, "/")) std::abort();
  return 0;
}

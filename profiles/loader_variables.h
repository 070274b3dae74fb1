// Environment variables the dynamic loader and glibc act on before main() runs: set on the
// mcpsandbox process, they load code into the unsandboxed launcher. Decided here once, for
// `run` (which refuses to start with them) and `wrap` (which moves them behind the sandbox).
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

namespace mcpsandbox {

inline constexpr std::array<std::string_view, 4> kLoaderVariables = {"LD_PRELOAD", "LD_LIBRARY_PATH",
                                                                     "LD_AUDIT", "GCONV_PATH"};

inline bool is_loader_variable(std::string_view name) {
  return std::find(kLoaderVariables.begin(), kLoaderVariables.end(), name) != kLoaderVariables.end();
}

}  // namespace mcpsandbox

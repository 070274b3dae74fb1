// Environment variables that load code into the process they are set on: the dynamic loader's
// and glibc's (acted on before main() runs) and OpenSSL's (read when libcurl starts it, for
// telemetry export). Set on mcpsandbox, they run code in the unsandboxed launcher. Decided here
// once, for `run` (which refuses to start with them) and `wrap` (which moves them behind the
// sandbox).
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

namespace mcpsandbox {

inline constexpr std::array<std::string_view, 7> kLoaderVariables = {
    "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "GCONV_PATH", "OPENSSL_CONF", "OPENSSL_MODULES", "OPENSSL_ENGINES"};

inline bool is_loader_variable(std::string_view name) {
  return std::find(kLoaderVariables.begin(), kLoaderVariables.end(), name) != kLoaderVariables.end();
}

}  // namespace mcpsandbox

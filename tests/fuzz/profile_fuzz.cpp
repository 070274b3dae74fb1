// The profile parser and the pure compiler: whatever a profile file holds, an error or a plan,
// never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "profiles/compiler.h"
#include "profiles/profile_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto profile = mcpsandbox::parse_profile(text, "fuzz.json");
  if (!profile) return 0;
  mcpsandbox::Invocation invocation;
  invocation.argv = {"/usr/bin/node", "server.js", "--root", "/home/user/src"};
  invocation.resolved_command = "/usr/bin/node";
  invocation.cwd = "/home/user/src";
  invocation.home = "/home/user";
  invocation.environment = {{"HOME", "/home/user"}, {"PATH", "/usr/bin:/bin"}};
  (void)mcpsandbox::compile(*profile, invocation);
  return 0;
}

// The sandbox's pid 1. The server is never pid 1 of its namespace (pid 1 ignores default
// signals and must reap orphans): this small init starts it, reaps every zombie, forwards
// termination signals, and reports the server's exact wait status to the launcher.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mcpsandbox {

struct InitChannels {
  int report_fd;  // setup/exec failures (SetupError); closed once the server runs
  int status_fd;  // the server's wait status, written when it ends
};

[[noreturn]] void run_sandbox_init(const std::vector<std::string>& argv,
                                   const std::vector<std::pair<std::string, std::string>>& env,
                                   InitChannels channels);

// Replaces the calling process with the server (no init: the sandbox has no pid namespace).
[[noreturn]] void exec_server(const std::vector<std::string>& argv,
                              const std::vector<std::pair<std::string, std::string>>& env,
                              int report_fd);

}  // namespace mcpsandbox

// The subcommands: `run` (sandbox the server, relay its stdio, supervise it), `doctor` (what
// this kernel can enforce) and `profile check` (validate a profile, print its plan).
#pragma once

#include "launcher/cli.h"
#include "proxy/io/logger.h"

namespace mcpsandbox {

// Returns the process exit status (the server's, 128+N for signal N, 127 if it cannot start,
// 125 if the sandbox cannot be set up).
int run_server(const RunOptions& options, const Logger& logger);
int run_doctor();
int run_profile_check(const RunOptions& options);

}  // namespace mcpsandbox

// `mcpsandbox run`: spawn the server, relay its stdio, supervise its lifecycle.
#pragma once

#include "launcher/cli.h"
#include "proxy/io/logger.h"

namespace mcpsandbox {

// Returns the process exit status (the server's, 128+N for signal N, 127 if it cannot start).
int run_server(const RunOptions& options, const Logger& logger);

}  // namespace mcpsandbox

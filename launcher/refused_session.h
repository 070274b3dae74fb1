// A session whose authentication failed: no server is started. Every request gets a JSON-RPC
// error saying why (the client sees a clear refusal on its first request, in either protocol
// generation, instead of silence); notifications are dropped; the exit status is 3.
#pragma once

#include <string>

#include "proxy/io/logger.h"

namespace mcpsandbox {

inline constexpr int kSessionRefused = 3;

int run_refused_session(const std::string& reason, const std::string& identity,
                        size_t max_message_bytes, const Logger& logger);

}  // namespace mcpsandbox

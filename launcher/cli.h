// The mcpsandbox command line (CLI11). Parsing only: it fills a Command and touches nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "proxy/io/logger.h"

namespace mcpsandbox {

struct RunOptions {
  std::vector<std::string> command;
  size_t max_message_bytes = 64u << 20;
  std::chrono::milliseconds grace{2000};
};

struct Command {
  enum class Kind { kRun, kExit } kind = Kind::kExit;
  LogLevel log_level = LogLevel::kWarn;
  std::string log_file;
  RunOptions run;
  // For kExit: what to print (help, version, usage error) and the status to exit with.
  int exit_code = 0;
};

// Parses argv. Help, --version and usage errors come back as kExit, already printed.
Command parse_command_line(int argc, char** argv);

}  // namespace mcpsandbox

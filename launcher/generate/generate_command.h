// `mcpsandbox profile generate`: asks a sandboxed server for its tools (and, with --learn,
// watches what it does), then writes a profile with a comment on every line, and the pins.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "proxy/io/logger.h"

namespace mcpsandbox {

struct GenerateOptions {
  std::vector<std::string> command;
  std::vector<std::string> read_only, read_write, env, allow_net;
  std::vector<std::string> user_config;  // KEY=VALUE for an MCPB bundle's ${user_config.KEY}
  std::string network;   // "" or "host"
  std::string out;       // the profile file; empty: standard output
  std::string pins;      // the pin file; empty: next to --out (none on standard output)
  std::string mcpb;      // a bundle's manifest.json, or its directory
  std::string scenario;  // JSON array of {"tool", "arguments"} calls for the learning run
  bool learn = false;
  std::chrono::milliseconds timeout{60000};  // per request (npx may install first)
};

int run_generate(const GenerateOptions& options, const Logger& logger);

}  // namespace mcpsandbox

// `mcpsandbox wrap`, `unwrap` and `scan`: every MCP client's configuration on this machine.
//  wrap:   each stdio server entry is rewritten to run through `mcpsandbox run --profile P --`
//          (P and its grants from profiles/clients/wrap_rules.h); the first wrap keeps the file
//          as FILE.mcpsandbox-backup; wrapping twice changes nothing.
//  unwrap: restores the backup byte for byte when the file is as wrap left it, else strips the
//          mcpsandbox prefix from each wrapped entry.
//  scan:   every configured server with its sandbox status, pin status and (asking each stdio
//          server for its tools, sandboxed) poisoning findings.
#pragma once

#include <chrono>
#include <string>

#include "proxy/io/logger.h"

namespace mcpsandbox {

struct ClientsOptions {
  enum class Action { kWrap, kUnwrap, kScan } action = Action::kScan;
  std::string client = "all";
  std::string project;  // project-level files are looked for here (default: the current directory)
  bool dry_run = false;
  bool json = false;
  bool probe = true;  // scan: ask each server for its tools
  std::chrono::milliseconds timeout{20000};
};

int run_clients_command(const ClientsOptions& options, const Logger& logger);

}  // namespace mcpsandbox

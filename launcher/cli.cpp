#include "launcher/cli.h"

#include <CLI/CLI.hpp>
#include <map>
#include <iostream>

namespace mcpsandbox {
namespace {

constexpr const char* kRunExamples = R"(
Examples:
  mcpsandbox run -- npx -y @modelcontextprotocol/server-everything
  mcpsandbox run --log-file /tmp/mcp.log --log-level debug -- node server.js
  mcpsandbox run --max-message-bytes 16MiB --grace 5s -- ./my-mcp-server

In an MCP client's configuration:
  "command": "mcpsandbox", "args": ["run", "--", "npx", "-y", "@modelcontextprotocol/server-everything"]

Exit status: the server's own, 128+N if it died from signal N, 127 if the command cannot be
executed, 2 for a usage error.)";

}  // namespace

Command parse_command_line(int argc, char** argv) {
  Command result;
  CLI::App app{"mcpsandbox: run any stdio MCP server behind a policy-enforcing proxy", "mcpsandbox"};
  app.set_version_flag("--version", std::string("mcpsandbox ") + MCPSANDBOX_VERSION);
  app.require_subcommand(1);

  std::string level_name = "warn";
  app.add_option("--log-level", level_name, "error, warn, info, debug or trace")
      ->check(CLI::IsMember({"error", "warn", "info", "debug", "trace"}))
      ->capture_default_str();
  app.add_option("--log-file", result.log_file,
                 "append logs (and the server's stderr) to this file instead of stderr");

  CLI::App* run = app.add_subcommand("run", "start an MCP server and relay its stdio transport");
  run->fallthrough();
  run->footer(kRunExamples);
  run->add_option("--max-message-bytes", result.run.max_message_bytes,
                  "largest message relayed in either direction (e.g. 64MiB); larger ones get a "
                  "JSON-RPC error and are never forwarded")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(size_t{1024}, size_t{1} << 32))
      ->capture_default_str();
  long long grace_ms = result.run.grace.count();
  run->add_option("--grace", grace_ms,
                  "on shutdown, wait this long after closing the server's stdin, and again after "
                  "SIGTERM, before escalating (e.g. 2s, 500ms)")
      ->transform(CLI::AsNumberWithUnit(std::map<std::string, long long>{{"ms", 1}, {"s", 1000}},
                                          CLI::AsNumberWithUnit::CASE_INSENSITIVE, "DURATION"))
      ->check(CLI::Range(0LL, 3600000LL))
      ->capture_default_str();
  run->add_option("command", result.run.command, "the MCP server command and its arguments")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    result.exit_code = app.exit(e);
    return result;
  } catch (const CLI::ParseError& e) {
    (void)app.exit(e);  // prints the message to stderr
    result.exit_code = 2;
    return result;
  }
  result.log_level = *parse_log_level(level_name);
  if (run->parsed()) {
    result.kind = Command::Kind::kRun;
    result.run.grace = std::chrono::milliseconds(grace_ms);
  }
  return result;
}

}  // namespace mcpsandbox

// Helpers for driving build/mcpsandbox around the fixture server.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace mcpsandbox::testing {

using nlohmann::json;

inline std::vector<std::string> fixture_command(const TempDir& dir,
                                                std::vector<std::string> mcpsandbox_args = {},
                                                std::vector<std::string> fixture_args = {}) {
  // The fixture logs what it received into the test's directory: grant it.
  std::vector<std::string> argv = {mcpsandbox_binary(), "run", "--rw", dir.path()};
  argv.insert(argv.end(), mcpsandbox_args.begin(), mcpsandbox_args.end());
  argv.insert(argv.end(), {"--", fixture_server_binary(), "--received-log", dir.file("received")});
  argv.insert(argv.end(), fixture_args.begin(), fixture_args.end());
  return argv;
}

inline std::string request(const json& id, const std::string& method, json params = json::object()) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump();
}

inline std::string tool_call(const json& id, const std::string& tool, json args = json::object()) {
  return request(id, "tools/call", {{"name", tool}, {"arguments", args}});
}
// The id of the initialize a McpClient opens its session with; next_message skips its answer.
inline constexpr const char* kHarnessInitializeId = "harness-initialize";
inline constexpr const char* kHarnessInitialized = R"({"jsonrpc":"2.0","method":"notifications/initialized","params":{}})";

// mcpsandbox as a client drives it: the session opens with initialize and
// notifications/initialized (the handshake generation refuses any other request first), whose
// answer the helpers below pass over, so a test reads only the answers to its own requests.
class McpClient : public ChildProcess {
 public:
  explicit McpClient(std::vector<std::string> argv) : ChildProcess(std::move(argv)) {
    json initialize = {{"jsonrpc", "2.0"},
                       {"id", kHarnessInitializeId},
                       {"method", "initialize"},
                       {"params", {{"protocolVersion", "2025-06-18"},
                                   {"capabilities", json::object()},
                                   {"clientInfo", {{"name", "mcpsandbox-tests"}, {"version", "1"}}}}}};
    try {
      send_line(initialize.dump());
      send_line(kHarnessInitialized);
    } catch (const std::runtime_error&) {
      // mcpsandbox refused to start: the test looks at its exit status and stderr.
    }
  }
};

// The next line from mcpsandbox's stdout as JSON; fails the test on timeout or bad JSON.
inline json next_message(ChildProcess& proxy, std::chrono::milliseconds timeout = 10s) {
  while (true) {
    auto line = proxy.read_line(timeout);
    if (!line) {
      ADD_FAILURE() << "no message from mcpsandbox; stderr: " << proxy.stderr_text();
      return json();
    }
    json message = json::parse(*line, nullptr, false);
    EXPECT_FALSE(message.is_discarded()) << "mcpsandbox wrote a non-JSON line: " << *line;
    if (message.is_object() && message.value("id", json()) == kHarnessInitializeId) continue;
    return message;
  }
}

// The next message that is a response (skipping notifications and server requests).
inline json next_response(ChildProcess& proxy, std::chrono::milliseconds timeout = 10s) {
  while (true) {
    json message = next_message(proxy, timeout);
    if (message.is_null() || !message.contains("method")) return message;
  }
}

// The fixtures that report what they tried as JSON text (malicious_server.py, grant_server):
// the next response, expected for `id`, as that report, or the error response as it is.
inline json reported_result(ChildProcess& proxy, int id, std::chrono::milliseconds timeout = 20s) {
  json reply = next_response(proxy, timeout);
  EXPECT_EQ(reply.value("id", -1), id) << reply.dump();
  if (!reply.contains("result")) return reply;
  return json::parse(reply["result"]["content"][0]["text"].get<std::string>());
}

inline int error_code_of(const json& response) {
  return response.contains("error") ? response["error"].value("code", 0) : 0;
}

// The lines the fixture server received from the client, without the proxy's own requests
// (the tools/list it sends before the first call of a tool it has not seen listed) and the
// McpClient's opening handshake.
inline std::vector<std::string> received_lines(const TempDir& dir) {
  std::vector<std::string> lines;
  std::string text = read_file(dir.file("received"));
  size_t start = 0, newline;
  while ((newline = text.find('\n', start)) != std::string::npos) {
    std::string line = text.substr(start, newline - start);
    bool harness = line.find(kHarnessInitializeId) != std::string::npos || line == kHarnessInitialized;
    if (line.find("\"id\":\"mcpsandbox:") == std::string::npos && !harness) lines.push_back(line);
    start = newline + 1;
  }
  return lines;
}

inline bool server_received(const TempDir& dir, const std::string& needle) {
  for (const auto& line : received_lines(dir)) {
    if (line.find(needle) != std::string::npos) return true;
  }
  return false;
}

// Host pids of processes whose command line mentions `marker` (a test's unique temp dir),
// other than `except`. The sandbox has its own pid namespace, so pids it reports mean nothing
// here; command lines do.
inline std::vector<pid_t> processes_mentioning(const std::string& marker, pid_t except) {
  std::vector<pid_t> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = std::stoi(name);
    if (pid == except || pid == getpid()) continue;
    std::string cmdline = read_file("/proc/" + name + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(marker) != std::string::npos && process_exists(pid)) found.push_back(pid);
  }
  return found;
}

inline bool none_left_within(const std::string& marker, pid_t except, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (processes_mentioning(marker, except).empty()) return true;
    usleep(10000);
  }
  return processes_mentioning(marker, except).empty();
}

}  // namespace mcpsandbox::testing

// ServerConversation: mcpsandbox talking MCP to a server as a client would, over pipes to a
// child process (for `profile generate` and `scan`, the child is `mcpsandbox run ... -- SERVER`,
// so the server is sandboxed while it is being asked). Requests wait with a deadline; requests
// the server sends back are refused; the child never outlives the conversation.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "profiles/support/result.h"
#include "proxy/io/unique_fd.h"

namespace mcpsandbox {

class ServerConversation {
 public:
  // Starts argv[0] (a path) with its stdin and stdout as the conversation; stderr is inherited,
  // so the sandbox's progress and the server's own messages reach the user.
  static Result<ServerConversation> start(const std::vector<std::string>& argv);
  ServerConversation(ServerConversation&& other) noexcept;
  ServerConversation& operator=(ServerConversation&&) = delete;
  ~ServerConversation();

  // The result of one request (an error response is an Error carrying its message).
  Result<nlohmann::json> request(const std::string& method, nlohmann::json params,
                                 std::chrono::milliseconds timeout);
  Result<void> notify(const std::string& method, nlohmann::json params);
  // `initialize` and `notifications/initialized` (legacy handshake); returns initialize's result.
  Result<nlohmann::json> initialize(std::chrono::milliseconds timeout);
  // Every page of tools/list.
  Result<nlohmann::json> list_tools(std::chrono::milliseconds timeout);
  // Closes the server's stdin and waits for the child (killed after `grace`); its exit status.
  int finish(std::chrono::milliseconds grace);

 private:
  ServerConversation(pid_t pid, UniqueFd to_child, UniqueFd from_child)
      : pid_(pid), to_child_(std::move(to_child)), from_child_(std::move(from_child)) {}
  Result<void> send(const nlohmann::json& message);
  Result<nlohmann::json> next_message(std::chrono::steady_clock::time_point deadline);

  pid_t pid_ = -1;
  UniqueFd to_child_, from_child_;
  std::string buffer_;
  long next_id_ = 1;
};

}  // namespace mcpsandbox

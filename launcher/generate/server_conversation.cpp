#include "launcher/generate/server_conversation.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

extern char** environ;

namespace mcpsandbox {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxLine = 64u << 20;

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

Result<ServerConversation> ServerConversation::start(const std::vector<std::string>& argv) {
  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) < 0) return Error{errno_text("pipe")};
  UniqueFd child_in(in_pipe[0]), to_child(in_pipe[1]);
  if (::pipe2(out_pipe, O_CLOEXEC) < 0) return Error{errno_text("pipe")};
  UniqueFd from_child(out_pipe[0]), child_out(out_pipe[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, child_in.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, child_out.get(), STDOUT_FILENO);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Error{"cannot start " + argv[0] + ": " + std::strerror(rc)};
  return ServerConversation(pid, std::move(to_child), std::move(from_child));
}

ServerConversation::ServerConversation(ServerConversation&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      to_child_(std::move(other.to_child_)),
      from_child_(std::move(other.from_child_)),
      buffer_(std::move(other.buffer_)),
      next_id_(other.next_id_) {}

ServerConversation::~ServerConversation() {
  if (pid_ > 0) finish(std::chrono::milliseconds(0));
}

Result<void> ServerConversation::send(const json& message) {
  std::string line = message.dump() + "\n";
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(to_child_.get(), line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{errno_text("writing to the server")};
    done += static_cast<size_t>(n);
  }
  return {};
}

Result<json> ServerConversation::next_message(Clock::time_point deadline) {
  while (true) {
    if (size_t newline = buffer_.find('\n'); newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      json message = json::parse(line, nullptr, false);
      if (!message.is_discarded() && message.is_object()) return message;
      continue;  // not JSON-RPC: the sandbox and the proxy already logged it
    }
    if (buffer_.size() > kMaxLine) return Error{"the server sent a line longer than 64 MiB"};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return Error{"no answer in time"};
    pollfd readable{from_child_.get(), POLLIN, 0};
    int ready = ::poll(&readable, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return Error{errno_text("poll")};
    if (ready == 0) continue;
    char chunk[65536];
    ssize_t n = ::read(from_child_.get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{errno_text("reading from the server")};
    if (n == 0) return Error{"the server closed its output (it exited)"};
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

Result<json> ServerConversation::request(const std::string& method, json params,
                                         std::chrono::milliseconds timeout) {
  long id = next_id_++;
  if (auto sent = send({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}); !sent) {
    return sent.error();
  }
  auto deadline = Clock::now() + timeout;
  while (true) {
    auto message = next_message(deadline);
    if (!message) return Error{method + ": " + message.error().message};
    if (message->contains("method")) {
      // A request of the server's own (sampling, roots): a generation run answers none.
      if (message->contains("id")) {
        auto refused = send({{"jsonrpc", "2.0"}, {"id", (*message)["id"]},
                             {"error", {{"code", -32601}, {"message", "not available while generating a profile"}}}});
        if (!refused) return refused.error();
      }
      continue;
    }
    if (message->value("id", json()) != id) continue;
    if (message->contains("error")) {
      return Error{method + ": " + (*message)["error"].value("message", std::string("error"))};
    }
    return message->value("result", json::object());
  }
}

Result<void> ServerConversation::notify(const std::string& method, json params) {
  return send({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
}

Result<json> ServerConversation::initialize(std::chrono::milliseconds timeout) {
  auto result = request("initialize",
                        {{"protocolVersion", "2025-06-18"},
                         {"capabilities", json::object()},
                         {"clientInfo", {{"name", "mcpsandbox"}, {"version", MCPSANDBOX_VERSION}}}},
                        timeout);
  if (!result) return result;
  if (auto sent = notify("notifications/initialized", json::object()); !sent) return sent.error();
  return result;
}

Result<json> ServerConversation::list_tools(std::chrono::milliseconds timeout) {
  json tools = json::array();
  json params = json::object();
  for (int page = 0; page < 1000; ++page) {
    auto listed = request("tools/list", params, timeout);
    if (!listed) return listed;
    if (listed->contains("tools") && (*listed)["tools"].is_array()) {
      for (auto& tool : (*listed)["tools"]) tools.push_back(std::move(tool));
    }
    if (!listed->contains("nextCursor") || !(*listed)["nextCursor"].is_string()) return tools;
    params = {{"cursor", (*listed)["nextCursor"]}};
  }
  return Error{"tools/list: more than 1000 pages"};
}

int ServerConversation::finish(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return -1;
  to_child_.reset();  // end of input: mcpsandbox run ends the session and its sandbox
  int status = 0;
  auto reaped = [&](int options) { return ::waitpid(pid_, &status, options) == pid_; };
  auto wait_until = [&](Clock::time_point deadline) {
    while (Clock::now() < deadline) {
      if (reaped(WNOHANG)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return reaped(WNOHANG);
  };
  bool done = wait_until(Clock::now() + grace);
  if (!done) {
    ::kill(pid_, SIGTERM);  // mcpsandbox run takes its whole sandbox down on SIGTERM
    done = wait_until(Clock::now() + std::chrono::seconds(5));
  }
  if (!done) {
    ::kill(pid_, SIGKILL);
    reaped(0);
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace mcpsandbox

// ServerSupervisor: the server's lifecycle around the relay. Shutdown follows the MCP stdio
// transport: close the server's stdin, wait the grace period, SIGTERM, wait again, SIGKILL,
// for the whole process tree. When the server ends, whatever it wrote is relayed, every request
// still pending gets an error, and the run finishes with the server's exit status.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "launcher/spawn.h"
#include "proxy/io/event_loop.h"
#include "proxy/io/logger.h"
#include "proxy/relay.h"

namespace mcpsandbox {

// How a process ended, in the shell's convention: the status, or 128+N for signal N.
struct ExitStatus {
  int code = 0;
  std::string description;  // "exit status 3", "killed by signal 9 (Killed)"
};

class ServerSupervisor : public RelayEvents {
 public:
  // `status_fd`: where the sandbox's init reports the server's own wait status (may be
  // invalid when the server is not behind an init).
  ServerSupervisor(EventLoop& loop, pid_t server_pid, UniqueFd pidfd, UniqueFd status_fd,
                   std::chrono::milliseconds grace, const Logger& logger);
  ~ServerSupervisor() override;
  void attach(Relay& relay) { relay_ = &relay; }
  Result<void> start();

  void on_client_gone() override;
  void on_server_output_closed() override;
  // SIGINT/SIGTERM/SIGHUP begin the shutdown; a second one skips to SIGKILL.
  void on_signal(int signal);

  bool finished() const;
  // The server's status (meaningful once finished()).
  const ExitStatus& exit_status() const { return exit_status_; }

 private:
  // A hung-up client's unread messages are still relayed; a signal discards them.
  void begin_shutdown(std::string_view why, bool discard_client_input);
  void escalate(int signal);
  void on_server_exited();
  void maybe_finish();

  EventLoop& loop_;
  pid_t server_pid_;
  UniqueFd pidfd_, status_fd_;
  std::chrono::milliseconds grace_;
  const Logger& logger_;
  Relay* relay_ = nullptr;

  bool shutting_down_ = false, server_exited_ = false, output_closed_ = false;
  bool pending_failed_ = false, draining_ = false, finished_ = false;
  std::optional<EventLoop::TimerId> escalation_timer_, drain_timer_, flush_timer_;
  ExitStatus exit_status_;
};

}  // namespace mcpsandbox

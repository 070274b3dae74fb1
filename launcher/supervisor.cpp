#include "launcher/supervisor.h"

#include <signal.h>
#include <sys/wait.h>

#include <cstring>
#include <unistd.h>

#include "launcher/process_tree.h"

namespace mcpsandbox {
namespace {

ExitStatus describe(const siginfo_t& info) {
  if (info.si_code == CLD_EXITED) {
    return {info.si_status, "exit status " + std::to_string(info.si_status)};
  }
  return {128 + info.si_status, "killed by signal " + std::to_string(info.si_status) + " (" +
                                    strsignal(info.si_status) + ")"};
}

// How long to wait for the server's stdout to close after it exited (a grandchild may hold it
// open until the tree is killed) and for a slow client to take our last bytes.
constexpr std::chrono::milliseconds kDrainTimeout(2000);

}  // namespace

ServerSupervisor::ServerSupervisor(EventLoop& loop, pid_t server_pid, UniqueFd pidfd,
                                   UniqueFd status_fd, std::chrono::milliseconds grace,
                                   const Logger& logger)
    : loop_(loop), server_pid_(server_pid), pidfd_(std::move(pidfd)),
      status_fd_(std::move(status_fd)), grace_(grace), logger_(logger) {}

ServerSupervisor::~ServerSupervisor() {
  // Whatever path led here, nothing of the server survives us.
  if (!server_exited_) ProcessTree::signal_all(server_pid_, SIGKILL);
  for (auto timer : {escalation_timer_, drain_timer_, flush_timer_}) {
    if (timer) loop_.cancel_timer(*timer);
  }
}

Result<void> ServerSupervisor::start() {
  return loop_.watch(pidfd_.get(), EPOLLIN, [this](uint32_t) { on_server_exited(); });
}

void ServerSupervisor::on_client_gone() {
  begin_shutdown("the client closed the connection", /*discard_client_input=*/false);
}

void ServerSupervisor::on_server_output_closed() {
  output_closed_ = true;
  // A server that closed its stdout can never answer again, even if it keeps running: end the
  // session the usual way (stdin closed, SIGTERM after the grace period, then SIGKILL), and
  // every request still owed an answer gets an error once it is gone.
  if (!server_exited_) begin_shutdown("the server closed its output", /*discard_client_input=*/true);
  maybe_finish();
}

void ServerSupervisor::on_signal(int signal) {
  if (signal == SIGCHLD) {
    ProcessTree::reap_orphans(server_exited_ ? 0 : server_pid_);
    return;
  }
  if (shutting_down_ && !server_exited_) {
    logger_.warn(std::string("second ") + strsignal(signal) + ": killing the server now");
    escalate(SIGKILL);
    return;
  }
  begin_shutdown(std::string("received ") + strsignal(signal), /*discard_client_input=*/true);
}

void ServerSupervisor::begin_shutdown(std::string_view why, bool discard_client_input) {
  if (shutting_down_) return;
  shutting_down_ = true;
  logger_.info("shutting down: " + std::string(why));
  if (relay_) {
    if (discard_client_input) relay_->stop_client_input();
    relay_->close_server_input();
  }
  if (server_exited_) return;
  escalation_timer_ = loop_.add_timer(grace_, [this] {
    escalation_timer_.reset();
    escalate(SIGTERM);
  });
}

void ServerSupervisor::escalate(int signal) {
  if (server_exited_) return;
  logger_.info(std::string("sending ") + strsignal(signal) + " to the server");
  ProcessTree::signal_all(server_pid_, signal);
  if (escalation_timer_) loop_.cancel_timer(*escalation_timer_);
  escalation_timer_.reset();
  if (signal == SIGTERM) {
    escalation_timer_ = loop_.add_timer(grace_, [this] {
      escalation_timer_.reset();
      escalate(SIGKILL);
    });
  }
}

void ServerSupervisor::on_server_exited() {
  siginfo_t info{};
  if (::waitid(P_PIDFD, pidfd_.get(), &info, WEXITED | WNOHANG) < 0 || info.si_pid == 0) return;
  server_exited_ = true;
  loop_.unwatch(pidfd_.get());
  if (escalation_timer_) loop_.cancel_timer(*escalation_timer_);
  escalation_timer_.reset();
  exit_status_ = describe(info);
  // Behind the sandbox's init, the server's own status comes through the status pipe (init
  // itself exits 0 once it has written it).
  int status = 0;
  if (status_fd_.valid() && ::read(status_fd_.get(), &status, sizeof status) == sizeof status) {
    exit_status_ = WIFEXITED(status)
                       ? ExitStatus{WEXITSTATUS(status),
                                    "exit status " + std::to_string(WEXITSTATUS(status))}
                       : ExitStatus{128 + WTERMSIG(status),
                                    "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                                        strsignal(WTERMSIG(status)) + ")"};
  }
  logger_.info("the MCP server ended: " + exit_status_.description);
  // The server is gone; its descendants go too, which also releases its stdout.
  ProcessTree::signal_all(server_pid_, SIGKILL);
  drain_timer_ = loop_.add_timer(kDrainTimeout, [this] {
    drain_timer_.reset();
    logger_.warn("the server's output did not close after it exited; not waiting longer");
    output_closed_ = true;
    maybe_finish();
  });
  maybe_finish();
}

void ServerSupervisor::maybe_finish() {
  if (!server_exited_ || !output_closed_ || pending_failed_) return;
  pending_failed_ = true;
  if (drain_timer_) loop_.cancel_timer(*drain_timer_);
  drain_timer_.reset();
  if (relay_) relay_->fail_pending(exit_status_.description);
  // The run ends once the client has taken our last bytes (finished() checks that after every
  // loop round), or when a client that stopped reading has had long enough.
  draining_ = true;
  flush_timer_ = loop_.add_timer(kDrainTimeout, [this] {
    flush_timer_.reset();
    if (relay_ && !relay_->client_output_idle()) {
      logger_.warn("the client did not read our last output");
    }
    finished_ = true;
  });
}

bool ServerSupervisor::finished() const {
  return finished_ || (draining_ && (!relay_ || relay_->client_output_idle()));
}


}  // namespace mcpsandbox

#include "launcher/run_command.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "launcher/process_tree.h"
#include "launcher/signals.h"
#include "launcher/spawn.h"
#include "launcher/supervisor.h"
#include "proxy/relay.h"

namespace mcpsandbox {
namespace {

constexpr int kCannotExecute = 127;
constexpr int kInternalFailure = 125;

}  // namespace

int run_server(const RunOptions& options, const Logger& logger) {
  // Larger client pipes mean fewer wake-ups per large message; only pipes accept this, and a
  // refusal changes nothing but speed.
  for (int fd : {STDIN_FILENO, STDOUT_FILENO}) ::fcntl(fd, F_SETPIPE_SZ, 1 << 20);
  // Signals are blocked before the spawn so that none is lost between clone3 and the loop.
  auto signals = SignalInbox::open();
  if (!signals) {
    logger.error(signals.error().message);
    return kInternalFailure;
  }
  if (auto r = ProcessTree::become_subreaper(); !r) {
    logger.error(r.error().message);
    return kInternalFailure;
  }
  SpawnFailure failure;
  auto server = Spawner::spawn({options.command, !logger.to_stderr()}, failure);
  if (!server) {
    logger.error(failure.message);
    return failure.exec_errno ? kCannotExecute : kInternalFailure;
  }
  logger.info("started MCP server pid " + std::to_string(server->pid));

  auto loop = EventLoop::create();
  if (!loop) {
    logger.error(loop.error().message);
    ProcessTree::signal_all(server->pid, SIGKILL);
    return kInternalFailure;
  }
  ServerSupervisor supervisor(*loop, server->pid, std::move(server->pidfd), options.grace, logger);
  RelayOptions relay_options;
  relay_options.max_message_bytes = options.max_message_bytes;
  Relay relay(*loop,
              {STDIN_FILENO, STDOUT_FILENO, std::move(server->stdin_write),
               std::move(server->stdout_read), std::move(server->stderr_read)},
              relay_options, logger, supervisor);
  supervisor.attach(relay);

  auto started = relay.start();
  if (started) started = supervisor.start();
  if (started) {
    started = loop->watch(signals->fd(), EPOLLIN, [&](uint32_t) {
      while (int signal = signals->next()) supervisor.on_signal(signal);
    });
  }
  if (!started) {
    logger.error(started.error().message);
    return kInternalFailure;  // the supervisor's destructor kills the server tree
  }
  while (!supervisor.finished()) {
    if (auto r = loop->run_once(); !r) {
      logger.error(r.error().message);
      return kInternalFailure;
    }
  }
  const RelayStats& stats = relay.stats();
  logger.info("relayed " + std::to_string(stats.client_messages) + " client and " +
              std::to_string(stats.server_messages) + " server messages; rejected " +
              std::to_string(stats.client_rejected) + ", dropped " +
              std::to_string(stats.server_dropped));
  return supervisor.exit_status().code;
}

}  // namespace mcpsandbox

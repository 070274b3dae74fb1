// EventLoop: one epoll instance driving every fd of a run (client pipes, server pipes, pidfd,
// signalfd) plus one-shot timers, on a single thread. Callbacks run to completion; nothing
// blocks, nothing busy-waits.
#pragma once

#include <sys/epoll.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "profiles/support/result.h"
#include "proxy/io/unique_fd.h"

namespace mcpsandbox {

class EventLoop {
 public:
  using Callback = std::function<void(uint32_t events)>;
  using TimerId = uint64_t;

  static Result<EventLoop> create();

  // Watches `fd` for `events` (EPOLLIN/EPOLLOUT). Fds that epoll refuses (regular files,
  // /dev/null) are reported as always ready, which is what reading or writing them is.
  Result<void> watch(int fd, uint32_t events, Callback callback);
  Result<void> change(int fd, uint32_t events);
  void unwatch(int fd);

  TimerId add_timer(std::chrono::milliseconds delay, std::function<void()> callback);
  void cancel_timer(TimerId id);

  // Runs one round: waits (up to `max_wait`, or forever if negative) and dispatches.
  Result<void> run_once(std::chrono::milliseconds max_wait = std::chrono::milliseconds(-1));

 private:
  struct Watch {
    uint32_t events;
    bool always_ready;
    std::shared_ptr<Callback> callback;
  };
  explicit EventLoop(UniqueFd epoll) : epoll_(std::move(epoll)) {}
  int next_timeout_ms(std::chrono::milliseconds max_wait) const;
  void fire_due_timers();

  UniqueFd epoll_;
  std::map<int, Watch> watches_;
  std::map<std::pair<std::chrono::steady_clock::time_point, TimerId>, std::function<void()>>
      timers_;
  TimerId next_timer_id_ = 1;
};

}  // namespace mcpsandbox

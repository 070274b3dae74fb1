#include "proxy/io/event_loop.h"

#include <cerrno>
#include <cstring>
#include <vector>

namespace mcpsandbox {
namespace {
using Clock = std::chrono::steady_clock;
}

Result<EventLoop> EventLoop::create() {
  int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) return Error{std::string("epoll_create1: ") + std::strerror(errno)};
  return EventLoop(UniqueFd(fd));
}

Result<void> EventLoop::watch(int fd, uint32_t events, Callback callback) {
  epoll_event ev{};
  ev.events = events == 0 ? EPOLLET : events;
  ev.data.fd = fd;
  bool always_ready = false;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) < 0) {
    if (errno != EPERM) {
      return Error{"epoll_ctl(add fd " + std::to_string(fd) + "): " + std::strerror(errno)};
    }
    always_ready = true;
  }
  watches_[fd] = Watch{events, always_ready, std::make_shared<Callback>(std::move(callback))};
  return {};
}

Result<void> EventLoop::change(int fd, uint32_t events) {
  auto it = watches_.find(fd);
  if (it == watches_.end()) return Error{"epoll: fd " + std::to_string(fd) + " not watched"};
  uint32_t before = it->second.events;
  if (before == events) return {};
  it->second.events = events;
  if (it->second.always_ready) return {};
  // A paused fd stays registered edge-triggered with no events: a hang-up is then reported
  // once, so its owner learns of it without the level-triggered EPOLLHUP spinning the loop.
  epoll_event ev{};
  ev.events = events == 0 ? EPOLLET : events;
  ev.data.fd = fd;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev) < 0) {
    return Error{"epoll_ctl(mod fd " + std::to_string(fd) + "): " + std::strerror(errno)};
  }
  return {};
}

void EventLoop::unwatch(int fd) {
  auto it = watches_.find(fd);
  if (it == watches_.end()) return;
  if (!it->second.always_ready) ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  watches_.erase(it);
}

EventLoop::TimerId EventLoop::add_timer(std::chrono::milliseconds delay,
                                        std::function<void()> callback) {
  TimerId id = next_timer_id_++;
  timers_.emplace(std::make_pair(Clock::now() + delay, id), std::move(callback));
  return id;
}

void EventLoop::cancel_timer(TimerId id) {
  for (auto it = timers_.begin(); it != timers_.end(); ++it) {
    if (it->first.second == id) {
      timers_.erase(it);
      return;
    }
  }
}

int EventLoop::next_timeout_ms(std::chrono::milliseconds max_wait) const {
  for (const auto& [fd, watch] : watches_) {
    if (watch.always_ready && watch.events != 0) return 0;
  }
  long long wait = max_wait.count();
  if (!timers_.empty()) {
    auto until = std::chrono::ceil<std::chrono::milliseconds>(timers_.begin()->first.first -
                                                              Clock::now());
    long long due = std::max<long long>(0, until.count());
    wait = wait < 0 ? due : std::min(wait, due);
  }
  return static_cast<int>(std::min<long long>(wait, 1 << 30));
}

void EventLoop::fire_due_timers() {
  if (timers_.empty()) return;
  auto now = Clock::now();
  while (!timers_.empty() && timers_.begin()->first.first <= now) {
    auto callback = std::move(timers_.begin()->second);
    timers_.erase(timers_.begin());
    callback();
  }
}

Result<void> EventLoop::run_once(std::chrono::milliseconds max_wait) {
  epoll_event events[16];
  int n = ::epoll_wait(epoll_.get(), events, 16, next_timeout_ms(max_wait));
  if (n < 0) {
    if (errno == EINTR) return {};
    return Error{std::string("epoll_wait: ") + std::strerror(errno)};
  }
  // Callbacks may unwatch fds (even other ones), so look each one up again before dispatch and
  // hold the callback alive while it runs.
  for (int i = 0; i < n; ++i) {
    auto it = watches_.find(events[i].data.fd);
    if (it == watches_.end()) continue;
    auto callback = it->second.callback;
    (*callback)(events[i].events);
  }
  std::vector<std::pair<int, uint32_t>> ready;
  for (const auto& [fd, watch] : watches_) {
    if (watch.always_ready && watch.events != 0) ready.emplace_back(fd, watch.events);
  }
  for (auto [fd, ev] : ready) {
    auto it = watches_.find(fd);
    if (it == watches_.end()) continue;
    auto callback = it->second.callback;
    (*callback)(ev);
  }
  fire_due_timers();
  return {};
}

}  // namespace mcpsandbox

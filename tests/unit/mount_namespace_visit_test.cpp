// Stepping into another mount namespace from a thread of a process that has other threads: the
// per-call mounts do this while connect grants' resolver threads (and the OTLP exporter's) run.
#include "launcher/mount_namespace_visit.h"

#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

namespace mcpsandbox {
namespace {

ino_t mount_namespace_of(const std::string& process) {
  struct stat info {};
  return ::stat(("/proc/" + process + "/ns/mnt").c_str(), &info) == 0 ? info.st_ino : 0;
}

// A process in a mount namespace of its own, until the guard ends it.
struct OtherNamespace {
  OtherNamespace() {
    int ready[2];
    EXPECT_EQ(::pipe(ready), 0);
    pid = ::fork();
    if (pid == 0) {
      char ok = ::unshare(CLONE_NEWNS) == 0 ? 1 : 0;
      (void)!::write(ready[1], &ok, 1);
      ::pause();
      ::_exit(0);
    }
    char ok = 0;
    EXPECT_EQ(::read(ready[0], &ok, 1), 1);
    EXPECT_EQ(ok, 1) << "unshare(CLONE_NEWNS)";
    ::close(ready[0]);
    ::close(ready[1]);
  }
  ~OtherNamespace() {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  pid_t pid = -1;
};

TEST(MountNamespaceVisit, WorksWhileThreadsStartedAfterItShareTheFilesystemContext) {
  if (::geteuid() != 0) GTEST_SKIP() << "entering another mount namespace needs root";
  OtherNamespace other;
  auto visit = MountNamespaceVisit::prepare(other.pid);
  ASSERT_TRUE(visit.ok()) << visit.error().message;
  // A thread made after prepare() shares this thread's filesystem context (pthread_create uses
  // CLONE_FS), as a resolver thread does; setns(CLONE_NEWNS) refuses a shared one (EINVAL).
  std::mutex mutex;
  std::condition_variable done;
  bool finished = false;
  std::thread sharer([&] {
    std::unique_lock lock(mutex);
    done.wait(lock, [&] { return finished; });
  });
  ino_t inside = 0;
  int rc = visit->run([&] {
    inside = mount_namespace_of("thread-self");
    return 0;
  });
  {
    std::lock_guard lock(mutex);
    finished = true;
  }
  done.notify_all();
  sharer.join();
  EXPECT_EQ(rc, 0) << std::strerror(rc);
  EXPECT_EQ(inside, mount_namespace_of(std::to_string(other.pid))) << "ran in the other namespace";
  EXPECT_NE(mount_namespace_of("thread-self"), inside) << "and came back";
}

}  // namespace
}  // namespace mcpsandbox

// Escape probe: runs inside the sandbox as the "MCP server", tries one attack named on its
// command line and reports what happened as a JSON-RPC notification on stdout (which
// mcpsandbox relays to the test), then exits. An attack that seccomp answers by killing the
// process reports nothing: the test sees exit status 128+SIGSYS instead.
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace {

std::string json_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out;
}

// ok: the attack succeeded (the sandbox failed). err: the errno that stopped it. Sent as an MCP
// log message (notifications/message, logger "probe/result"): mcpsandbox passes only methods MCP
// defines.
int report(const std::string& attack, bool ok, int err, const std::string& detail = "") {
  std::printf(
      "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\","
      "\"logger\":\"probe/result\",\"data\":{\"attack\":\"%s\",\"ok\":%s,"
      "\"errno\":\"%s\",\"detail\":\"%s\"}}}\n",
      json_escape(attack).c_str(), ok ? "true" : "false", ok ? "" : strerrorname_np(err),
      json_escape(detail).c_str());
  std::fflush(stdout);
  return 0;
}

int result_of(const std::string& attack, long rc, const std::string& detail = "") {
  return report(attack, rc >= 0, rc >= 0 ? 0 : errno, detail);
}

int read_file(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return report("read", false, errno, path);
  char buf[64];
  ssize_t n = read(fd, buf, sizeof buf);
  int err = errno;
  close(fd);
  return report("read", n >= 0, err, path);
}

// The file's text, NULs shown as spaces (a command line, an environment): what the server sees.
int show_file(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return report("show", false, errno, path);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  int err = errno;
  close(fd);
  for (char& c : text) c = c == '\0' ? ' ' : c;
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return report("show", n == 0, err, text);
}

int write_file(const char* path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return report("write", false, errno, path);
  ssize_t n = write(fd, "owned\n", 6);
  int err = errno;
  close(fd);
  return report("write", n == 6, err, path);
}

// TCP connect or UDP send to `address` (IPv4 or IPv6, default 127.0.0.1) on `port`.
int reach(const char* attack, int type, int port, const char* address) {
  sockaddr_storage storage{};
  socklen_t length;
  int family;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET6, address, &v6->sin6_addr) == 1) {
    family = v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    length = sizeof *v6;
  } else {
    inet_pton(AF_INET, address, &v4->sin_addr);
    family = v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    length = sizeof *v4;
  }
  int sock = socket(family, type | SOCK_CLOEXEC, 0);
  if (sock < 0) return report(attack, false, errno);
  auto* target = reinterpret_cast<sockaddr*>(&storage);
  if (type == SOCK_DGRAM) return result_of(attack, sendto(sock, "x", 1, 0, target, length), address);
  return result_of(attack, connect(sock, target, length), address);
}

int connect_unix(const std::string& name, bool abstract) {
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return report("unix-connect", false, errno);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  size_t offset = abstract ? 1 : 0;
  std::memcpy(addr.sun_path + offset, name.data(), std::min(name.size(), sizeof addr.sun_path - 2));
  socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + offset + name.size());
  return result_of(abstract ? "abstract-connect" : "unix-connect",
                   connect(sock, reinterpret_cast<sockaddr*>(&addr), length), name);
}

int open_fds() {
  std::string open;
  for (int fd = 3; fd < 1024; ++fd) {
    if (fcntl(fd, F_GETFD) >= 0) open += std::to_string(fd) + " ";
  }
  return report("inherited-fds", !open.empty(), EBADF, open);
}

int fork_bomb() {
  int children = 0;
  std::vector<pid_t> pids;
  while (children < 100000) {
    pid_t pid = fork();
    if (pid < 0) break;
    if (pid == 0) {
      pause();
      _exit(0);
    }
    pids.push_back(pid);
    ++children;
  }
  int err = errno;
  for (pid_t pid : pids) kill(pid, SIGKILL);
  for (pid_t pid : pids) waitpid(pid, nullptr, 0);
  return report("fork-bomb", children >= 100000, err, std::to_string(children));
}

int memory_bomb() {
  size_t total = 0;
  constexpr size_t kChunk = 64u << 20;
  while (total < (64ull << 30)) {
    char* block = static_cast<char*>(malloc(kChunk));
    if (!block) break;
    memset(block, 1, kChunk);
    total += kChunk;
  }
  return report("memory-bomb", total >= (64ull << 30), ENOMEM, std::to_string(total >> 20) + " MiB");
}

int capabilities() {
  FILE* status = fopen("/proc/self/status", "r");
  char line[256];
  std::string caps;
  while (status && fgets(line, sizeof line, status)) {
    if (strncmp(line, "Cap", 3) == 0) caps += line;
  }
  bool any = caps.find("CapEff:\t0000000000000000") == std::string::npos ||
             caps.find("CapPrm:\t0000000000000000") == std::string::npos ||
             caps.find("CapBnd:\t0000000000000000") == std::string::npos;
  return report("capabilities", any, EPERM, caps);
}

// Plants a set-user-id and set-group-id program at `path` through one syscall form (a file the
// server creates in a read-write grant is the host's file), or a file capability.
long plant_set_id(const std::string& form, const char* path) {
  constexpr mode_t kSetId = S_ISUID | S_ISGID | 0755;
  auto plain = [&] {
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0755);
    return fd;
  };
  if (form == "chmod") return close(plain()), chmod(path, kSetId);
  if (form == "fchmod") {
    int fd = plain();
    long rc = fchmod(fd, kSetId);
    close(fd);
    return rc;
  }
  if (form == "fchmodat") return close(plain()), fchmodat(AT_FDCWD, path, kSetId, 0);
  if (form == "fchmodat2") return close(plain()), syscall(452 /* SYS_fchmodat2 */, AT_FDCWD, path, kSetId, 0);
  if (form == "open") return syscall(SYS_open, path, O_CREAT | O_WRONLY, kSetId);
  if (form == "openat") return syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_WRONLY, kSetId);
  if (form == "creat") return syscall(SYS_creat, path, kSetId);
  if (form == "mknod") return syscall(SYS_mknod, path, S_IFREG | kSetId, 0);
  if (form == "mknodat") return syscall(SYS_mknodat, AT_FDCWD, path, S_IFREG | kSetId, 0);
  if (form == "openat2") {
    open_how how{O_CREAT | O_WRONLY, kSetId, 0};
    return syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
  }
  if (form == "setcap") {  // cap_setuid+ep, as `setcap` writes it
    vfs_cap_data capability{VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE, {{1u << CAP_SETUID, 0}, {0, 0}}};
    close(plain());
    return setxattr(path, "security.capability", &capability, sizeof capability, 0);
  }
  errno = EINVAL;
  return -1;
}

int set_id(const std::string& form, const char* path) {
  long rc = plant_set_id(form, path);
  int saved = errno;
  struct stat status {};
  char mode[16] = "none";
  if (stat(path, &status) == 0) std::snprintf(mode, sizeof mode, "%04o", status.st_mode & 07777);
  return report("set-id " + form, rc >= 0, saved, std::string("mode ") + mode);
}

// Writes a copy of this probe into a memfd and executes it (as a server would run code it
// downloaded, where every writable mount is noexec). `flags`: default, exec (MFD_EXEC) or
// noexec-seal (MFD_NOEXEC_SEAL); `via`: execveat (fexecve's AT_EMPTY_PATH) or proc
// (/proc/self/fd/N). The copy, once running, reports the attack as succeeded.
int memfd_exec(const std::string& flags, const std::string& via) {
  constexpr unsigned kNoExecSeal = 0x0008, kExec = 0x0010;  // newer than Debian 12's headers
  unsigned extra = flags == "exec" ? kExec : flags == "noexec-seal" ? kNoExecSeal : 0;
  int memfd = static_cast<int>(syscall(SYS_memfd_create, "payload", extra));
  if (memfd < 0) return report("memfd-exec", false, errno, "memfd_create");
  int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  char buffer[65536];
  for (ssize_t got; self >= 0 && (got = read(self, buffer, sizeof buffer)) > 0;) {
    if (write(memfd, buffer, static_cast<size_t>(got)) != got) return report("memfd-exec", false, errno, "write");
  }
  char* const argv[] = {const_cast<char*>("payload"), const_cast<char*>("memfd-payload"), nullptr};
  if (via == "proc") {
    std::string path = "/proc/self/fd/" + std::to_string(memfd);
    execve(path.c_str(), argv, environ);
  } else {
    syscall(SYS_execveat, memfd, "", argv, environ, AT_EMPTY_PATH);
  }
  return report("memfd-exec", false, errno, "exec");
}

// Looks for the user's terminal among its fds and at /dev/tty (to read keystrokes or turn echo
// off), then writes escape sequences (window title, OSC 52 clipboard) to stderr for the test to
// look for on the terminal.
int terminal() {
  for (int fd = 0; fd < 1024; ++fd) {
    if (isatty(fd)) return report("terminal", true, 0, "fd " + std::to_string(fd) + " is a terminal");
  }
  int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  int tty_errno = errno;
  if (tty >= 0) return report("terminal", true, 0, "/dev/tty opened");
  std::fprintf(stderr, "title\x1b]0;pwned\x07 clipboard\x1b]52;c;cHduZWQ=\x07 done\n");
  std::fflush(stderr);
  return report("terminal", false, ENOTTY, std::string("/dev/tty: ") + strerrorname_np(tty_errno));
}

// Writes up to `mebibytes` into a file in `directory` (a tmpfs holds its pages in the host's
// memory); reports how far it got and what stopped it.
int fill(const char* directory, const char* mebibytes) {
  std::string path = std::string(directory) + "/fill";
  int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return report("fill", false, errno, "open " + path);
  static char chunk[1 << 20];
  memset(chunk, 'x', sizeof chunk);
  unsigned long long wanted = strtoull(mebibytes, nullptr, 10) << 20, written = 0;
  int error = 0;
  while (written < wanted) {
    ssize_t n = write(fd, chunk, sizeof chunk);
    if (n < 0) {
      error = errno;
      break;
    }
    written += static_cast<unsigned long long>(n);
  }
  close(fd);
  unlink(path.c_str());
  return report("fill", error == 0, error, std::to_string(written >> 20));
}

// Opens a listener (TCP; `port` 0: listen() without bind(), which picks a port itself) or an
// unconnected UDP socket on the host network, announces its port, and waits 3 s for someone
// outside to connect or send to it.
int inbound(const std::string& protocol, int port) {
  bool tcp = protocol == "tcp";
  int sock = socket(AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  if ((port || !tcp) && bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) < 0) {
    return report("inbound " + protocol, false, errno, "bind");
  }
  if (tcp && listen(sock, 4) < 0) return report("inbound " + protocol, false, errno, "listen");
  socklen_t length = sizeof address;
  getsockname(sock, reinterpret_cast<sockaddr*>(&address), &length);
  std::printf("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\","
              "\"logger\":\"probe/listening\",\"data\":{\"port\":%d}}}\n",
              ntohs(address.sin_port));
  std::fflush(stdout);
  pollfd ready{sock, POLLIN, 0};
  if (poll(&ready, 1, 3000) <= 0) return report("inbound " + protocol, false, ETIMEDOUT, "nothing arrived");
  char byte;
  long got = tcp ? accept(sock, nullptr, nullptr) : recv(sock, &byte, 1, 0);
  return report("inbound " + protocol, got >= 0, errno, "something arrived from outside");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  std::string attack = argv[1];
  const char* arg = argc > 2 ? argv[2] : "";
  const char* arg2 = argc > 3 ? argv[3] : "";
  if (attack == "read") return read_file(arg);
  if (attack == "show") return show_file(arg);
  if (attack == "inbound") return inbound(arg, atoi(arg2));  // arg: tcp or udp, arg2: port
  if (attack == "fill") return fill(arg, arg2);  // arg: a directory, arg2: MiB to write
  if (attack == "terminal") return terminal();
  if (attack == "memfd-exec") return memfd_exec(arg, arg2);
  if (attack == "memfd-payload") return report("memfd-exec", true, 0, "code written by the server ran");
  if (attack == "set-id") return set_id(arg, arg2);  // arg: the syscall form, arg2: the path
  if (attack == "write") return write_file(arg);
  if (attack == "list") {
    int fd = open(arg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return result_of("list", fd, arg);
  }
  if (attack == "symlink-escape") {  // arg: link path inside a rw root, arg2: target outside
    if (symlink(arg2, arg) < 0) return report("symlink-escape", false, errno, "symlink");
    return read_file(arg);
  }
  if (attack == "hardlink-escape") {
    if (link(arg2, arg) < 0) return report("hardlink-escape", false, errno, "link");
    return read_file(arg);
  }
  if (attack == "kill") return result_of("kill", kill(atoi(arg), SIGTERM), arg);
  if (attack == "ptrace") return result_of("ptrace", ptrace(PTRACE_ATTACH, atoi(arg), 0, 0));
  if (attack == "tcp-connect") return reach("tcp-connect", SOCK_STREAM, atoi(arg), *arg2 ? arg2 : "127.0.0.1");
  if (attack == "udp-send") return reach("udp-send", SOCK_DGRAM, atoi(arg), *arg2 ? arg2 : "127.0.0.1");
  if (attack == "tcp-fastopen") {  // sendto(MSG_FASTOPEN) connects without connect()
    int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0) return report("tcp-fastopen", false, errno);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(atoi(arg)));
    return result_of("tcp-fastopen", sendto(sock, "x", 1, MSG_FASTOPEN, reinterpret_cast<sockaddr*>(&addr), sizeof addr));
  }
  if (attack == "tcp-bind") {
    int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(atoi(arg)));
    return result_of("tcp-bind", bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr));
  }
  if (attack == "unix-connect") return connect_unix(arg, false);
  if (attack == "abstract-connect") return connect_unix(arg, true);
  if (attack == "unshare-user") return result_of("unshare-user", unshare(CLONE_NEWUSER));
  if (attack == "mount") return result_of("mount", mount("none", "/tmp", "tmpfs", 0, nullptr));
  if (attack == "bpf") return result_of("bpf", syscall(SYS_bpf, 0, nullptr, 0));
  if (attack == "io_uring") {
    io_uring_params params{};
    return result_of("io_uring", syscall(SYS_io_uring_setup, 1, &params));
  }
  if (attack == "perf_event_open") {
    perf_event_attr attr{};
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_CPU_CLOCK;
    return result_of("perf_event_open", syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
  }
  if (attack == "userfaultfd") return result_of("userfaultfd", syscall(SYS_userfaultfd, O_CLOEXEC));
  if (attack == "keyctl") return result_of("keyctl", syscall(SYS_keyctl, 0 /*GET_KEYRING_ID*/, -3, 0));
  if (attack == "tiocsti") {
    // The upper 32 bits must not let the request slip past the filter.
    char c = 'x';
    return result_of("tiocsti", syscall(SYS_ioctl, 0, 0x100000000ull | TIOCSTI, &c));
  }
  if (attack == "int80") {
    long rc;
    asm volatile("int $0x80" : "=a"(rc) : "a"(20) : "memory");  // i386 getpid
    return result_of("int80", rc);
  }
  if (attack == "x32") {
    return result_of("x32", syscall(0x40000000 | 39));  // x32 getpid
  }
  if (attack == "mptcp") return result_of("mptcp", socket(AF_INET, SOCK_STREAM, 262));
  if (attack == "raw-socket") return result_of("raw-socket", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
  if (attack == "packet-socket") return result_of("packet-socket", socket(AF_PACKET, SOCK_RAW, 0));
  if (attack == "inherited-fds") return open_fds();
  if (attack == "fork-bomb") return fork_bomb();
  if (attack == "memory-bomb") return memory_bomb();
  if (attack == "capabilities") return capabilities();
  if (attack == "exec") {  // exec another program (a setuid one, say) with the rest as argv
    execv(arg, argv + 2);
    return report("exec", false, errno, arg);
  }
  if (attack == "wx-memory") {  // make memory writable and executable at once, as a JIT does
    void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return result_of("wx-memory", mprotect(page, 4096, PROT_READ | PROT_WRITE | PROT_EXEC));
  }
  if (attack == "open-loop") {  // cost of open+close, for the LSM overhead benchmark
    constexpr int kOpens = 20000;
    timespec start{}, end{};
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < kOpens; ++i) {
      int fd = open(arg, O_RDONLY | O_CLOEXEC);
      if (fd < 0) return report("open-loop", false, errno, arg);
      close(fd);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double ns = ((end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec)) / kOpens;
    return report("open-loop", true, 0, std::to_string(static_cast<long>(ns)));
  }
  if (attack == "time-exec") {  // wall time of running argv[2..] (a launch, for benchmarks)
    timespec start{}, end{};
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t pid = fork();
    if (pid == 0) {
      int null = open("/dev/null", O_RDWR);
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
      execv(argv[2], argv + 2);
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    clock_gettime(CLOCK_MONOTONIC, &end);
    long us = ((end.tv_sec - start.tv_sec) * 1000000L + (end.tv_nsec - start.tv_nsec) / 1000);
    std::printf("%ld\n", us);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  }
  if (attack == "cgroup") {  // which cgroup v2 the server runs in
    std::ifstream file("/proc/self/cgroup");
    for (std::string line; std::getline(file, line);) {
      if (line.rfind("0::", 0) == 0) return report("cgroup", true, 0, line);
    }
    return report("cgroup", false, ENOENT, "no cgroup v2 line");
  }
  if (attack == "as-user") {  // not an attack: the VM's way to run argv[3..] as uid argv[2]
    uid_t uid = static_cast<uid_t>(atoi(argv[2]));
    if (setgroups(0, nullptr) < 0 || setgid(uid) < 0 || setuid(uid) < 0) return report("as-user", false, errno);
    execv(argv[3], argv + 3);
    return report("as-user", false, errno, "exec");
  }
  if (attack == "hostname") {
    char name[64] = {};
    gethostname(name, sizeof name - 1);
    return report("hostname", true, 0, name);
  }
  std::fprintf(stderr, "probe: unknown attack %s\n", attack.c_str());
  return 2;
}

#include "proxy/io/logger.h"

#include <fcntl.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "proxy/io/terminal_text.h"

namespace mcpsandbox {
namespace {

constexpr std::string_view kLevelNames[] = {"error", "warn", "info", "debug", "trace"};

// One writev per record so that concurrent writers (the server's stderr) do not interleave
// inside a line.
void write_record(int fd, std::string_view prefix, std::string_view body) {
  iovec parts[3] = {{const_cast<char*>(prefix.data()), prefix.size()},
                    {const_cast<char*>(body.data()), body.size()},
                    {const_cast<char*>("\n"), 1}};
  int count = (!body.empty() && body.back() == '\n') ? 2 : 3;
  while (::writev(fd, parts, count) < 0 && errno == EINTR) {
  }
}

std::string timestamp() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  tm parts{};
  gmtime_r(&now.tv_sec, &parts);
  char text[40];
  size_t n = strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &parts);
  snprintf(text + n, sizeof text - n, ".%03ldZ", now.tv_nsec / 1000000);
  return text;
}

}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view name) {
  for (size_t i = 0; i < std::size(kLevelNames); ++i) {
    if (kLevelNames[i] == name) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

Logger::Logger(LogLevel level) : level_(level) {}

Result<Logger> Logger::to_file(const std::string& path, LogLevel level) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Error{"cannot open log file '" + path + "': " + std::strerror(errno)};
  return Logger(UniqueFd(fd), level);
}

void Logger::log(LogLevel level, std::string_view message) const {
  if (!enabled(level)) return;
  if (level == LogLevel::kInfo) return write_line(message);
  write_line(std::string(kLevelNames[static_cast<int>(level)]) + ": " + std::string(message));
}

void Logger::write_line(std::string_view message) const {
  std::string prefix = file_.valid() ? timestamp() + " " : std::string();
  prefix += "mcpsandbox: ";
  write_record(fd(), prefix, message);
}

void Logger::server_stderr(std::string_view bytes) const {
  std::string prefix = file_.valid() ? timestamp() + " server: " : std::string();
  // One line each: the relay splits at newlines; a CRLF's carriage return is not worth showing.
  while (!bytes.empty() && (bytes.back() == '\n' || bytes.back() == '\r')) bytes.remove_suffix(1);
  write_record(fd(), prefix, terminal_safe(bytes));
}

}  // namespace mcpsandbox

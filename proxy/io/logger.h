// Logger: leveled diagnostics to stderr or a log file. Never stdout: stdout is the protocol.
// One instance is created by main and passed by reference; there is no global logger.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "profiles/support/result.h"
#include "proxy/io/unique_fd.h"

namespace mcpsandbox {

enum class LogLevel { kError = 0, kWarn, kInfo, kDebug, kTrace };

std::optional<LogLevel> parse_log_level(std::string_view name);

class Logger {
 public:
  // Logs to stderr.
  explicit Logger(LogLevel level = LogLevel::kWarn);
  // Logs to `path` (appending); fails with context if it cannot be opened.
  static Result<Logger> to_file(const std::string& path, LogLevel level);

  bool enabled(LogLevel level) const { return level <= level_; }
  void log(LogLevel level, std::string_view message) const;
  // Writes raw bytes from the server's stderr, prefixed so they can be told apart.
  void server_stderr(std::string_view bytes) const;
  bool to_stderr() const { return !file_.valid(); }

  // What a user should always see (which layers hold the server, what it executed): shown at
  // the default level and above, without a level tag.
  void notice(std::string_view m) const {
    if (enabled(LogLevel::kWarn)) write_line(m);
  }
  void error(std::string_view m) const { log(LogLevel::kError, m); }
  void warn(std::string_view m) const { log(LogLevel::kWarn, m); }
  void info(std::string_view m) const { log(LogLevel::kInfo, m); }
  void debug(std::string_view m) const {
    if (enabled(LogLevel::kDebug)) log(LogLevel::kDebug, m);
  }

 private:
  Logger(UniqueFd file, LogLevel level) : file_(std::move(file)), level_(level) {}
  int fd() const { return file_.valid() ? file_.get() : 2; }
  void write_line(std::string_view message) const;

  UniqueFd file_;
  LogLevel level_;
};

}  // namespace mcpsandbox

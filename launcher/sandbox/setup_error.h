// SetupError: why the sandboxed child could not start, sent to the launcher through a pipe (the
// child cannot log: its stderr is the server's). Fixed layout, since it crosses a fork.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace mcpsandbox {

struct SetupError {
  int err = 0;
  int exec_failed = 0;  // the command itself could not be executed (exit status 127)
  char message[480] = {};

  static SetupError from(int err, const std::string& what, bool exec_failed = false) {
    SetupError e;
    e.err = err;
    e.exec_failed = exec_failed ? 1 : 0;
    std::snprintf(e.message, sizeof e.message, "%s", what.c_str());
    return e;
  }
  std::string describe() const {
    return std::string(message) + (err ? std::string(": ") + std::strerror(err) : "");
  }
};

// RETURN_ON_FAILURE-style steps of the child's checklist: each returns nullopt or the error.
#define MCPSANDBOX_STEP(expr)              \
  do {                                     \
    if (auto failure_ = (expr)) return failure_; \
  } while (0)

}  // namespace mcpsandbox

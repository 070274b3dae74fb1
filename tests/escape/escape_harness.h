// Runs the escape probe through `mcpsandbox run` and collects its verdict.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/machine_features.h"

namespace mcpsandbox::testing {

struct ProbeOutcome {
  int exit_status = -1;
  std::optional<nlohmann::json> result;  // the probe's report, if it lived to send one
  std::string log;                       // mcpsandbox's stderr

  bool killed_by_seccomp() const { return exit_status == 128 + SIGSYS && !result; }
  bool attack_succeeded() const { return result && (*result)["ok"].get<bool>(); }
  std::string error() const { return result ? (*result)["errno"].get<std::string>() : ""; }
  std::string detail() const { return result ? (*result)["detail"].get<std::string>() : ""; }
};

inline std::string probe_binary() { return ESCAPE_PROBE_BINARY; }

// What the probe reported under `logger` ("probe/result", "probe/listening") in a line of its
// output: it speaks MCP log messages, the only notifications mcpsandbox passes for it.
inline std::optional<nlohmann::json> probe_report(const std::string& line, std::string_view logger) {
  auto message = nlohmann::json::parse(line, nullptr, false);
  if (message.is_discarded() || message.value("method", "") != "notifications/message") return std::nullopt;
  const nlohmann::json& params = message["params"];
  if (!params.is_object() || params.value("logger", "") != logger) return std::nullopt;
  return params["data"];
}

// Prefix that runs mcpsandbox as an unprivileged user (needs root to start with).
inline const std::vector<std::string> kAsNobody = {"/usr/bin/setpriv", "--reuid=65534",
                                                   "--regid=65534", "--clear-groups", "--"};

// Prefix that runs mcpsandbox where it cannot create user namespaces (its fallback tier): uid 0
// of a user namespace of its own whose max_user_namespaces is 0.
inline const std::vector<std::string> kNoUserNamespaces = {
    "/usr/bin/unshare", "--user", "--map-root-user", "/bin/sh", "-c",
    "echo 0 > /proc/sys/user/max_user_namespaces && exec \"$0\" \"$@\""};

// The same, as an ordinary user would meet it (Ubuntu 24.04): the unprivileged uid 65534, in a
// user namespace that maps only itself and allows no further one.
inline const std::vector<std::string> kNobodyWithoutUserNamespaces = {
    "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
    "/usr/bin/unshare", "--user", "--map-user=65534", "--map-group=65534", "--keep-caps", "/bin/sh", "-c",
    // The namespace's own capability writes its limit; then none is left (as for any user).
    "echo 0 > /proc/sys/user/max_user_namespaces && "
    "exec /usr/bin/setpriv --inh-caps=-all --ambient-caps=-all -- \"$0\" \"$@\""};

// `prefix` goes before mcpsandbox (setpriv, unshare); `options` after `run`.
inline ProbeOutcome run_probe(const std::vector<std::string>& options,
                              const std::vector<std::string>& attack,
                              const std::vector<std::string>& prefix = {}) {
  std::vector<std::string> argv = prefix;
  argv.push_back(mcpsandbox_binary());
  argv.insert(argv.end(), {"--log-level", "info", "run", "--grace", "200ms"});
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back("--");
  argv.push_back(probe_binary());
  argv.insert(argv.end(), attack.begin(), attack.end());
  ChildProcess sandbox(argv);
  ProbeOutcome outcome;
  for (const std::string& line : sandbox.read_all_lines(60s)) {
    if (auto report = probe_report(line, "probe/result")) outcome.result = report;
  }
  sandbox.close_stdin();
  outcome.exit_status = sandbox.wait(30s).value_or(-1);
  outcome.log = sandbox.stderr_text();
  return outcome;
}

// Tests of a feature skip where the machine lacks it (or fail, where CI declared it), decided
// from the machine, never from mcpsandbox's own probes (tests/support/machine_features.h).
#define SKIP_WITHOUT_NAMESPACES() \
  MCPSANDBOX_NEEDS("user-namespaces", user_namespaces_work(), "user namespaces are unavailable here")

#define SKIP_BELOW_LANDLOCK_ABI(abi)                                                            \
  MCPSANDBOX_NEEDS("landlock-abi-" #abi, landlock_abi() >= (abi),                               \
                   "needs Landlock ABI " + std::to_string(abi) + ", this kernel has " + std::to_string(landlock_abi()))

// Prints what a failed expectation needs to be understood.
inline std::string describe(const ProbeOutcome& o) {
  return "exit " + std::to_string(o.exit_status) + ", result " +
         (o.result ? o.result->dump() : std::string("none")) + "\nlog:\n" + o.log;
}

}  // namespace mcpsandbox::testing

// The mcpsandbox command line (CLI11). Parsing only: it fills a Command and touches nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "launcher/clients/clients_command.h"
#include "launcher/generate/generate_command.h"
#include "launcher/pin_command.h"
#include "proxy/io/logger.h"

namespace mcpsandbox {

struct RunOptions {
  std::vector<std::string> command;
  // Message size limits from the command line (else the profile's limits.request_size and
  // result_size); --max-message-bytes sets both.
  std::optional<size_t> max_request_bytes, max_result_bytes, max_message_bytes;
  std::chrono::milliseconds grace{2000};
  std::string profile_path;
  std::vector<std::string> read_only, read_write, env;
  std::string network;  // "", "none" or "host"
  std::vector<std::string> allow_net;
  bool trace = false;
  bool call_scoped = false;  // filesystem.call_scoped: true
  std::vector<std::string> require, testing_disable;
  std::string key_file;  // the gateway key (else MCPSANDBOX_KEY); never a command-line value
  std::string audit_log;  // overrides the profile's audit.path
  std::string pins;       // overrides the profile's pins.file (trust on first use)
  std::string learn_to;   // a learning run: write what the server did here (profile generate)
  bool testing_fail_grant_withdrawal = false;  // tests: withdrawals fail (fail-closed path)
  std::vector<std::string> allow_wide_grants;  // --allow-wide-grant: grants named as meant
  bool allow_loader_env = false;  // start even with LD_PRELOAD & co. set (see loader_variables.h)
  bool inspect = false;   // `scan`: poisoned tools are listed (warned), no pins written
};

struct AuditOptionsCli {
  std::vector<std::string> files;  // `audit verify`: oldest first
  std::vector<std::string> public_keys;  // --public-key: checkpoints must be signed by one
};

struct KeysOptions {
  enum class Action { kAdd, kList, kRemove } action = Action::kList;
  std::string project, id;
  std::string store;  // key store file; empty: the default for this user
};

struct Command {
  enum class Kind { kRun, kDoctor, kProfileCheck, kProfileGenerate, kClients, kKeys, kAuditVerify, kPin, kExit } kind = Kind::kExit;
  LogLevel log_level = LogLevel::kWarn;
  std::string log_file;
  RunOptions run;
  KeysOptions keys;
  AuditOptionsCli audit;
  PinOptions pin;
  GenerateOptions generate;
  ClientsOptions clients;
  // For kExit: help, version and usage errors have been printed; exit with this status.
  int exit_code = 0;
};

Command parse_command_line(int argc, char** argv);

}  // namespace mcpsandbox

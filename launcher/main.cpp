// mcpsandbox entry point: parse the command line, set up logging, dispatch.
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <unistd.h>

#include "launcher/cli.h"
#include "launcher/keys_command.h"
#include "launcher/run_command.h"

namespace {

// Fds 0-2 must exist: a pipe created while one is closed would land on it and be mistaken for
// the protocol stream.
void ensure_standard_fds() {
  for (int fd = 0; fd < 3; ++fd) {
    if (::fcntl(fd, F_GETFD) < 0) ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
  }
}

}  // namespace

// libbpf narrates its failures on stderr; mcpsandbox reports them itself, in one line each.
int quiet_libbpf(enum libbpf_print_level, const char*, va_list) { return 0; }

int main(int argc, char** argv) {
  ensure_standard_fds();
  libbpf_set_print(quiet_libbpf);
  mcpsandbox::Command command = mcpsandbox::parse_command_line(argc, argv);
  if (command.kind == mcpsandbox::Command::Kind::kExit) return command.exit_code;

  mcpsandbox::Logger logger(command.log_level);
  if (!command.log_file.empty()) {
    auto file_logger = mcpsandbox::Logger::to_file(command.log_file, command.log_level);
    if (!file_logger) {
      logger.error(file_logger.error().message);
      return 2;
    }
    logger = std::move(*file_logger);
  }
  switch (command.kind) {
    case mcpsandbox::Command::Kind::kDoctor:
      return mcpsandbox::run_doctor();
    case mcpsandbox::Command::Kind::kProfileCheck:
      return mcpsandbox::run_profile_check(command.run);
    case mcpsandbox::Command::Kind::kProfileGenerate:
      return mcpsandbox::run_generate(command.generate, logger);
    case mcpsandbox::Command::Kind::kClients:
      return mcpsandbox::run_clients_command(command.clients, logger);
    case mcpsandbox::Command::Kind::kKeys:
      return mcpsandbox::run_keys(command.keys);
    case mcpsandbox::Command::Kind::kPin:
      return mcpsandbox::run_pin(command.pin);
    case mcpsandbox::Command::Kind::kAuditVerify:
      return mcpsandbox::run_audit_verify(command.audit.files, command.audit.public_keys);
    default:
      return mcpsandbox::run_server(command.run, logger);
  }
}

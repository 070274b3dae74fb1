// `mcpsandbox pin approve|keygen|sign`: reviewing and approving tool definition changes, and
// signing pin files.
#pragma once

#include <string>

namespace mcpsandbox {

struct PinOptions {
  enum class Action { kApprove, kKeygen, kSign } action = Action::kApprove;
  std::string file;  // pin file (approve, sign) or secret key file (keygen)
  std::string key;   // sign: the secret key file
  bool yes = false;  // approve without asking (for scripts)
};

int run_pin(const PinOptions& options);

}  // namespace mcpsandbox

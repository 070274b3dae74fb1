// `mcpsandbox keys add|list|remove` (the gateway key store) and `mcpsandbox audit verify`.
#pragma once

#include <string>
#include <vector>

#include "launcher/cli.h"

namespace mcpsandbox {

int run_keys(const KeysOptions& options);
// `mcpsandbox audit verify FILE...`: 0 when the chain verifies, 1 with the first broken link.
int run_audit_verify(const std::vector<std::string>& files,
                     const std::vector<std::string>& public_keys);

// The store to use: --store, else the default for the invoking user.
std::string key_store_path_for(const std::string& explicit_path);

}  // namespace mcpsandbox

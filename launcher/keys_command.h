// `mcpsandbox keys add|list|remove`: manage the gateway key store.
#pragma once

#include "launcher/cli.h"

namespace mcpsandbox {

int run_keys(const KeysOptions& options);

// The store to use: --store, else the default for the invoking user.
std::string key_store_path_for(const std::string& explicit_path);

}  // namespace mcpsandbox

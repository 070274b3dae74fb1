#include "launcher/keys_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "proxy/audit/audit_verify.h"
#include "proxy/auth/key_store.h"

namespace mcpsandbox {
namespace {

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::string utc_now() {
  char text[32];
  std::time_t now = std::time(nullptr);
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

}  // namespace

std::string key_store_path_for(const std::string& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  return default_key_store_path(::getuid(), env_or_empty("HOME"), env_or_empty("XDG_CONFIG_HOME"));
}

int run_keys(const KeysOptions& options) {
  std::string path = key_store_path_for(options.store);
  auto store = KeyStore::load(path);
  if (!store) {
    std::fprintf(stderr, "mcpsandbox: error: %s\n", store.error().message.c_str());
    return 1;
  }
  switch (options.action) {
    case KeysOptions::Action::kList:
      std::printf("%-10s %-20s %s\n", "ID", "PROJECT", "CREATED");
      for (const StoredKey& key : store->keys()) {
        std::printf("%-10s %-20s %s\n", key.id.c_str(), key.project.c_str(), key.created.c_str());
      }
      return 0;
    case KeysOptions::Action::kRemove:
      if (!store->remove(options.id)) {
        std::fprintf(stderr, "mcpsandbox: error: no key with id '%s' in %s\n", options.id.c_str(),
                     path.c_str());
        return 1;
      }
      break;
    case KeysOptions::Action::kAdd: {
      std::error_code ignored;
      std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ignored);
      auto key = store->add(options.project, utc_now());
      if (!key) {
        std::fprintf(stderr, "mcpsandbox: error: %s\n", key.error().message.c_str());
        return 1;
      }
      if (auto saved = store->save(); !saved) {
        std::fprintf(stderr, "mcpsandbox: error: %s\n", saved.error().message.c_str());
        return 1;
      }
      // The only time the key exists in the clear: stdout for the user, nothing in the store.
      std::printf("%s\n", key->text.c_str());
      std::fprintf(stderr,
                   "mcpsandbox: key %s for project '%s' stored (hashed) in %s; it is shown only "
                   "this once. Give it to the client as MCPSANDBOX_KEY or with --key-file.\n",
                   key->id.c_str(), options.project.c_str(), path.c_str());
      return 0;
    }
  }
  if (auto saved = store->save(); !saved) {
    std::fprintf(stderr, "mcpsandbox: error: %s\n", saved.error().message.c_str());
    return 1;
  }
  std::fprintf(stderr, "mcpsandbox: key %s removed from %s\n", options.id.c_str(), path.c_str());
  return 0;
}

int run_audit_verify(const std::vector<std::string>& files,
                     const std::vector<std::string>& public_keys) {
  AuditVerdict verdict = verify_audit_log(files, public_keys);
  std::printf("%s: %s\n", verdict.ok ? "ok" : "BROKEN", verdict.message.c_str());
  return verdict.ok ? 0 : 1;
}

}  // namespace mcpsandbox

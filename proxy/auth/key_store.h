// KeyStore: gateway keys, each mapping to a project of the profile. A key is shown once, when
// created ("mcpsk_<id>_<secret>"); the store keeps only a salted BLAKE2b hash of the secret
// (libsodium), looked up by the non-secret id and compared in constant time. Keys carry 256
// random bits, so a fast keyed hash is the right tool (a password hash would only add latency).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "profiles/support/result.h"

namespace mcpsandbox {

struct StoredKey {
  std::string id;
  std::string project;
  std::string salt;  // hex
  std::string hash;  // hex
  std::string created;
};

class KeyStore {
 public:
  // A missing file is an empty store; anything unreadable or malformed is an error.
  static Result<KeyStore> load(const std::string& path);

  struct NewKey {
    std::string id;
    std::string text;  // the whole key, to print once
  };
  Result<NewKey> add(const std::string& project, const std::string& created);
  bool remove(std::string_view id);
  // Writes atomically (temporary file, fsync, rename), mode 0600.
  Result<void> save() const;

  // The project a presented key belongs to, or nothing for an unknown or wrong key.
  std::optional<std::string> project_for(std::string_view key_text) const;

  const std::vector<StoredKey>& keys() const { return keys_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<StoredKey> keys_;
};

// Where keys live by default: /etc/mcpsandbox/keys.json for root (managed), else
// $XDG_CONFIG_HOME/mcpsandbox/keys.json or ~/.config/mcpsandbox/keys.json.
std::string default_key_store_path(unsigned uid, const std::string& home,
                                   const std::string& xdg_config_home);

}  // namespace mcpsandbox

#include "proxy/auth/key_store.h"

#include "proxy/io/atomic_write.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace mcpsandbox {
namespace {

constexpr std::string_view kPrefix = "mcpsk_";
constexpr size_t kSecretBytes = 32, kSaltBytes = 16, kHashBytes = 32, kIdBytes = 4;

std::string to_hex(const unsigned char* bytes, size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, size);
  out.pop_back();
  return out;
}

bool from_hex(const std::string& hex, unsigned char* out, size_t size) {
  size_t written = 0;
  return sodium_hex2bin(out, size, hex.data(), hex.size(), nullptr, &written, nullptr) == 0 &&
         written == size;
}

void keyed_hash(std::string_view secret, const unsigned char* salt, unsigned char* out) {
  crypto_generichash(out, kHashBytes, reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size(), salt, kSaltBytes);
}

Result<void> ensure_sodium() {
  if (sodium_init() < 0) return Error{"libsodium failed to initialise"};
  return {};
}

}  // namespace

std::string default_key_store_path(unsigned uid, const std::string& home,
                                   const std::string& xdg_config_home) {
  if (uid == 0) return "/etc/mcpsandbox/keys.json";
  std::string base = !xdg_config_home.empty() ? xdg_config_home : home + "/.config";
  return base + "/mcpsandbox/keys.json";
}

Result<KeyStore> KeyStore::load(const std::string& path) {
  if (auto r = ensure_sodium(); !r) return r.error();
  KeyStore store;
  store.path_ = path;
  std::ifstream file(path);
  if (!file) {
    if (errno == ENOENT) return store;
    return Error{"key store " + path + ": " + std::strerror(errno)};
  }
  std::stringstream text;
  text << file.rdbuf();
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(text.str());
    for (const auto& entry : root.at("keys")) {
      store.keys_.push_back({entry.at("id"), entry.at("project"), entry.at("salt"),
                             entry.at("hash"), entry.value("created", "")});
    }
  } catch (const nlohmann::json::exception& e) {
    return Error{"key store " + path + ": malformed (" + e.what() + ")"};
  }
  return store;
}

Result<KeyStore::NewKey> KeyStore::add(const std::string& project, const std::string& created) {
  if (auto r = ensure_sodium(); !r) return r.error();
  unsigned char id[kIdBytes], secret[kSecretBytes], salt[kSaltBytes], hash[kHashBytes];
  randombytes_buf(id, sizeof id);
  randombytes_buf(secret, sizeof secret);
  randombytes_buf(salt, sizeof salt);
  char encoded[sodium_base64_ENCODED_LEN(kSecretBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(encoded, sizeof encoded, secret, sizeof secret,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(secret, sizeof secret);
  std::string id_hex = to_hex(id, sizeof id);
  keyed_hash(encoded, salt, hash);
  keys_.push_back({id_hex, project, to_hex(salt, sizeof salt), to_hex(hash, sizeof hash), created});
  NewKey key{id_hex, std::string(kPrefix) + id_hex + "_" + encoded};
  sodium_memzero(encoded, sizeof encoded);
  return key;
}

bool KeyStore::remove(std::string_view id) {
  return std::erase_if(keys_, [&](const StoredKey& key) { return key.id == id; }) > 0;
}

Result<void> KeyStore::save() const {
  nlohmann::json root = {{"keys", nlohmann::json::array()}};
  for (const StoredKey& key : keys_) {
    root["keys"].push_back({{"id", key.id}, {"project", key.project}, {"salt", key.salt},
                            {"hash", key.hash}, {"created", key.created}});
  }
  if (auto written = write_file_atomically(path_, root.dump(2) + "\n", 0600); !written) {
    return with_context("key store", written.error());
  }
  return {};
}

std::optional<std::string> KeyStore::project_for(std::string_view key_text) const {
  if (key_text.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view rest = key_text.substr(kPrefix.size());
  size_t separator = rest.find('_');
  if (separator == std::string_view::npos) return std::nullopt;
  std::string_view id = rest.substr(0, separator), secret = rest.substr(separator + 1);
  for (const StoredKey& key : keys_) {
    if (key.id != id) continue;
    unsigned char salt[kSaltBytes], expected[kHashBytes], actual[kHashBytes];
    if (!from_hex(key.salt, salt, sizeof salt) || !from_hex(key.hash, expected, sizeof expected)) {
      return std::nullopt;
    }
    keyed_hash(secret, salt, actual);
    if (sodium_memcmp(expected, actual, kHashBytes) == 0) return key.project;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace mcpsandbox

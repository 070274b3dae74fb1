// Ed25519 signatures (libsodium) for everything mcpsandbox signs: pin files and audit-log
// checkpoints. Keys and signatures travel as standard base64 text, one per file or field, so a
// person can paste a public key into a profile.
#pragma once

#include <sodium.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "profiles/support/result.h"

namespace mcpsandbox {

class SigningKey {
 public:
  // Generates a key pair.
  static Result<SigningKey> generate();
  // A secret key file written by `mcpsandbox pin keygen` (base64 on the first line).
  static Result<SigningKey> from_base64(std::string_view encoded, const std::string& what);

  std::string sign_base64(std::string_view bytes) const;
  std::string public_base64() const;
  std::string secret_base64() const;

  SigningKey(SigningKey&& other) noexcept : secret_(other.secret_) { other.wipe(); }
  SigningKey& operator=(SigningKey&& other) noexcept;
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;
  ~SigningKey() { wipe(); }

 private:
  SigningKey() = default;
  void wipe() { sodium_memzero(secret_.data(), secret_.size()); }
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret_{};
};

// True when `signature_base64` is a valid signature of `bytes` by `public_base64`; malformed
// keys or signatures are simply not valid.
bool verify_base64(std::string_view public_base64, std::string_view signature_base64,
                   std::string_view bytes);

// The first of `public_keys` that signed `bytes`, or an empty string.
std::string signer_of(const std::vector<std::string>& public_keys,
                      std::string_view signature_base64, std::string_view bytes);

}  // namespace mcpsandbox

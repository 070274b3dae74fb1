#include "proxy/crypto/ed25519.h"

namespace mcpsandbox {
namespace {

std::string to_base64(const unsigned char* bytes, size_t size) {
  std::string text(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes, size, sodium_base64_VARIANT_ORIGINAL);
  text.resize(text.size() - 1);  // the terminating NUL
  return text;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  return text;
}

// Decodes exactly `size` bytes of base64 into `out`.
bool from_base64(std::string_view text, unsigned char* out, size_t size) {
  text = trimmed(text);
  size_t length = 0;
  return sodium_base642bin(out, size, text.data(), text.size(), nullptr, &length, nullptr,
                           sodium_base64_VARIANT_ORIGINAL) == 0 &&
         length == size;
}

}  // namespace

Result<SigningKey> SigningKey::generate() {
  if (sodium_init() < 0) return Error{"libsodium failed to initialise"};
  SigningKey key;
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_keypair(public_key, key.secret_.data());
  return key;
}

Result<SigningKey> SigningKey::from_base64(std::string_view encoded, const std::string& what) {
  if (sodium_init() < 0) return Error{"libsodium failed to initialise"};
  if (size_t newline = encoded.find('\n'); newline != std::string_view::npos) {
    encoded = encoded.substr(0, newline);
  }
  SigningKey key;
  if (!mcpsandbox::from_base64(encoded, key.secret_.data(), key.secret_.size())) {
    return Error{what + ": not an Ed25519 secret key from `mcpsandbox pin keygen`"};
  }
  return key;
}

SigningKey& SigningKey::operator=(SigningKey&& other) noexcept {
  secret_ = other.secret_;
  other.wipe();
  return *this;
}

std::string SigningKey::sign_base64(std::string_view bytes) const {
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(bytes.data()),
                       bytes.size(), secret_.data());
  return to_base64(signature, sizeof signature);
}

std::string SigningKey::public_base64() const {
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_ed25519_sk_to_pk(public_key, secret_.data());
  return to_base64(public_key, sizeof public_key);
}

std::string SigningKey::secret_base64() const { return to_base64(secret_.data(), secret_.size()); }

bool verify_base64(std::string_view public_base64, std::string_view signature_base64,
                   std::string_view bytes) {
  if (sodium_init() < 0) return false;
  unsigned char key[crypto_sign_PUBLICKEYBYTES], signature[crypto_sign_BYTES];
  if (!from_base64(public_base64, key, sizeof key) ||
      !from_base64(signature_base64, signature, sizeof signature)) {
    return false;
  }
  return crypto_sign_verify_detached(signature, reinterpret_cast<const unsigned char*>(bytes.data()),
                                     bytes.size(), key) == 0;
}

std::string signer_of(const std::vector<std::string>& public_keys,
                      std::string_view signature_base64, std::string_view bytes) {
  for (const std::string& key : public_keys) {
    if (verify_base64(key, signature_base64, bytes)) return key;
  }
  return {};
}

}  // namespace mcpsandbox

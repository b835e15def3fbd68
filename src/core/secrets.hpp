// Secrets: API key hashing, sealing third-party credentials at rest (libsodium secretbox), HMAC and
// constant-time comparison. Nothing here logs.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace chorus {

// Must be called once before any other function here (idempotent).
void init_crypto();

std::string random_token(std::size_t bytes);  // URL-safe base64 without padding
std::string sha256_hex(std::string_view data);
std::string hmac_sha256_raw(std::string_view key, std::string_view data);
std::string hmac_sha1_raw(std::string_view key, std::string_view data);
std::string to_hex(std::string_view bytes);
std::string base64_encode(std::string_view bytes);
Result<std::string> base64_decode(std::string_view text);
bool constant_time_equal(std::string_view a, std::string_view b);

// Encrypts with a 32-byte master key: XSalsa20-Poly1305 with a random nonce.
class SecretBox {
 public:
  // The key comes from `env_value` (64 hex chars or base64 of 32 bytes) when set, otherwise from
  // `key_file`, which is created with a new random key (mode 0600) when it does not exist.
  static Result<SecretBox> load(std::string_view env_value, const std::filesystem::path& key_file);
  static SecretBox from_raw_key(std::string_view raw32);

  std::string seal(std::string_view plaintext) const;                 // base64(nonce || ciphertext)
  Result<std::string> open(std::string_view sealed) const;

 private:
  std::string key_;
};

// Reads a key from `env_value` when set, otherwise from `file` (creating it with a fresh random
// token, mode 0600, when missing). Used for the admin key.
Result<std::string> load_or_create_key_file(std::string_view env_value, const std::filesystem::path& file,
                                            std::string_view prefix);

}  // namespace chorus

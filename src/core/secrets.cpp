// Secrets: hashing, HMAC, encodings, constant-time comparison, sealed credentials and key files.
#include "core/secrets.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace chorus {

namespace {

constexpr std::size_t kKeyBytes = crypto_secretbox_KEYBYTES;
constexpr const char* kCannotDecrypt = "cannot decrypt source secrets: wrong master key or corrupt data";

// An empty string_view may carry a null pointer; the C APIs below want a real one.
const unsigned char* bytes_of(std::string_view s) {
  static const unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

std::string hmac_raw(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(md, bytes_of(key), static_cast<int>(key.size()), bytes_of(data), data.size(), out, &len) == nullptr) {
    throw std::runtime_error("HMAC computation failed");  // only on allocation failure or a broken OpenSSL
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string to_base64(std::string_view bytes, int variant) {
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes_of(bytes), bytes.size(), variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n";
  std::size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  std::size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(), hex.size(), nullptr,
                     &len, &end) != 0 ||
      end != hex.data() + hex.size() || len != out.size()) {
    return std::nullopt;
  }
  return out;
}

// Parses a master key written as 64 hex characters or as base64 of 32 bytes.
std::optional<std::string> parse_master_key(std::string_view text) {
  text = trim(text);
  if (text.size() == 2 * kKeyBytes) {
    if (auto raw = from_hex(text)) return raw;
  }
  if (auto raw = base64_decode(text); raw.ok() && raw->size() == kKeyBytes) return std::move(raw).value();
  return std::nullopt;
}

Result<std::string> read_small_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(ErrorCode::internal, "cannot read key file " + file.string() + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return make_error(ErrorCode::internal, "cannot read key file " + file.string());
  return text.str();
}

Status write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error(ErrorCode::internal, std::string("write failed: ") + std::strerror(errno));
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

void sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Creates `file` holding `content`, readable only by its owner. The content is written and synced
// under a temporary name first and then linked into place, so a concurrent reader or a crash never
// sees a half-written key (losing the master key would lose every sealed credential).
// Returns false when the file already existed (its content is then left untouched).
Result<bool> create_key_file(const std::filesystem::path& file, std::string_view content) {
  std::error_code ec;
  const std::filesystem::path dir = file.parent_path();
  if (!dir.empty()) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return make_error(ErrorCode::internal, "cannot create directory " + dir.string() + ": " + ec.message());
  }
  std::filesystem::path tmp = file;
  tmp += ".tmp-" + random_token(9);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(ErrorCode::internal, "cannot create key file " + file.string() + ": " + std::strerror(errno));
  Status written = write_all(fd, content);
  if (written.ok() && ::fsync(fd) != 0) {
    written = make_error(ErrorCode::internal, std::string("fsync failed: ") + std::strerror(errno));
  }
  ::close(fd);
  if (!written.ok()) {
    ::unlink(tmp.c_str());
    return make_error(ErrorCode::internal, "cannot write key file " + file.string() + ": " + written.error().message);
  }
  const bool linked = ::link(tmp.c_str(), file.c_str()) == 0;
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (!linked && link_errno != EEXIST) {
    return make_error(ErrorCode::internal, "cannot create key file " + file.string() + ": " + std::strerror(link_errno));
  }
  sync_directory(dir);
  return linked;
}

}  // namespace

void init_crypto() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  });
}

std::string random_token(std::size_t bytes) {
  init_crypto();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string token = to_base64(raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw.data(), raw.size());
  return token;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, bytes_of(data), data.size());
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string hmac_sha256_raw(std::string_view key, std::string_view data) { return hmac_raw(EVP_sha256(), key, data); }

std::string hmac_sha1_raw(std::string_view key, std::string_view data) { return hmac_raw(EVP_sha1(), key, data); }

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0x0f]);
  }
  return out;
}

std::string base64_encode(std::string_view bytes) { return to_base64(bytes, sodium_base64_VARIANT_ORIGINAL); }

Result<std::string> base64_decode(std::string_view text) {
  if (text.empty()) return std::string();
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return make_error(ErrorCode::bad_request, "invalid base64");
  }
  out.resize(len);
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    // Spend the same kind of work as a real comparison, then fail: only the length is revealed.
    volatile int sink = a.empty() ? 0 : sodium_memcmp(a.data(), a.data(), a.size());
    (void)sink;
    return false;
  }
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

SecretBox SecretBox::from_raw_key(std::string_view raw32) {
  if (raw32.size() != kKeyBytes) throw std::invalid_argument("SecretBox needs a 32-byte key");
  init_crypto();
  SecretBox box;
  box.key_.assign(raw32);
  return box;
}

Result<SecretBox> SecretBox::load(std::string_view env_value, const std::filesystem::path& key_file) {
  init_crypto();
  if (!trim(env_value).empty()) {
    auto raw = parse_master_key(env_value);
    if (!raw) {
      return make_error(ErrorCode::bad_request,
                        "the master key from the environment must be 64 hex characters or the base64 encoding of "
                        "32 bytes (got " + std::to_string(trim(env_value).size()) + " characters)");
    }
    SecretBox box = from_raw_key(*raw);
    sodium_memzero(raw->data(), raw->size());
    return box;
  }

  std::error_code ec;
  if (!std::filesystem::exists(key_file, ec)) {
    std::string fresh(kKeyBytes, '\0');
    randombytes_buf(fresh.data(), fresh.size());
    std::string fresh_hex = to_hex(fresh) + "\n";
    sodium_memzero(fresh.data(), fresh.size());
    auto created = create_key_file(key_file, fresh_hex);  // false: another process won the race; use theirs
    sodium_memzero(fresh_hex.data(), fresh_hex.size());
    if (!created.ok()) return created.error();
  }

  auto text = read_small_file(key_file);
  if (!text.ok()) return text.error();
  auto raw = parse_master_key(*text);
  sodium_memzero(text->data(), text->size());
  if (!raw) {
    return make_error(ErrorCode::bad_request, "key file " + key_file.string() +
                                                  " does not hold a master key: expected 64 hex characters or the "
                                                  "base64 encoding of 32 bytes");
  }
  SecretBox box = from_raw_key(*raw);
  sodium_memzero(raw->data(), raw->size());
  return box;
}

std::string SecretBox::seal(std::string_view plaintext) const {
  std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, bytes_of(plaintext), plaintext.size(), nonce,
                        bytes_of(key_));
  return base64_encode(out);
}

Result<std::string> SecretBox::open(std::string_view sealed) const {
  auto raw = base64_decode(trim(sealed));
  if (!raw.ok() || raw->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return make_error(ErrorCode::internal, kCannotDecrypt);
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(raw->data());
  const auto* cipher = nonce + crypto_secretbox_NONCEBYTES;
  const std::size_t cipher_len = raw->size() - crypto_secretbox_NONCEBYTES;
  std::string plain(cipher_len - crypto_secretbox_MACBYTES, '\0');
  static unsigned char empty_out = 0;
  auto* out = plain.empty() ? &empty_out : reinterpret_cast<unsigned char*>(plain.data());
  if (crypto_secretbox_open_easy(out, cipher, cipher_len, nonce, bytes_of(key_)) != 0) {
    return make_error(ErrorCode::internal, kCannotDecrypt);
  }
  return plain;
}

Result<std::string> load_or_create_key_file(std::string_view env_value, const std::filesystem::path& file,
                                            std::string_view prefix) {
  if (!env_value.empty()) return std::string(env_value);
  init_crypto();
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    std::string fresh = std::string(prefix) + random_token(32) + "\n";
    auto created = create_key_file(file, fresh);  // false: another process won the race; use theirs
    sodium_memzero(fresh.data(), fresh.size());
    if (!created.ok()) return created.error();
  }

  auto text = read_small_file(file);
  if (!text.ok()) return text.error();
  std::string key(trim(*text));
  sodium_memzero(text->data(), text->size());
  bool printable = !key.empty();
  for (unsigned char c : key) printable = printable && c > 0x20 && c < 0x7f;
  if (!printable) {
    return make_error(ErrorCode::bad_request, "key file " + file.string() +
                                                  " does not hold a key: expected one line of printable characters "
                                                  "without spaces (delete it to have a new key generated)");
  }
  return key;
}

}  // namespace chorus

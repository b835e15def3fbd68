// Secrets: known-answer tests for the primitives, sealing, and key files.
#include "core/secrets.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace chorus {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "chorus-secrets-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file(const fs::path& p, std::string_view content) {
  std::ofstream out(p, std::ios::binary);
  out << content;
}

unsigned permissions_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 0777;
}

class SecretsTest : public ::testing::Test {
 protected:
  void SetUp() override { init_crypto(); }
};

// RFC 4231, test case 2.
TEST_F(SecretsTest, HmacSha256KnownAnswer) {
  EXPECT_EQ(to_hex(hmac_sha256_raw("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// RFC 2202, test case 2.
TEST_F(SecretsTest, HmacSha1KnownAnswer) {
  EXPECT_EQ(to_hex(hmac_sha1_raw("Jefe", "what do ya want for nothing?")), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

// FIPS 180-2, appendix B.1.
TEST_F(SecretsTest, Sha256KnownAnswer) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(SecretsTest, HexIsLowerCase) { EXPECT_EQ(to_hex(std::string("\x00\x7f\xab\xff", 4)), "007fabff"); }

// RFC 4648, section 10.
TEST_F(SecretsTest, Base64KnownAnswers) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST_F(SecretsTest, Base64RejectsGarbage) {
  EXPECT_FALSE(base64_decode("Zm9v!").ok());
  EXPECT_FALSE(base64_decode("Zg").ok());  // standard base64 requires its padding
  EXPECT_FALSE(base64_decode("Zm9v Zm9v").ok());
}

TEST_F(SecretsTest, RandomTokenIsUrlSafeWithoutPaddingAndUnique) {
  std::string a = random_token(32);
  std::string b = random_token(32);
  EXPECT_EQ(a.size(), 43u);  // ceil(32 * 4 / 3) without padding
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
}

TEST_F(SecretsTest, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "secret2"));
  EXPECT_FALSE(constant_time_equal("secret", ""));
  EXPECT_FALSE(constant_time_equal("", "x"));
  EXPECT_TRUE(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST_F(SecretsTest, SealOpenRoundTrip) {
  SecretBox box = SecretBox::from_raw_key(std::string(32, 'k'));
  for (std::string plain : {std::string(), std::string("{\"token\":\"abc\"}"), std::string(10000, 'x')}) {
    std::string sealed = box.seal(plain);
    EXPECT_EQ(sealed.find(plain.empty() ? "\x01" : plain.substr(0, 5)), std::string::npos);
    auto opened = box.open(sealed);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(*opened, plain);
  }
  EXPECT_NE(box.seal("same"), box.seal("same"));  // a fresh nonce every time
}

TEST_F(SecretsTest, TamperedCiphertextIsRejected) {
  SecretBox box = SecretBox::from_raw_key(std::string(32, 'k'));
  std::string raw = *base64_decode(box.seal("credentials"));
  for (std::size_t i : {std::size_t{0}, std::size_t{30}, raw.size() - 1}) {
    std::string tampered = raw;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    auto opened = box.open(base64_encode(tampered));
    ASSERT_FALSE(opened.ok()) << "byte " << i;
    EXPECT_EQ(opened.error().code, ErrorCode::internal);
    EXPECT_EQ(opened.error().message, "cannot decrypt source secrets: wrong master key or corrupt data");
  }
  EXPECT_FALSE(box.open("not base64!").ok());
  EXPECT_FALSE(box.open(base64_encode("short")).ok());
  EXPECT_FALSE(box.open("").ok());
}

TEST_F(SecretsTest, WrongKeyIsRejected) {
  SecretBox a = SecretBox::from_raw_key(std::string(32, 'a'));
  SecretBox b = SecretBox::from_raw_key(std::string(32, 'b'));
  auto opened = b.open(a.seal("credentials"));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().message, "cannot decrypt source secrets: wrong master key or corrupt data");
}

TEST_F(SecretsTest, KeyFileIsCreatedPrivateAndReused) {
  TempDir dir;
  fs::path key_file = dir.path() / "nested" / "dir" / "master.key";
  auto first = SecretBox::load("", key_file);
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(fs::exists(key_file));
  EXPECT_EQ(permissions_of(key_file), 0600u);
  std::string content = read_file(key_file);
  EXPECT_EQ(content.size(), 65u);  // 64 hex characters and a newline
  EXPECT_EQ(content.find_first_not_of("0123456789abcdef\n"), std::string::npos);

  auto second = SecretBox::load("", key_file);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(read_file(key_file), content);
  auto opened = second->open(first->seal("kept across restarts"));
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "kept across restarts");

  // No temporary files are left next to the key.
  EXPECT_EQ(std::distance(fs::directory_iterator(key_file.parent_path()), fs::directory_iterator()), 1);
}

TEST_F(SecretsTest, KeyFileWithWrongContentIsAnError) {
  TempDir dir;
  fs::path key_file = dir.path() / "master.key";
  write_file(key_file, "not a key\n");
  auto box = SecretBox::load("", key_file);
  ASSERT_FALSE(box.ok());
  EXPECT_NE(box.error().message.find(key_file.string()), std::string::npos);
  EXPECT_NE(box.error().message.find("64 hex characters"), std::string::npos);
  EXPECT_EQ(read_file(key_file), "not a key\n");  // never overwritten
}

TEST_F(SecretsTest, EnvironmentKeyAcceptsHexAndBase64) {
  TempDir dir;
  fs::path key_file = dir.path() / "master.key";
  const std::string raw(32, '\x5a');
  auto from_hex = SecretBox::load(to_hex(raw), key_file);
  ASSERT_TRUE(from_hex.ok()) << from_hex.error().message;
  auto from_base64 = SecretBox::load(base64_encode(raw), key_file);
  ASSERT_TRUE(from_base64.ok()) << from_base64.error().message;
  auto upper_hex = SecretBox::load("5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A", key_file);
  ASSERT_TRUE(upper_hex.ok());

  SecretBox reference = SecretBox::from_raw_key(raw);
  EXPECT_EQ(*from_hex->open(reference.seal("x")), "x");
  EXPECT_EQ(*from_base64->open(reference.seal("y")), "y");
  EXPECT_EQ(*upper_hex->open(reference.seal("z")), "z");
  EXPECT_FALSE(fs::exists(key_file));  // the environment wins; no file is written
}

TEST_F(SecretsTest, EnvironmentKeyInOtherFormsIsRejectedWithoutEchoingIt) {
  TempDir dir;
  for (std::string bad : {std::string("tooshort"), std::string(64, 'g'), to_hex(std::string(31, 'k')),
                          base64_encode(std::string(31, 'k')), base64_encode(std::string(33, 'k'))}) {
    auto box = SecretBox::load(bad, dir.path() / "master.key");
    ASSERT_FALSE(box.ok()) << bad;
    EXPECT_NE(box.error().message.find("64 hex characters or the base64 encoding of 32 bytes"), std::string::npos);
    EXPECT_EQ(box.error().message.find(bad), std::string::npos);
  }
}

TEST_F(SecretsTest, AdminKeyFileIsCreatedOnceWithPrefix) {
  TempDir dir;
  fs::path file = dir.path() / "sub" / "admin.key";
  auto first = load_or_create_key_file("", file, "chorus_admin_");
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->rfind("chorus_admin_", 0), 0u);
  EXPECT_EQ(first->size(), std::string("chorus_admin_").size() + 43);
  EXPECT_EQ(permissions_of(file), 0600u);
  auto second = load_or_create_key_file("", file, "chorus_admin_");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, *first);
}

TEST_F(SecretsTest, AdminKeyFromEnvironmentIsUsedVerbatim) {
  TempDir dir;
  fs::path file = dir.path() / "admin.key";
  auto key = load_or_create_key_file("my-own-admin-key", file, "chorus_admin_");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, "my-own-admin-key");
  EXPECT_FALSE(fs::exists(file));
}

TEST_F(SecretsTest, EmptyAdminKeyFileIsAnError) {
  TempDir dir;
  fs::path file = dir.path() / "admin.key";
  write_file(file, "\n");
  auto key = load_or_create_key_file("", file, "chorus_admin_");
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().message.find(file.string()), std::string::npos);
}

}  // namespace
}  // namespace chorus

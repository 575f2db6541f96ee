// OpenSSL-backed primitives and the master key file.
#include "storage/crypto.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core/error.hpp"

namespace tasks::storage {

namespace {

constexpr uint8_t sealed_version = 1;
constexpr size_t nonce_size = 12;
constexpr size_t tag_size = 16;

using cipher_ctx
    = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

caf::error file_error(const std::string& what, const std::string& path) {
  return make_error(errc::storage_failure,
                    what + " " + path + ": " + std::strerror(errno));
}

std::optional<secret_key> parse_key_file(std::string content) {
  if (content.size() == secret_key::size) {
    secret_key key{content};
    wipe(content);
    return key;
  }
  if (!content.empty() && content.back() == '\n')
    content.pop_back();
  if (content.size() != 2 * secret_key::size)
    return std::nullopt;
  std::string raw;
  for (size_t i = 0; i < content.size(); i += 2) {
    auto hex = content.substr(i, 2);
    char* end = nullptr;
    auto byte = std::strtoul(hex.c_str(), &end, 16);
    if (end != hex.c_str() + 2) {
      wipe(content);
      wipe(raw);
      return std::nullopt;
    }
    raw.push_back(static_cast<char>(byte));
  }
  secret_key key{raw};
  wipe(content);
  wipe(raw);
  return key;
}

} // namespace

// -- secret_key ---------------------------------------------------------------

secret_key::secret_key() {
  bytes_.fill(0);
}

secret_key::secret_key(std::string_view bytes) {
  bytes_.fill(0);
  std::memcpy(bytes_.data(), bytes.data(), std::min(bytes.size(), size));
}

secret_key::secret_key(const secret_key& other) : bytes_(other.bytes_) {
  // nop
}

secret_key& secret_key::operator=(const secret_key& other) {
  bytes_ = other.bytes_;
  return *this;
}

secret_key::~secret_key() {
  OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

secret_key secret_key::random() {
  auto bytes = random_bytes(size);
  secret_key key{bytes};
  wipe(bytes);
  return key;
}

// -- digests ------------------------------------------------------------------

std::string sha256(std::string_view data) {
  // Fetched once: OpenSSL 3 fetches EVP_sha256() anew on every digest, which
  // was half the cost of hashing a bearer token on each API request.
  static EVP_MD* const fetched = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  std::string digest(32, '\0');
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(),
             reinterpret_cast<unsigned char*>(digest.data()), &size,
             fetched != nullptr ? fetched : EVP_sha256(), nullptr);
  return digest;
}

std::string hmac_sha256(const secret_key& key, std::string_view data) {
  std::string mac(32, '\0');
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(secret_key::size),
       bytes_of(data), data.size(),
       reinterpret_cast<unsigned char*>(mac.data()), &size);
  return mac;
}

std::string random_bytes(size_t size) {
  std::string out(size, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                 static_cast<int>(size))
      != 1)
    throw std::runtime_error("RAND_bytes failed: no entropy");
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size()
         && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (auto c : bytes) {
    auto byte = static_cast<uint8_t>(c);
    out.push_back(digits[byte >> 4]);
    out.push_back(digits[byte & 15]);
  }
  return out;
}

void wipe(std::string& secret) {
  if (!secret.empty())
    OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

// -- sealing ------------------------------------------------------------------

std::string seal(const secret_key& key, std::string_view plaintext,
                 std::string_view additional_data) {
  std::string out(1 + nonce_size + plaintext.size() + tag_size, '\0');
  out[0] = static_cast<char>(sealed_version);
  auto* nonce = reinterpret_cast<unsigned char*>(out.data() + 1);
  auto* body = nonce + nonce_size;
  auto nonce_bytes = random_bytes(nonce_size);
  std::memcpy(nonce, nonce_bytes.data(), nonce_size);
  cipher_ctx ctx{EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free};
  int n = 0;
  bool ok
      = ctx
        && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(),
                              nonce)
               == 1
        && EVP_EncryptUpdate(ctx.get(), nullptr, &n, bytes_of(additional_data),
                             static_cast<int>(additional_data.size()))
               == 1
        && EVP_EncryptUpdate(ctx.get(), body, &n, bytes_of(plaintext),
                             static_cast<int>(plaintext.size()))
               == 1
        && EVP_EncryptFinal_ex(ctx.get(), body + n, &n) == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, tag_size,
                               body + plaintext.size())
               == 1;
  if (!ok)
    throw std::runtime_error("AES-256-GCM encryption failed");
  return out;
}

caf::expected<std::string> open_sealed(const secret_key& key,
                                       std::string_view sealed,
                                       std::string_view additional_data) {
  auto fail = [] {
    return make_error(errc::crypto_failure,
                      "cannot open sealed value: wrong master key or "
                      "tampered data");
  };
  if (sealed.size() < 1 + nonce_size + tag_size
      || static_cast<uint8_t>(sealed[0]) != sealed_version)
    return fail();
  auto* nonce = bytes_of(sealed) + 1;
  auto* body = nonce + nonce_size;
  auto body_size = sealed.size() - 1 - nonce_size - tag_size;
  std::string plaintext(body_size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  cipher_ctx ctx{EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free};
  int n = 0;
  bool ok
      = ctx
        && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(),
                              nonce)
               == 1
        && EVP_DecryptUpdate(ctx.get(), nullptr, &n, bytes_of(additional_data),
                             static_cast<int>(additional_data.size()))
               == 1
        && EVP_DecryptUpdate(ctx.get(), out, &n, body,
                             static_cast<int>(body_size))
               == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, tag_size,
                               const_cast<unsigned char*>(body + body_size))
               == 1
        && EVP_DecryptFinal_ex(ctx.get(), out + n, &n) == 1;
  if (!ok) {
    wipe(plaintext); // never hand out unauthenticated bytes
    return fail();
  }
  return plaintext;
}

// -- master key file ----------------------------------------------------------

caf::expected<secret_key> load_master_key(const std::string& path,
                                          bool create) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create) {
    auto key = secret_key::random();
    if (auto err = write_master_key(path, key))
      return err;
    return key;
  }
  if (fd < 0)
    return file_error("cannot open vault key file", path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return file_error("cannot stat vault key file", path);
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return make_error(errc::crypto_failure,
                      "vault key file " + path
                          + " is readable by group or others: run chmod 600 "
                          + path);
  }
  std::string content(128, '\0');
  auto n = ::read(fd, content.data(), content.size());
  ::close(fd);
  if (n < 0)
    return file_error("cannot read vault key file", path);
  content.resize(static_cast<size_t>(n));
  auto key = parse_key_file(std::move(content));
  if (!key)
    return make_error(errc::crypto_failure,
                      "vault key file " + path
                          + " must hold 32 raw bytes or 64 hex digits");
  return *key;
}

caf::error write_master_key(const std::string& path, const secret_key& key) {
  auto tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return file_error("cannot create vault key file", tmp);
  auto bytes = key.view();
  bool ok = ::fchmod(fd, 0600) == 0
            && ::write(fd, bytes.data(), bytes.size())
                   == static_cast<ssize_t>(bytes.size())
            && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    auto err = file_error("cannot write vault key file", path);
    ::unlink(tmp.c_str());
    return err;
  }
  // Make the rename itself durable.
  auto slash = path.find_last_of('/');
  auto dir
      = slash == std::string::npos ? std::string{"."} : path.substr(0, slash);
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return {};
}

} // namespace tasks::storage

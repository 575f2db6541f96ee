#define CAF_SUITE storage.crypto
#include <caf/test/unit_test.hpp>

#include <fstream>
#include <sys/stat.h>

#include "core/error.hpp"
#include "storage/crypto.hpp"
#include "store_fixture.hpp"

using namespace tasks;
using namespace tasks::storage;

CAF_TEST(sha256_and_hmac_match_known_answers) {
  CAF_CHECK_EQUAL(to_hex(sha256("abc")),
                  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2, with the key zero-padded to 32 bytes (HMAC pads
  // short keys with zeros, so the MAC is the same).
  secret_key jefe{std::string{"Jefe"} + std::string(28, '\0')};
  CAF_CHECK_EQUAL(to_hex(hmac_sha256(jefe, "what do ya want for nothing?")),
                  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

CAF_TEST(sealed_values_open_only_with_the_same_key_and_place) {
  auto key = secret_key::random();
  auto sealed = seal(key, "s3cret", "vault-key:1");
  CAF_CHECK(sealed.find("s3cret") == std::string::npos);
  auto opened = open_sealed(key, sealed, "vault-key:1");
  CAF_REQUIRE(opened);
  CAF_CHECK_EQUAL(*opened, "s3cret");
  auto wrong_place = open_sealed(key, sealed, "vault-key:2");
  CAF_CHECK(!wrong_place && wrong_place.error() == errc::crypto_failure);
  auto wrong_key = open_sealed(secret_key::random(), sealed, "vault-key:1");
  CAF_CHECK(!wrong_key && wrong_key.error() == errc::crypto_failure);
  for (size_t i = 0; i < sealed.size(); ++i) {
    auto tampered = sealed;
    tampered[i] ^= 1;
    CAF_CHECK(!open_sealed(key, tampered, "vault-key:1"));
  }
  CAF_CHECK(!open_sealed(key, sealed.substr(0, 20), "vault-key:1"));
}

CAF_TEST(two_seals_of_the_same_text_differ) {
  auto key = secret_key::random();
  CAF_CHECK_NOT_EQUAL(seal(key, "x", "a"), seal(key, "x", "a"));
}

CAF_TEST(master_key_file_is_created_0600_and_read_back) {
  temp_dir tmp;
  auto path = tmp.path + "/vault.key";
  auto created = load_master_key(path, true);
  CAF_REQUIRE(created);
  struct stat st {};
  CAF_REQUIRE_EQUAL(::stat(path.c_str(), &st), 0);
  CAF_CHECK_EQUAL(st.st_mode & 0777, 0600u);
  CAF_CHECK_EQUAL(st.st_size, 32);
  auto again = load_master_key(path, false);
  CAF_REQUIRE(again);
  CAF_CHECK_EQUAL(again->view(), created->view());
}

CAF_TEST(master_key_file_problems_are_named) {
  temp_dir tmp;
  auto missing = load_master_key(tmp.path + "/none.key", false);
  CAF_REQUIRE(!missing);
  CAF_CHECK(message_of(missing.error()).find("none.key") != std::string::npos);
  auto path = tmp.path + "/open.key";
  std::ofstream{path} << std::string(64, 'a') << "\n";
  ::chmod(path.c_str(), 0644);
  auto readable = load_master_key(path, false);
  CAF_REQUIRE(!readable);
  CAF_CHECK(message_of(readable.error()).find("chmod 600") != std::string::npos);
  ::chmod(path.c_str(), 0600);
  auto hex = load_master_key(path, false);
  CAF_REQUIRE(hex);
  CAF_CHECK_EQUAL(to_hex(hex->view()), std::string(64, 'a'));
  std::ofstream{path} << "short";
  auto malformed = load_master_key(path, false);
  CAF_REQUIRE(!malformed);
  CAF_CHECK(message_of(malformed.error()).find("32 raw bytes")
            != std::string::npos);
}

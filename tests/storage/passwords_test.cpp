// Tests argon2id password hashing, login tokens and bootstrap passwords.
#define CAF_SUITE storage.passwords
#include <caf/test/unit_test.hpp>

#include <set>
#include <string>

#include "core/error.hpp"
#include "storage/crypto.hpp"
#include "storage/passwords.hpp"

using namespace tasks;
using namespace tasks::storage;

namespace {

constexpr auto cheap = password_cost::for_tests();

std::string must_hash(std::string_view password) {
  auto phc = hash_password(password, cheap);
  if (!phc)
    CAF_FAIL("hash_password failed: " << message_of(phc.error()));
  return *phc;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

} // namespace

CAF_TEST(a_hash_verifies_its_password) {
  auto phc = must_hash("correct horse battery staple");
  CAF_CHECK(starts_with(phc, "$argon2id$v=19$m=1024,t=1,p=1$"));
  CAF_CHECK(phc.find("correct horse") == std::string::npos);
  CAF_CHECK(verify_password(phc, "correct horse battery staple"));
}

CAF_TEST(a_wrong_password_does_not_verify) {
  auto phc = must_hash("correct horse battery staple");
  CAF_CHECK(!verify_password(phc, "correct horse battery stapl"));
  CAF_CHECK(!verify_password(phc, "correct horse battery staple "));
  CAF_CHECK(!verify_password(phc, "Correct horse battery staple"));
  CAF_CHECK(!verify_password(phc, ""));
}

CAF_TEST(a_malformed_hash_never_verifies) {
  auto phc = must_hash("pw");
  CAF_CHECK(!verify_password("", "pw"));
  CAF_CHECK(!verify_password("pw", "pw"));
  CAF_CHECK(!verify_password("$argon2id$", "pw"));
  CAF_CHECK(!verify_password("$argon2id$v=19$m=1024,t=1,p=1$", "pw"));
  CAF_CHECK(!verify_password(phc.substr(0, phc.size() - 5), "pw"));
  CAF_CHECK(!verify_password(phc + "x", "pw"));
  CAF_CHECK(!verify_password(phc + std::string(1, '\0'), "pw"));
  // Another argon2 variant with the same parameters is not accepted.
  auto argon2i = phc;
  argon2i.replace(0, 10, "$argon2i$");
  CAF_CHECK(!verify_password(argon2i, "pw"));
  // A flipped character in the stored hash part.
  auto tampered = phc;
  tampered[tampered.size() - 2]
      = tampered[tampered.size() - 2] == 'A' ? 'B' : 'A';
  CAF_CHECK(!verify_password(tampered, "pw"));
}

CAF_TEST(hashes_of_the_same_password_differ_by_salt) {
  auto a = must_hash("same password");
  auto b = must_hash("same password");
  CAF_CHECK_NOT_EQUAL(a, b);
  CAF_CHECK(verify_password(a, "same password"));
  CAF_CHECK(verify_password(b, "same password"));
}

CAF_TEST(production_cost_is_m64mib_t3_p1) {
  auto phc = hash_password("correct horse");
  CAF_REQUIRE(phc);
  CAF_CHECK(starts_with(*phc, "$argon2id$v=19$m=65536,t=3,p=1$"));
  CAF_CHECK(verify_password(*phc, "correct horse"));
}

CAF_TEST(empty_and_oversized_passwords_are_refused) {
  auto empty = hash_password("", cheap);
  CAF_REQUIRE(!empty);
  CAF_CHECK(empty.error() == errc::invalid_argument);
  CAF_CHECK(starts_with(message_of(empty.error()), "password: "));
  auto longest = std::string(max_password_size, 'x');
  CAF_CHECK(verify_password(must_hash(longest), longest));
  auto too_long = hash_password(longest + "x", cheap);
  CAF_REQUIRE(!too_long);
  CAF_CHECK(too_long.error() == errc::invalid_argument);
  CAF_CHECK(starts_with(message_of(too_long.error()), "password: "));
}

CAF_TEST(passwords_are_bytes_not_text) {
  auto phc = must_hash("p\xC3\xA4ss\x01");
  CAF_CHECK(verify_password(phc, "p\xC3\xA4ss\x01"));
  CAF_CHECK(!verify_password(phc, "pa\xCC\x88ss\x01")); // NFD, other bytes
}

CAF_TEST(tokens_are_prefixed_url_safe_base64_of_32_bytes) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto token = new_token();
    CAF_REQUIRE_EQUAL(token.size(), 47u);
    CAF_REQUIRE(starts_with(token, "tsk_"));
    auto body = token.substr(4);
    CAF_REQUIRE_EQUAL(body.find_first_not_of(
                          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                          "0123456789-_"),
                      std::string::npos);
    // 256 bits in 43 digits: the last digit carries 4 bits and 2 zero bits.
    auto last = std::string_view{"AEIMQUYcgkosw048"};
    CAF_REQUIRE(last.find(body.back()) != std::string_view::npos);
    seen.insert(token);
  }
  CAF_CHECK_EQUAL(seen.size(), 1000u);
}

CAF_TEST(token_hash_is_sha256_of_the_whole_token) {
  auto token = new_token();
  auto h = token_hash(token);
  CAF_CHECK_EQUAL(h.size(), 32u);
  CAF_CHECK_EQUAL(h, sha256(token));
  CAF_CHECK_NOT_EQUAL(h, sha256(token.substr(4)));
  CAF_CHECK_EQUAL(
      to_hex(token_hash("abc")),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

CAF_TEST(random_passwords_use_the_unambiguous_alphabet) {
  CAF_CHECK_EQUAL(password_alphabet.size(), 56u);
  CAF_CHECK_EQUAL(password_alphabet.find_first_of("0Oo1lI"),
                  std::string_view::npos);
  std::set<std::string> seen;
  std::set<char> used;
  for (int i = 0; i < 200; ++i) {
    auto pw = random_password();
    CAF_REQUIRE_EQUAL(pw.size(), 20u);
    CAF_REQUIRE_EQUAL(pw.find_first_not_of(password_alphabet),
                      std::string::npos);
    used.insert(pw.begin(), pw.end());
    seen.insert(pw);
  }
  CAF_CHECK_EQUAL(seen.size(), 200u);
  // 4000 draws from 56 characters: missing one is a ~1e-30 event.
  CAF_CHECK_EQUAL(used.size(), 56u);
}

CAF_TEST(a_random_password_can_be_hashed_and_verified) {
  auto pw = random_password();
  CAF_CHECK(verify_password(must_hash(pw), pw));
}

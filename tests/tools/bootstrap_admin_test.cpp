#define CAF_SUITE tools.bootstrap_admin
#include <caf/test/unit_test.hpp>

#include "../storage/store_fixture.hpp"

#include "core/error.hpp"
#include "storage/passwords.hpp"
#include "tools/bootstrap_admin.hpp"

using namespace tasks;

namespace {

struct fixture : store_fixture {
  caf::expected<std::optional<std::string>>
  ensure(const std::string& configured) {
    return ensure_bootstrap_admin(*st, configured,
                                  storage::password_cost::for_tests());
  }

  user only_user() {
    auto users = st->list_users();
    CAF_REQUIRE(users);
    CAF_REQUIRE_EQUAL(users->size(), 1u);
    return users->front();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(bootstrap_admin_tests, fixture)

CAF_TEST(an_empty_store_gets_an_admin_with_the_configured_password) {
  auto generated = ensure("configured pw");
  CAF_REQUIRE(generated);
  CAF_CHECK(!*generated);
  auto admin = only_user();
  CAF_CHECK_EQUAL(admin.username, "admin");
  CAF_CHECK(admin.user_role == role::admin);
  CAF_CHECK(!admin.disabled);
  CAF_CHECK(storage::verify_password(admin.password_hash, "configured pw"));
  auto record = latest_audit();
  CAF_CHECK_EQUAL(record.action, "user.create");
  CAF_CHECK_EQUAL(record.username, "tasksd");
  CAF_CHECK(record.metadata.find("configured pw") == std::string::npos);
}

CAF_TEST(a_second_start_creates_nothing) {
  CAF_REQUIRE(ensure("configured pw"));
  auto again = ensure("another pw");
  CAF_REQUIRE(again);
  CAF_CHECK(!*again);
  auto admin = only_user();
  CAF_CHECK(storage::verify_password(admin.password_hash, "configured pw"));
  CAF_CHECK(!storage::verify_password(admin.password_hash, "another pw"));
  auto generated = ensure("");
  CAF_REQUIRE(generated);
  CAF_CHECK(!*generated);
  only_user();
}

CAF_TEST(without_a_configured_password_a_random_one_is_returned) {
  auto generated = ensure("");
  CAF_REQUIRE(generated);
  CAF_REQUIRE(*generated);
  const auto& password = **generated;
  CAF_CHECK_EQUAL(password.size(), 20u);
  CAF_CHECK(password.find_first_not_of(storage::password_alphabet)
            == std::string::npos);
  auto admin = only_user();
  CAF_CHECK(storage::verify_password(admin.password_hash, password));
  // A store with any user, even without an admin, is left alone.
  store_fixture other;
  auto phc = storage::hash_password("x", storage::password_cost::for_tests());
  CAF_REQUIRE(phc);
  CAF_REQUIRE(other.st->add_user("viewer1", role::viewer, *phc, {}));
  auto untouched = ensure_bootstrap_admin(*other.st, "",
                                          storage::password_cost::for_tests());
  CAF_REQUIRE(untouched);
  CAF_CHECK(!*untouched);
  CAF_CHECK(!other.st->find_user("admin"));
}

CAF_TEST_FIXTURE_SCOPE_END()

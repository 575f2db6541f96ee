// A real store in a fresh temporary directory, migrated to the current
// schema by hand (the migrations library has its own tests).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <caf/test/unit_test.hpp>

#include "storage/database.hpp"
#include "storage/keys.hpp"
#include "storage/store.hpp"

/// Creates a temporary directory that is removed with the object.
struct temp_dir {
  std::string path;
  temp_dir() {
    std::string tmpl
        = (std::filesystem::temp_directory_path() / "tasksd-test-XXXXXX")
              .string();
    if (::mkdtemp(tmpl.data()) == nullptr)
      CAF_FAIL("mkdtemp failed");
    path = tmpl;
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

struct store_fixture {
  temp_dir tmp;
  std::string dir = tmp.path + "/data";
  std::unique_ptr<tasks::storage::database> db;
  std::unique_ptr<tasks::storage::store> st;
  tasks::storage::secret_key master = tasks::storage::secret_key::random();
  tasks::storage::store_options options;

  store_fixture() { open(); }

  ~store_fixture() {
    st.reset();
    db.reset();
  }

  void open() {
    using namespace tasks::storage;
    auto opened = database::open(dir, open_mode::primary);
    CAF_REQUIRE(opened);
    db = std::move(*opened);
    write_batch batch{*db};
    batch.put(cf::meta, keys::meta::schema_version, std::string{"\0\0\0\1", 4});
    CAF_REQUIRE(!db->write(batch));
    auto s = store::open(*db, master, options);
    CAF_REQUIRE(s);
    st = std::move(*s);
  }

  /// The newest audit records, newest first.
  std::vector<tasks::audit_event> audit() {
    auto records = st->query_audit(tasks::audit_filter{}, 100);
    CAF_REQUIRE(records);
    return *records;
  }

  tasks::audit_event latest_audit() {
    auto records = audit();
    CAF_REQUIRE(!records.empty());
    return records.front();
  }

  void reopen() {
    st.reset();
    db.reset();
    open();
  }
};

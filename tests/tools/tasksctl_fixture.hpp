// A store in a temporary directory for running tasksctl against it: set up
// through store_setup as tasksd would, filled through the store API, closed
// before tasksctl runs.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include <caf/test/unit_test.hpp>

#include "../storage/store_fixture.hpp"

#include "core/config.hpp"
#include "storage/crypto.hpp"
#include "support/run_tool.hpp"
#include "tools/store_setup.hpp"

struct tasksctl_fixture {
  temp_dir tmp;
  tasks::config cfg;
  tasks::opened_store opened;

  tasksctl_fixture() {
    cfg.data_dir = tmp.path + "/data";
    cfg.vault_key_file = tmp.path + "/vault.key";
    open();
  }

  tasks::storage::store& st() { return *opened.st; }

  void open() {
    auto o = tasks::open_store(cfg, tasks::storage::open_mode::primary);
    CAF_REQUIRE(o);
    opened = std::move(*o);
  }

  void close() {
    opened.st.reset();
    opened.db.reset();
  }

  /// Runs `tasksctl --data DIR args…` from the temporary directory.
  tasks::test::tool_result run(std::vector<std::string> args,
                               const std::string& input = "") {
    args.insert(args.begin(), {"--data", cfg.data_dir});
    return tasks::test::run_tasksctl(
        args, input, {{"TASKS_VAULT_KEY_FILE", cfg.vault_key_file}}, tmp.path);
  }

  /// The first column of each table row (the header dropped).
  static std::vector<std::string> first_column(const std::string& out) {
    std::vector<std::string> result;
    std::istringstream lines{out};
    std::string line;
    std::getline(lines, line);
    while (std::getline(lines, line))
      result.push_back(line.substr(0, line.find(' ')));
    return result;
  }
};

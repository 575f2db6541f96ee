// What every tasksctl command shares (see ctl_common.hpp).
#include "tools/ctl_common.hpp"

#include <cstdio>

#include "core/error.hpp"

namespace tasks::ctl {

int fail(const std::string& message) {
  std::fprintf(stderr, "tasksctl: %s\n", message.c_str());
  return 1;
}

caf::expected<config> load(const cli_options& opts) {
  auto env = process_environment();
  if (!opts.data_dir.empty())
    env["TASKS_DATA_DIR"] = opts.data_dir;
  auto dotenv = read_dotenv(".env");
  if (!dotenv)
    return dotenv.error();
  return load_config(env, *dotenv);
}

std::string explain(const caf::error& err, const config& cfg) {
  if (err == errc::store_locked)
    return "tasksd is running on " + cfg.data_dir
           + ": stop it, or use the REST API";
  return message_of(err);
}

std::optional<opened_store> open_for(const cli_options& opts,
                                     storage::open_mode mode, config& cfg) {
  auto loaded = load(opts);
  if (!loaded) {
    fail(message_of(loaded.error()));
    return std::nullopt;
  }
  cfg = std::move(*loaded);
  auto opened = open_store(cfg, mode);
  if (!opened) {
    fail(explain(opened.error(), cfg));
    return std::nullopt;
  }
  return std::move(*opened);
}

std::string read_stdin_line() {
  std::string line;
  int c = 0;
  while ((c = std::getchar()) != EOF && c != '\n')
    line += static_cast<char>(c);
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  return line;
}

audit_origin tasksctl_origin() {
  audit_origin who;
  who.username = "tasksctl";
  return who;
}

} // namespace tasks::ctl

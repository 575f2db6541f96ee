// Runs a project executable (tasksctl) for a test: arguments, stdin text,
// extra environment; captures stdout, stderr and the exit code.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace tasks::test {

/// What a finished command left behind.
struct tool_result {
  /// The exit code, or 128 + signal when a signal ended it.
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `binary` with `args`, feeding `input` on stdin. The child gets the
/// parent's environment without TASKS_* variables, plus `env`, and runs in
/// `cwd` when given (so no stray `.env` is read).
tool_result run_tool(const std::string& binary,
                     const std::vector<std::string>& args,
                     const std::string& input = "",
                     const std::map<std::string, std::string>& env = {},
                     const std::string& cwd = "");

/// run_tool() with the tasksctl binary of this build.
tool_result run_tasksctl(const std::vector<std::string>& args,
                         const std::string& input = "",
                         const std::map<std::string, std::string>& env = {},
                         const std::string& cwd = "");

} // namespace tasks::test

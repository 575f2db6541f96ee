// Shared by the tasksctl audit commands: the filter options and the export.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <caf/expected.hpp>

#include "core/audit_event.hpp"
#include "storage/store.hpp"
#include "tools/ctl_common.hpp"

namespace tasks::ctl {

/// The filter options as given on the command line, parsed late so that a
/// bad value is a user error (exit 1) naming its option.
struct audit_filter_options {
  std::string user;
  std::string action;
  std::string task;
  std::string server;
  std::string from;
  std::string to;
  std::string limit;
};

/// A parsed filter and limit (unset = no limit).
struct audit_selection {
  audit_filter filter;
  std::optional<uint64_t> limit;
};

/// Parses the options; the error message names the offending option.
/// `--server` takes an id or a server name (looked up in `st`).
caf::expected<audit_selection> parse_selection(const audit_filter_options& in,
                                               storage::store& st);

/// Where and how `audit export` writes.
struct audit_export_options {
  std::string format;
  std::string output;
};

/// `tasksctl audit export`: returns the exit code.
int audit_export(const cli_options& opts, const audit_filter_options& filters,
                 const audit_export_options& out);

/// `2026-11-26T08:32:47.123456Z`: the store's full precision.
std::string format_micros(timestamp t);

/// Lower-case hex of raw bytes.
std::string to_hex(std::string_view bytes);

} // namespace tasks::ctl

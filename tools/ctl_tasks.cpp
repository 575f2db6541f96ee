// tasksctl tasks: list, show and clean up tasks.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/utf8.hpp"
#include "storage/store.hpp"
#include "tools/ctl_common.hpp"
#include "tools/ctl_table.hpp"

namespace tasks::ctl {

namespace {

constexpr size_t default_limit = 50;
constexpr size_t max_limit = 1000;
/// Tasks fetched per store call: a page, not the whole limit at once.
constexpr size_t page_size = 200;
constexpr size_t command_column_chars = 60;

struct list_options {
  uint64_t server_id = 0;
  uint64_t user_id = 0;
  std::string state;
  std::string from;
  std::string to;
  size_t limit = default_limit;
};

/// ISO 8601, or a duration meaning that long ago (`24h`, `7d`).
std::optional<timestamp> parse_time(const std::string& text) {
  if (auto t = parse_iso8601(text))
    return t;
  if (auto ago = parse_duration(text))
    return now() - std::chrono::duration_cast<std::chrono::microseconds>(*ago);
  return std::nullopt;
}

std::string short_command(const std::string& command) {
  std::string flat = command;
  // One row per task, and no terminal escapes from a command in a table.
  std::replace_if(
      flat.begin(), flat.end(),
      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; },
      ' ');
  auto kept = utf8::cut_chars(flat, command_column_chars);
  if (kept.size() < flat.size())
    return std::string{kept} + "…";
  return flat;
}

int tasks_list(const cli_options& opts, const list_options& in) {
  task_filter filter;
  if (in.server_id != 0)
    filter.server_id = in.server_id;
  if (in.user_id != 0)
    filter.user_id = in.user_id;
  if (!in.state.empty()) {
    filter.state = parse_status(in.state);
    if (!filter.state)
      return fail("tasks list: --status must be queued, running, success, "
                  "failed, timeout or cancelled");
  }
  if (!in.from.empty() && !(filter.from = parse_time(in.from)))
    return fail("tasks list: --from must be ISO 8601 (2026-11-26T08:00:00Z) "
                "or a duration ago (24h, 7d)");
  if (!in.to.empty() && !(filter.to = parse_time(in.to)))
    return fail("tasks list: --to must be ISO 8601 (2026-11-26T08:00:00Z) "
                "or a duration ago (24h, 7d)");
  config cfg;
  auto opened = open_for(opts, storage::open_mode::secondary, cfg);
  if (!opened)
    return 1;
  std::vector<std::vector<std::string>> rows;
  while (rows.size() < in.limit) {
    filter.offset = rows.size();
    filter.limit = std::min(page_size, in.limit - rows.size());
    auto page = opened->st->list_tasks(filter);
    if (!page)
      return fail(message_of(page.error()));
    for (const auto& t : *page)
      rows.push_back({to_string(t.id), std::to_string(t.server_id),
                      std::to_string(t.user_id), to_string(t.state),
                      t.exit_code ? std::to_string(*t.exit_code) : "-",
                      format_iso8601(t.created_at), short_command(t.command)});
    if (page->size() < filter.limit)
      break;
  }
  print_table({"ID", "SERVER", "USER", "STATUS", "EXIT", "CREATED", "COMMAND"},
              rows);
  return 0;
}

std::string optional_time(const std::optional<timestamp>& t) {
  return t ? format_iso8601(*t) : "-";
}

void print_output(const char* name, const std::optional<std::string>& text,
                  bool truncated) {
  if (!text)
    return;
  std::printf("--- %s%s ---\n", name, truncated ? " (truncated)" : "");
  std::fwrite(text->data(), 1, text->size(), stdout);
  if (!text->empty() && text->back() != '\n')
    std::putchar('\n');
}

int tasks_show(const cli_options& opts, const std::string& id_text) {
  auto id = parse_task_id(id_text);
  if (!id)
    return fail("tasks show: '" + id_text
                + "' is not a task id (8-4-4-4-12 hex digits)");
  config cfg;
  auto opened = open_for(opts, storage::open_mode::secondary, cfg);
  if (!opened)
    return 1;
  auto t = opened->st->get_task(*id, true);
  if (!t)
    return fail(message_of(t.error()));
  std::printf("id               %s\n", to_string(t->id).c_str());
  std::printf("server           %llu\n", (unsigned long long)t->server_id);
  std::printf("user             %llu\n", (unsigned long long)t->user_id);
  std::printf("status           %s\n", to_string(t->state).c_str());
  std::printf("exit code        %s\n",
              t->exit_code ? std::to_string(*t->exit_code).c_str() : "-");
  std::printf("error            %s\n", t->error ? t->error->c_str() : "-");
  std::printf("timeout          %u s\n", t->timeout_seconds);
  std::printf("store output     %s\n", t->store_output ? "yes" : "no");
  std::printf("created          %s\n", format_iso8601(t->created_at).c_str());
  std::printf("started          %s\n", optional_time(t->started_at).c_str());
  std::printf("finished         %s\n", optional_time(t->finished_at).c_str());
  std::printf("command          %s\n", t->command.c_str());
  print_output("stdout", t->stdout_text, t->stdout_truncated);
  print_output("stderr", t->stderr_text, t->stderr_truncated);
  return 0;
}

int tasks_cleanup(const cli_options& opts, const std::string& older_than) {
  auto age = parse_duration(older_than);
  if (!age)
    return fail("tasks cleanup: --older-than must be a duration such as "
                "30d, 12h or 2w");
  config cfg;
  auto opened = open_for(opts, storage::open_mode::primary, cfg);
  if (!opened)
    return 1;
  auto cutoff
      = now() - std::chrono::duration_cast<std::chrono::microseconds>(*age);
  auto deleted = opened->st->delete_tasks_before(cutoff, tasksctl_origin());
  if (!deleted)
    return fail(message_of(deleted.error()));
  std::printf("deleted %llu finished tasks created before %s\n",
              (unsigned long long)*deleted, format_iso8601(cutoff).c_str());
  return 0;
}

} // namespace

void add_tasks_commands(CLI::App& app, const cli_options& opts, int& rc) {
  auto* group = app.add_subcommand("tasks", "list, inspect and clean up tasks\n"
                                            "example: tasksctl tasks list "
                                            "--status failed --from 24h");
  group->require_subcommand(1);
  auto list = std::make_shared<list_options>();
  auto* ls = group->add_subcommand(
      "list", "list tasks, newest first (works while tasksd runs)\n"
              "example: tasksctl tasks list --server 3 --status failed "
              "--from 7d --limit 100");
  ls->add_option("--server", list->server_id, "only tasks on this server id");
  ls->add_option("--user", list->user_id, "only tasks of this user id");
  ls->add_option("--status", list->state,
                 "queued, running, success, failed, timeout or cancelled");
  ls->add_option("--from", list->from,
                 "created at or after: ISO 8601 or a duration ago (24h, 7d)");
  ls->add_option("--to", list->to,
                 "created at or before: ISO 8601 or a duration ago");
  ls->add_option("--limit", list->limit, "at most this many tasks (default 50)")
      ->check(CLI::Range(size_t{1}, max_limit));
  ls->callback([&opts, &rc, list] { rc = tasks_list(opts, *list); });
  auto id = std::make_shared<std::string>();
  auto* show = group->add_subcommand(
      "show", "every field of one task, with its output when stored (works "
              "while tasksd runs)\n"
              "example: tasksctl tasks show "
              "1f0c6a52-9a4e-4d1b-8f3e-2b7f5d9c0a11");
  show->add_option("id", *id, "the task id")->required();
  show->callback([&opts, &rc, id] { rc = tasks_show(opts, *id); });
  auto older = std::make_shared<std::string>();
  auto* cleanup = group->add_subcommand(
      "cleanup", "delete finished tasks (with their output) created and "
                 "finished longer ago than --older-than (tasksd must be "
                 "stopped)\n"
                 "example: tasksctl tasks cleanup --older-than 30d");
  cleanup->add_option("--older-than", *older, "a duration: 30d, 12h, 2w")
      ->required();
  cleanup->callback([&opts, &rc, older] { rc = tasks_cleanup(opts, *older); });
}

} // namespace tasks::ctl

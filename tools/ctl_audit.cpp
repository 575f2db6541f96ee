// tasksctl audit: query, verify and head; the filters all commands share.
#include "tools/ctl_audit.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <vector>

#include <sys/ioctl.h>
#include <unistd.h>

#include "core/error.hpp"
#include "core/utf8.hpp"
#include "core/uuid.hpp"

namespace tasks::ctl {

namespace {

caf::error bad(const char* option, const std::string& why,
               const std::string& value) {
  return make_error(errc::invalid_argument,
                    std::string{option} + ": " + why + ", got '" + value + "'");
}

std::optional<uint64_t> parse_number(const std::string& text) {
  if (text.empty() || text.size() > 19
      || !std::all_of(text.begin(), text.end(),
                      [](unsigned char c) { return std::isdigit(c); }))
    return std::nullopt;
  return std::stoull(text);
}

/// An ISO 8601 time or a duration before now. As an upper bound a time is
/// inclusive to the end of the precision given: `--to 2026-11-26` takes
/// the whole day, `--to …T10:00:00` the whole second.
std::optional<timestamp> parse_time(const std::string& text, bool upper) {
  if (auto t = parse_iso8601(text)) {
    if (!upper)
      return t;
    if (text.find('T') == std::string::npos)
      return *t + std::chrono::hours{24} - std::chrono::microseconds{1};
    auto dot = text.find('.');
    size_t digits = 0;
    if (dot != std::string::npos)
      while (
          dot + 1 + digits < text.size()
          && std::isdigit(static_cast<unsigned char>(text[dot + 1 + digits])))
        ++digits;
    int64_t unit = 1;
    for (size_t d = std::min<size_t>(digits, 6); d < 6; ++d)
      unit *= 10;
    return *t + std::chrono::microseconds{unit - 1};
  }
  if (auto ago = parse_duration(text))
    return now() - *ago;
  return std::nullopt;
}

/// Table cells are one line of valid UTF-8: control characters are shown
/// escaped so that a command cannot forge rows or move the cursor.
std::string cell(std::string_view text) {
  auto valid = utf8::sanitize(text);
  std::string out;
  out.reserve(valid.size());
  for (char ch : valid) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else if (c < 0x20 || c == 0x7f)
      out += '?';
    else
      out += ch;
  }
  return out;
}

size_t width_of(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      }));
}

std::string cut(const std::string& text, size_t max_chars) {
  if (width_of(text) <= max_chars)
    return text;
  if (max_chars == 0)
    return {};
  return std::string{utf8::cut_chars(text, max_chars - 1)} + "…";
}

using row = std::vector<std::string>;

int audit_query(const cli_options& opts, const audit_filter_options& in) {
  config cfg;
  auto opened = open_for(opts, storage::open_mode::secondary, cfg);
  if (!opened)
    return 1;
  auto sel = parse_selection(in, *opened->st);
  if (!sel)
    return fail(message_of(sel.error()));
  auto events = opened->st->query_audit(sel->filter, sel->limit.value_or(50));
  if (!events)
    return fail(message_of(events.error()));
  std::vector<row> rows{
      {"SEQ", "TIME", "ACTION", "USER", "TASK", "SERVER", "IP", "COMMAND"}};
  for (const auto& e : *events) {
    rows.push_back({std::to_string(e.seq), format_iso8601(e.ts), cell(e.action),
                    cell(e.username),
                    e.task ? to_string(*e.task).substr(0, 8) : "-",
                    e.server_id ? std::to_string(*e.server_id) : "-",
                    e.client_ip.empty() ? "-" : cell(e.client_ip),
                    cell(e.command_preview)});
  }
  std::vector<size_t> widths(rows.front().size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i + 1 < r.size(); ++i)
      widths[i] = std::max(widths[i], width_of(r[i]));
  size_t used = 0;
  for (size_t i = 0; i + 1 < widths.size(); ++i)
    used += widths[i] + 2;
  size_t command_width = 60;
  winsize ws{};
  if (::isatty(STDOUT_FILENO) && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0
      && ws.ws_col > used)
    command_width = std::max<size_t>(ws.ws_col - used, 10);
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i + 1 < r.size(); ++i) {
      line += r[i];
      line.append(widths[i] - width_of(r[i]) + 2, ' ');
    }
    line += cut(r.back(), command_width);
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    std::printf("%s\n", line.c_str());
  }
  return 0;
}

int audit_verify(const cli_options& opts) {
  config cfg;
  auto opened = open_for(opts, storage::open_mode::secondary, cfg);
  if (!opened)
    return 1;
  auto report = opened->st->verify_audit();
  if (!report)
    return fail(message_of(report.error()));
  if (report->first_bad_seq)
    return fail("audit chain broken at record "
                + std::to_string(*report->first_bad_seq) + ": "
                + report->problem + " (" + std::to_string(report->records)
                + " records before it verify)");
  auto head = opened->st->head();
  if (!head)
    return fail(message_of(head.error()));
  std::printf("ok: %llu records, head seq %llu\n",
              (unsigned long long)report->records,
              (unsigned long long)head->seq);
  return 0;
}

int audit_head_cmd(const cli_options& opts) {
  config cfg;
  auto opened = open_for(opts, storage::open_mode::secondary, cfg);
  if (!opened)
    return 1;
  auto head = opened->st->head();
  if (!head)
    return fail(message_of(head.error()));
  std::printf("seq %llu\nhash %s\n", (unsigned long long)head->seq,
              to_hex(head->hash).c_str());
  return 0;
}

void add_filter_options(CLI::App* cmd, audit_filter_options& f) {
  cmd->add_option("--user", f.user, "records of this user name");
  cmd->add_option("--action", f.action,
                  "actions starting with this prefix, e.g. task. or "
                  "auth.login_failed");
  cmd->add_option("--task", f.task, "records of this task id (UUID)");
  cmd->add_option("--server", f.server, "records of this server (id or name)");
  cmd->add_option("--from", f.from,
                  "from this time on: ISO 8601 (2026-11-26T10:00:00Z) or a "
                  "duration before now (24h, 7d)");
  cmd->add_option("--to", f.to,
                  "up to this time, inclusive to the precision given "
                  "(--to 2026-11-26 takes the whole day), or a duration "
                  "before now");
}

} // namespace

caf::expected<audit_selection> parse_selection(const audit_filter_options& in,
                                               storage::store& st) {
  audit_selection sel;
  if (!in.user.empty())
    sel.filter.username = in.user;
  if (!in.action.empty())
    sel.filter.action_prefix = in.action;
  if (!in.task.empty()) {
    auto id = parse_task_id(in.task);
    if (!id)
      return bad("--task", "must be a task id (UUID)", in.task);
    sel.filter.task = *id;
  }
  if (!in.server.empty()) {
    if (auto id = parse_number(in.server)) {
      sel.filter.server_id = *id;
    } else {
      auto s = st.find_server(in.server);
      if (!s)
        return bad("--server", "no server with this id or name", in.server);
      sel.filter.server_id = s->id;
    }
  }
  if (!in.from.empty()) {
    sel.filter.from = parse_time(in.from, false);
    if (!sel.filter.from)
      return bad("--from",
                 "must be an ISO 8601 time such as 2026-11-26T10:00:00Z or a "
                 "duration such as 24h or 7d",
                 in.from);
  }
  if (!in.to.empty()) {
    sel.filter.to = parse_time(in.to, true);
    if (!sel.filter.to)
      return bad("--to",
                 "must be an ISO 8601 time such as 2026-11-26T10:00:00Z or a "
                 "duration such as 24h or 7d",
                 in.to);
  }
  if (!in.limit.empty()) {
    sel.limit = parse_number(in.limit);
    if (!sel.limit || *sel.limit == 0)
      return bad("--limit", "must be a positive integer", in.limit);
  }
  return sel;
}

std::string format_micros(timestamp t) {
  // format_iso8601 ends in `.mmmZ`; the export keeps every microsecond.
  auto text = format_iso8601(t);
  auto micros = to_micros(t) % 1'000'000;
  if (micros < 0)
    micros += 1'000'000;
  char frac[8];
  std::snprintf(frac, sizeof(frac), "%06lld", static_cast<long long>(micros));
  auto dot = text.rfind('.');
  return text.substr(0, dot + 1) + frac + "Z";
}

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

void add_audit_commands(CLI::App& app, const cli_options& opts, int& rc) {
  auto* audit = app.add_subcommand(
      "audit", "read and check the audit log (works while tasksd runs)\n"
               "example: tasksctl audit query --action task. --from 24h");
  audit->require_subcommand(1);
  auto qf = std::make_shared<audit_filter_options>();
  auto* query = audit->add_subcommand(
      "query", "matching records as a table, newest first\n"
               "example: tasksctl audit query --user alice --from 7d "
               "--limit 20");
  add_filter_options(query, *qf);
  query->add_option("--limit", qf->limit, "rows at most (default 50)");
  query->callback([&opts, &rc, qf] { rc = audit_query(opts, *qf); });
  auto ef = std::make_shared<audit_filter_options>();
  auto eo = std::make_shared<audit_export_options>();
  auto* exp = audit->add_subcommand(
      "export", "stream matching records oldest first as CSV (RFC 4180, "
                "with a header) or JSON lines\n"
                "example: tasksctl audit export --format csv --action task. "
                "--from 7d -o /tmp/audit.csv");
  exp->add_option("--format", eo->format, "csv or jsonl")
      ->required()
      ->check(CLI::IsMember({"csv", "jsonl"}));
  exp->add_option("-o,--output", eo->output,
                  "write to this file (complete or not at all) instead of "
                  "stdout");
  add_filter_options(exp, *ef);
  exp->add_option("--limit", ef->limit, "records at most (default: all)");
  exp->callback([&opts, &rc, ef, eo] { rc = audit_export(opts, *ef, *eo); });
  audit
      ->add_subcommand("verify", "recompute the keyed hash chain; names the "
                                 "first bad record (exit 1)\n"
                                 "example: tasksctl audit verify")
      ->callback([&opts, &rc] { rc = audit_verify(opts); });
  audit
      ->add_subcommand("head", "the latest record's seq and hash (hex), to "
                               "anchor the log elsewhere\n"
                               "example: tasksctl audit head")
      ->callback([&opts, &rc] { rc = audit_head_cmd(opts); });
}

} // namespace tasks::ctl

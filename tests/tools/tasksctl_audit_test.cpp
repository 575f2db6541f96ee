// Tests tasksctl audit query, export, verify and head against a real store,
// with Python's csv and json modules as the reference parsers.
#define CAF_SUITE tools.tasksctl_audit
#include <caf/test/unit_test.hpp>

#include "tasksctl_fixture.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>

#include "core/audit_event.hpp"
#include "core/time.hpp"
#include "core/utf8.hpp"
#include "core/uuid.hpp"
#include "storage/keys.hpp"

using namespace tasks;

namespace {

/// Python's csv module reads stdin as RFC 4180 (strict UTF-8); each row is
/// printed as its fields in hex, `-` for an empty field.
constexpr const char* csv_to_hex = R"(
import csv, io, sys
f = io.TextIOWrapper(sys.stdin.buffer, encoding='utf-8', newline='')
for row in csv.reader(f, strict=True):
    print(' '.join(x.encode().hex() or '-' for x in row))
)";

/// Python's json module reads each line as one object with the export's
/// keys in order; fields in hex, `~` for null, metadata re-encoded.
constexpr const char* jsonl_to_hex = R"(
import json, sys
keys = ['seq', 'ts', 'action', 'user_id', 'username', 'task_id', 'server_id',
        'command_preview', 'client_ip', 'user_agent', 'metadata', 'prev_hash',
        'hash']
text = sys.stdin.buffer.read().decode('utf-8')
assert text.endswith('\n')
for line in text[:-1].split('\n'):
    o = json.loads(line)
    assert list(o.keys()) == keys, list(o.keys())
    out = []
    for k in keys:
        v = o[k]
        if v is None:
            out.append('~')
        elif k == 'metadata':
            assert isinstance(v, dict)
            out.append(json.dumps(v, separators=(',', ':'),
                                  ensure_ascii=False).encode().hex())
        else:
            out.append(str(v).encode().hex() or '-')
    print(' '.join(out))
)";

constexpr const char* null_field = "\x01null";

std::string unhex(const std::string& hex) {
  if (hex == "-")
    return {};
  if (hex == "~")
    return null_field;
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

using rows = std::vector<std::vector<std::string>>;

rows run_python(const char* script, const std::string& input) {
  auto r = test::run_tool("/usr/bin/python3", {"-c", script}, input);
  CAF_REQUIRE_EQUAL(r.err, "");
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  rows result;
  std::istringstream lines{r.out};
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words{line};
    std::vector<std::string> row;
    std::string word;
    while (words >> word)
      row.push_back(unhex(word));
    result.push_back(std::move(row));
  }
  return result;
}

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string micros_text(timestamp t) {
  auto text = format_iso8601(t);
  char frac[8];
  std::snprintf(frac, sizeof(frac), "%06lld",
                static_cast<long long>(to_micros(t) % 1'000'000));
  return text.substr(0, text.rfind('.') + 1) + frac + "Z";
}

/// The fields of a record as the export writes them (`null` for JSON null).
std::vector<std::string> fields_of(const audit_event& e, const char* null) {
  auto opt = [null](const auto& v) -> std::string {
    if (!v)
      return null;
    if constexpr (std::is_same_v<std::decay_t<decltype(*v)>, task_id>)
      return to_string(*v);
    else
      return std::to_string(*v);
  };
  return {std::to_string(e.seq),
          micros_text(e.ts),
          e.action,
          opt(e.user_id),
          utf8::sanitize(e.username),
          opt(e.task),
          opt(e.server_id),
          utf8::sanitize(e.command_preview),
          e.client_ip,
          utf8::sanitize(e.user_agent),
          e.metadata,
          hex(e.prev_hash),
          hex(e.hash)};
}

struct fixture : tasksctl_fixture {
  /// When the records were written; the newest is 37 minutes before it.
  timestamp t0 = now();
  std::vector<task_id> tasks_ids{new_task_id(), new_task_id(), new_task_id()};
  /// Every record, oldest first, as the store returns them.
  std::vector<audit_event> all;

  fixture() {
    fill(60);
    close();
  }

  void fill(size_t n) {
    const std::vector<std::string> actions{
        "task.create",       "task.start",  "task.finish", "auth.login",
        "auth.login_failed", "user.create", "server.add"};
    const std::vector<std::string> names{"alice", "bob", "carol, the \"admin\"",
                                         ""};
    const std::vector<std::string> commands{"rm -rf /tmp/build",
                                            "echo \"a, b\" > x.csv",
                                            "line1\nline2\r\nline3\r",
                                            "bad \xff\xfe utf8 \xc3",
                                            "emoji \xf0\x9f\x9a\x80 ok",
                                            "tab\there, \"quoted\"",
                                            ""};
    const std::vector<std::string> agents{
        "curl/8.0", "agent, with \"quotes\"\n", "\xc3\x28 bad",
        "\xf0\x9f\xa6\x80 crab", ""};
    for (size_t i = 0; i < n; ++i) {
      audit_event e;
      e.ts = t0 - std::chrono::minutes{37 * (n - i)}
             + std::chrono::microseconds{1001 * i};
      e.action = actions[i % actions.size()];
      e.username = names[i % names.size()];
      if (!e.username.empty())
        e.user_id = 1 + i % names.size();
      if (e.action.rfind("task.", 0) == 0) {
        e.task = tasks_ids[i % tasks_ids.size()];
        e.server_id = 1 + i % 3;
        e.command_preview = commands[i % commands.size()];
        e.metadata = audit_metadata{}
                         .add("timeout", 60)
                         .add("error", "x, \"y\"\n\xe2\x9c\x93")
                         .str();
      }
      e.client_ip = "10.0.0." + std::to_string(i % 5);
      e.user_agent = agents[i % agents.size()];
      CAF_REQUIRE(!st().append_audit(e));
    }
    all.clear();
    CAF_REQUIRE(!st().scan_audit({}, storage::scan_order::ascending,
                                 [this](const audit_event& e) {
                                   all.push_back(e);
                                   return true;
                                 }));
  }

  /// Seqs of the JSONL export with `args` as filters.
  std::vector<uint64_t> exported(std::vector<std::string> args) {
    args.insert(args.begin(), {"audit", "export", "--format", "jsonl"});
    auto r = run(args);
    CAF_REQUIRE_EQUAL(r.err, "");
    CAF_REQUIRE_EQUAL(r.exit_code, 0);
    std::vector<uint64_t> seqs;
    std::istringstream lines{r.out};
    std::string line;
    while (std::getline(lines, line)) {
      CAF_REQUIRE(line.rfind("{\"seq\":", 0) == 0);
      seqs.push_back(std::stoull(line.substr(7)));
    }
    return seqs;
  }

  std::vector<uint64_t>
  reference(const std::function<bool(const audit_event&)>& pred) {
    std::vector<uint64_t> seqs;
    for (const auto& e : all)
      if (pred(e))
        seqs.push_back(e.seq);
    return seqs;
  }

  std::vector<std::string> leftovers() {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(tmp.path))
      if (entry.path().filename().string().find(".tmp-") != std::string::npos)
        names.push_back(entry.path().string());
    return names;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(tasksctl_audit_tests, fixture)

CAF_TEST(csv_export_round_trips_every_field_with_pythons_csv) {
  auto r = run({"audit", "export", "--format", "csv"});
  CAF_REQUIRE_EQUAL(r.err, "");
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  CAF_CHECK(r.out.rfind("seq,ts,action,user_id,username,task_id,server_id,"
                        "command_preview,client_ip,user_agent,metadata,"
                        "prev_hash,hash\r\n",
                        0)
            == 0);
  CAF_CHECK(r.out.size() > 2 && r.out.substr(r.out.size() - 2) == "\r\n");
  auto parsed = run_python(csv_to_hex, r.out);
  CAF_REQUIRE_EQUAL(parsed.size(), all.size() + 1);
  CAF_CHECK_EQUAL(parsed[0].size(), 13u);
  for (size_t i = 0; i < all.size(); ++i)
    CAF_CHECK_EQUAL(parsed[i + 1], fields_of(all[i], ""));
}

CAF_TEST(jsonl_export_parses_line_by_line_with_the_right_values) {
  auto r = run({"audit", "export", "--format", "jsonl"});
  CAF_REQUIRE_EQUAL(r.err, "");
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  auto parsed = run_python(jsonl_to_hex, r.out);
  CAF_REQUIRE_EQUAL(parsed.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i)
    CAF_CHECK_EQUAL(parsed[i], fields_of(all[i], null_field));
}

CAF_TEST(filters_match_a_brute_force_reference) {
  auto has_prefix = [](const audit_event& e, const std::string& p) {
    return e.action.rfind(p, 0) == 0;
  };
  CAF_CHECK_EQUAL(exported({}), reference([](auto&) { return true; }));
  CAF_CHECK_EQUAL(exported({"--user", "alice"}),
                  reference([](auto& e) { return e.username == "alice"; }));
  CAF_CHECK_EQUAL(
      exported({"--user", "carol, the \"admin\""}),
      reference([](auto& e) { return e.username == "carol, the \"admin\""; }));
  CAF_CHECK_EQUAL(exported({"--action", "task."}),
                  reference([&](auto& e) { return has_prefix(e, "task."); }));
  CAF_CHECK_EQUAL(exported({"--action", "auth.login"}), reference([&](auto& e) {
                    return has_prefix(e, "auth.login");
                  }));
  CAF_CHECK_EQUAL(exported({"--action", "nothing."}), std::vector<uint64_t>{});
  CAF_CHECK_EQUAL(exported({"--task", to_string(tasks_ids[1])}),
                  reference([&](auto& e) { return e.task == tasks_ids[1]; }));
  CAF_CHECK_EQUAL(exported({"--server", "2"}), reference([](auto& e) {
                    return e.server_id == std::optional<uint64_t>{2};
                  }));
  // --to is inclusive to the millisecond the text gives.
  auto from_text = format_iso8601(all[10].ts);
  auto to_text = format_iso8601(all[20].ts);
  auto from = *parse_iso8601(from_text);
  auto to = *parse_iso8601(to_text) + std::chrono::microseconds{999};
  auto in_range
      = reference([&](auto& e) { return e.ts >= from && e.ts <= to; });
  CAF_CHECK_EQUAL(in_range.front(), all[10].seq);
  CAF_CHECK_EQUAL(in_range.back(), all[20].seq);
  CAF_CHECK_EQUAL(exported({"--from", from_text, "--to", to_text}), in_range);
  // A date as --to takes the whole day.
  auto day = format_iso8601(all[30].ts).substr(0, 10);
  auto day_end = *parse_iso8601(day) + std::chrono::hours{24};
  CAF_CHECK_EQUAL(exported({"--to", day}),
                  reference([&](auto& e) { return e.ts < day_end; }));
  // Relative times; records are 37 minutes apart, none near the cut.
  auto cut = t0 - std::chrono::hours{24};
  CAF_CHECK_EQUAL(exported({"--from", "24h"}),
                  reference([&](auto& e) { return e.ts >= cut; }));
  CAF_CHECK_EQUAL(exported({"--to", "1d"}),
                  reference([&](auto& e) { return e.ts <= cut; }));
  auto combined = reference([&](auto& e) {
    return e.username == "bob" && has_prefix(e, "task.")
           && e.ts >= t0 - std::chrono::hours{30};
  });
  CAF_CHECK_EQUAL(
      exported({"--user", "bob", "--action", "task.", "--from", "30h"}),
      combined);
  auto tasks_only = reference([&](auto& e) { return has_prefix(e, "task."); });
  CAF_CHECK_EQUAL(
      exported({"--action", "task.", "--limit", "3"}),
      std::vector<uint64_t>(tasks_only.begin(), tasks_only.begin() + 3));
  // query: the same records, newest first, as a table.
  auto r = run({"audit", "query", "--action", "task.", "--limit", "5"});
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  CAF_CHECK(r.out.rfind("SEQ", 0) == 0);
  std::vector<std::string> newest;
  for (auto i = tasks_only.rbegin(); newest.size() < 5; ++i)
    newest.push_back(std::to_string(*i));
  CAF_CHECK_EQUAL(first_column(r.out), newest);
  auto all_rows = run({"audit", "query"});
  CAF_REQUIRE_EQUAL(all_rows.exit_code, 0);
  CAF_CHECK_EQUAL(first_column(all_rows.out).size(), 50u);
  // No command breaks the table: one line per record.
  auto full = run({"audit", "query", "--limit", "1000"});
  CAF_CHECK_EQUAL(first_column(full.out).size(), all.size());
}

CAF_TEST(bad_option_values_are_user_errors_naming_the_option) {
  for (auto [option, value] : std::vector<std::pair<std::string, std::string>>{
           {"--limit", "x"},
           {"--limit", "0"},
           {"--from", "yesterday"},
           {"--to", "2026-13-01"},
           {"--task", "not-a-uuid"},
           {"--server", "no-such-server"}}) {
    for (auto cmd : {"query", "export"}) {
      std::vector<std::string> args{"audit", cmd, option, value};
      if (std::string{cmd} == "export")
        args.insert(args.end(), {"--format", "csv"});
      auto r = run(args);
      CAF_CHECK_EQUAL(r.exit_code, 1);
      CAF_CHECK_EQUAL(r.out, "");
      CAF_CHECK(r.err.rfind("tasksctl: " + option, 0) == 0);
      CAF_CHECK_EQUAL(std::count(r.err.begin(), r.err.end(), '\n'), 1);
    }
  }
  CAF_CHECK_EQUAL(run({"audit", "export"}).exit_code, 2);
  CAF_CHECK_EQUAL(run({"audit", "export", "--format", "xml"}).exit_code, 2);
  CAF_CHECK_EQUAL(run({"audit"}).exit_code, 2);
  for (auto cmd : {"query", "export", "verify", "head"}) {
    auto help = run({"audit", cmd, "--help"});
    CAF_CHECK_EQUAL(help.exit_code, 0);
    CAF_CHECK(help.out.find("example: tasksctl audit") != std::string::npos);
  }
  auto help = run({"audit", "--help"});
  CAF_CHECK_EQUAL(help.exit_code, 0);
  CAF_CHECK(help.out.find("example:") != std::string::npos);
}

CAF_TEST(output_file_is_complete_or_absent) {
  auto path = tmp.path + "/audit.csv";
  auto r = run({"audit", "export", "--format", "csv", "-o", path});
  CAF_REQUIRE_EQUAL(r.err, "");
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  CAF_CHECK_EQUAL(r.out, "");
  std::ifstream in{path, std::ios::binary};
  std::string content{std::istreambuf_iterator<char>{in}, {}};
  CAF_CHECK_EQUAL(content, run({"audit", "export", "--format", "csv"}).out);
  CAF_CHECK(leftovers().empty());
  auto missing = tmp.path + "/no/such/dir/audit.csv";
  auto failed = run({"audit", "export", "--format", "csv", "-o", missing});
  CAF_CHECK_EQUAL(failed.exit_code, 1);
  CAF_CHECK(failed.err.rfind("tasksctl: -o: cannot create", 0) == 0);
  CAF_CHECK(!std::filesystem::exists(missing));
  // A bad filter fails before anything is created.
  auto other = tmp.path + "/other.jsonl";
  auto bad = run(
      {"audit", "export", "--format", "jsonl", "--from", "x", "-o", other});
  CAF_CHECK_EQUAL(bad.exit_code, 1);
  CAF_CHECK(!std::filesystem::exists(other));
  CAF_CHECK(leftovers().empty());
}

CAF_TEST(verify_passes_and_then_names_a_tampered_record) {
  auto ok = run({"audit", "verify"});
  CAF_CHECK_EQUAL(ok.exit_code, 0);
  auto n = std::to_string(all.size());
  CAF_CHECK_EQUAL(ok.out, "ok: " + n + " records, head seq " + n + "\n");
  open();
  {
    auto& db = *opened.db;
    auto key = storage::keys::audit(17);
    auto value = db.get(storage::cf::audit, key);
    CAF_REQUIRE(value && *value);
    auto bytes = **value;
    auto pos = bytes.find("10.0.0.");
    CAF_REQUIRE(pos != std::string::npos);
    bytes[pos + 7] = bytes[pos + 7] == '9' ? '8' : '9';
    storage::write_batch batch{db};
    batch.put(storage::cf::audit, key, bytes);
    CAF_REQUIRE(!db.write(batch));
  }
  close();
  auto bad = run({"audit", "verify"});
  CAF_CHECK_EQUAL(bad.exit_code, 1);
  CAF_CHECK_EQUAL(bad.out, "");
  CAF_CHECK(bad.err.rfind("tasksctl: audit chain broken at record 17: ", 0)
            == 0);
  CAF_CHECK_EQUAL(std::count(bad.err.begin(), bad.err.end(), '\n'), 1);
}

CAF_TEST(head_matches_the_store) {
  open();
  auto head = st().head();
  CAF_REQUIRE(head);
  close();
  auto r = run({"audit", "head"});
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_CHECK_EQUAL(r.out, "seq " + std::to_string(head->seq) + "\nhash "
                             + hex(head->hash) + "\n");
  CAF_CHECK_EQUAL(head->seq, all.back().seq);
}

CAF_TEST(a_secondary_sees_records_of_a_running_primary) {
  open();
  for (int i = 0; i < 3; ++i) {
    audit_event e;
    e.action = "test.live";
    e.username = "live";
    CAF_REQUIRE(!st().append_audit(e));
  }
  auto r = run({"audit", "query", "--action", "test.live"});
  CAF_CHECK_EQUAL(r.exit_code, 0);
  auto n = all.size();
  CAF_CHECK_EQUAL(
      first_column(r.out),
      (std::vector<std::string>{std::to_string(n + 3), std::to_string(n + 2),
                                std::to_string(n + 1)}));
  auto verify = run({"audit", "verify"});
  CAF_CHECK_EQUAL(verify.exit_code, 0);
  CAF_CHECK_EQUAL(verify.out, "ok: " + std::to_string(n + 3)
                                  + " records, head seq "
                                  + std::to_string(n + 3) + "\n");
  CAF_CHECK_EQUAL(exported({"--user", "live"}).size(), 3u);
}

CAF_TEST_FIXTURE_SCOPE_END()

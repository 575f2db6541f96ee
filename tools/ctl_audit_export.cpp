// tasksctl audit export: streams records oldest first as CSV or JSON lines,
// to stdout or into a file that appears complete or not at all.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include "core/error.hpp"
#include "core/json_string.hpp"
#include "core/utf8.hpp"
#include "core/uuid.hpp"
#include "tools/ctl_audit.hpp"

namespace tasks::ctl {

namespace {

// -- record formats -----------------------------------------------------------

constexpr const char* csv_header
    = "seq,ts,action,user_id,username,task_id,server_id,command_preview,"
      "client_ip,user_agent,metadata,prev_hash,hash\r\n";

/// RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled.
/// Text is valid UTF-8 afterwards (bad bytes become U+FFFD, as in JSON).
void append_csv_field(std::string& out, std::string_view text) {
  std::string repaired;
  if (!utf8::is_valid(text)) {
    repaired = utf8::sanitize(text);
    text = repaired;
  }
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"')
      out += '"';
    out += c;
  }
  out += '"';
}

template <class T> std::string optional_text(const std::optional<T>& value) {
  if (!value)
    return {};
  if constexpr (std::is_same_v<T, task_id>)
    return to_string(*value);
  else
    return std::to_string(*value);
}

void append_csv(std::string& out, const audit_event& e) {
  out += std::to_string(e.seq);
  out += ',';
  out += format_micros(e.ts);
  out += ',';
  append_csv_field(out, e.action);
  out += ',';
  out += optional_text(e.user_id);
  out += ',';
  append_csv_field(out, e.username);
  out += ',';
  out += optional_text(e.task);
  out += ',';
  out += optional_text(e.server_id);
  out += ',';
  append_csv_field(out, e.command_preview);
  out += ',';
  append_csv_field(out, e.client_ip);
  out += ',';
  append_csv_field(out, e.user_agent);
  out += ',';
  append_csv_field(out, e.metadata.empty() ? "{}" : e.metadata);
  out += ',';
  out += to_hex(e.prev_hash);
  out += ',';
  out += to_hex(e.hash);
  out += "\r\n";
}

void append_jsonl(std::string& out, const audit_event& e) {
  auto key = [&out](const char* name) {
    out += ",\"";
    out += name;
    out += "\":";
  };
  auto number_or_null = [&out](const std::string& text) {
    out += text.empty() ? "null" : text;
  };
  out += "{\"seq\":";
  out += std::to_string(e.seq);
  key("ts");
  append_json_string(out, format_micros(e.ts));
  key("action");
  append_json_string(out, e.action);
  key("user_id");
  number_or_null(optional_text(e.user_id));
  key("username");
  append_json_string(out, e.username);
  key("task_id");
  if (e.task)
    append_json_string(out, to_string(*e.task));
  else
    out += "null";
  key("server_id");
  number_or_null(optional_text(e.server_id));
  key("command_preview");
  append_json_string(out, e.command_preview);
  key("client_ip");
  append_json_string(out, e.client_ip);
  key("user_agent");
  append_json_string(out, e.user_agent);
  // The store writes metadata as a JSON object; it goes out nested.
  key("metadata");
  out += e.metadata.empty() ? "{}" : e.metadata;
  key("prev_hash");
  append_json_string(out, to_hex(e.prev_hash));
  key("hash");
  append_json_string(out, to_hex(e.hash));
  out += "}\n";
}

// -- the temporary file -------------------------------------------------------

/// The temporary file to remove when a signal ends the export (the handler
/// may only call async-signal-safe functions: no std::string).
char pending_tmp[4096];

extern "C" void remove_pending_and_exit(int sig) {
  if (pending_tmp[0] != '\0')
    ::unlink(pending_tmp);
  ::_exit(128 + sig);
}

std::string errno_text() {
  return std::strerror(errno);
}

/// Where the records go: stdout, or FILE.tmp-XXXXXX renamed to FILE.
class output {
public:
  ~output() {
    if (file_ != nullptr && file_ != stdout)
      std::fclose(file_);
    discard();
  }

  /// Opens the destination; returns an error message or "".
  std::string open(const std::string& path) {
    if (path.empty() || path == "-") {
      file_ = stdout;
    } else {
      path_ = path;
      tmp_ = path + ".tmp-XXXXXX";
      if (tmp_.size() >= sizeof(pending_tmp))
        return "-o: path too long";
      int fd = ::mkstemp(tmp_.data());
      if (fd < 0) {
        auto why = errno_text();
        tmp_.clear();
        return "-o: cannot create " + path + ": " + why;
      }
      std::memcpy(pending_tmp, tmp_.c_str(), tmp_.size() + 1);
      std::signal(SIGINT, remove_pending_and_exit);
      std::signal(SIGTERM, remove_pending_and_exit);
      std::signal(SIGHUP, remove_pending_and_exit);
      std::signal(SIGPIPE, remove_pending_and_exit);
      file_ = ::fdopen(fd, "w");
      if (file_ == nullptr) {
        ::close(fd);
        return "-o: " + errno_text();
      }
    }
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
    return {};
  }

  /// False once a write failed (the message is then in error()).
  bool write(const std::string& bytes) {
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
      error_ = "write " + where() + ": " + errno_text();
      return false;
    }
    return true;
  }

  /// Flushes; a file is synced and renamed into place. Returns "" on success.
  std::string finish() {
    if (!error_.empty())
      return error_;
    if (std::fflush(file_) != 0)
      return "write " + where() + ": " + errno_text();
    if (file_ == stdout)
      return {};
    if (::fsync(::fileno(file_)) != 0)
      return "sync " + where() + ": " + errno_text();
    auto* f = file_;
    file_ = nullptr;
    if (std::fclose(f) != 0)
      return "close " + where() + ": " + errno_text();
    if (std::rename(tmp_.c_str(), path_.c_str()) != 0)
      return "rename to " + path_ + ": " + errno_text();
    tmp_.clear();
    pending_tmp[0] = '\0';
    // The rename is durable only once the directory is synced.
    auto dir = std::filesystem::path{path_}.parent_path();
    int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
    return {};
  }

  const std::string& error() const { return error_; }

private:
  std::string where() const { return path_.empty() ? "stdout" : path_; }

  void discard() {
    if (!tmp_.empty())
      ::unlink(tmp_.c_str());
    tmp_.clear();
    pending_tmp[0] = '\0';
  }

  FILE* file_ = nullptr;
  std::string path_;
  std::string tmp_;
  std::string error_;
};

/// Records done (of at most `total`) on stderr, when stderr is a terminal.
class progress {
public:
  explicit progress(uint64_t total)
      : enabled_(::isatty(STDERR_FILENO) != 0), total_(total) {
    // nop
  }

  void tick(uint64_t done) {
    if (!enabled_ || done % 1024 != 0)
      return;
    auto t = std::chrono::steady_clock::now();
    if (t - last_ < std::chrono::milliseconds{200})
      return;
    last_ = t;
    draw(done);
  }

  void done(uint64_t done) {
    if (!enabled_)
      return;
    draw(done);
    std::fputc('\n', stderr);
  }

private:
  void draw(uint64_t done) {
    constexpr int width = 30;
    // The total counts every record; a filter selects fewer.
    auto frac = total_ == 0 ? 1.0 : std::min(1.0, double(done) / total_);
    int filled = static_cast<int>(frac * width);
    std::fprintf(stderr, "\r[%.*s%*s] %llu records (of at most %llu)", filled,
                 "##############################", width - filled, "",
                 (unsigned long long)done, (unsigned long long)total_);
    std::fflush(stderr);
  }

  bool enabled_;
  uint64_t total_;
  std::chrono::steady_clock::time_point last_{};
};

} // namespace

int audit_export(const cli_options& opts, const audit_filter_options& filters,
                 const audit_export_options& out_opts) {
  config cfg;
  auto opened = open_for(opts, storage::open_mode::secondary, cfg);
  if (!opened)
    return 1;
  auto sel = parse_selection(filters, *opened->st);
  if (!sel)
    return fail(message_of(sel.error()));
  // Seqs are dense from 1: the head's seq bounds the count without a scan.
  auto head = opened->st->head();
  if (!head)
    return fail(message_of(head.error()));
  const bool csv = out_opts.format == "csv";
  output out;
  if (auto err = out.open(out_opts.output); !err.empty())
    return fail(err);
  progress bar{sel->limit ? std::min(*sel->limit, head->seq) : head->seq};
  std::string buf;
  if (csv)
    buf = csv_header;
  uint64_t count = 0;
  bool ok = true;
  auto err = opened->st->scan_audit(
      sel->filter, storage::scan_order::ascending, [&](const audit_event& e) {
        csv ? append_csv(buf, e) : append_jsonl(buf, e);
        if (buf.size() >= 1 << 16) {
          ok = out.write(buf);
          buf.clear();
        }
        bar.tick(++count);
        return ok && (!sel->limit || count < *sel->limit);
      });
  if (err)
    return fail("export: " + message_of(err));
  if (ok && !buf.empty())
    ok = out.write(buf);
  if (auto msg = out.finish(); !msg.empty())
    return fail(msg);
  bar.done(count);
  return 0;
}

} // namespace tasks::ctl

// Pure helpers of exec(): wrapper command, marker filter, capped buffers.
#include "actors/ssh/output.hpp"

#include <algorithm>

namespace tasks::ssh {

namespace {

/// A pid has at most 7 digits on Linux (pid_max <= 4194304); allow slack.
constexpr size_t max_pid_digits = 18;

bool all_digits(std::string_view text) {
  return !text.empty() && text.size() <= max_pid_digits
         && std::all_of(text.begin(), text.end(),
                        [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::string shell_quote(std::string_view text) {
  std::string result;
  result.reserve(text.size() + 2);
  result += '\'';
  for (char c : text) {
    if (c == '\'')
      result += "'\\''";
    else
      result += c;
  }
  result += '\'';
  return result;
}

std::string wrap_command(std::string_view command) {
  // `$$` is the login shell, which sshd started as a session leader: its pid
  // is the process group of everything the command starts (no job control
  // in a non-interactive shell). `eval` runs the command in that same shell,
  // as `ssh host command` does: a second shell would cost sshd's side about
  // as much CPU again as the rest of a `true` task.
  std::string result = "printf '";
  result += pgid_marker;
  result += "%s\\n' $$ >&2; eval ";
  result += shell_quote(command);
  return result;
}

std::string kill_group_command(long pgid) {
  return "kill -s KILL -- -" + std::to_string(pgid);
}

void capped_output::append(std::string_view data) {
  total_ += data.size();
  if (!keep_)
    return;
  const uint64_t room = max_ - std::min<uint64_t>(max_, text_.size());
  const size_t take
      = static_cast<size_t>(std::min<uint64_t>(room, data.size()));
  text_.append(data.data(), take);
  if (take < data.size())
    truncated_ = true;
}

void pgid_filter::feed(std::string_view data, capped_output& out) {
  if (done_) {
    out.append(data);
    return;
  }
  pending_.append(data.data(), data.size());
  scan(out);
}

void pgid_filter::finish(capped_output& out) {
  out.append(pending_);
  passed_ += pending_.size();
  pending_.clear();
  done_ = true;
}

void pgid_filter::scan(capped_output& out) {
  auto pass = [&](size_t n) {
    out.append(std::string_view{pending_}.substr(0, n));
    pending_.erase(0, n);
    passed_ += n;
  };
  while (!pending_.empty() && !done_) {
    if (passed_ > give_up_after_) {
      done_ = true;
      pass(pending_.size());
      return;
    }
    if (!at_line_start_) {
      // Inside a line that is not the marker: it belongs to the command.
      const auto eol = pending_.find('\n');
      if (eol == std::string::npos) {
        pass(pending_.size());
      } else {
        pass(eol + 1);
        at_line_start_ = true;
      }
      continue;
    }
    const size_t n = std::min(pending_.size(), pgid_marker.size());
    if (pending_.compare(0, n, pgid_marker.data(), n) != 0) {
      at_line_start_ = false;
      continue;
    }
    const auto eol = pending_.find('\n');
    if (eol == std::string::npos) {
      if (pending_.size() > pgid_marker.size() + max_pid_digits)
        at_line_start_ = false; // too long to be ours
      return;                   // otherwise wait for the rest of the line
    }
    const auto digits = std::string_view{pending_}.substr(
        pgid_marker.size(), eol - pgid_marker.size());
    if (!all_digits(digits)) {
      at_line_start_ = false;
      continue;
    }
    pgid_ = std::stol(std::string{digits});
    done_ = true;
    pending_.erase(0, eol + 1);
    out.append(pending_);
    pending_.clear();
  }
}

} // namespace tasks::ssh

// Audit queries over the audit_index families, and chain verification.
#include "storage/store.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "storage/codec.hpp"
#include "storage/keys.hpp"

namespace tasks::storage {

namespace {

/// Inclusive seq bounds of a query.
struct seq_range {
  uint64_t lo = 1;
  uint64_t hi = UINT64_MAX;
  bool empty() const { return lo > hi; }
};

std::string with_seq(std::string prefix, uint64_t seq) {
  keys::put_u64(prefix, seq);
  return prefix;
}

bool matches(const audit_filter& f, const audit_event& e) {
  if (f.user_id && e.user_id != f.user_id)
    return false;
  if (f.username && e.username != *f.username)
    return false;
  if (f.action_prefix
      && e.action.compare(0, f.action_prefix->size(), *f.action_prefix) != 0)
    return false;
  if (f.task && e.task != f.task)
    return false;
  if (f.server_id && e.server_id != f.server_id)
    return false;
  if (f.from && e.ts < *f.from)
    return false;
  if (f.to && e.ts > *f.to)
    return false;
  return true;
}

/// Maps the time bounds to seq bounds through the by-time index: seq and
/// ts grow together, so a time range is a seq range.
caf::expected<seq_range> time_to_seq(database& db, const audit_filter& f) {
  seq_range range;
  auto tag = std::string(1, static_cast<char>(keys::audit_tag::by_time));
  auto tag_end = keys::prefix_successor(tag);
  if (f.from) {
    auto c = db.scan(cf::audit_index, keys::audit_by_time_prefix(*f.from),
                     tag_end);
    c.seek_first();
    if (auto err = c.status())
      return err;
    if (!c.valid())
      return seq_range{1, 0};
    range.lo = keys::audit_index_entry_seq(c.key());
  }
  if (f.to) {
    auto c = db.scan(
        cf::audit_index, tag,
        keys::audit_by_time_prefix(*f.to + std::chrono::microseconds{1}));
    c.seek_last();
    if (auto err = c.status())
      return err;
    if (!c.valid())
      return seq_range{1, 0};
    range.hi = keys::audit_index_entry_seq(c.key());
  }
  return range;
}

/// The index prefixes whose entries, merged by seq, cover the filter.
caf::expected<std::vector<std::string>> index_prefixes(database& db,
                                                       const audit_filter& f) {
  if (f.task)
    return std::vector<std::string>{keys::audit_by_task_prefix(*f.task)};
  if (f.server_id)
    return std::vector<std::string>{keys::audit_by_server_prefix(*f.server_id)};
  if (f.user_id)
    return std::vector<std::string>{keys::audit_by_user_prefix(*f.user_id)};
  if (f.username)
    return std::vector<std::string>{
        keys::audit_by_username_prefix(*f.username)};
  std::vector<std::string> prefixes;
  if (!f.action_prefix)
    return prefixes;
  // One sub-range per distinct action under the prefix: skip from action
  // to action instead of reading every entry.
  auto base = std::string(1, static_cast<char>(keys::audit_tag::by_action));
  auto lower = base + *f.action_prefix;
  auto c = db.scan(cf::audit_index, lower, keys::prefix_successor(lower));
  for (c.seek_first(); c.valid();) {
    auto key = c.key();
    auto end = key.find('\0', 1);
    if (end == std::string_view::npos)
      return make_error(errc::corrupt_record, "malformed audit action index");
    auto action_prefix = std::string{key.substr(0, end + 1)};
    prefixes.push_back(action_prefix);
    c.seek(keys::prefix_successor(action_prefix));
  }
  if (auto err = c.status())
    return err;
  return prefixes;
}

} // namespace

caf::error
store::scan_audit(const audit_filter& filter, scan_order order,
                  const std::function<bool(const audit_event&)>& visit) {
  auto range = time_to_seq(db_, filter);
  if (!range)
    return range.error();
  if (range->empty())
    return {};
  auto hi_bound = range->hi == UINT64_MAX ? range->hi : range->hi + 1;
  auto prefixes = index_prefixes(db_, filter);
  if (!prefixes)
    return prefixes.error();
  const bool ascending = order == scan_order::ascending;
  auto read = [&](uint64_t seq, bool& go_on) -> caf::error {
    auto value = db_.get(cf::audit, keys::audit(seq));
    if (!value)
      return value.error();
    if (!*value)
      return make_error(errc::corrupt_record, "audit index points at missing "
                                              "record "
                                                  + std::to_string(seq));
    auto event = decode_audit(**value);
    if (!event)
      return event.error();
    if (matches(filter, *event))
      go_on = visit(*event);
    return {};
  };
  bool no_index = prefixes->empty() && !filter.action_prefix;
  if (no_index) {
    // Records are keyed by seq: read them directly.
    auto c = db_.scan(cf::audit, keys::audit(range->lo),
                      range->hi == UINT64_MAX ? "" : keys::audit(hi_bound));
    bool go_on = true;
    for (ascending ? c.seek_first() : c.seek_last(); c.valid() && go_on;
         ascending ? c.next() : c.prev()) {
      auto event = decode_audit(c.value());
      if (!event)
        return event.error();
      if (matches(filter, *event))
        go_on = visit(*event);
    }
    return c.status();
  }
  // Merge the index ranges by seq.
  std::vector<cursor> cursors;
  for (const auto& prefix : *prefixes) {
    auto upper = range->hi == UINT64_MAX ? keys::prefix_successor(prefix)
                                         : with_seq(prefix, hi_bound);
    cursors.push_back(
        db_.scan(cf::audit_index, with_seq(prefix, range->lo), upper));
    ascending ? cursors.back().seek_first() : cursors.back().seek_last();
  }
  bool go_on = true;
  while (go_on) {
    cursor* best = nullptr;
    uint64_t best_seq = 0;
    for (auto& c : cursors) {
      if (!c.valid())
        continue;
      auto seq = keys::audit_index_entry_seq(c.key());
      if (!best || (ascending ? seq < best_seq : seq > best_seq)) {
        best = &c;
        best_seq = seq;
      }
    }
    if (!best)
      break;
    if (auto err = read(best_seq, go_on))
      return err;
    ascending ? best->next() : best->prev();
  }
  for (auto& c : cursors)
    if (auto err = c.status())
      return err;
  return {};
}

caf::expected<std::vector<audit_event>>
store::query_audit(const audit_filter& filter, size_t limit) {
  std::vector<audit_event> result;
  if (limit == 0)
    return result;
  auto err
      = scan_audit(filter, scan_order::descending, [&](const audit_event& e) {
          result.push_back(e);
          return result.size() < limit;
        });
  if (err)
    return err;
  return result;
}

caf::expected<audit_verification> store::verify_audit() {
  audit_verification report;
  auto fail = [&](uint64_t seq, std::string problem) {
    report.first_bad_seq = seq;
    report.problem = std::move(problem);
  };
  std::string prev(32, '\0');
  uint64_t expected_seq = 1;
  auto c = db_.scan(cf::audit, "", "");
  for (c.seek_first(); c.valid(); c.next()) {
    auto key_seq = c.key().size() == 8 ? keys::get_u64(c.key(), 0) : 0;
    size_t body_size = 0;
    auto event = decode_audit(c.value(), &body_size);
    if (!event) {
      fail(key_seq, message_of(event.error()));
      return report;
    }
    if (key_seq != expected_seq) {
      fail(expected_seq,
           "record missing (next record is " + std::to_string(key_seq) + ")");
      return report;
    }
    if (event->seq != key_seq) {
      fail(key_seq, "record claims seq " + std::to_string(event->seq));
      return report;
    }
    if (!constant_time_equal(event->prev_hash, prev)) {
      fail(key_seq, "prev_hash does not match the previous record");
      return report;
    }
    auto body = c.value().substr(0, body_size);
    auto mac = hmac_sha256(audit_key_, prev + std::string{body});
    if (!constant_time_equal(mac, event->hash)) {
      fail(key_seq, "hash does not match the record's contents");
      return report;
    }
    prev = event->hash;
    ++report.records;
    ++expected_seq;
  }
  if (auto err = c.status())
    return err;
  auto stored_head = head();
  if (!stored_head)
    return stored_head.error();
  if (stored_head->seq != report.records
      || !constant_time_equal(stored_head->hash, prev))
    fail(report.records + 1,
         "chain head names seq " + std::to_string(stored_head->seq)
             + " but the log ends at " + std::to_string(report.records));
  return report;
}

} // namespace tasks::storage

// The tasksd side of the end-to-end bench (see .hpp).
#include <caf/all.hpp>

#include "e2e_tasksd.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/error.hpp"
#include "storage/keys.hpp"

namespace tasks::bench {

namespace {

using namespace std::chrono_literals;

/// How long a create may wait for its answer, and how long the bench waits
/// without any task becoming final before it gives up.
constexpr auto create_timeout = 120s;
constexpr auto stall_limit = 120s;

const audit_origin bench_user{1, "bench", "127.0.0.1", "bench_e2e"};

double millis_between(timestamp from, timestamp to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

void note(std::vector<std::string>& errors, std::string what) {
  if (errors.size() < 5
      && std::find(errors.begin(), errors.end(), what) == errors.end())
    errors.push_back(std::move(what));
}

} // namespace

caf::expected<std::unique_ptr<bench_store>>
bench_store::create(const std::string& dir) {
  using namespace tasks::storage;
  auto result = std::unique_ptr<bench_store>{new bench_store};
  auto db = database::open(dir, open_mode::primary);
  if (!db)
    return db.error();
  result->db_ = std::move(*db);
  // As tests/storage/store_fixture.hpp: schema 1 written by hand.
  write_batch batch{*result->db_};
  batch.put(cf::meta, keys::meta::schema_version, std::string{"\0\0\0\1", 4});
  if (auto err = result->db_->write(batch))
    return err;
  store_options options;
  options.sync_writes = true;
  auto st = store::open(*result->db_, secret_key::random(), options);
  if (!st)
    return st.error();
  result->st_ = std::move(*st);
  return result;
}

caf::expected<uint64_t> bench_store::add_server(const std::string& name,
                                                uint16_t port,
                                                const std::string& user,
                                                const std::string& key_file) {
  server s;
  s.name = name;
  s.host = "127.0.0.1";
  s.port = port;
  s.username = user;
  s.key_file = key_file;
  auto added = st_->add_server(s, std::nullopt, bench_user);
  if (!added)
    return added.error();
  return added->id;
}

sample run_tasks(caf::actor_system& sys, const tasksd_target& target, size_t n,
                 std::vector<std::string>& errors) {
  sample s;
  s.tasks = n;
  caf::scoped_actor self{sys};
  new_task request;
  request.user_id = 1;
  request.command = "true";
  request.timeout_seconds = 60;
  request.store_output = false;
  const auto before = cpu_now();
  const auto t0 = now();
  // Every create is in the manager's mailbox before the first answer is
  // read: a burst of n tasks.
  using handle
      = decltype(self->request(target.exec.manager, create_timeout,
                               create_atom::value, request, bench_user));
  std::vector<handle> pending;
  pending.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    request.server_id = target.servers[i % target.servers.size()];
    pending.push_back(self->request(target.exec.manager, create_timeout,
                                    create_atom::value, request, bench_user));
  }
  std::vector<task_id> ids;
  ids.reserve(n);
  for (auto& h : pending)
    h.receive([&](task& t) { ids.push_back(t.id); },
              [&](caf::error& err) {
                ++s.failures;
                note(errors, "create: " + message_of(err));
              });
  // Poll the store in creation order; a task read as final is not read
  // again. Reads run beside the storage actor's writes.
  std::vector<task> finals;
  finals.reserve(ids.size());
  auto last_progress = std::chrono::steady_clock::now();
  while (finals.size() < ids.size()) {
    auto t = target.st->get_task(ids[finals.size()]);
    if (t && is_final(t->state)) {
      finals.push_back(std::move(*t));
      last_progress = std::chrono::steady_clock::now();
      continue;
    }
    if (!t)
      note(errors, "read: " + message_of(t.error()));
    if (std::chrono::steady_clock::now() - last_progress > stall_limit) {
      note(errors, "gave up: no task became final for 120 s");
      s.failures += ids.size() - finals.size();
      break;
    }
    std::this_thread::sleep_for(1ms);
  }
  set_cpu(s, before, cpu_now(), true);
  std::vector<double> queue_ms;
  std::vector<double> run_ms;
  auto last_finish = t0;
  for (const auto& t : finals) {
    if (t.state != status::success) {
      ++s.failures;
      note(errors,
           to_string(t.state) + ": "
               + t.error.value_or("exit code "
                                  + std::to_string(t.exit_code.value_or(-1))));
    }
    if (!t.finished_at)
      continue;
    last_finish = std::max(last_finish, *t.finished_at);
    queue_ms.push_back(millis_between(t.created_at, *t.finished_at));
    if (t.started_at)
      run_ms.push_back(millis_between(*t.started_at, *t.finished_at));
  }
  const double wall_s = millis_between(t0, last_finish) / 1000.0;
  s.tasks_per_s = wall_s > 0 ? static_cast<double>(finals.size()) / wall_s : 0;
  s.queue_p50 = percentile(queue_ms, 0.50);
  s.queue_p99 = percentile(queue_ms, 0.99);
  s.run_p50 = percentile(run_ms, 0.50);
  s.run_p99 = percentile(run_ms, 0.99);
  return s;
}

} // namespace tasks::bench

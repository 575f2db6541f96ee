// tasksd: opens and migrates the store, creates the first admin, starts the
// execution actors and the HTTP API, requeues what a previous run left, and
// drains on SIGTERM (SPEC §5).
#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <sys/resource.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/execution.hpp"
#include "actors/rbac.hpp"
#include "actors/task_metrics.hpp"
#include "actors/timeouts.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "http/context.hpp"
#include "http/metrics.hpp"
#include "http/server.hpp"
#include "storage/crypto.hpp"
#include "tools/bootstrap_admin.hpp"
#include "tools/store_setup.hpp"

namespace {

using namespace tasks;

/// Time the API gets to answer the requests in flight at SIGTERM.
constexpr std::chrono::seconds http_drain{10};

/// A running task holds its SSH socket and its stop signal's eventfd.
constexpr rlim_t files_per_worker = 2;

/// Room for idle sessions, HTTP connections and RocksDB's files.
constexpr rlim_t files_besides_workers = 1024;

/// Raises the soft limit of open files to the hard one, as servers do:
/// systemd's default soft limit (1024) would fail tasks long before
/// TASKS_NUM_WORKERS are busy. Warns when even the hard limit is short.
void raise_open_files_limit(uint32_t workers) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
    return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
      ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  const rlim_t wanted = files_per_worker * workers + files_besides_workers;
  if (limit.rlim_cur < wanted)
    log::warn("open files limit is {}, below the {} that {} workers may "
              "need: raise it (systemd: LimitNOFILE=)",
              limit.rlim_cur, wanted, workers);
}

/// Runs recovery; false when the store could not be read.
bool recover(caf::actor_system& sys, const execution& exec) {
  caf::scoped_actor self{sys};
  bool ok = false;
  self->request(exec.manager, timeouts::storage, recover_atom::value)
      .receive([&](uint64_t) { ok = true; },
               [&](caf::error& err) {
                 log::error("recovery failed: {}", message_of(err));
               });
  return ok;
}

void drain(caf::actor_system& sys, const execution& exec,
           const execution_config& cfg) {
  caf::scoped_actor self{sys};
  self->request(exec.manager, timeouts::drain + cfg.drain_grace,
                drain_atom::value)
      .receive(
          [&](uint64_t queued) {
            log::info(
                "drained; {} queued task(s) will run after the next start",
                queued);
          },
          [&](caf::error& err) {
            log::error("drain did not finish: {}", message_of(err));
          });
}

/// Creates `admin` on an empty store; a generated password is shown once,
/// on stderr, and never logged.
bool bootstrap(storage::store& st, const config& cfg) {
  auto created = ensure_bootstrap_admin(st, cfg.bootstrap_admin_password);
  if (!created) {
    log::error("cannot create the first admin: {}",
               message_of(created.error()));
    return false;
  }
  if (*created) {
    std::fprintf(stderr,
                 "\ntasksd: created user '%s' with password: %s\n"
                 "tasksd: it is shown only this once; log in and keep it "
                 "safe.\n\n",
                 bootstrap_admin_name, (*created)->c_str());
    std::fflush(stderr);
  } else if (!cfg.bootstrap_admin_password.empty()) {
    log::info("first start: user '{}' created with "
              "TASKS_BOOTSTRAP_ADMIN_PASSWORD",
              bootstrap_admin_name);
  }
  return true;
}

} // namespace

int main() {
  std::signal(SIGPIPE, SIG_IGN);
  // Block the stop signals before any thread starts; main waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  auto cfg = load_config_from_process();
  if (!cfg) {
    std::fprintf(stderr, "tasksd: %s\n", message_of(cfg.error()).c_str());
    return 2;
  }
  log::init(cfg->log);
  for (const auto& warning : cfg->warnings)
    log::warn("{}", warning);
  for (const auto& [name, value] : describe(*cfg))
    log::info("config {}={}", name, value);
  auto opened = open_store(*cfg, storage::open_mode::primary);
  if (!opened) {
    log::error("cannot open the store: {}", message_of(opened.error()));
    return 1;
  }
  auto bootstrapped = bootstrap(*opened->st, *cfg);
  storage::wipe(cfg->bootstrap_admin_password);
  if (!bootstrapped)
    return 1;
  auto exec_cfg = execution_config::from(*cfg);
  raise_open_files_limit(exec_cfg.num_workers);
  int exit_code = 0;
  {
    caf::actor_system_config sys_cfg;
    configure_scheduler(sys_cfg);
    caf::actor_system sys{sys_cfg};
    task_metrics finished;
    auto exec = spawn_execution(sys, *opened->st, exec_cfg, &finished);
    auto auth_cfg = rbac_config::from(*cfg);
    // Shared with the HTTP threads, which read cached tokens directly.
    auth_cfg.tokens = std::make_shared<shared_token_cache>(
        auth_cfg.max_cached_tokens, auth_cfg.cache_lifetime);
    auto rbac = spawn_rbac(sys, exec.storage, auth_cfg);
    http::metrics counters;
    deadline_queue http_deadlines{sys, timeouts::http};
    http::api_context ctx{
        sys,          *cfg,         rbac ? *rbac : rbac_actor{},
        exec.manager, exec.storage, exec.readers,
        counters,     finished,     http_deadlines};
    ctx.tokens = auth_cfg.tokens;
    ctx.store = opened->st.get();
    http::server api{ctx};
    if (!rbac) {
      log::error("cannot start authentication: {}", message_of(rbac.error()));
      exit_code = 1;
    } else if (!recover(sys, exec)) {
      exit_code = 1;
    } else if (auto err = api.start()) {
      log::error("{}", message_of(err));
      exit_code = 1;
    } else {
      log::info("tasksd ready: store {}, {} worker(s)", cfg->data_dir,
                exec_cfg.num_workers);
      int signal = 0;
      sigwait(&stop_signals, &signal);
      log::info("received {}, draining",
                signal == SIGTERM ? "SIGTERM" : "SIGINT");
      api.drain(http_drain);
      drain(sys, exec, exec_cfg);
    }
    api.stop();
    if (rbac)
      caf::anon_send_exit(*rbac, caf::exit_reason::user_shutdown);
    ctx.rbac = rbac_actor{};
    ctx.manager = task_manager_actor{};
    ctx.storage = storage_actor{};
    ctx.readers.clear();
    stop_execution(sys, exec);
  }
  log::info("stopped");
  return exit_code;
}

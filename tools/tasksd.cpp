// tasksd: opens and migrates the store, then serves until SIGTERM.
#include <csignal>
#include <cstdio>
#include <pthread.h>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "tools/store_setup.hpp"

int main() {
  using namespace tasks;
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
  log::info("store {} open at schema version {}", cfg->data_dir,
            storage::schema_version);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  log::info("received {}, stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
  return 0;
}

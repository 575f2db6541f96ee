#!/usr/bin/env bash
# Issue 7's end-to-end comparison in one command: builds tasksd and
# bench_e2e (Release, in BUILD_DIR, default build-bench), then runs
# bench_e2e, which starts 4 loopback sshd instances and the real tasksd and
# prints one table of tasks/s, p50/p99 and ratios over interleaved rounds:
# tasksd over HTTP, tasksd's actors in-process, bare libssh loops (warm
# sessions with and without TCP_NODELAY, a connection per command), and
# OpenSSH `ssh` plain and through a ControlMaster. Needs root (sshd).
#
# usage: bench/run_e2e.sh [BUILD_DIR]
#   TASKS_BENCH_TASKS   tasks a round for tasksd and libssh warm (default 1000)
#   TASKS_BENCH_ROUNDS  rounds (default 5)
#   TASKS_BENCH_MODES   only these modes, by key, e.g. "hw" (default all)
#   TASKS_BENCH_QUEUED  tasks left queued for the memory figure (10000)
#   TASKS_BENCH_RUNNING tasks running for the memory figure (default 0: off)
#   TASKS_BENCH_BASELINE another build's tasksd binary: mode b, same rounds
# pssh and ansible are not Debian defaults here; when installed, run them by
# hand next to it (bench/README.md shows how).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build-bench}

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DTASKS_BUILD_BENCH=ON -DTASKS_BUILD_TESTS=OFF > /dev/null
cmake --build "$build" -j2 --target tasksd bench_e2e > /dev/null
cd "${TMPDIR:-/tmp}"
exec "$build/bench/bench_e2e"

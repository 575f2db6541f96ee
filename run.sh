#!/usr/bin/env bash
# Installs missing packages, builds a Release build and starts tasksd with
# the store in ./data on 127.0.0.1:8080 (see README "Configuration").
set -euo pipefail
cd "$(dirname "$0")"
source .ci/deps.sh

for arg in "$@"; do
  case "$arg" in
    -h|--help)
      echo "usage: ./run.sh    build and start tasksd (configure with TASKS_* variables or .env)"
      exit 0 ;;
    *)
      echo "run.sh: unknown option '$arg' (see ./run.sh --help)" >&2
      exit 2 ;;
  esac
done

ensure_packages "${BUILD_PACKAGES[@]}"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release \
  -DTASKS_BUILD_TESTS=OFF -DTASKS_BUILD_BENCH=OFF > /dev/null
cmake --build build/release -j2 --target tasksd tasksctl
exec ./build/release/tools/tasksd

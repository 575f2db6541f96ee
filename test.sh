#!/usr/bin/env bash
# Installs missing packages, builds everything with warnings as errors and
# runs the whole suite through CTest (one entry per suite).
set -euo pipefail
cd "$(dirname "$0")"
source .ci/deps.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_ui_test_tools
# The SSH tests log in by password as this account; they set a fresh random
# password each run (never root's). Created without a usable password.
if ! id tasksd-test >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    useradd -m -s /bin/sh tasksd-test
  else
    sudo useradd -m -s /bin/sh tasksd-test
  fi
fi
cmake -S . -B build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTASKS_WERROR=ON \
  -DTASKS_BUILD_TESTS=ON -DTASKS_BUILD_BENCH=ON > /dev/null
cmake --build build/test -j2
cd build/test
ctest --output-on-failure -j2 "$@"

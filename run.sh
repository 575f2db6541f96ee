#!/usr/bin/env bash
# Installs missing packages, builds a Release build and starts tasksd with
# the store in ./data on 127.0.0.1:8080 (see README "Configuration").
# --demo also starts a throwaway OpenSSH server on 127.0.0.1 and registers
# it as the server "demo", so a first command can run within a minute.
set -euo pipefail
cd "$(dirname "$0")"
source .ci/deps.sh

demo=0
for arg in "$@"; do
  case "$arg" in
    -h|--help)
      echo "usage: ./run.sh [--demo]"
      echo "  build and start tasksd (configure with TASKS_* variables or .env)"
      echo "  --demo  also run a loopback sshd (port DEMO_SSH_PORT, default 2222)"
      echo "          and register it as server 'demo'"
      exit 0 ;;
    --demo) demo=1 ;;
    *)
      echo "run.sh: unknown option '$arg' (see ./run.sh --help)" >&2
      exit 2 ;;
  esac
done

ensure_packages "${BUILD_PACKAGES[@]}"
if [ "$demo" -eq 1 ]; then
  ensure_packages openssh-server openssh-client
fi
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release \
  -DTASKS_BUILD_TESTS=OFF -DTASKS_BUILD_BENCH=OFF > /dev/null
cmake --build build/release -j2 --target tasksd tasksctl
tasksd=./build/release/tools/tasksd
tasksctl=./build/release/tools/tasksctl

if [ "$demo" -eq 0 ]; then
  exec "$tasksd"
fi

# -- demo: a loopback sshd that lives as long as tasksd ----------------------
data_dir="${TASKS_DATA_DIR:-./data}"
demo_dir="$(realpath -m "$data_dir/demo-sshd")"
port="${DEMO_SSH_PORT:-2222}"
mkdir -p -m 0700 "$data_dir" "$demo_dir"
if [ ! -d /run/sshd ]; then
  mkdir -p /run/sshd 2>/dev/null || sudo mkdir -p /run/sshd
fi
[ -f "$demo_dir/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$demo_dir/host_ed25519"
[ -f "$demo_dir/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$demo_dir/id_ed25519"
cp "$demo_dir/id_ed25519.pub" "$demo_dir/authorized_keys"
cat > "$demo_dir/sshd_config" <<CONFIG
Port $port
ListenAddress 127.0.0.1
HostKey $demo_dir/host_ed25519
AuthorizedKeysFile $demo_dir/authorized_keys
PidFile $demo_dir/sshd.pid
UsePAM no
StrictModes no
PasswordAuthentication no
PermitRootLogin prohibit-password
MaxSessions 100
MaxStartups 200:30:400
# bash skips ~/.bashrc for commands then (slow shell start-up on some hosts)
SetEnv SHLVL=1
CONFIG
/usr/sbin/sshd -f "$demo_dir/sshd_config" -E "$demo_dir/sshd.log" || {
  echo "run.sh: the demo sshd did not start (is port $port free? see $demo_dir/sshd.log)" >&2
  exit 1
}
stop_sshd() { kill "$(cat "$demo_dir/sshd.pid" 2>/dev/null)" 2>/dev/null || true; }
trap stop_sshd EXIT

fingerprint="$(ssh-keygen -lf "$demo_dir/host_ed25519.pub" | awk '{print $2}')"
if ! "$tasksctl" --data "$data_dir" server list 2>/dev/null | awk '{print $2}' | grep -qx demo; then
  "$tasksctl" --data "$data_dir" server add demo --host 127.0.0.1 --port "$port" \
    --user "$(id -un)" --key-file "$demo_dir/id_ed25519" --host-key "$fingerprint"
fi
echo "run.sh: demo sshd on 127.0.0.1:$port is registered as server 'demo'" >&2

"$tasksd" &
tasksd_pid=$!
trap 'kill -TERM "$tasksd_pid" 2>/dev/null || true' INT TERM
set +e
wait "$tasksd_pid"
status=$?
# A signal to run.sh interrupts the first wait; tasksd is still draining.
if kill -0 "$tasksd_pid" 2>/dev/null; then
  wait "$tasksd_pid"
  status=$?
fi
exit "$status"

#!/usr/bin/env bash
# HTTP benchmark of issue 4: wrk against tasksd's GET /api/tasks/:id and
# GET /api/tasks?server_id=…&status=… on a filled store, next to a bare
# Pistache hello endpoint with the same options (bench_http_hello), in
# interleaved rounds; then create-task throughput over HTTP. Builds nothing.
#
# usage: bench/http_bench.sh [BUILD_DIR]   (default build-bench)
#   TASKS_BENCH_TASKS    tasks in the store (default 1000000)
#   BENCH_SECONDS        seconds of each wrk run (default 10)
#   BENCH_ROUNDS         rounds of hello, get, list (default 3)
#   BENCH_CREATE_SECONDS seconds of the create run (default min(5, BENCH_SECONDS))
#   BENCH_SERVERS        servers in a new store (default 10)
#   BENCH_STORE_DIR      a store dir kept between runs: filled when new or
#                        empty, reused when bench_http_fill made it; tasksd
#                        runs on a copy of it (SST files hard-linked)
#   BENCH_KEEP=1         keep the temporary dir (logs, wrk output, store)
#   BENCH_IDLE_MAX       longest wait, in s, for tasksd to go idle (600)
# Exit status: 0 ok; 1 when a get/list request was not answered 2xx or no
# create got a 202; 2 when the bench cannot run; 77 when wrk or curl is
# missing (CTest skips).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")

build=${1:-build-bench}
if [[ ! -d $build && -d $root/$build ]]; then
  build=$root/$build
fi
build=$(cd "$build" 2>/dev/null && pwd) || {
  echo "http_bench: no build dir ${1:-build-bench}" >&2
  exit 2
}

tasksd=$build/tools/tasksd
hello=$build/bench/bench_http_hello
fill=$build/bench/bench_http_fill
lua=$here/http_create.lua

seconds=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-3}
create_seconds=${BENCH_CREATE_SECONDS:-$((seconds < 5 ? seconds : 5))}
servers=${BENCH_SERVERS:-10}
wrk_threads=2
wrk_connections=32
admin_password=bench-admin-password # bench/http_fill_store.cpp
idle_max=${BENCH_IDLE_MAX:-600}

say() { echo "http_bench: $*" >&2; }
die() { say "cannot run: $*"; exit 2; }

for tool in wrk curl; do
  command -v "$tool" >/dev/null || { say "$tool not found, skipped"; exit 77; }
done
for bin in "$tasksd" "$hello" "$fill"; do
  [[ -x $bin ]] || die "$bin missing: cmake --build $build --target tasksd bench_http_hello bench_http_fill"
done

# -- processes and temporary files -------------------------------------------

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tasksd-http-bench-XXXXXX")
pids=()

# Stops one process this script started: SIGTERM, then SIGKILL after $2 s.
stop_pid() {
  local pid=$1 grace=$2 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "pid $pid did not stop in ${grace} s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    stop_pid "${pids[i]}" 60
  done
  if [[ ${BENCH_KEEP:-0} == 1 ]]; then
    say "kept $tmp"
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nobody listens on (the bench's own processes bind it right after).
pick_port() {
  local port _
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

# CPU ticks (user + system) of a process so far.
cpu_ticks() {
  local stat
  stat=$(cat "/proc/$1/stat") || return 1
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  echo $((${12} + ${13}))
}

# Waits until a process used under 5% of a core for a second (RocksDB's
# flushes and compactions after opening a freshly loaded store).
wait_idle() {
  local pid=$1 hz waited before after
  hz=$(getconf CLK_TCK)
  for ((waited = 0; waited < idle_max; waited++)); do
    before=$(cpu_ticks "$pid") || return 1
    sleep 1
    after=$(cpu_ticks "$pid") || return 1
    if ((after - before < hz / 20)); then
      echo "$waited"
      return 0
    fi
  done
  echo "$waited"
}

# Waits until URL answers 200, while the process $2 lives.
wait_ready() {
  local url=$1 pid=$2 i
  for ((i = 0; i < 1200; i++)); do
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "$url" || true) == 200 ]]; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# -- the store ---------------------------------------------------------------

marker=bench_fill.txt # written by bench_http_fill when a fill completes
store=$tmp/store

fill_store() {
  local dir=$1 started
  say "filling $dir with $tasks tasks over $servers servers"
  started=$(date +%s)
  "$fill" "$dir" "$tasks" "$servers" >&2 || die "bench_http_fill failed"
  say "fill took $(($(date +%s) - started)) s"
}

# A copy tasksd may change: SST files are immutable, so they are
# hard-linked; everything else (WAL, MANIFEST, vault.key, …) is copied.
snapshot_store() {
  local src=$1 dst=$2 f
  mkdir -m 700 "$dst"
  for f in "$src"/*; do
    if [[ -d $f ]]; then
      cp -a "$f" "$dst/"
    elif [[ $f == *.sst ]]; then
      ln "$f" "$dst/" 2>/dev/null || cp -p "$f" "$dst/"
    else
      cp -p "$f" "$dst/"
    fi
  done
}

if [[ -n ${BENCH_STORE_DIR:-} ]]; then
  kept=$BENCH_STORE_DIR
  if [[ -f $kept/$marker ]]; then
    filled=$(sed -n 's/^tasks=\([0-9]*\) .*/\1/p' "$kept/$marker")
    if [[ -n ${TASKS_BENCH_TASKS:-} && $TASKS_BENCH_TASKS != "$filled" ]]; then
      die "$kept holds $filled tasks, TASKS_BENCH_TASKS=$TASKS_BENCH_TASKS"
    fi
    tasks=$filled
    say "reusing $kept ($(cat "$kept/$marker"))"
  elif [[ -d $kept && -n $(ls -A "$kept") ]]; then
    die "$kept is not empty and has no $marker: not a finished bench store"
  else
    tasks=${TASKS_BENCH_TASKS:-1000000}
    fill_store "$kept"
  fi
  snapshot_store "$kept" "$store"
else
  tasks=${TASKS_BENCH_TASKS:-1000000}
  fill_store "$store"
fi

# -- servers -----------------------------------------------------------------

hello_port=$(pick_port) || die "no free port"
"$hello" "$hello_port" >"$tmp/hello.log" 2>&1 &
pids+=($!)
hello_pid=$!
wait_ready "http://127.0.0.1:$hello_port/hello" "$hello_pid" ||
  die "bench_http_hello did not start: $(cat "$tmp/hello.log")"

port=$(pick_port) || die "no free port"
while [[ $port == "$hello_port" ]]; do port=$(pick_port); done
# A clean environment and a cwd without .env: only these settings apply.
(cd "$tmp" && exec env -i PATH="$PATH" \
  TASKS_DATA_DIR="$store" \
  TASKS_LISTEN="127.0.0.1:$port" \
  TASKS_MAX_QUEUED=1000000 \
  "$tasksd") >"$tmp/tasksd.log" 2>&1 &
pids+=($!)
tasksd_pid=$!
started=$(date +%s)
wait_ready "http://127.0.0.1:$port/api/health" "$tasksd_pid" ||
  die "tasksd did not start: $(tail -n 20 "$tmp/tasksd.log")"
say "tasksd ready after $(($(date +%s) - started)) s;" \
  "idle after $(wait_idle "$tasksd_pid") s more"

api=http://127.0.0.1:$port/api
token=$(curl -sS -X POST -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$admin_password\"}" \
  "$api/auth/login" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[[ -n $token ]] || die "login as admin failed"
auth="Authorization: Bearer $token"

server_id=1
list_path="/api/tasks?server_id=$server_id&status=success"
task_id=$(curl -sS -H "$auth" "http://127.0.0.1:$port$list_path&limit=1" |
  sed -n 's/.*"tasks":\[{"id":"\([^"]*\)".*/\1/p')
[[ -n $task_id ]] || die "no successful task on server $server_id"
get_path="/api/tasks/$task_id"
for path in "$get_path" "$list_path"; do
  code=$(curl -s -o "$tmp/probe.json" -w '%{http_code}' -H "$auth" \
    "http://127.0.0.1:$port$path")
  [[ $code == 200 ]] || die "GET $path answered $code: $(cat "$tmp/probe.json")"
done
say "GET $get_path: $(wc -c <"$tmp/probe.json" | tr -d ' ') bytes for the list," \
  "store of $tasks tasks"

# -- wrk ---------------------------------------------------------------------

# Prints "req/s p99_ms non2xx requests seconds socket_errors" of a wrk log.
parse_wrk() {
  awk '
    function ms(v,  n, u) {
      n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
      if (u == "us") return n / 1000
      if (u == "s") return n * 1000
      if (u == "m") return n * 60000
      return n
    }
    /Requests\/sec:/ { rps = $2 }
    /^ *99%/ { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { non2xx = $5 }
    / requests in / { requests = $1; d = $4; sub(/,$/, "", d); secs = ms(d) / 1000 }
    /Socket errors:/ { errors = $4 + $6 + $8 + $10 }
    END { printf "%s %s %d %d %s %d\n", rps + 0, p99 + 0, non2xx, requests,
                 secs + 0, errors }
  ' "$1"
}

declare -A rps p99
failures=0
endpoints=(hello get list)
declare -A label=(
  [hello]="bench_http_hello GET /hello"
  [get]="tasksd GET /api/tasks/:id"
  [list]="tasksd GET /api/tasks?server_id&status=success (100 per page)"
)

run_wrk() {
  local name=$1 round=$2 out url
  out=$tmp/wrk-$name-$round.txt
  case $name in
    hello) wrk -t$wrk_threads -c$wrk_connections -d"${seconds}s" --latency \
             "http://127.0.0.1:$hello_port/hello" >"$out" 2>&1 || true ;;
    get) url="http://127.0.0.1:$port$get_path" ;;
    list) url="http://127.0.0.1:$port$list_path" ;;
  esac
  if [[ $name != hello ]]; then
    wrk -t$wrk_threads -c$wrk_connections -d"${seconds}s" --latency \
      -H "$auth" "$url" >"$out" 2>&1 || true
  fi
  local r p n requests errors
  read -r r p n requests _ errors < <(parse_wrk "$out")
  rps[$name:$round]=$r
  p99[$name:$round]=$p
  say "round $round $name: $r req/s, p99 $p ms, $requests requests," \
    "$n non-2xx, $errors socket errors"
  if ((requests == 0 || n > 0)); then
    say "FAILED: $name answered $n of $requests requests with non-2xx:"
    sed 's/^/    /' "$out" >&2
    failures=$((failures + 1))
  fi
}

median() {
  printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
    END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

say "$rounds round(s) of wrk -t$wrk_threads -c$wrk_connections" \
  "-d${seconds}s --latency: hello, get, list (reversed every other round)"
for ((round = 1; round <= rounds; round++)); do
  order=("${endpoints[@]}")
  if ((round % 2 == 0)); then order=(list get hello); fi
  for name in "${order[@]}"; do run_wrk "$name" "$round"; done
done

# -- create ------------------------------------------------------------------

create_out=$tmp/wrk-create.txt
say "create: wrk -t$wrk_threads -c$wrk_connections -d${create_seconds}s" \
  "POST /api/servers/$server_id/tasks {\"command\":\"true\"}"
wrk -t$wrk_threads -c$wrk_connections -d"${create_seconds}s" --latency \
  -s "$lua" -H "$auth" "$api/servers/$server_id/tasks" >"$create_out" 2>&1 ||
  true
read -r create_rps create_p99 _ _ create_secs create_errors \
  < <(parse_wrk "$create_out")
accepted=$(awk '$1 == "create_status" && $2 == 202 { print $3 }' "$create_out")
accepted=${accepted:-0}
others=$(awk '$1 == "create_status" && $2 != 202 { printf "%s%s×%s", sep, $3, $2; sep = ", " }' \
  "$create_out")
grep '^create_sample' "$create_out" >&2 || true
if ((accepted == 0)); then
  say "FAILED: no create answered 202"
  failures=$((failures + 1))
fi
accepted_rate=$(awk -v a="$accepted" -v s="$create_secs" \
  'BEGIN { printf "%.0f", (s > 0 ? a / s : 0) }')

# tasksd runs the created tasks meanwhile (each fails at connect, port 1);
# its drain says how many were still queued.
stop_pid "$tasksd_pid" 60
pids=("$hello_pid")
left=$(sed -n 's/.*drained; \([0-9]*\) queued.*/\1/p' "$tmp/tasksd.log")
say "tasksd stopped; ${left:-?} created task(s) were still queued"

# -- table -------------------------------------------------------------------

ratio_of() { # median over rounds of per-round $2[name] / $2[hello]
  local name=$1 kind=$2 round values=()
  for ((round = 1; round <= rounds; round++)); do
    if [[ $kind == rps ]]; then
      values+=("$(awk -v a="${rps[$name:$round]}" -v b="${rps[hello:$round]}" \
        'BEGIN { print (b > 0 ? a / b : 0) }')")
    else
      values+=("$(awk -v a="${p99[$name:$round]}" -v b="${p99[hello:$round]}" \
        'BEGIN { print (b > 0 ? a / b : 0) }')")
    fi
  done
  median "${values[@]}"
}

echo
echo "HTTP bench: $tasks tasks in the store, $rounds round(s) of" \
  "wrk -t$wrk_threads -c$wrk_connections -d${seconds}s, keep-alive;" \
  "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| endpoint | req/s (median) | p99 ms (median) | req/s × hello | p99 × hello |"
echo "|---|---:|---:|---:|---:|"
for name in "${endpoints[@]}"; do
  r_values=() p_values=()
  for ((round = 1; round <= rounds; round++)); do
    r_values+=("${rps[$name:$round]}")
    p_values+=("${p99[$name:$round]}")
  done
  printf '| %s | %.0f | %.2f | %.3f | %.2f |\n' "${label[$name]}" \
    "$(median "${r_values[@]}")" "$(median "${p_values[@]}")" \
    "$(ratio_of "$name" rps)" "$(ratio_of "$name" p99)"
done
echo
echo "| create task (wrk ${create_seconds} s, -c$wrk_connections) | req/s | p99 ms | 202s | 202/s | other answers | socket errors |"
echo "|---|---:|---:|---:|---:|---|---:|"
printf '| tasksd POST /api/servers/%s/tasks | %.0f | %.2f | %d | %s | %s | %d |\n' \
  "$server_id" "$create_rps" "$create_p99" "$accepted" "$accepted_rate" \
  "${others:-none}" "$create_errors"
echo

if ((failures > 0)); then
  say "FAILED: $failures check(s); logs in $tmp (BENCH_KEEP=1 keeps them)"
  exit 1
fi
say "done"

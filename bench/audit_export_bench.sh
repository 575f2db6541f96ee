#!/usr/bin/env bash
# Audit export benchmark of issue 5: fills one store to SMALL audit records,
# times `tasksctl audit export` to /dev/null as CSV and as JSONL, grows the
# same store to BIG records and times both again. Reports records/s and the
# peak RSS of each export (GNU time); the RSS must stay flat as the count
# grows, since the export streams. Builds nothing.
#
# usage: bench/audit_export_bench.sh [BUILD_DIR]   (default build-bench)
#   BENCH_AUDIT_SMALL  records of the first size (default 100000)
#   BENCH_AUDIT_BIG    records of the second size (default 1000000)
#   BENCH_KEEP=1       keep the temporary store
# Exit status: 0 ok; 1 when an export fails, writes the wrong number of
# records, or the big export's peak RSS exceeds the small one's by more than
# 50% + 16 MiB; 2 when the bench cannot run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${1:-build-bench}
if [[ ! -d $build && -d $root/$build ]]; then
  build=$root/$build
fi
build=$(cd "$build" 2>/dev/null && pwd) || {
  echo "audit_export_bench: no build dir ${1:-build-bench}" >&2
  exit 2
}
tasksctl=$build/tools/tasksctl
fill=$build/bench/bench_audit_fill
for bin in "$tasksctl" "$fill"; do
  [[ -x $bin ]] || { echo "audit_export_bench: $bin not built" >&2; exit 2; }
done
[[ -x /usr/bin/time ]] || { echo "audit_export_bench: needs GNU time" >&2; exit 2; }

small=${BENCH_AUDIT_SMALL:-100000}
big=${BENCH_AUDIT_BIG:-1000000}
work=$(mktemp -d /tmp/audit-export-bench-XXXXXX)
if [[ ${BENCH_KEEP:-0} != 1 ]]; then
  trap 'rm -rf "$work"' EXIT
fi
cd "$work" # no stray .env
data=$work/data
status=0
declare -A rss

# export FORMAT N: one timed export to /dev/null, then a count check.
run_export() {
  local format=$1 n=$2
  /usr/bin/time -f '%e %M' -o "$work/time.txt" \
    "$tasksctl" --data "$data" audit export --format "$format" >/dev/null ||
    { echo "audit_export_bench: export $format failed" >&2; status=1; return; }
  read -r seconds kib <"$work/time.txt"
  local rate
  rate=$(awk -v n="$n" -v s="$seconds" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
  printf '%-6s %9s records  %7.2f s  %9s records/s  peak RSS %6.1f MiB\n' \
    "$format" "$n" "$seconds" "$rate" "$(awk -v k="$kib" 'BEGIN { print k / 1024 }')"
  rss[$format-$n]=$kib
  local lines expected=$n
  [[ $format == csv ]] && expected=$((n + 1))
  lines=$("$tasksctl" --data "$data" audit export --format "$format" | wc -l)
  if [[ $lines -ne $expected ]]; then
    echo "audit_export_bench: $format wrote $lines lines, expected $expected" >&2
    status=1
  fi
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "$small" "$big"; do
  "$fill" "$data" "$n"
  run_export csv "$n"
  run_export jsonl "$n"
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
for format in csv jsonl; do
  a=${rss[$format-$small]:-0} b=${rss[$format-$big]:-0}
  if (( b > a * 3 / 2 + 16384 )); then
    echo "audit_export_bench: $format peak RSS grew from $a KiB to $b KiB" >&2
    status=1
  fi
done
exit $status

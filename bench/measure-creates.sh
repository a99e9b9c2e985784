#!/usr/bin/env bash
# Pod creates through wrk (a C client, so the load costs little of the two cores), against the API
# server alone, and what each create costs the server: CPU from /proc/<pid>/stat; bytes allocated,
# GC pause, log syncs (etcd_disk_wal_fsync_duration_seconds) and contended lock entries from the
# server's own /metrics, read before and after the measured window; and the cores the server and
# wrk kept busy.
# Compare builds by alternating them in one sitting: the machine's speed moves between runs.
# Usage: bench/measure-creates.sh [build-dir...]   (default: a Release build of bench/Load)
# Env: SECONDS_MEASURED (15), SECONDS_WARMUP (15), CONNECTIONS (32), WRK_THREADS (1), ROUNDS (1);
# BASELINE=1 adds, each round, the same load against the trivial endpoint (serve-baseline). Everything on 127.0.0.1.
# PERF_DATA=FILE also samples the server with perf (call graphs, JIT symbols through perf maps)
# over the measured window; read it with `perf report -i FILE --no-children --sort symbol`.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
if [[ $# -eq 0 ]]; then
  dotnet build -c Release bench/Load -v q -nologo >/dev/null
  set -- bench/Load/bin/Release/net10.0
fi
measured="${SECONDS_MEASURED:-15}"
warmup="${SECONDS_WARMUP:-15}"
connections="${CONNECTIONS:-32}"
load="$1/Nautilus.Load.dll"
template="$(mktemp)"
dotnet "$load" pod-template >"$template"
data=""
pid=""
trap '[[ -n "$pid" ]] && kill "$pid" 2>/dev/null; [[ -n "$data" ]] && rm -rf "$data"; rm -f "$template"' EXIT

gc_metrics() {
  curl -sk -H "Authorization: Bearer $token" "$url/metrics" |
    grep -E '^(dotnet_gc_(heap_total_allocated_bytes|pause_time_seconds_total)|dotnet_monitor_lock_contentions_total|etcd_disk_wal_fsync_duration_seconds_(sum|count)) ' || true
}

# Starts a server in the background (its pid in pid) and waits for the kubeconfig line in its log.
start() {
  local log="$1"
  shift
  "$@" >"$log" 2>&1 &
  pid=$!
  until grep -q '^kubeconfig: ' "$log"; do
    kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.1
  done
}

stop() {
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  pid=""
  rm -rf "$data"
  data=""
}

# url, token and wrk_args from a kubeconfig.
target() {
  url=$(sed -n 's/^ *server: *//p' "$1" | head -1 | tr -d "\"'")
  token=$(sed -n 's/^ *token: *//p' "$1" | head -1 | tr -d "\"'")
  wrk_args=(-t"${WRK_THREADS:-1}" -c"$connections" -s "$repo/bench/wrk-create.lua" -H "Authorization: Bearer $token")
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }

# wrk for $1 seconds; its output in $data/wrk.out, its user and system seconds in wrk_times.
run_wrk() {
  local TIMEFORMAT='%U %S'
  wrk_times=$({ time POD_TEMPLATE="$template" RUN_ID="m$RANDOM" wrk "${wrk_args[@]}" -d"$1s" "$url" >"$data/wrk.out" 2>/dev/null; } 2>&1)
}

# One line per run: rate, CPU per request, cores busy; with /metrics before and after, what each create cost.
report() {
  python3 - "$1" "$(cat "$data/wrk.out")" "$2" "$(getconf CLK_TCK)" "$wrk_times" "$measured" "${3:-}" "${4:-}" <<'PY'
import re, sys
label, out, ticks, hz, times, seconds, before, after = sys.argv[1:9]
requests = int(re.search(r"(\d+) requests in", out).group(1))
rate = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
cpu = int(ticks) / int(hz)
line = f"{label}: {rate:,.0f} creates/s, server CPU {cpu * 1000 / requests:.3f} ms"
if before and after:
    metrics = lambda text: {l.split()[0]: float(l.split()[1]) for l in text.splitlines() if l.strip()}
    b, a = metrics(before), metrics(after)
    change = lambda name: a.get(name, float("nan")) - b.get(name, float("nan"))
    syncs = change("etcd_disk_wal_fsync_duration_seconds_count")
    line += (f", allocated {change('dotnet_gc_heap_total_allocated_bytes') / requests / 1024:.1f} KB, "
             f"GC pause {change('dotnet_gc_pause_time_seconds_total') / requests * 1e6:.1f} us per create, "
             f"{syncs / requests:.3f} log syncs of {change('etcd_disk_wal_fsync_duration_seconds_sum') * 1e3 / max(1, syncs):.2f} ms, "
             f"{change('dotnet_monitor_lock_contentions_total') / requests:.3f} contended lock entries")
else:
    line += " per request (answered 200 with a pod's bytes)"
line += f"; cores busy: server {cpu / float(seconds):.2f}, wrk {sum(map(float, times.split())) / float(seconds):.2f}"
print(line + (f"; {errors.group(1)} non-2xx" if errors else ""))
PY
}

measure() {
  local bin="$1"
  data="$(mktemp -d)"
  local perf_env=()
  [[ -n "${PERF_DATA:-}" ]] && perf_env=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
  start "$data/server.log" env "${perf_env[@]}" dotnet "$bin/nautilus.dll" --address 127.0.0.1 --port 0 --data-dir "$data" --nodes 0 --controllers=false --scheduler=false
  # 1,000 pods in ns-0 (the namespace the creates go to), seeded by the load generator.
  dotnet "$load" --kubeconfig "$data/kubeconfig" --server-pid "$pid" --pods 1000 --namespaces 1 --nodes 10 \
    --scenario get --duration 1 --warmup 0 >"$data/load.log" 2>&1 || { cat "$data/load.log"; exit 1; }
  target "$data/kubeconfig"
  POD_TEMPLATE="$template" RUN_ID="w$RANDOM" wrk "${wrk_args[@]}" -d"${warmup}s" "$url" >/dev/null
  local before cpu0 cpu1 after perf_pid=""
  before="$(gc_metrics)"
  cpu0=$(cpu_ticks)
  if [[ -n "${PERF_DATA:-}" ]]; then
    perf record -q -F 499 -g -p "$pid" -o "$PERF_DATA" -- sleep "$measured" 2>/dev/null &
    perf_pid=$!
  fi
  run_wrk "$measured"
  cpu1=$(cpu_ticks)
  [[ -n "$perf_pid" ]] && wait "$perf_pid"
  after="$(gc_metrics)"
  report "$bin" "$((cpu1 - cpu0))" "$before" "$after"
  stop
}

# The yardstick: the same wrk load against Nautilus.Load serve-baseline, Kestrel over the same
# kind of TLS answering every request with a stored pod's bytes and doing no other work.
baseline() {
  data="$(mktemp -d)"
  start "$data/baseline.log" dotnet "$load" serve-baseline --data-dir "$data/baseline"
  target "$(sed -n 's/^kubeconfig: //p' "$data/baseline.log")"
  POD_TEMPLATE="$template" RUN_ID="w$RANDOM" wrk "${wrk_args[@]}" -d5s "$url" >/dev/null 2>&1
  local cpu0 cpu1
  cpu0=$(cpu_ticks)
  run_wrk "$measured"
  cpu1=$(cpu_ticks)
  report "trivial endpoint" "$((cpu1 - cpu0))"
  stop
}

for ((round = 1; round <= ${ROUNDS:-1}; round++)); do
  for bin in "$@"; do
    measure "$bin"
  done
  if [[ "${BASELINE:-0}" == 1 ]]; then
    baseline
  fi
done

#!/usr/bin/env bash
# Pod creates through wrk (a C client, so the load costs little of the two cores), against the API
# server alone, and what each create costs the server: CPU from /proc/<pid>/stat, bytes allocated,
# GC pause and log syncs (etcd_disk_wal_fsync_duration_seconds) from the server's own /metrics,
# read before and after the measured window; and the cores the server and wrk kept busy.
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
    grep -E '^(dotnet_gc_(heap_total_allocated_bytes|pause_time_seconds_total)|etcd_disk_wal_fsync_duration_seconds_(sum|count)) ' || true
}

measure() {
  local bin="$1"
  data="$(mktemp -d)"
  local perf_env=()
  [[ -n "${PERF_DATA:-}" ]] && perf_env=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
  env "${perf_env[@]}" dotnet "$bin/nautilus.dll" --address 127.0.0.1 --port 0 --data-dir "$data" --nodes 0 --controllers=false --scheduler=false >"$data/server.log" 2>&1 &
  pid=$!
  until grep -q '^kubeconfig: ' "$data/server.log"; do
    kill -0 "$pid" 2>/dev/null || { cat "$data/server.log"; exit 1; }
    sleep 0.1
  done
  # 1,000 pods in ns-0 (the namespace the creates go to), seeded by the load generator.
  dotnet "$load" --kubeconfig "$data/kubeconfig" --server-pid "$pid" --pods 1000 --namespaces 1 --nodes 10 \
    --scenario get --duration 1 --warmup 0 >"$data/load.log" 2>&1 || { cat "$data/load.log"; exit 1; }
  url=$(sed -n 's/^ *server: *//p' "$data/kubeconfig" | head -1 | tr -d "\"'")
  token=$(sed -n 's/^ *token: *//p' "$data/kubeconfig" | head -1 | tr -d "\"'")
  local wrk_args=(-t"${WRK_THREADS:-1}" -c"$connections" -s "$repo/bench/wrk-create.lua" -H "Authorization: Bearer $token")
  POD_TEMPLATE="$template" RUN_ID="w$RANDOM" wrk "${wrk_args[@]}" -d"${warmup}s" "$url" >/dev/null
  local before cpu0 out cpu1 after
  before="$(gc_metrics)"
  cpu0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  local perf_pid=""
  if [[ -n "${PERF_DATA:-}" ]]; then
    perf record -q -F 499 -g -p "$pid" -o "$PERF_DATA" -- sleep "$measured" 2>/dev/null &
    perf_pid=$!
  fi
  local TIMEFORMAT='%U %S' times
  times=$({ time POD_TEMPLATE="$template" RUN_ID="m$RANDOM" wrk "${wrk_args[@]}" -d"${measured}s" "$url" >"$data/wrk.out"; } 2>&1)
  out=$(cat "$data/wrk.out")
  cpu1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  [[ -n "$perf_pid" ]] && wait "$perf_pid"
  after="$(gc_metrics)"
  python3 - "$bin" "$out" "$((cpu1 - cpu0))" "$(getconf CLK_TCK)" "$before" "$after" "$times" "$measured" <<'PY'
import re, sys
bin_dir, out, ticks, hz, before, after, times, seconds = sys.argv[1:9]
requests = int(re.search(r"(\d+) requests in", out).group(1))
rate = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
metrics = lambda text: {l.split()[0]: float(l.split()[1]) for l in text.splitlines() if l.strip()}
b, a = metrics(before), metrics(after)
delta = lambda name: (a[name] - b[name]) / requests if name in a and name in b else float("nan")
print(f"{bin_dir}: {rate:,.0f} creates/s, server CPU {int(ticks) * 1000 / int(hz) / requests:.3f} ms, "
      f"allocated {delta('dotnet_gc_heap_total_allocated_bytes') / 1024:.1f} KB, "
      f"GC pause {delta('dotnet_gc_pause_time_seconds_total') * 1e6:.1f} us per create"
      + f", {delta('etcd_disk_wal_fsync_duration_seconds_count'):.3f} log syncs of "
      + f"{(a.get('etcd_disk_wal_fsync_duration_seconds_sum', 0) - b.get('etcd_disk_wal_fsync_duration_seconds_sum', 0)) * 1e3 / max(1, a.get('etcd_disk_wal_fsync_duration_seconds_count', 0) - b.get('etcd_disk_wal_fsync_duration_seconds_count', 0)):.2f} ms"
      + f"; cores busy: server {int(ticks) / int(hz) / float(seconds):.2f}, wrk {sum(map(float, times.split())) / float(seconds):.2f}"
      + (f"; {errors.group(1)} non-2xx" if errors else ""))
PY
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  pid=""
  rm -rf "$data"
  data=""
}

# The yardstick: the same wrk load against Nautilus.Load serve-baseline, Kestrel over the same
# kind of TLS answering every request with a stored pod's bytes and doing no other work.
baseline() {
  data="$(mktemp -d)"
  dotnet "$load" serve-baseline --data-dir "$data/baseline" >"$data/baseline.log" 2>&1 &
  pid=$!
  until grep -q '^kubeconfig: ' "$data/baseline.log"; do
    kill -0 "$pid" 2>/dev/null || { cat "$data/baseline.log"; exit 1; }
    sleep 0.1
  done
  local kubeconfig url token
  kubeconfig=$(sed -n 's/^kubeconfig: //p' "$data/baseline.log")
  url=$(sed -n 's/^ *server: *//p' "$kubeconfig" | head -1 | tr -d "\"'")
  token=$(sed -n 's/^ *token: *//p' "$kubeconfig" | head -1 | tr -d "\"'")
  local wrk_args=(-t"${WRK_THREADS:-1}" -c"$connections" -s "$repo/bench/wrk-create.lua" -H "Authorization: Bearer $token")
  POD_TEMPLATE="$template" RUN_ID="w$RANDOM" wrk "${wrk_args[@]}" -d5s "$url" >/dev/null 2>&1
  local cpu0 cpu1 TIMEFORMAT='%U %S' times out
  cpu0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  times=$({ time POD_TEMPLATE="$template" RUN_ID="m$RANDOM" wrk "${wrk_args[@]}" -d"${measured}s" "$url" >"$data/wrk.out" 2>/dev/null; } 2>&1)
  cpu1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  out=$(cat "$data/wrk.out")
  python3 - "$out" "$((cpu1 - cpu0))" "$(getconf CLK_TCK)" "$times" "$measured" <<'PY'
import re, sys
out, ticks, hz, times, seconds = sys.argv[1:6]
requests = int(re.search(r"(\d+) requests in", out).group(1))
rate = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
print(f"trivial endpoint: {rate:,.0f} creates/s (answered 200 with a pod's bytes), server CPU {int(ticks) * 1000 / int(hz) / requests:.3f} ms per request; "
      f"cores busy: server {int(ticks) / int(hz) / float(seconds):.2f}, wrk {sum(map(float, times.split())) / float(seconds):.2f}")
PY
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  pid=""
  rm -rf "$data"
  data=""
}

for ((round = 1; round <= ${ROUNDS:-1}; round++)); do
  for bin in "$@"; do
    measure "$bin"
  done
  if [[ "${BASELINE:-0}" == 1 ]]; then
    baseline
  fi
done

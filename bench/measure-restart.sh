#!/usr/bin/env bash
# Measures a restart with a populated store: seeds N pods with the load generator (API server
# alone), stops the server, then starts it again on the same data directory a few times and
# prints the store's files, the time to ready and RSS after start. Everything on 127.0.0.1.
# Usage: bench/measure-restart.sh [pods] [restarts]   (builds Release first)
set -euo pipefail
cd "$(dirname "$0")/.."
pods="${1:-40000}"
restarts="${2:-3}"
dotnet build -c Release bench/Load -v q -nologo >/dev/null
bin=bench/Load/bin/Release/net10.0
data="$(mktemp -d)"
pid=""
trap '[[ -n "$pid" ]] && kill "$pid" 2>/dev/null; rm -rf "$data"' EXIT

start_server() {
  dotnet "$bin/nautilus.dll" --address 127.0.0.1 --port 0 --data-dir "$data" --nodes 0 --controllers=false --scheduler=false >"$data/server.log" 2>&1 &
  pid=$!
  until grep -q '^kubeconfig: ' "$data/server.log"; do
    kill -0 "$pid" 2>/dev/null || { cat "$data/server.log"; exit 1; }
    sleep 0.1
  done
}

stop_server() {
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  pid=""
}

start_server
dotnet "$bin/Nautilus.Load.dll" --kubeconfig "$data/kubeconfig" --server-pid "$pid" --scenario get --connections 4 --pods "$pods" --duration 1 >"$data/seed.log" 2>&1 \
  || { cat "$data/seed.log"; exit 1; }
stop_server
echo "store after seeding $pods pods:"
ls -l "$data/store" | awk 'NR > 1 { printf "  %-40s %12d bytes\n", $9, $5 }'
for run in $(seq 1 "$restarts"); do
  start_server
  ready=$(grep -o "ready in [0-9]* ms" "$data/server.log" || true)
  rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  echo "restart $run: $ready, RSS $((rss_kb / 1024)) MiB"
  stop_server
done

#!/usr/bin/env bash
# Measures the server's startup time to the first served request and its idle memory (RSS).
# Usage: bench/measure-startup.sh [runs]   (builds Release first; uses a fresh data directory per run)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
dotnet build -c Release src/Server -v q -nologo >/dev/null
bin="src/Server/bin/Release/net10.0/nautilus.dll"
for run in $(seq 1 "$runs"); do
  data="$(mktemp -d)"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  start=$(date +%s%N)
  dotnet "$bin" --port "$port" --data-dir "$data" --nodes 0 >"$data/server.log" 2>&1 &
  pid=$!
  until curl -sk --max-time 1 "https://127.0.0.1:$port/version" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "server exited"; cat "$data/server.log"; exit 1; }
    sleep 0.01
  done
  ready=$(( ($(date +%s%N) - start) / 1000000 ))
  # Idle: let startup work (JIT, GC) settle, then read resident memory.
  for _ in $(seq 1 20); do curl -sk "https://127.0.0.1:$port/version" >/dev/null; done
  sleep 3
  rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  echo "run $run: first request served after ${ready} ms, idle RSS $((rss_kb / 1024)) MiB"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
done

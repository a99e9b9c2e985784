#!/usr/bin/env bash
# Runs the measurements behind issue 7's targets, each for a few seconds, and keeps the JSON:
#   get of one pod at 4 and 32 connections, against Nautilus then the trivial Kestrel endpoint;
#   p99 of get at half of Nautilus' own saturation rate; kubectl's Table of a 1,000-pod namespace;
#   all 10,000 pods as a Table and as paginated JSON; status updates; creates; 1,000 watchers;
#   memory at 10,000 and 150,000 pods.
# Usage: bench/run-targets.sh [results-dir]     (about 8 minutes, most of it the 150,000-pod fill)
# Set QUICK=1 to skip the memory fill; WHOLE=1 to keep scheduler and controllers in the request
# server. One server serves the request scenarios; watch and memory start their own. Everything
# stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-$(mktemp -d -t nautilus-results-XXXXXX)}"
mkdir -p "$out"
dotnet build -c Release bench/Load -v q -nologo >/dev/null
bin=bench/Load/bin/Release/net10.0
load=(dotnet "$bin/Nautilus.Load.dll")

data="$(mktemp -d)"
# The request scenarios measure the API server alone, as the kube-apiserver figures in issue 7 were
# taken (no controller manager reacting to the load, whose seeded nodes never heartbeat).
# WHOLE=1 keeps the in-process scheduler and controllers.
component_args=(--controllers=false --scheduler=false)
if [[ "${WHOLE:-0}" == 1 ]]; then component_args=(); fi
dotnet "$bin/nautilus.dll" --address 127.0.0.1 --port 0 --data-dir "$data" --nodes 0 "${component_args[@]}" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
until grep -q '^kubeconfig: ' "$data/server.log"; do
  kill -0 $server 2>/dev/null || { cat "$data/server.log"; exit 1; }
  sleep 0.2
done
target=(--kubeconfig "$data/kubeconfig" --server-pid $server)
uptime | tee "$out/machine.txt"
nproc >>"$out/machine.txt"

# Seeds 10,000 pods (10 namespaces, 100 nodes) and measures get at 4 connections, then the yardstick.
"${load[@]}" "${target[@]}" --scenario get --connections 4 --baseline --json "$out/get-4.json" | tee "$out/get-4.txt"
"${load[@]}" "${target[@]}" --no-seed --scenario get --connections 32 --baseline --json "$out/get-32.json" | tee "$out/get-32.txt"
saturation=$(python3 -c "import json,sys; print(int([r for r in json.load(open('$out/get-32.json')) if r['target']=='nautilus'][0]['requestsPerSecond']))")
"${load[@]}" "${target[@]}" --no-seed --scenario get --connections 32 --rate $((saturation / 2)) --json "$out/get-half-rate.json" | tee "$out/get-half-rate.txt"
"${load[@]}" "${target[@]}" --no-seed --scenario table,table-all,list --connections 1 --json "$out/lists.json" | tee "$out/lists.txt"
# The mix before the writes: after them a namespace holds 10,000 more pods, and its Tables measure that.
"${load[@]}" "${target[@]}" --no-seed --scenario mix --connections 8 --json "$out/mix.json" | tee "$out/mix.txt"
"${load[@]}" "${target[@]}" --no-seed --scenario update-status --connections 32 --json "$out/update-status.json" | tee "$out/update-status.txt"
"${load[@]}" "${target[@]}" --no-seed --scenario create --connections 32 --json "$out/create-rest.json" | tee "$out/create-rest.txt"
"${load[@]}" "${target[@]}" --no-seed --scenario create --protocol grpc --connections 4 --concurrency 32 --json "$out/create-grpc.json" | tee "$out/create-grpc.txt"
kill $server; wait $server 2>/dev/null || true

"${load[@]}" --scenario watch --watchers 1000 --events 5 --json "$out/watch.json" | tee "$out/watch.txt"
if [[ "${QUICK:-0}" != 1 ]]; then
  "${load[@]}" --scenario memory --json "$out/memory.json" | tee "$out/memory.txt"
fi
echo "results in $out"

#!/usr/bin/env bash
# "Every core": the same service (HTTP echo on fastify + gRPC echo on grpc-js, metrics middleware,
# src/testdata/service.ts) run by runCluster with 1 worker (in-process) and with 2 workers,
# interleaved in one run. Load generators pinned to CPU 0 (wrk -t1 -c64 for HTTP, h2load -c8 -m50
# for gRPC); the service's processes are not pinned. Prints req/s, errors, the CPU time of every
# service process (primary + workers) per request, the aggregated /metrics count, and the RSS of
# all service processes after the load.
# Usage: packages/cluster/bench/every-core.sh [rounds] [grpc requests] [wrk seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-2}
N=${2:-60000}
SECS=${3:-8}
HZ=$(getconf CLK_TCK)
BODY=$(mktemp)
# gRPC frame: uncompressed, 4-byte length 3, StringValue{value: "x"}.
printf '\x00\x00\x00\x00\x03\x0a\x01x' > "$BODY"
trap 'rm -f "$BODY"' EXIT

cpu_ticks() { # total utime+stime of a process and its children now
  local sum=0 p
  for p in "$@"; do sum=$((sum + $(awk '{print $14+$15}' "/proc/$p/stat"))); done
  echo "$sum"
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
for round in $(seq "$ROUNDS"); do
  for workers in 1 2; do
    hp=$((20000 + RANDOM % 5000)); gp=$((hp + 5000))
    node --conditions=kratos-source src/testdata/service.ts "$workers" "$hp" "$gp" > /dev/null 2>&1 &
    pid=$!
    for _ in $(seq 600); do
      (echo > "/dev/tcp/127.0.0.1/$hp") 2>/dev/null && (echo > "/dev/tcp/127.0.0.1/$gp") 2>/dev/null && break
      sleep 0.1
    done
    # every worker up: the fixture's primary forks them at once; wait for their count
    while [ "$workers" -gt 1 ] && [ "$( (pgrep -P "$pid" || true) | wc -l)" -lt "$workers" ]; do sleep 0.1; done
    sleep 1
    pids="$pid $(pgrep -P "$pid" | tr "\n" " " || true)"
    # warm-up
    taskset -c 0 wrk -t1 -c64 -d2s "http://127.0.0.1:$hp/v1/echo/x" > /dev/null
    taskset -c 0 h2load -n 10000 -c 8 -m 50 -H 'content-type: application/grpc' -H 'te: trailers' \
      -d "$BODY" "http://127.0.0.1:$gp/test.v1.Echo/Echo" > /dev/null
    before=$(curl -s "http://127.0.0.1:$hp/metrics" | awk '/^server_requests_code_total\{kind="http"/ {s+=$NF} END {print s+0}')

    t0=$(cpu_ticks $pids)
    w=$(taskset -c 0 wrk -t1 -c64 -d"${SECS}s" "http://127.0.0.1:$hp/v1/echo/x")
    t1=$(cpu_ticks $pids)
    wreq=$(echo "$w" | awk '/requests in/ {print $1}')
    wrps=$(echo "$w" | awk '/^Requests\/sec/ {print $2}')
    werr=$(echo "$w" | awk '/Non-2xx|Socket errors/ {printf "%s ", $0}')
    after=$(curl -s "http://127.0.0.1:$hp/metrics" | awk '/^server_requests_code_total\{kind="http"/ {s+=$NF} END {print s+0}')
    hcpu=$(awk -v a="$t0" -v b="$t1" -v n="$wreq" -v hz="$HZ" 'BEGIN {printf "%.1f", (b - a) / hz * 1e6 / n}')

    t0=$(cpu_ticks $pids)
    h=$(taskset -c 0 h2load -n "$N" -c 8 -m 50 -H 'content-type: application/grpc' -H 'te: trailers' \
      -d "$BODY" "http://127.0.0.1:$gp/test.v1.Echo/Echo")
    t1=$(cpu_ticks $pids)
    hrps=$(echo "$h" | awk '/^finished in/ {print $4}')
    hok=$(echo "$h" | awk '/^requests:/ {print $8, "succeeded,", $10, "failed,", $12, "errored"}')
    gcpu=$(awk -v a="$t0" -v b="$t1" -v n="$N" -v hz="$HZ" 'BEGIN {printf "%.1f", (b - a) / hz * 1e6 / n}')

    rss=$(for p in $pids; do awk '/^VmRSS/ {print $2}' "/proc/$p/status"; done | awk '{s += $1} END {printf "%.0f", s / 1024}')
    echo "round $round workers $workers | RSS ${rss} MB | HTTP $wrps req/s, $hcpu µs CPU/req, wrk $wreq done, /metrics +$((after - before)) ${werr:-0 errors} | gRPC $hrps, $gcpu µs CPU/req, $hok"
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  done
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at end"
